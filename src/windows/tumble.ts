import type { Duration } from '../expressions/duration';
import type { WindowDefinition } from './definition';
import { eachRow, floorTo } from './definition';

export interface TumbleWindow {
  readonly type: 'tumble';
  readonly size: Duration;
}

/** Fixed windows of `size` that do not overlap: each row is in one. */
export const tumble: WindowDefinition<TumbleWindow> = {
  type: 'tumble',
  durations: ['size'],
  live: { size: '10 s' },
  check: () => undefined,
  tvf: 'TUMBLE',
  tvfArguments: (w) => [w.size],
  endsEvery: (w) => w.size,
  assign: eachRow((t, w) => {
    const start = floorTo(t, w.size.millis);
    return [{ start, end: start + w.size.millis }];
  }),
  namedBy: { placeholders: ['window_start', 'window_end'], note: '' },
};
