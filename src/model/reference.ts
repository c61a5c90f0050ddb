/**
 * The reference model: the contract's semantics in plain TypeScript, independent of the SQL that
 * uvpv generates. Given a spec and the events a run sends, it says what Redis must hold. `verify`
 * uses it when no expectation file is given, and the unit tests make it agree with every case's
 * expected.yaml, so that the SQL, the model and the expectation are three separate opinions.
 */
import { metricDefinition } from '../metrics';
import type { WindowTally } from '../metrics/definition';
import type { Metric, Spec } from '../spec/types';
import { decodeRecord, sqlString, type Row } from './decode';
import { matches } from './evaluate';
import type { Expectation, Expected, ListEntry } from './expectation';
import { formatWindowTime } from './values';
import { assignWindows, type Window } from './windows';

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
  const keyOf = (w: Window) =>
    m.redis.key.replace(/\{window_start\}/g, formatWindowTime(w.start)).replace(/\{window_end\}/g, formatWindowTime(w.end));

  if (m.redis.type === 'set' || m.redis.type === 'hll') {
    const { event: ev, column } = def.memberColumn!(m);
    const members = new Map<string, Set<string>>();
    for (const { window, rows } of windows) {
      for (const r of rows) {
        if (!matches(event(ev), r) || r[column] === null) continue;
        const key = keyOf(window);
        if (!members.has(key)) members.set(key, new Set());
        members.get(key)!.add(sqlString(r[column]));
      }
    }
    for (const [key, set] of members) {
      redis.set(key, m.redis.type === 'set' ? { set: [...set].sort() } : { hll: set.size });
    }
    return;
  }

  for (const { window, rows } of windows) {
    const tally: WindowTally = {
      rows: (ev) => rows.filter((r) => matches(event(ev), r)).length,
      distinct: (ev, column) => new Set(rows.filter((r) => matches(event(ev), r) && r[column] !== null).map((r) => sqlString(r[column]))).size,
    };
    const value = def.evaluate(m, tally);
    if (value === undefined) continue;
    const key = keyOf(window);
    const start = formatWindowTime(window.start);
    const end = formatWindowTime(window.end);
    switch (m.redis.type) {
      case 'string':
        redis.set(key, { string: String(value) }); // windows come in window_end order: the last wins
        break;
      case 'hash': {
        const prev = redis.get(key) as { hash: Record<string, string> } | undefined;
        redis.set(key, { hash: { ...prev?.hash, [end]: String(value) } });
        break;
      }
      case 'list': {
        const entry: ListEntry = { window_start: start, window_end: end, value: Number(value) };
        const prev = (redis.get(key) as { list: ListEntry[] } | undefined)?.list ?? [];
        // LPUSH puts the newest window at index 0; RPUSH appends.
        redis.set(key, { list: m.redis.command === 'rpush' ? [...prev, entry] : [entry, ...prev] });
        break;
      }
    }
  }
}
