/**
 * Window assignment as the contract defines it: event-time windows aligned to the epoch.
 * Times are epoch milliseconds of the event's local date-time read as UTC (Flink's TIMESTAMP
 * carries no zone, and its windows align the same way). Each window type assigns its own (src/windows).
 */
import { windowType, type Window, type WindowSpec } from '../windows';

export type { Window } from '../windows';

export function assignWindows(t: number, w: WindowSpec): Window[] {
  return windowType(w.type).assign(t, w);
}

/** Window bounds as keys and list entries show them: `yyyy-MM-ddTHH:mm:ss` (no zone). */
export function formatWindowTime(epochMillis: number): string {
  return new Date(epochMillis).toISOString().slice(0, 19);
}
