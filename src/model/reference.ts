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
import { namesWindow, parseKey, renderKey } from '../expressions/key-template';
import { NO_EVENT_TIME_FIELD } from '../ir/nodes';
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
  /** Per event, the rows with an event time that match its filter. */
  eventRows: ReadonlyMap<string, number>;
  dropped: DroppedRows;
}

/** The rows the job drops (docs/spec.md, Dropped rows), with one partition. */
export interface DroppedRows {
  /** Per window end (`yyyy-MM-ddTHH:mm:ss`, in window_end order): rows that arrived after the watermark had passed it. */
  late: Map<string, number>;
  /** Rows late for at least one of their windows. */
  lateRows: number;
  /** Rows whose event time is NULL. */
  noEventTime: number;
}

export function referenceModel(spec: Spec, messages: readonly Buffer[]): ModelResult {
  const { source } = spec;
  const decoded = messages.map((m) => decodeRecord(m, source.columns, source));
  const rows = decoded.filter((r): r is Row => r !== undefined);
  const timed = rows.filter((r) => r[source.eventTime] !== null);

  // Rows of each window, keyed by "start/end": those the window counted (`rows`), and all that belong to it (`all`).
  const windows = new Map<string, { window: Window; rows: Row[]; all: Row[] }>();
  const late = new Map<number, number>();
  let lateRows = 0;
  const assigned = windowsOfRows(
    timed.map((r) => r[source.eventTime] as number),
    spec.window,
  );
  // The watermark a row meets is what the rows before it carried (the largest event time so far
  // minus watermarkDelay; none before the first): the source emits it after each row (on-event).
  let watermark = -Infinity;
  for (const [i, r] of timed.entries()) {
    let missed = false;
    for (const w of assigned[i]) {
      const id = `${w.start}/${w.end}`;
      let entry = windows.get(id);
      if (!entry) windows.set(id, (entry = { window: w, rows: [], all: [] }));
      entry.all.push(r);
      // Flink fires [start, end) when the watermark reaches end - 1 ms; a row after that misses it.
      if (watermark >= w.end - 1) {
        late.set(w.end, (late.get(w.end) ?? 0) + 1);
        missed = true;
      } else entry.rows.push(r);
    }
    if (missed) lateRows++;
    watermark = Math.max(watermark, (r[source.eventTime] as number) - source.watermarkDelay.millis);
  }
  const ordered = [...windows.values()].sort((a, b) => a.window.end - b.window.end || a.window.start - b.window.start);
  const dropped: DroppedRows = {
    late: new Map([...late.entries()].sort(([a], [b]) => a - b).map(([end, n]) => [formatWindowTime(end), n])),
    lateRows,
    noEventTime: rows.length - timed.length,
  };

  const redis = new Map<string, Expected>();
  for (const m of spec.metrics) writeMetric(spec, m, ordered, redis);
  const eventRows = new Map(spec.events.map((e) => [e.name, timed.filter((r) => matches(e.filter, r)).length]));
  const droppedKey = spec.job.droppedRows?.key;
  if (droppedKey !== undefined) {
    const fields: Record<string, string> = Object.fromEntries([...dropped.late].map(([end, n]) => [end, String(n)]));
    if (dropped.noEventTime) fields[NO_EVENT_TIME_FIELD] = String(dropped.noEventTime);
    if (Object.keys(fields).length) redis.set(droppedKey, expectedOf('hash', fields));
  }
  return { expectation: { redis, exact: true }, rows: rows.length, skipped: messages.length - rows.length, eventRows, dropped };
}

/** A window, the rows it counted (not those that arrived after it fired), and all the rows that belong to it. */
interface WindowRows {
  window: Window;
  rows: Row[];
  all: Row[];
}

function writeMetric(spec: Spec, m: Metric, windows: WindowRows[], redis: Map<string, Expected>): void {
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
    // A key that names no window is written without a window (each member as it is seen, or once
    // first seen: src/ir/build.ts), so a late row's member is in it too.
    const windowed = namesWindow(key);
    for (const { window, rows: counted, all } of windows) {
      const rows = windowed ? counted : all;
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
