/** The window types a spec may use. A new type is one file here and one line below. */
import type { Duration } from '../expressions/duration';
import { cumulate } from './cumulate';
import type { WindowDefinition } from './definition';
import { hop } from './hop';
import { tumble } from './tumble';

/** In the order messages and the JSON schema list them. */
export const WINDOW_TYPES = { hop, tumble, cumulate } as const;

export type WindowType = keyof typeof WINDOW_TYPES;

/** A window spec, one variant per type: `{ type: 'hop', size, slide }`, ... */
export type WindowSpec = { [K in WindowType]: (typeof WINDOW_TYPES)[K] extends WindowDefinition<infer W> ? W : never }[WindowType];

export const WINDOW_TYPE_NAMES = Object.keys(WINDOW_TYPES) as [WindowType, ...WindowType[]];

/** The definition of a type, typed loosely, for code that handles every type alike. */
export function windowType(name: WindowType): WindowDefinition<WindowSpec> {
  return WINDOW_TYPES[name];
}

/**
 * Every duration a window spec may have, in the order the types name them: whether every type
 * has it (then the spec's structure requires it), and its value in a live demo.
 */
export const WINDOW_DURATIONS: readonly { readonly key: string; readonly everyType: boolean; readonly live: string }[] = [
  ...new Set(WINDOW_TYPE_NAMES.flatMap((t) => WINDOW_TYPES[t].durations)),
].map((key) => {
  const types = WINDOW_TYPE_NAMES.map((t) => WINDOW_TYPES[t]).filter((w) => w.durations.includes(key));
  return { key, everyType: types.length === WINDOW_TYPE_NAMES.length, live: types[0].live[key] };
});

/** The durations of `type` that not every type has: what a spec of it must add (hop: slide). */
export function ownDurations(type: WindowType): string[] {
  return WINDOW_TYPES[type].durations.filter((key) => !WINDOW_DURATIONS.some((d) => d.key === key && d.everyType));
}

/** The spec of a window of `type` from its durations, which must include each of the type's own. */
export function windowSpec(type: WindowType, durations: ReadonlyMap<string, Duration>): WindowSpec {
  const entries = WINDOW_TYPES[type].durations.map((key) => {
    const d = durations.get(key);
    if (!d) throw new Error(`a ${type} window needs its ${key}`);
    return [key, d] as const;
  });
  // The type's own list of durations names exactly the members of its spec.
  return { type, ...Object.fromEntries(entries) } as WindowSpec;
}

export type { Window, WindowDefinition } from './definition';
