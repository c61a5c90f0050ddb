/**
 * The reference model: the contract's semantics in plain TypeScript, independent of the SQL that
 * uvpv generates. Given a spec and the events a run sends, it says what Redis must hold. `verify`
 * uses it when no expectation file is given, and the unit tests make it agree with every case's
 * expected.yaml, so that the SQL, the model and the expectation are three separate opinions.
 */
import { metricDefinition } from '../metrics';
import type { WindowTally } from '../metrics/definition';
import { commandOf, contentOf, expectedOf, redisType, type Expected } from '../redis-types';
import { parseKey, renderKey } from '../spec/key-template';
import type { Metric, Spec } from '../spec/types';
import { decodeRecord, sqlString, type Row } from './decode';
import { matches } from './evaluate';
import type { Expectation } from './expectation';
import { assignWindows, formatWindowTime, type Window } from './windows';

export interface ModelResult {
  expectation: Expectation;
  /** Messages decoded into rows, and how many were skipped as unparseable. */
  rows: number;
  skipped: number;
  /** Rows later than watermarkDelay behind the largest event time before them: Flink may drop them. */
  late: number;
}

export function referenceModel(spec: Spec, messages: readonly Buffer[]): ModelResult {
  const { source } = spec;
  const decoded = messages.map((m) => decodeRecord(m, source.columns, source));
  const rows = decoded.filter((r): r is Row => r !== undefined);
  const timed = rows.filter((r) => r[source.eventTime] !== null);

  let late = 0;
  let maxSeen = -Infinity;
  for (const r of timed) {
    const t = r[source.eventTime] as number;
    if (t < maxSeen - source.watermarkDelay.millis) late++;
    maxSeen = Math.max(maxSeen, t);
  }

  // Rows of each window, keyed by "start/end".
  const windows = new Map<string, { window: Window; rows: Row[] }>();
  for (const r of timed) {
    for (const w of assignWindows(r[source.eventTime] as number, spec.window)) {
      const id = `${w.start}/${w.end}`;
      if (!windows.has(id)) windows.set(id, { window: w, rows: [] });
      windows.get(id)!.rows.push(r);
    }
  }
  const ordered = [...windows.values()].sort((a, b) => a.window.end - b.window.end || a.window.start - b.window.start);

  const redis = new Map<string, Expected>();
  for (const m of spec.metrics) writeMetric(spec, m, ordered, redis);
  return { expectation: { redis, exact: true }, rows: rows.length, skipped: messages.length - rows.length, late };
}

function writeMetric(spec: Spec, m: Metric, windows: { window: Window; rows: Row[] }[], redis: Map<string, Expected>): void {
  const event = (name: string) => spec.events.find((e) => e.name === name)!.filter;
  const def = metricDefinition(m);
  const type = redisType(m.redis.type);
  const key = parseKey(m.redis.key);
  const keyOf = (w: Window) => renderKey(key, { window_start: formatWindowTime(w.start), window_end: formatWindowTime(w.end) });

  if (type.writes === 'members') {
    const { event: ev, column } = def.memberColumn!(m);
    const members = new Map<string, Set<string>>();
    for (const { window, rows } of windows) {
      for (const r of rows) {
        if (!matches(event(ev), r) || r[column] === null) continue;
        const k = keyOf(window);
        if (!members.has(k)) members.set(k, new Set());
        members.get(k)!.add(sqlString(r[column]));
      }
    }
    for (const [k, set] of members) redis.set(k, expectedOf(m.redis.type, type.fromMembers!(set)));
    return;
  }

  const command = commandOf(m.redis);
  // Windows come in window_end order, as the job writes them at parallelism 1.
  for (const { window, rows } of windows) {
    const tally: WindowTally = {
      rows: (ev) => rows.filter((r) => matches(event(ev), r)).length,
      distinct: (ev, column) => new Set(rows.filter((r) => matches(event(ev), r) && r[column] !== null).map((r) => sqlString(r[column]))).size,
    };
    const value = def.evaluate(m, tally);
    if (value === undefined) continue;
    const k = keyOf(window);
    const previous = redis.get(k);
    const w = { start: formatWindowTime(window.start), end: formatWindowTime(window.end), value, command };
    redis.set(k, expectedOf(m.redis.type, type.addWindow!(previous && contentOf(previous), w)));
  }
}
