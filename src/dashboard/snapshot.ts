/**
 * What the dashboard shows, read from the spec's Redis sinks: per metric the current value and
 * a series over recent windows; for a metric with `by`, the latest window's values of `by` (bars),
 * and for a topn, its latest window's ranking (see breakdown.ts). Every redis.type a spec may name
 * is understood, and keys with `{window_start}` / `{window_end}` (and `{<by column>}`) are found by
 * SCAN and placed by what their name carries.
 *
 * The reading goes through `RedisReader`, a handful of commands, so the logic is tested without
 * a Redis (test/unit/dashboard.test.ts) and against a real one (test/browser/).
 */
import { describeRedis, redisAddressOf, scanStep, type RedisClient } from '../util/redis';
import { commandOf, redisType, type Point, type Ranked, type RedisReader } from '../redis-types';
import type { Column, Metric, Spec } from '../pipeline/types';
import { emptyBreakdown, isBreakdown, readBreakdown, type Bar } from './breakdown';
import { keyMatcher, scanKeys, type KeyMatcher } from './keys';
import { droppedRowsOf } from '../deploy/dropped-rows';
import { notAvailable } from '../deploy/health';
import type { FlinkTiles } from './flink';

/** Why lag and restarts are missing when the dashboard was given no target to read them from. */
export const NOT_READ = 'not read by the dashboard: see uvpv status';

export type { Point, Ranked, RedisReader } from '../redis-types';
export { MAX_BARS, MAX_ENTRIES, MAX_FIELDS, MAX_KEYS, MAX_RANKING, type Bar } from './breakdown';
export { hashPoints } from '../redis-types/hash';
export { listPoints } from '../redis-types/list';

export interface MetricView {
  name: string;
  type: Metric['type'];
  redisType: Metric['redis']['type'];
  key: string;
  /** The latest value; null when nothing was written yet (or it cannot be read: see `error`). */
  current: number | null;
  /**
   * The window (end, or start) the current value belongs to; absent for sampled values. For bars
   * and a ranking: the window they show; absent when there is none (a fixed key).
   */
  at?: string;
  /** Oldest first, at most MAX_POINTS. Empty for bars and a ranking. */
  series: Point[];
  /**
   * Where the series' time comes from, for the chart's caption. For bars and a ranking: the window
   * `at` is; `latest per value` when the key holds no single window (each value's latest one).
   */
  axis: 'window end' | 'window start' | 'sampled' | 'latest per value';
  /** Why this metric could not be read (e.g. its key holds another type); the others still are. */
  error?: string;
  /**
   * Absent: `current` and a line chart of `series`. `bars`: a metric with `by` (`current` is null);
   * `ranking`: a topn (`current` is null).
   */
  view?: 'bars' | 'ranking';
  /** bars and ranking: the column the metric is broken down by. */
  by?: string;
  /** The latest window's top MAX_BARS values of `by`, the largest first (ties: the value of `by` ascending). */
  bars?: Bar[];
  /** The latest window's top-N, the most rows first (ties: the value ascending); rank = index + 1; at most MAX_RANKING. */
  ranking?: Ranked[];
  /** bars and ranking: how many values of `by` were read. */
  values?: number;
  /** bars and ranking: what the reading left out (a cap was hit), for the caption. */
  note?: string;
}

export interface Snapshot {
  pipeline: string;
  /** `host:port/db`: never the password. */
  redis: string;
  /** ISO time of this read. */
  updated: string;
  metrics: MetricView[];
  health: Health;
}

/**
 * The health strip above the metrics. What cannot be told is `null` or `{ available: false, reason }`
 * ("not available" on the page), never a made-up number: `lag` and `restarts` come from Flink
 * (flink.ts, the reader `uvpv status` uses), which readSnapshot alone does not read.
 */
