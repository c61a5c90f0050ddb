import type { Duration } from '../expressions/duration';
import type { Window, WindowDefinition } from './definition';
import { eachRow, floorTo, wholeMultiple } from './definition';

export interface CumulateWindow {
  readonly type: 'cumulate';
  readonly size: Duration;
  readonly step: Duration;
}

/** Windows that grow by `step` from the start of each `size` period: [start, start + step), [start, start + 2·step), ... */
export const cumulate: WindowDefinition<CumulateWindow> = {
  type: 'cumulate',
  durations: ['size', 'step'],
  live: { size: '10 s', step: '5 s' },
  check: (w) => wholeMultiple(w.size, 'step', w.step),
  tvf: 'CUMULATE',
  tvfArguments: (w) => [w.step, w.size],
  endsEvery: (w) => w.step,
  assign: eachRow((t, w) => {
    const size = w.size.millis;
    const step = w.step.millis;
    const base = floorTo(t, size);
    const out: Window[] = [];
    for (let end = floorTo(t, step) + step; end <= base + size; end += step) out.push({ start: base, end });
    return out;
  }),
  // A cumulate window's start is that of every window of its period.
  namedBy: { placeholders: ['window_end'], note: 'a cumulate window shares its start with the others of its period' },
};
