/**
 * Window assignment as the contract defines it: event-time windows aligned to the epoch.
 * Times are epoch milliseconds of the event's local date-time read as UTC (Flink's TIMESTAMP
 * carries no zone, and its windows align the same way).
 */
import type { WindowSpec } from '../spec/types';

export interface Window {
  readonly start: number;
  readonly end: number;
}

export function assignWindows(t: number, w: Pick<WindowSpec, 'type' | 'size' | 'slide' | 'step'>): Window[] {
  const size = w.size.millis;
  switch (w.type) {
    case 'tumble': {
      const start = floorTo(t, size);
      return [{ start, end: start + size }];
    }
    case 'hop': {
      const slide = w.slide!.millis;
      const out: Window[] = [];
      // Every [k*slide, k*slide + size) with k*slide <= t < k*slide + size.
      for (let start = floorTo(t, slide); start > t - size; start -= slide) out.push({ start, end: start + size });
      return out.reverse();
    }
    case 'cumulate': {
      const step = w.step!.millis;
      const base = floorTo(t, size);
      const out: Window[] = [];
      for (let end = floorTo(t, step) + step; end <= base + size; end += step) out.push({ start: base, end });
      return out;
    }
  }
}

/** Largest multiple of `unit` not above `t` (also for negative t, i.e. before 1970). */
function floorTo(t: number, unit: number): number {
  return Math.floor(t / unit) * unit;
}
/** Window bounds as keys and list entries show them: `yyyy-MM-ddTHH:mm:ss` (no zone). */
export function formatWindowTime(epochMillis: number): string {
  return new Date(epochMillis).toISOString().slice(0, 19);
}
