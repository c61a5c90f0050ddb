import type { Duration } from '../expressions/duration';
import type { Window, WindowDefinition } from './definition';
import { eachRow, floorTo, wholeMultiple } from './definition';

export interface HopWindow {
  readonly type: 'hop';
  readonly size: Duration;
  readonly slide: Duration;
}

/** Windows of `size` starting every `slide`: each row is in size/slide of them. */
export const hop: WindowDefinition<HopWindow> = {
  type: 'hop',
  durations: ['size', 'slide'],
  live: { size: '10 s', slide: '5 s' },
  check: (w) => wholeMultiple(w.size, 'slide', w.slide),
  tvf: 'HOP',
  // HOP takes the slide before the size.
  tvfArguments: (w) => [w.slide, w.size],
  endsEvery: (w) => w.slide,
  assign: eachRow((t, w) => {
    const size = w.size.millis;
    const slide = w.slide.millis;
    const out: Window[] = [];
    // Every [k*slide, k*slide + size) with k*slide <= t < k*slide + size.
    for (let start = floorTo(t, slide); start > t - size; start -= slide) out.push({ start, end: start + size });
    return out.reverse();
  }),
  namedBy: { placeholders: ['window_start', 'window_end'], note: '' },
};
