/**
 * The dashboard's view of a metric broken down `by` a column (bars: the latest window's values of
 * `by`, largest first) and of a `topn` (its latest window's ranking). Where each Redis type keeps
 * the values of `by` is its `breakdown` (src/redis-types): in the key (`uv:{channel}:{window_end}`,
 * one key per value), as hash fields, as a field of each list entry, or as a zset's members.
 *
 * Reading is bounded: only the newest window's keys are read (found by SCAN, placed by the time in
 * their name), at most MAX_KEYS of them, MAX_FIELDS hash fields and MAX_ENTRIES list entries per
 * refresh; the view's `note` says when a cap was hit.
 */
import { commandOf, redisType, type Ranked, type RedisReader } from '../redis-types';
import { listByPoints, newestEntries, type ByPoint } from '../redis-types/list';
import { plainTextOrder, type TypeFamily } from '../pipeline/sql-types';
import type { Metric } from '../pipeline/types';
import { keyMatcher, scanKeys, type KeyMatcher } from './keys';

/** Bars per chart: the largest values of `by`. */
export const MAX_BARS = 10;
/** Rows of a ranking shown (a topn's `n` may be up to 1000). */
export const MAX_RANKING = 50;
/** Keys read per metric and refresh (one key per value of `by`: the newest window's). */
export const MAX_KEYS = 200;
/** Hash fields read per metric and refresh (a fixed key's hash has a field per value ever seen). */
export const MAX_FIELDS = 10_000;
/** List entries read per metric and refresh (a window has an entry per value of `by`). */
export const MAX_ENTRIES = 1000;

/** One bar: a value of `by` (as keys and fields show it) and the metric's value for it. */
export interface Bar {
  label: string;
  v: number;
}

/** What the page draws for a metric with `by` (bars) or a topn (ranking). */
export interface BreakdownView {
  view: 'bars' | 'ranking';
  /** The column the metric is broken down by. */
  by: string;
  /** bars: the top MAX_BARS values of `by`, the largest first (ties: the value of `by` ascending). */
  bars?: Bar[];
  /** ranking: the window's top-N, the most rows first (ties: the value of `by` ascending), at most MAX_RANKING. */
  ranking?: Ranked[];
  /** How many values of `by` were read (bars shows the top MAX_BARS of them). */
  values: number;
  /** The window shown (its end, or its start when the key names only that); absent when there is none. */
  at?: string;
  /** `latest per value`: no single window (a fixed key: each value's latest window in which it appeared). */
  axis: 'window end' | 'window start' | 'latest per value';
  /** What the reading left out, for the caption (a cap was hit). */
  note?: string;
}

/** A metric the dashboard shows as a breakdown: one with `by`, and every topn. */
export function isBreakdown(m: Metric): boolean {
  return m.by !== undefined || redisType(m.redis.type).dashboard.kind === 'ranking';
}

/** The view of a metric whose keys could not be read: no bars (or no ranking), its window kind. */
export function emptyBreakdown(m: Metric, family?: TypeFamily): BreakdownView {
  const type = redisType(m.redis.type);
  const axis = type.breakdown === 'entry' ? 'window end' : (keyMatcher(m.redis.key, m.by, family)?.axis ?? 'latest per value');
  const by = m.by ?? '';
  return type.dashboard.kind === 'ranking'
    ? { view: 'ranking', by, ranking: [], values: 0, axis }
    : { view: 'bars', by, bars: [], values: 0, axis };
}

/** The view of a metric with `by` or a topn; throws (naming the key) when a key cannot be read. */
export async function readBreakdown(redis: RedisReader, m: Metric, family?: TypeFamily): Promise<BreakdownView> {
  const by = m.by ?? '';
  const type = redisType(m.redis.type);
  const matcher = keyMatcher(m.redis.key, by, family);
  const order = plainTextOrder(family);
  const notes: string[] = [];
  const { keys, at } = await newestKeys(redis, m.redis.key, matcher, order, notes);
  const read = type.dashboard;

  if (read.kind === 'ranking') {
    const ranked = new Map<string, number>();
    for (const list of await Promise.all(keys.map((k) => onKey(k.key, () => read.read(redis, k.key, MAX_RANKING + 1))))) {
      for (const r of list) ranked.set(r.member, r.score);
    }
    const ranking = [...ranked]
      .map(([member, score]) => ({ member, score }))
      .sort((a, b) => b.score - a.score || order(a.member, b.member));
    if (ranking.length > MAX_RANKING) notes.push(`the first ${MAX_RANKING} shown; the window has more`);
    return {
      view: 'ranking',
      by,
      ranking: ranking.slice(0, MAX_RANKING),
      values: ranking.length,
      ...(at && { at }),
      axis: matcher?.axis ?? 'latest per value',
      ...note(notes),
    };
  }

  let values = new Map<string, number>();
  let shownAt = at;
  let axis: BreakdownView['axis'] = matcher?.axis ?? 'latest per value';
  if (type.breakdown === 'key' && read.kind === 'number') {
    const counts = await Promise.all(keys.map((k) => onKey(k.key, () => read.read(redis, k.key))));
    keys.forEach((k, i) => {
      const v = counts[i];
      if (v !== null) values.set(k.value ?? k.key, v);
    });
  } else if (type.breakdown === 'field') {
    let budget = MAX_FIELDS;
    for (const k of keys) {
      const { fields, more } = budget > 0 ? await onKey(k.key, () => hashFields(redis, k.key, budget)) : { fields: [], more: true };
      budget -= fields.length;
      for (const [f, text] of fields) {
        const v = Number(text);
        if (text.trim() !== '' && Number.isFinite(v)) values.set(f, v);
      }
      if (more) {
        notes.push(`read ${MAX_FIELDS} hash fields; ${keys.length > 1 ? 'the keys have' : 'the hash has'} more`);
        break;
      }
    }
  } else if (type.breakdown === 'entry') {
    const latest = await newestWindowEntries(redis, m, keys, by, notes);
    values = latest.values;
    shownAt = latest.at;
    axis = 'window end';
  } else {
    throw new Error(`${type.article} with 'by' is not shown by the dashboard`);
  }
  const bars = [...values].map(([label, v]) => ({ label, v })).sort((a, b) => b.v - a.v || order(a.label, b.label));
  return { view: 'bars', by, bars: bars.slice(0, MAX_BARS), values: bars.length, ...(shownAt && { at: shownAt }), axis, ...note(notes) };
}

