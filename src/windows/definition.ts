/**
 * What a window type is, in one place: its durations and how they must relate, its Flink window
 * table function, how the reference model assigns a row to its windows, which key placeholders
 * tell its windows apart, and its durations in a live demo. One file per type (`hop.ts`, ...);
 * `index.ts` lists them. Adding a type is one file and one line there.
 */
import type { Duration } from '../expressions/duration';
import type { KeyPlaceholder } from '../expressions/key-template';

/** One window of the reference model: epoch milliseconds, [start, end). */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/** The spec of window type `T`: its durations, under the names the spec gives them. */
export interface WindowSpecBase<T extends string = string> {
  readonly type: T;
}

export interface WindowDefinition<W extends WindowSpecBase = WindowSpecBase> {
  readonly type: W['type'];
  /** Its durations, as the spec names them, in the order messages list them: e.g. size, slide. */
  readonly durations: readonly [string, ...string[]];
  /** Each duration in a live demo, where windows must close within seconds. */
  readonly live: Readonly<Record<string, string>>;
  /** What is wrong with how its durations relate, as [the duration to point at, message]; undefined when nothing is. */
  check(w: W): readonly [string, string] | undefined;
  /** Flink's window table function, e.g. HOP. */
  readonly tvf: string;
  /** The function's arguments after the table and the time descriptor, in Flink's order. */
  tvfArguments(w: W): Duration[];
  /** Every window's end is a multiple of this (from the epoch): what the watermark may be floored to. */
  endsEvery(w: W): Duration;
  /**
   * Reference model: the windows each row belongs to, oldest first, from the rows' event times
   * (epoch milliseconds). Given all of them, as a type's windows may depend on other rows (a
   * session's); `eachRow` makes it from a rule for one row.
   */
  assign(times: readonly number[], w: W): Window[][];
  /**
   * The key placeholders that name one window of the type, in the order messages list them, and
   * what messages say about those that do not (e.g. windows that share their start); '' for none.
   */
  readonly namedBy: { readonly placeholders: readonly [KeyPlaceholder, ...KeyPlaceholder[]]; readonly note: string };
}

/** `assign` for a type that places each row by its own time alone. */
export function eachRow<W>(windowsAt: (t: number, w: W) => Window[]): (times: readonly number[], w: W) => Window[][] {
  return (times, w) => times.map((t) => windowsAt(t, w));
}

/** Largest multiple of `unit` not above `t` (also for negative t, i.e. before 1970). */
export function floorTo(t: number, unit: number): number {
  return Math.floor(t / unit) * unit;
}

/** `size` must be a whole multiple of a window's `inner` duration (`name`: slide, step). */
export function wholeMultiple(size: Duration, name: string, inner: Duration): readonly [string, string] | undefined {
  return size.millis % inner.millis === 0 ? undefined : ['size', `size ${size.text} must be a whole multiple of ${name} ${inner.text}`];
}
