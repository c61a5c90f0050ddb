/**
 * The reference model: the spec's semantics (docs/spec.md) in plain TypeScript, independent of the SQL that
 * uvpv generates. Given a spec and the events a run sends, it says what Redis must hold. `verify`
 * uses it when no expectation file is given, and the unit tests make it agree with every case's
 * expected.yaml, so that the SQL, the model and the expectation are three separate opinions.
 */
import { membersOf, metricDefinition, rankingOf } from '../metrics';
import type { WindowTally } from '../metrics/definition';
import { commandOf, contentOf, expectedOf, redisType, type Expected } from '../redis-types';
import type { ByValue } from '../redis-types/definition';
import type { FilterExpr } from '../expressions/filter';
import { plainTextOrder } from '../pipeline/sql-types';
import { parseKey, renderKey } from '../expressions/key-template';
import type { Metric, Spec } from '../pipeline/types';
import { required } from '../util/required';
import { decodeRecord, sqlString, type Row, type Value } from './decode';
import { matches } from './evaluate';
import type { Expectation } from './expectation';
import { formatWindowTime, windowsOfRows, type Window } from './windows';

export interface ModelResult {
  expectation: Expectation;
  /** Messages decoded into rows, and how many were skipped as unparseable. */
  rows: number;
  skipped: number;
  /** Rows later than watermarkDelay behind the largest event time before them: Flink may drop them. */
  late: number;
  /** Per event, the rows with an event time that match its filter. */
  eventRows: ReadonlyMap<string, number>;
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
  const assigned = windowsOfRows(
    timed.map((r) => r[source.eventTime] as number),
    spec.window,
  );
  for (const [i, r] of timed.entries()) {
    for (const w of assigned[i]) {
      const id = `${w.start}/${w.end}`;
      let entry = windows.get(id);
      if (!entry) windows.set(id, (entry = { window: w, rows: [] }));
      entry.rows.push(r);
    }
  }
  const ordered = [...windows.values()].sort((a, b) => a.window.end - b.window.end || a.window.start - b.window.start);

  const redis = new Map<string, Expected>();
  for (const m of spec.metrics) writeMetric(spec, m, ordered, redis);
  const eventRows = new Map(spec.events.map((e) => [e.name, timed.filter((r) => matches(e.filter, r)).length]));
  return { expectation: { redis, exact: true }, rows: rows.length, skipped: messages.length - rows.length, late, eventRows };
}

function writeMetric(spec: Spec, m: Metric, windows: { window: Window; rows: Row[] }[], redis: Map<string, Expected>): void {
  const filters = new Map(spec.events.map((e) => [e.name, e.filter]));
  const event = (name: string) => required(filters.get(name), `event ${name}`);
  const def = metricDefinition(m);
  const type = redisType(m.redis.type);
  const key = parseKey(m.redis.key, m.by);
  const keyOf = (w: Window, by?: ByValue) =>
    renderKey(key, { window_start: formatWindowTime(w.start), window_end: formatWindowTime(w.end), by: by?.text });
  const write = (k: string, content: unknown) => redis.set(k, expectedOf(m.redis.type, content));

  if (type.writes === 'members') {
    const { event: ev, column } = membersOf(m);
    const members = new Map<string, Set<string>>();
    for (const { window, rows } of windows) {
      for (const [by, group] of breakdown(spec, m.by, rows)) {
        for (const r of group) {
          if (!matches(event(ev), r) || r[column] === null) continue;
          const k = keyOf(window, by);
          let set = members.get(k);
          if (!set) members.set(k, (set = new Set()));
          set.add(sqlString(r[column]));
        }
      }
    }
    for (const [k, set] of members) write(k, type.fromMembers(set));
    return;
  }

  if (type.writes === 'ranking') {
    const ranking = rankingOf(m);
    for (const { window, rows } of windows) {
      const scored = groupsBy(spec, ranking.by, rows).flatMap(([by, group], order) => {
        const value = def.evaluate(m, tallyOf(group, event));
        return value === undefined ? [] : [{ member: by.text, score: Number(value), order }];
      });
      // Highest count first; ties by the value of `by`, ascending (the order `groupsBy` gave).
      const top = scored.sort((a, b) => b.score - a.score || a.order - b.order).slice(0, ranking.size);
      if (top.length) write(keyOf(window), type.fromRanking(top.map(({ member, score }) => ({ member, score }))));
    }
    return;
  }

  const command = commandOf(m.redis);
  // Windows come in window_end order, as the job writes them; a window's values of `by` in their order.
  for (const { window, rows } of windows) {
    const values: { by?: ByValue; value: number | string }[] = [];
    for (const [by, group] of breakdown(spec, m.by, rows)) {
      const value = def.evaluate(m, tallyOf(group, event));
      if (value !== undefined) values.push({ by, value });
    }
    for (const { by, value } of values) {
      const k = keyOf(window, by);
      const previous = redis.get(k);
      const w = { start: formatWindowTime(window.start), end: formatWindowTime(window.end), value, command, by };
      write(k, type.addWindow(previous && contentOf(previous), w));
    }
  }
}

function tallyOf(rows: readonly Row[], event: (name: string) => FilterExpr): WindowTally {
  return {
    rows: (ev) => rows.filter((r) => matches(event(ev), r)).length,
    distinct: (ev, column) =>
      new Set(rows.filter((r) => matches(event(ev), r) && r[column] !== null).map((r) => sqlString(r[column]))).size,
  };
}

/**
 * A window's rows per non-NULL value of `by`, in that value's order as Flink orders the column's
 * type (plainTextOrder); all rows as one group without `by`.
 */
function breakdown(spec: Spec, by: string | undefined, rows: readonly Row[]): [ByValue | undefined, Row[]][] {
  return by === undefined ? [[undefined, [...rows]]] : groupsBy(spec, by, rows);
}

/** A window's rows per non-NULL value of `by`, in that value's order (see `breakdown`). */
function groupsBy(spec: Spec, by: string, rows: readonly Row[]): [ByValue, Row[]][] {
  const groups = new Map<string, { value: Exclude<Value, null>; rows: Row[] }>();
  for (const r of rows) {
    const v = r[by];
    if (v === null || v === undefined) continue;
    const text = sqlString(v);
    let group = groups.get(text);
    if (!group) groups.set(text, (group = { value: v, rows: [] }));
    group.rows.push(r);
  }
  const order = plainTextOrder(spec.source.columns.find((c) => c.name === by)?.type.family);
  return [...groups.entries()].sort(([a], [b]) => order(a, b)).map(([text, g]) => [{ column: by, text, json: g.value }, g.rows]);
}
