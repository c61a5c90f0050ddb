/**
 * What the dashboard shows, read from the spec's Redis sinks: per metric the current value and
 * a series over recent windows. Every redis.type of the contract is understood, and keys with
 * `{window_start}` / `{window_end}` are found by SCAN and placed by the time in their name.
 */
import type Redis from 'ioredis';
import type { Metric, Spec } from '../spec/types';

export interface Point {
  /** Window end (or sample time), `yyyy-MM-ddTHH:mm:ss`. */
  t: string;
  v: number;
}

export interface MetricView {
  name: string;
  type: Metric['type'];
  redisType: Metric['redis']['type'];
  key: string;
  /** The latest value; null when nothing was written yet. */
  current: number | null;
  series: Point[];
  /** Where the series' time comes from, for the chart's caption. */
  axis: 'window end' | 'window start' | 'sampled';
}

export interface Snapshot {
  pipeline: string;
  redis: string;
  updated: string;
  metrics: MetricView[];
}

const MAX_POINTS = 60;
const TIME = '(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2})';

/** Samples of keys that hold one number (a plain set, hll or string), kept between reads. */
export class History {
  private readonly points = new Map<string, Point[]>();

  add(metric: string, v: number, at: Date): Point[] {
    const list = this.points.get(metric) ?? [];
    const t = at.toISOString().slice(0, 19);
    // One point per second: a later read in the same second replaces the earlier one.
    if (list[list.length - 1]?.t === t) list[list.length - 1] = { t, v };
    else list.push({ t, v });
    while (list.length > MAX_POINTS) list.shift();
    this.points.set(metric, list);
    return [...list];
  }
}

export async function readSnapshot(redis: Redis, spec: Spec, history: History, now = new Date()): Promise<Snapshot> {
  const metrics: MetricView[] = [];
  for (const m of spec.metrics) metrics.push(await readMetric(redis, m, history, now));
  const r = spec.redis;
  return { pipeline: spec.name, redis: `${r.host}:${r.port}/${r.database}`, updated: now.toISOString(), metrics };
}

async function readMetric(redis: Redis, m: Metric, history: History, now: Date): Promise<MetricView> {
  const base = { name: m.name, type: m.type, redisType: m.redis.type, key: m.redis.key };
  const templated = /\{window_(start|end)\}/.test(m.redis.key);
  if (templated) {
    const series = await templatedSeries(redis, m);
    const axis = m.redis.key.includes('{window_end}') ? 'window end' : 'window start';
    return { ...base, series, current: series.length ? series[series.length - 1].v : null, axis };
  }
  const key = m.redis.key;
  switch (m.redis.type) {
    case 'list': {
      const series = (await redis.lrange(key, 0, 199)).map(listPoint).filter((p): p is Point => p !== undefined);
      return windowed(base, series);
    }
    case 'hash': {
      const h = await redis.hgetall(key);
      const series = Object.entries(h).map(([t, v]) => ({ t, v: Number(v) })).filter((p) => Number.isFinite(p.v));
      return windowed(base, series);
    }
    default: {
      const v = await scalar(redis, key, m.redis.type);
      return { ...base, current: v, series: v === null ? [] : history.add(m.name, v, now), axis: 'sampled' };
    }
  }
}

function windowed(base: Omit<MetricView, 'current' | 'series' | 'axis'>, series: Point[]): MetricView {
  const sorted = dedupe(series.sort((a, b) => a.t.localeCompare(b.t))).slice(-MAX_POINTS);
  return { ...base, series: sorted, current: sorted.length ? sorted[sorted.length - 1].v : null, axis: 'window end' };
}

/** One value for a key that holds one number: SCARD, PFCOUNT or GET. */
async function scalar(redis: Redis, key: string, type: Metric['redis']['type']): Promise<number | null> {
  if (type === 'set') return (await redis.exists(key)) ? redis.scard(key) : null;
  if (type === 'hll') return (await redis.exists(key)) ? redis.pfcount(key) : null;
  const v = await redis.get(key);
  return v === null || !Number.isFinite(Number(v)) ? null : Number(v);
}

async function templatedSeries(redis: Redis, m: Metric): Promise<Point[]> {
  const pattern = m.redis.key.replace(/[*?[\]\\]/g, '\\$&').replace(/\{window_(start|end)\}/g, '*');
  const parse = new RegExp(`^${m.redis.key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{window_(start|end)\\\}/g, TIME)}$`);
  const useEnd = m.redis.key.includes('{window_end}');
  const group = useEnd ? [...m.redis.key.matchAll(/\{window_(start|end)\}/g)].findIndex((x) => x[1] === 'end') + 1 : 1;
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0' && keys.length < 10_000);
  const points: Point[] = [];
  for (const key of keys) {
    const match = parse.exec(key);
    if (!match) continue;
    const v = await valueOf(redis, key, m.redis.type);
    if (v !== null) points.push({ t: match[group], v });
  }
  return dedupe(points.sort((a, b) => a.t.localeCompare(b.t))).slice(-MAX_POINTS);
}

/** A templated key's value: a count for set/hll, the number for string, the newest for list/hash. */
async function valueOf(redis: Redis, key: string, type: Metric['redis']['type']): Promise<number | null> {
  if (type === 'list') {
    const entries = (await redis.lrange(key, 0, -1)).map(listPoint).filter((p): p is Point => p !== undefined);
    return entries.sort((a, b) => a.t.localeCompare(b.t)).pop()?.v ?? null;
  }
  if (type === 'hash') {
    const h = Object.entries(await redis.hgetall(key)).sort(([a], [b]) => a.localeCompare(b));
    return h.length ? Number(h[h.length - 1][1]) : null;
  }
  return scalar(redis, key, type);
}

function listPoint(s: string): Point | undefined {
  try {
    const e = JSON.parse(s) as { window_end?: string; value?: number };
    return typeof e.window_end === 'string' && typeof e.value === 'number' ? { t: e.window_end, v: e.value } : undefined;
  } catch {
    return undefined;
  }
}

/** With one point per time: a list may repeat a window (at-least-once writes); keep the last. */
function dedupe(points: Point[]): Point[] {
  const out: Point[] = [];
  for (const p of points) {
    if (out.length && out[out.length - 1].t === p.t) out[out.length - 1] = p;
    else out.push(p);
  }
  return out;
}