interface KeyRef {
  key: string;
  /** The value of `by` the key's name carries. */
  value?: string;
}

/**
 * The keys to read: the key itself when it is fixed; else those that fit its template, of the
 * newest window when it names one (`at`), in the order of their value of `by`, at most MAX_KEYS.
 */
async function newestKeys(
  redis: RedisReader,
  key: string,
  matcher: KeyMatcher | undefined,
  order: (a: string, b: string) => number,
  notes: string[],
): Promise<{ keys: KeyRef[]; at?: string }> {
  if (!matcher) return { keys: [{ key }] };
  const found = [...(await scanKeys(redis, matcher))];
  let at: string | undefined;
  for (const [, name] of found) if (name.t !== undefined && (at === undefined || name.t > at)) at = name.t;
  const keys = found
    .filter(([, name]) => name.t === at)
    .map(([k, name]) => ({ key: k, ...(name.value !== undefined && { value: name.value }) }))
    .sort((a, b) => order(a.value ?? a.key, b.value ?? b.key));
  if (keys.length > MAX_KEYS)
    notes.push(`read ${MAX_KEYS} of ${keys.length} keys${at ? ' of that window' : ''} (the first by value); the largest among them shown`);
  return { keys: keys.slice(0, MAX_KEYS), ...(at && { at }) };
}

/** A hash's fields through HSCAN, at most about `budget` of them; `more` when it has more. */
async function hashFields(redis: RedisReader, key: string, budget: number): Promise<{ fields: [string, string][]; more: boolean }> {
  const fields = new Map<string, string>(); // HSCAN may return a field twice
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 1000);
    cursor = next;
    for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i], flat[i + 1]);
    if (fields.size >= budget && cursor !== '0') return { fields: [...fields].slice(0, budget), more: true };
  } while (cursor !== '0');
  return { fields: [...fields], more: false };
}

/**
 * A list's entries of its newest window (the largest window end among those read), one per value
 * of `by` (a window pushed twice: the later push wins). The newest entries are read from the end
 * the command pushes to, MAX_ENTRIES in all.
 */
async function newestWindowEntries(
  redis: RedisReader,
  m: Metric,
  keys: KeyRef[],
  by: string,
  notes: string[],
): Promise<{ values: Map<string, number>; at?: string }> {
  const limit = Math.max(1, Math.floor(MAX_ENTRIES / Math.max(1, keys.length)));
  const perKey = await Promise.all(
    keys.map((k) =>
      onKey(k.key, async () => {
        const raw = await newestEntries(redis, k.key, commandOf(m.redis), limit);
        return { raw: raw.length, points: listByPoints(raw, by) };
      }),
    ),
  );
  let at: string | undefined;
  for (const { points } of perKey) for (const p of points) if (at === undefined || p.t > at) at = p.t;
  const values = new Map<string, number>();
  let cut = false;
  for (const { raw, points } of perKey) {
    const newest: ByPoint[] = points.filter((p) => p.t === at);
    for (const p of newest) values.set(p.by, p.v);
    // Every entry read is of the newest window: it may have more than were read.
    if (raw === limit && newest.length === points.length && points.length > 0) cut = true;
  }
  if (cut) notes.push(`read the newest ${limit} list entries${keys.length > 1 ? ' per key' : ''}; the window may have more`);
  return { values, ...(at && { at }) };
}

/** Runs a read of one key; its error names the key. */
async function onKey<T>(key: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    const message = (e as Error).message;
    throw new Error(message.includes(key) ? message : `${key}: ${message}`);
  }
}

function note(notes: string[]): { note?: string } {
  return notes.length ? { note: notes.join('; ') } : {};
}