export interface Health {
  /**
   * The newest window end any metric (or the dropped rows) shows, and how far it is behind the
   * time of this read, in seconds (window ends carry no zone: read as UTC, as the model reads
   * event times). Null when no window was written yet.
   */
  freshness: { newestWindowEnd: string; behindSeconds: number } | null;
  /** The dropped rows' hash (job.droppedRows); null when the spec writes none. */
  dropped: DroppedView | null;
  /** The job's Kafka lag, over the topic's partitions. */
  lag: FlinkTiles['lag'];
  /** The job's restarts, and the last one's root cause. */
  restarts: FlinkTiles['restarts'];
}

export interface DroppedView {
  key: string;
  /** Rows dropped as late, over every window the hash holds, and in how many windows. */
  late: number;
  lateWindows: number;
  /** The newest window that dropped rows, and how many. */
  newest?: Point;
  /** Rows without an event time, in all. */
  noEventTime: number;
  error?: string;
}

/** Points per chart. */
export const MAX_POINTS = 60;
/** Samples of keys that hold one number (a plain set, hll or string), kept between reads. */
export class History {
  private readonly points = new Map<string, Point[]>();

  constructor(private readonly max = MAX_POINTS) {}

  add(metric: string, v: number, at: Date): Point[] {
    const list = this.points.get(metric) ?? [];
    const t = at.toISOString().slice(0, 19);
    // One point per second: a later read in the same second replaces the earlier one.
    if (list[list.length - 1]?.t === t) list[list.length - 1] = { t, v };
    else list.push({ t, v });
    while (list.length > this.max) list.shift();
    this.points.set(metric, list);
    return [...list];
  }

  get(metric: string): Point[] {
    return [...(this.points.get(metric) ?? [])];
  }
}

/** The dashboard's commands on an ioredis client: SCAN walks every master of a cluster. */
function readerOf(redis: RedisClient): RedisReader {
  return {
    scan: (cursor, pattern, count) => scanStep(redis, cursor, pattern, count),
    exists: (key) => redis.exists(key),
    scard: (key) => redis.scard(key),
    pfcount: (key) => redis.pfcount(key),
    get: (key) => redis.get(key),
    lrange: (key, start, stop) => redis.lrange(key, start, stop),
    hgetall: (key) => redis.hgetall(key),
    hscan: (key, cursor, count) => redis.hscan(key, cursor, 'COUNT', count),
    zrevrangeWithScores: (key, start, stop) => redis.zrange(key, start, stop, 'REV', 'WITHSCORES'),
  };
}

/** Lag and restarts when nothing reads Flink (the server fills them from a FlinkReader). */
const NO_FLINK: FlinkTiles = { lag: notAvailable(NOT_READ), restarts: notAvailable(NOT_READ) };

export async function readSnapshot(redis: RedisClient | RedisReader, spec: Spec, history: History, now = new Date()): Promise<Snapshot> {
  const reader = 'pipeline' in redis ? readerOf(redis) : redis;
  const metrics = await Promise.all(spec.metrics.map((m) => readMetric(reader, m, history, now, spec.source.columns)));
  const key = spec.job.droppedRows?.key;
  const dropped = key === undefined ? null : await readDropped(reader, key);
  const r = spec.redis;
  return {
    pipeline: spec.name,
    redis: describeRedis(redisAddressOf(r)),
    updated: now.toISOString(),
    metrics,
    health: { freshness: freshness(metrics, dropped, now), dropped, ...NO_FLINK },
  };
}

/** The dropped rows' hash: window end → rows dropped as late, and no_event_time → rows without an event time. */
async function readDropped(redis: RedisReader, key: string): Promise<DroppedView> {
  try {
    const count = droppedRowsOf(await redis.hgetall(key));
    const newest = count.windows[count.windows.length - 1];
    return {
      key,
      late: count.late,
      lateWindows: count.windows.length,
      ...(newest ? { newest } : {}),
      noEventTime: count.withoutEventTime,
    };
  } catch (e) {
    return { key, late: 0, lateWindows: 0, noEventTime: 0, error: (e as Error).message };
  }
}

