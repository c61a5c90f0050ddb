import { isDeepStrictEqual } from 'node:util';
import type { Point, RedisReader, RedisTypeDefinition } from './definition';
import type { RedisCommand } from './index';

/** One list entry as the spec defines it (docs/spec.md, Metrics × Redis types). */
export interface ListEntry {
  window_start: string;
  window_end: string;
  value: number;
  /** With `by`: the value of `by`, under the column's name. */
  [byColumn: string]: number | string | boolean;
}

/** List entries the dashboard reads from a fixed key: the newest windows only. */
export const LIST_READ = 200;

/** A Redis list of one JSON entry per window: LPUSH (newest first, the default) or RPUSH. */
export const list: RedisTypeDefinition<(ListEntry | Record<string, unknown>)[], 'lpush' | 'rpush'> = {
  name: 'list',
  article: 'a list',
  metrics: ['uv', 'pv', 'ratio'],
  writes: 'value',
  breakdown: 'entry',
  entryFields: ['window_start', 'window_end', 'value'],
  commands: ['lpush', 'rpush'],
  columns: [{ name: 'value', slot: 'window_entry' }],
  order: 'pushes',
  describeWrite: (w) =>
    w.by
      ? `Metric ${w.metric}: ${w.command.toUpperCase()} ${w.key} {"window_start","window_end","${w.by}","value"} per window and ${w.by}, a window's entries in ${w.by} order.`
      : `Metric ${w.metric}: ${w.command.toUpperCase()} ${w.key} {"window_start","window_end","value"} per window.`,
  unsupported: (command, dialect) => ({ field: 'redis.command', message: `${dialect} cannot ${command.toUpperCase()}; use lpush` }),
  addWindow(previous, w) {
    const entry: ListEntry = {
      window_start: w.start,
      window_end: w.end,
      ...(w.by && { [w.by.column]: w.by.json }),
      value: Number(w.value),
    };
    // LPUSH puts the newest window at index 0; RPUSH appends.
    return w.command === 'rpush' ? [...(previous ?? []), entry] : [entry, ...(previous ?? [])];
  },
  checkExpected: (v) => (Array.isArray(v) ? undefined : 'a list is a list of entries, index 0 first'),
  expected: (v) => v as Record<string, unknown>[],
  storedAs: 'list',
  snapshot: async (redis, key) => (await redis.lrange(key, 0, -1)).map(parseEntry),
  diff(want, got) {
    if (want.length === got.length && want.every((w, i) => isDeepStrictEqual(w, got[i]))) return [];
    const sameItems = want.length === got.length && want.every((w) => got.some((g) => isDeepStrictEqual(w, g)));
    if (sameItems)
      return [
        `wrong order: the entries match but not their order; index 0 first, expected ${want.map(entryText).join(', ')}; found ${got.map(entryText).join(', ')}`,
      ];
    const out: string[] = [];
    if (want.length !== got.length) out.push(`length is ${got.length}, expected ${want.length}`);
    for (let i = 0; i < Math.max(want.length, got.length); i++) {
      if (i >= got.length) out.push(`[${i}] missing: expected ${entryText(want[i])}`);
      else if (i >= want.length) out.push(`[${i}] extra: ${entryText(got[i])}`);
      else if (!isDeepStrictEqual(want[i], got[i])) out.push(`[${i}] is ${entryText(got[i])}, expected ${entryText(want[i])}`);
    }
    return out;
  },
  describe: (c) => `a list of ${c.length}`,
  dashboard: {
    kind: 'windows',
    async read(redis, key, command, recent) {
      return listPoints(recent ? await newestEntries(redis, key, command, LIST_READ) : await redis.lrange(key, 0, -1));
    },
  },
};

/** The `limit` newest entries, oldest first: the head for LPUSH (newest first), the tail for RPUSH. */
export async function newestEntries(
  redis: Pick<RedisReader, 'lrange'>,
  key: string,
  command: RedisCommand,
  limit: number,
): Promise<string[]> {
  if (command === 'rpush') return redis.lrange(key, -limit, -1);
  return (await redis.lrange(key, 0, limit - 1)).reverse();
}

/** List entries are JSON objects; one that is not stays a string, so the report can show it. */
function parseEntry(s: string): Record<string, unknown> {
  return parseObject(s) ?? { raw: s };
}

function entryText(e: object): string {
  return JSON.stringify(e);
}

/** A list entry of a metric with `by`: its window (end), the value of `by` as plain text, and the value. */
export interface ByPoint {
  t: string;
  by: string;
  v: number;
}

/**
 * List entries `{"window_start":…,"window_end":…,"<column>":…,"value":…}` as points of their window
 * end and `by` value, in the order given; entries without the column (or not of that form) are skipped.
 */
export function listByPoints(entries: readonly string[], column: string): ByPoint[] {
  const out: ByPoint[] = [];
  for (const s of entries) {
    const e = parseObject(s);
    const by = e?.[column];
    const p = e && pointOf(e);
    if (p && (typeof by === 'string' || typeof by === 'number' || typeof by === 'boolean')) out.push({ t: p.t, by: String(by), v: p.v });
  }
  return out;
}

/** List entries `{"window_start":…,"window_end":…,"value":…}` as points at their window end; others skipped. */
export function listPoints(entries: readonly string[]): Point[] {
  const out: Point[] = [];
  for (const s of entries) {
    const e = parseObject(s);
    const p = e && pointOf(e);
    if (p) out.push(p);
  }
  return out;
}

/** A JSON object, or undefined (not JSON, or not an object: not a list entry). */
function parseObject(s: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(s);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** An entry's window (its end, else its start) and value (a number, or text holding one). */
function pointOf(e: Record<string, unknown>): Point | undefined {
  const t = typeof e.window_end === 'string' ? e.window_end : typeof e.window_start === 'string' ? e.window_start : undefined;
  const v = typeof e.value === 'number' ? e.value : typeof e.value === 'string' && e.value.trim() !== '' ? Number(e.value) : NaN;
  return t !== undefined && Number.isFinite(v) ? { t, v } : undefined;
}
