/**
 * A column's values as the reference model reads them (src/model/decode.ts) and as a record
 * writes them in JSON: which values a column can hold, their JSON text, and a value of each type
 * that is not NULL. The generator and the filter solver write records through these, so that
 * what they mean to write is what Flink and the model read.
 */
import type { Value } from '../model/decode';
import type { Column } from '../pipeline/types';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `yyyy-MM-dd HH:mm:ss[.SSS]`, the JSON format's SQL timestamp (UTC, as the model reads it). */
export function sqlTimestamp(ms: number): string {
  const d = new Date(ms);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return d.getUTCMilliseconds() ? `${base}.${pad(d.getUTCMilliseconds(), 3)}` : base;
}

/** Event times a record may carry: years 1970 to 9999, as four-digit SQL timestamps. */
const LAST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Values of the types the model reads as text (DATE, TIME, TIMESTAMP_LTZ, BYTES, ARRAY, MAP,
 * ROW): a few that Flink's JSON format reads too, in the model's text (what `fits` accepts).
 */
const TEXT_VALUES: Partial<Record<Column['type']['family'], readonly string[]>> = {
  date: ['2024-01-01', '2024-01-02'],
  time: ['12:00:00', '12:00:01'],
  timestamp_ltz: ['2024-01-01 00:00:00Z', '2024-01-01 00:00:01Z'],
  bytes: ['AQID', 'BAUG'],
  array: ['[]'],
  map: ['{}'],
  row: ['{}'],
};
/** Of those, the ones written as JSON (an array or object), not as a JSON string. */
const JSON_TEXT = new Set(['array', 'map', 'row']);

/**
 * Whether a column can hold `v` such that Flink reads exactly what the model reads: integers in
 * the type's range, DECIMALs of its scale, FLOATs exact in 32 bits, timestamps of its precision.
 */
export function fits(c: Column, v: Value): boolean {
  if (v === null) return true;
  const t = c.type;
  switch (t.family) {
    case 'integer': {
      const limit = 2 ** ((t.precision ?? 32) - 1);
      return typeof v === 'number' && Number.isSafeInteger(v) && v >= -limit && v < limit;
    }
    case 'float':
      return typeof v === 'number' && Number.isFinite(v) && (t.sql !== 'FLOAT' || Math.fround(v) === v);
    case 'decimal': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return false;
      const scale = t.scale ?? 0;
      const digits = (t.precision ?? 10) - scale;
      return Number(v.toFixed(scale)) === v && Math.abs(v) < 10 ** digits && Math.abs(v) < 1e15;
    }
    case 'boolean':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string';
    case 'timestamp': {
      const unit = 10 ** Math.max(0, 3 - (t.precision ?? 3));
      return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= LAST_MS && v % unit === 0;
    }
    default:
      return typeof v === 'string' && (TEXT_VALUES[t.family] ?? []).includes(v);
  }
}

/** The JSON text of a value `fits` accepts. */
export function jsonText(c: Column, v: Value): string {
  if (v === null) return 'null';
  if (c.type.family === 'timestamp' && typeof v === 'number') return JSON.stringify(sqlTimestamp(v));
  if (JSON_TEXT.has(c.type.family) && typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** Values of the column's type that are not NULL, for a column that must have one: at least one. */
export function someValues(c: Column): Value[] {
  switch (c.type.family) {
    case 'integer':
      return [0, 1, -1];
    case 'float':
    case 'decimal':
      return [0, 1, 0.5];
    case 'boolean':
      return [true, false];
    case 'string':
      return ['x', ''];
    case 'timestamp':
      return [Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1, 0, 0, 1)];
    default:
      return [...(TEXT_VALUES[c.type.family] ?? [])];
  }
}