/** The newest window end shown, against `now`. */
function freshness(metrics: readonly MetricView[], dropped: DroppedView | null, now: Date): Health['freshness'] {
  const ends = metrics.flatMap((m) => (m.axis === 'window end' && m.at !== undefined ? [m.at] : []));
  if (dropped?.newest) ends.push(dropped.newest.t);
  const newestEnd = ends.sort().pop();
  if (newestEnd === undefined) return null;
  const behindSeconds = Math.round((now.getTime() - Date.parse(`${newestEnd}Z`)) / 1000);
  return { newestWindowEnd: newestEnd, behindSeconds };
}

async function readMetric(redis: RedisReader, m: Metric, history: History, now: Date, columns: readonly Column[]): Promise<MetricView> {
  const base = { name: m.name, type: m.type, redisType: m.redis.type, key: m.redis.key };
  const read = redisType(m.redis.type).dashboard;
  if (isBreakdown(m)) {
    const family = columns.find((c) => c.name === m.by)?.type.family;
    try {
      return { ...base, current: null, series: [], ...(await readBreakdown(redis, m, family)) };
    } catch (e) {
      return { ...base, current: null, series: [], ...emptyBreakdown(m, family), error: (e as Error).message };
    }
  }
  const template = keyMatcher(m.redis.key);
  const command = commandOf(m.redis);
  try {
    if (template?.axis) {
      const series = await templatedSeries(redis, m, template);
      return { ...base, ...latest(series), series, axis: template.axis };
    }
    if (read.kind === 'windows') {
      const series = newest(await read.read(redis, m.redis.key, command, true));
      return { ...base, ...latest(series), series, axis: 'window end' };
    }
    const v = (await read.read(redis, m.redis.key)) as number | null;
    // Sampled: the chart's time is when it was read, so a key not written yet has no points.
    return { ...base, current: v, series: v === null ? history.get(m.name) : history.add(m.name, v, now), axis: 'sampled' };
  } catch (e) {
    const axis = template?.axis ?? (read.kind === 'windows' ? 'window end' : 'sampled');
    return { ...base, current: null, series: [], axis, error: (e as Error).message };
  }
}

function latest(series: Point[]): { current: number | null; at?: string } {
  const last = series[series.length - 1];
  return last ? { current: last.v, at: last.t } : { current: null };
}

/** Sorted by time, one point per time (a list may repeat a window: the later entry wins), the newest MAX_POINTS. */
export function newest(points: readonly Point[], max = MAX_POINTS): Point[] {
  const sorted = points.map((p, i) => ({ p, i })).sort((a, b) => a.p.t.localeCompare(b.p.t) || a.i - b.i);
  const out: Point[] = [];
  for (const { p } of sorted) {
    if (out.length && out[out.length - 1].t === p.t) out[out.length - 1] = p;
    else out.push(p);
  }
  return out.slice(-max);
}

/** One point per key that fits the key's template: the newest MAX_POINTS windows are read. */
async function templatedSeries(redis: RedisReader, m: Metric, template: KeyMatcher): Promise<Point[]> {
  const keys = new Map<string, string>(); // time → key
  for (const [key, { t }] of await scanKeys(redis, template)) if (t !== undefined) keys.set(t, key);
  const newest = [...keys].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).slice(-MAX_POINTS);
  const values = await Promise.all(newest.map(([, key]) => valueOf(redis, key, m)));
  const points: Point[] = [];
  newest.forEach(([t], i) => {
    const v = values[i];
    if (v !== null) points.push({ t, v });
  });
  return points;
}

/** A templated key's value: a count for set/hll, the number for string, the newest entry for list/hash. */
async function valueOf(redis: RedisReader, key: string, m: Metric): Promise<number | null> {
  const read = redisType(m.redis.type).dashboard;
  if (read.kind === 'number') return read.read(redis, key);
  if (read.kind === 'ranking') return null;
  // The newest window of the entries, whichever end they were pushed to.
  return newest(await read.read(redis, key, commandOf(m.redis), false)).pop()?.v ?? null;
}
