/**
 * What a sample of JSON records says about the spec that reads them: each field's Flink SQL type,
 * the event-time column and a watermark delay from how far event time goes backwards, events from
 * a column of few values, and metrics over them. Pure: the sample comes in, a proposal goes out.
 */
import { IDENTIFIER } from '../pipeline/names';
import { required } from '../util/required';

export interface ColumnProposal {
  name: string;
  type: string;
  /** Why, where the type is a fallback (nested objects, mixed or no values). */
  note?: string;
}

export interface EventProposal {
  name: string;
  column: string;
  value: string | number | boolean;
  rows: number;
}

export interface Proposal {
  columns: ColumnProposal[];
  /** Fields left out: their names are no SQL identifiers. */
  skipped: string[];
  eventTime: string;
  /** A duration the spec takes, e.g. '30 seconds', and how it was found. */
  watermarkDelay: { text: string; why: string };
  events: EventProposal[];
  /** The column whose distinct values the UV counts (undefined: no column looks like a visitor). */
  visitor?: string;
  records: number;
  unparsed: number;
}

// Flink's JSON format reads TIMESTAMP text in SQL form, a space between date and time (an ISO 'T' would be NULL).
const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,3})?$/;
/** Integers beyond BIGINT's range: Flink cannot read them as a number. */
const BIGINT_RANGE = 2 ** 63;
const INT_RANGE = 2 ** 31;
/** A column with at most this many distinct values, each seen at least twice, names events. */
const MAX_EVENT_VALUES = 8;

type Seen = { kinds: Set<string>; min: number; max: number; values: Map<string, { value: string | number | boolean; rows: number }> };

function kindOf(v: unknown): string {
  if (v === null || v === undefined || v === '') return 'null';
  if (typeof v === 'number') return !Number.isInteger(v) ? 'double' : Math.abs(v) >= BIGINT_RANGE ? 'huge' : 'integer';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return TIMESTAMP_TEXT.test(v) ? 'timestamp' : 'string';
  return 'nested';
}

function typeOf(seen: Seen): { type: string; note?: string } {
  const kinds = new Set([...seen.kinds].filter((k) => k !== 'null'));
  if (kinds.size === 0) return { type: 'VARCHAR', note: 'only null values in the sample: read as text' };
  if (kinds.has('nested')) return { type: 'VARCHAR', note: 'a nested JSON object or array: read as its JSON text' };
  if (kinds.has('huge')) return { type: 'VARCHAR', note: "integers beyond BIGINT's range: read as text" };
  if ([...kinds].every((k) => k === 'integer')) return { type: seen.min >= -INT_RANGE && seen.max < INT_RANGE ? 'INT' : 'BIGINT' };
  if ([...kinds].every((k) => k === 'integer' || k === 'double')) return { type: 'DOUBLE' };
  if (kinds.size === 1 && kinds.has('boolean')) return { type: 'BOOLEAN' };
  if (kinds.size === 1 && kinds.has('timestamp')) return { type: 'TIMESTAMP(3)' };
  if (kinds.size === 1 && kinds.has('string')) return { type: 'VARCHAR' };
  return { type: 'VARCHAR', note: `values of several kinds (${[...kinds].sort().join(', ')}): read as text` };
}

/** Durations a proposal rounds up to, shortest first. */
const LADDER: readonly [number, string][] = [
  [1_000, '1 second'],
  [5_000, '5 seconds'],
  [10_000, '10 seconds'],
  [30_000, '30 seconds'],
  [60_000, '1 minute'],
  [120_000, '2 minutes'],
  [300_000, '5 minutes'],
  [600_000, '10 minutes'],
  [1_800_000, '30 minutes'],
  [3_600_000, '1 hour'],
  [21_600_000, '6 hours'],
  [86_400_000, '1 day'],
];

const timeOf = (v: unknown) => (typeof v === 'string' && TIMESTAMP_TEXT.test(v) ? Date.parse(`${v.replace(' ', 'T')}Z`) : undefined);

/**
 * The 99.9th percentile of how far each record's event time lies behind the largest before it in
 * its partition (Flink's Kafka source keeps a watermark per partition), rounded up.
 */
function watermarkDelay(times: readonly { t: number; partition: number }[]): { text: string; why: string } {
  const max = new Map<number, number>();
  const behind = times.map(({ t, partition }) => {
    const b = Math.max(0, (max.get(partition) ?? -Infinity) - t);
    max.set(partition, Math.max(max.get(partition) ?? -Infinity, t));
    return b;
  });
  const sorted = [...behind].sort((a, b) => a - b);
  const p999 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.999) - 1)] ?? 0;
  const late = behind.filter((b) => b > 0).length;
  const [, text] = LADDER.find(([ms]) => ms >= p999) ?? LADDER[LADDER.length - 1];
  if (late === 0) return { text, why: `event time never went backwards in ${times.length} records; the shortest delay offered` };
  return {
    text,
    why: `${late} of ${times.length} records came after a later one, up to ${p999 / 1000} s behind at the 99.9th percentile: rounded up`,
  };
}

