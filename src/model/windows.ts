/**
 * Window assignment as the spec defines it (docs/spec.md, Windows): event-time windows aligned to the epoch.
 * Times are epoch milliseconds of the event's local date-time read as UTC (Flink's TIMESTAMP
 * carries no zone, and its windows align the same way). Each window type assigns its own (src/windows).
 */
import { windowType, type Window, type WindowSpec } from '../windows';

export type { Window } from '../windows';

/** The windows each row belongs to, oldest first, from the rows' event times. */
export function windowsOfRows(times: readonly number[], w: WindowSpec): Window[][] {
  return windowType(w.type).assign(times, w);
}

/** The windows a row at `t` belongs to, where no other row is: for types that place each row by its own time. */
export function assignWindows(t: number, w: WindowSpec): Window[] {
  return windowsOfRows([t], w)[0];
}

/** Window bounds as keys and list entries show them: `yyyy-MM-ddTHH:mm:ss` (no zone). */
export function formatWindowTime(epochMillis: number): string {
  return new Date(epochMillis).toISOString().slice(0, 19);
}
