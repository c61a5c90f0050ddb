/**
 * What a sample of JSON records says about the spec that reads them: each field's Flink SQL type,
 * the event-time column and a watermark delay from how far event time goes backwards, events from
 * a column of few values, and metrics over them. Pure: the sample comes in, a proposal goes out.
 */
import { IDENTIFIER } from '../pipeline/names';

export interface ColumnProposal {
  name: string;
  type: string;
  /** Why, where the type is a fallback (nested objects, mixed or no values). */
  note?: string;
  /** Values that do not read as `type` (Flink's JSON format reads NULL there): how many, of how many values, and the first. */
  unfit?: { count: number; of: number; example: unknown };
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
  /** Records without a value for the event-time column (absent, null or empty): the job drops their rows, as it does those of its `unfit` values. */
  eventTimeMissing?: { count: number; example: Record<string, unknown> };
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

/**
 * A column takes a type when at least this share of the records holding a value for it (not
 * absent, null or empty) fit that type; the others are reported, and read as NULL by Flink. Real
 * samples hold a few bad records, which should not turn a time or a number column into text.
 */
export const CLEAR_MAJORITY = 0.9;

type Kind = 'null' | 'integer' | 'huge' | 'double' | 'boolean' | 'timestamp' | 'string' | 'nested';
/** A field's values in the sample: each value held (not absent, null or empty), with its kind. */
type Seen = { held: { v: unknown; kind: Kind }[] };

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined || v === '') return 'null';
  if (typeof v === 'number') return !Number.isInteger(v) ? 'double' : Math.abs(v) >= BIGINT_RANGE ? 'huge' : 'integer';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return TIMESTAMP_TEXT.test(v) ? 'timestamp' : 'string';
  return 'nested';
}

/** The types a clear majority may choose, narrowest first, and which values each reads. */
const STRICT_TYPES: readonly { type: string; fits: (v: unknown, kind: Kind) => boolean }[] = [
  { type: 'INT', fits: (v, k) => k === 'integer' && (v as number) >= -INT_RANGE && (v as number) < INT_RANGE },
  { type: 'BIGINT', fits: (_, k) => k === 'integer' },
  { type: 'DOUBLE', fits: (_, k) => k === 'integer' || k === 'double' },
  { type: 'BOOLEAN', fits: (_, k) => k === 'boolean' },
  { type: 'TIMESTAMP(3)', fits: (_, k) => k === 'timestamp' },
];

/**
 * The type that reads the most of a field's values, narrowest first on a tie, when it reads a
 * clear majority; else VARCHAR, which reads any value as its text (with a note saying why, unless
 * every value is text).
 */
function typeOf(seen: Seen): Omit<ColumnProposal, 'name'> & { fits: (v: unknown, kind: Kind) => boolean } {
  const text = { fits: () => true };
  const held = seen.held.length;
  if (held === 0) return { type: 'VARCHAR', note: 'only null values in the sample: read as text', ...text };
  let best: { type: string; fits: (v: unknown, kind: Kind) => boolean; count: number } | undefined;
  for (const t of STRICT_TYPES) {
    const count = seen.held.filter(({ v, kind }) => t.fits(v, kind)).length;
    if (count >= CLEAR_MAJORITY * held && count > (best?.count ?? 0)) best = { ...t, count };
  }
  if (best) {
    const misfit = seen.held.find(({ v, kind }) => !best.fits(v, kind));
    const unfit = misfit && { count: held - best.count, of: held, example: misfit.v };
    return { type: best.type, fits: best.fits, ...(unfit ? { unfit } : {}) };
  }
  const kinds = new Set(seen.held.map((h) => h.kind));
  if (kinds.size === 1 && kinds.has('string')) return { type: 'VARCHAR', ...text };
  if (kinds.has('nested')) return { type: 'VARCHAR', note: 'a nested JSON object or array: read as its JSON text', ...text };
  if (kinds.has('huge')) return { type: 'VARCHAR', note: "integers beyond BIGINT's range: read as text", ...text };
  return { type: 'VARCHAR', note: `values of several kinds (${[...kinds].sort().join(', ')}): read as text`, ...text };
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
  const seenOf = (name: string) => {
    const s = seen.get(name) ?? { held: [] };
    seen.set(name, s);
    return s;
  };
  for (const row of rows) {
    for (const [name, v] of Object.entries(row)) {
      const kind = typeof v === 'number' && decimalFields.has(name) ? 'double' : kindOf(v);
      if (kind !== 'null') seenOf(name).held.push({ v, kind });
    }
  }
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const typed = names.filter((n) => IDENTIFIER.test(n)).map((name) => ({ name, ...typeOf(seenOf(name)) }));
  const columns: ColumnProposal[] = typed.map(({ name, type, note, unfit }) => ({
    name,
    type,
    ...(note ? { note } : {}),
    ...(unfit ? { unfit } : {}),
  }));
  const skipped = names.filter((n) => !IDENTIFIER.test(n));
  /** A column's values that its type reads (text reads any, even empty text), with how many rows hold each. */
  const valuesOf = (c: (typeof typed)[number]) => {
    const values = new Map<string, { value: string | number | boolean; rows: number }>();
    for (const row of rows) {
      const v = row[c.name];
      if ((typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') && (c.fits(v, kindOf(v)) || v === '')) {
        const entry = values.get(JSON.stringify(v)) ?? { value: v, rows: 0 };
        entry.rows++;
        values.set(JSON.stringify(v), entry);
      }
    }
    return [...values.values()];
  };

  const stamps = typed.filter((c) => c.type === 'TIMESTAMP(3)');
  const eventTime = stamps.find((c) => TIME_NAME.test(c.name)) ?? stamps[0];
  if (!eventTime) {
    const closest = names
      .map((name) => ({ name, times: seenOf(name).held.filter((h) => h.kind === 'timestamp').length, of: seenOf(name).held.length }))
      .filter((c) => c.times > 0)
      .sort((a, b) => b.times / b.of - a.times / a.of)[0];
    return (
      `no field of the ${rows.length} records holds times as 'yyyy-MM-dd HH:mm:ss[.SSS]' text in at least ${CLEAR_MAJORITY * 100}% of the records that hold it, ` +
      `so none can be the event-time column; the spec needs one (source.eventTime)` +
      (closest ? `; closest: ${closest.name}, times in ${closest.times} of ${closest.of}` : '')
    );
  }
  const times = rows.flatMap((r, i) => {
    const t = timeOf(r[eventTime.name]);
    return t === undefined ? [] : [{ t, partition: partitionOf[i] }];
  });
  const without = rows.filter((r) => kindOf(r[eventTime.name]) === 'null');

  // Events: the values of a column of few values, each seen more than once, most rows first.
  const candidates = typed
    .filter((c) => c.name !== eventTime.name && ['INT', 'BIGINT', 'VARCHAR', 'BOOLEAN'].includes(c.type) && !c.note)
    .map((c) => ({ c, values: valuesOf(c) }))
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

  const distinct = (name: string) => new Set(seenOf(name).held.map((h) => JSON.stringify(h.v))).size;
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
    ...(without.length ? { eventTimeMissing: { count: without.length, example: without[0] } } : {}),
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