const VISITOR = /user|uid|visitor|member|customer|client_id|device|session/i;
const EVENT_COLUMN = /type|kind|event|action|category|status/i;
const TIME_NAME = /time|ts|date|_at$/i;

/**
 * `partitions`: the Kafka partition of each record, where they came from a topic. `decimalFields`:
 * fields whose numbers were written with a point somewhere (`1.0` parses as an integer): DOUBLE.
 */
export function infer(
  records: readonly unknown[],
  unparsed: number,
  partitions?: readonly number[],
  decimalFields: ReadonlySet<string> = new Set(),
): Proposal | string {
  const isRow = (r: unknown): r is Record<string, unknown> => typeof r === 'object' && r !== null && !Array.isArray(r);
  const rows = records.filter(isRow);
  const partitionOf = records.flatMap((r, i) => (isRow(r) ? [partitions?.[i] ?? 0] : []));
  if (rows.length === 0) return `no JSON object among the ${records.length + unparsed} records sampled`;
  const seen = new Map<string, Seen>();
  for (const row of rows) {
    for (const [name, v] of Object.entries(row)) {
      const s: Seen = seen.get(name) ?? { kinds: new Set<string>(), min: Infinity, max: -Infinity, values: new Map() };
      seen.set(name, s);
      s.kinds.add(typeof v === 'number' && decimalFields.has(name) ? 'double' : kindOf(v));
      if (typeof v === 'number') {
        s.min = Math.min(s.min, v);
        s.max = Math.max(s.max, v);
      }
      if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') {
        const key = JSON.stringify(v);
        const entry = s.values.get(key) ?? { value: v, rows: 0 };
        entry.rows++;
        s.values.set(key, entry);
      }
    }
  }
  const names = [...seen.keys()];
  // Every column's name is a key of `seen`: the columns are made from it.
  const seenOf = (name: string) => required(seen.get(name), `the values of ${name}`);
  const columns = names.filter((n) => IDENTIFIER.test(n)).map((name) => ({ name, ...typeOf(seenOf(name)) }));
  const skipped = names.filter((n) => !IDENTIFIER.test(n));

  const stamps = columns.filter((c) => c.type === 'TIMESTAMP(3)');
  const eventTime = stamps.find((c) => TIME_NAME.test(c.name)) ?? stamps[0];
  if (!eventTime) {
    return `no field of the ${rows.length} records holds times as 'yyyy-MM-dd HH:mm:ss[.SSS]' text, so none can be the event-time column; the spec needs one (source.eventTime)`;
  }
  const times = rows.flatMap((r, i) => {
    const t = timeOf(r[eventTime.name]);
    return t === undefined ? [] : [{ t, partition: partitionOf[i] }];
  });

  // Events: the values of a column of few values, each seen more than once, most rows first.
  const candidates = columns
    .filter((c) => c.name !== eventTime.name && ['INT', 'BIGINT', 'VARCHAR', 'BOOLEAN'].includes(c.type) && !c.note)
    .map((c) => ({ c, values: [...seenOf(c.name).values.values()] }))
    .filter(({ values }) => values.length >= 2 && values.length <= MAX_EVENT_VALUES && values.every((v) => v.rows >= 2))
    .sort((a, b) => Number(EVENT_COLUMN.test(b.c.name)) - Number(EVENT_COLUMN.test(a.c.name)) || a.values.length - b.values.length);
  const chosen = candidates[0];
  const events: EventProposal[] = chosen
    ? chosen.values
        .sort((a, b) => b.rows - a.rows || String(a.value).localeCompare(String(b.value)))
        .map((v) => ({ name: eventName(chosen.c.name, v.value), column: chosen.c.name, value: v.value, rows: v.rows }))
    : [];
  // Two values may make one name ('a-b', 'a_b'): a number after the later ones keeps each its own.
  const taken = new Set<string>();
  for (const e of events) {
    let name = e.name;
    for (let i = 2; taken.has(name); i++) name = `${e.name}_${i}`;
    taken.add(name);
    e.name = name;
  }

  const distinct = (name: string) => seenOf(name).values.size;
  const visitor =
    columns.find((c) => VISITOR.test(c.name) && c.name !== chosen?.c.name && !c.note && c.type !== 'TIMESTAMP(3)')?.name ??
    columns
      .filter((c) => ['INT', 'BIGINT', 'VARCHAR'].includes(c.type) && !c.note && c.name !== chosen?.c.name)
      .sort((a, b) => distinct(b.name) - distinct(a.name))[0]?.name;
  return {
    columns,
    skipped,
    eventTime: eventTime.name,
    watermarkDelay: watermarkDelay(times),
    events,
    visitor,
    records: rows.length,
    unparsed,
  };
}

/** `record_type` and 0 → `record_type_0`; text values keep their letters and digits. */
function eventName(column: string, value: string | number | boolean): string {
  const part = (typeof value === 'number' && value < 0 ? `minus_${-value}` : String(value))
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  return `${column}_${part || 'empty'}`;
}
