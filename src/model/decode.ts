/**
 * Kafka message bytes → a row, the way Flink 1.20's JSON format decodes them
 * (JsonParserToRowDataConverters): a message that is not a JSON object is skipped; a field that
 * does not fit its type is NULL when parse errors are ignored; a missing field is NULL.
 *
 * Known gaps: JSON.parse does not keep a number's spelling, so a VARCHAR column given the JSON
 * number 6.0 reads "6" here where Flink reads "6.0" (and 6.0 is 6 for a SMALLINT, which Flink reads
 * as NULL); integers beyond 2^53 lose precision.
 */
import type { Column } from '../pipeline/types';

export type Value = number | string | boolean | null;
export type Row = Record<string, Value>;
/** What JSON.parse returns (its declared type is any). */
type Json = string | number | boolean | null | Json[] | { [field: string]: Json };

export interface DecodeOptions {
  ignoreParseErrors: boolean;
  failOnMissingField: boolean;
}

const SQL_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/** The row, or undefined when Flink would skip the message (or fail, without ignoreParseErrors). */
export function decodeRecord(bytes: Buffer, columns: readonly Column[], opts: DecodeOptions): Row | undefined {
  let doc: Json;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Json;
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const row: Row = {};
  for (const c of columns) {
    if (!(c.name in doc)) {
      if (opts.failOnMissingField) return undefined;
      row[c.name] = null;
      continue;
    }
    const v = convert(doc[c.name], c);
    if (v === FAILED) {
      if (!opts.ignoreParseErrors) return undefined;
      row[c.name] = null;
    } else row[c.name] = v;
  }
  return row;
}

const FAILED = Symbol('failed');

function convert(v: Json | undefined, c: Column): Value | typeof FAILED {
  if (v === null || v === undefined) return null;
  const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
  switch (c.type.family) {
    case 'integer': {
      const bits = c.type.precision ?? 32;
      let n: number;
      // INT and BIGINT truncate a float token (Jackson's asInt/asLong); TINYINT and SMALLINT parse
      // its text (Byte/Short.parseByte), which fails on a point or an exponent.
      if (typeof v === 'number') {
        if (bits <= 16 && !Number.isInteger(v)) return FAILED;
        n = Math.trunc(v);
      } else if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) n = Number(v.trim());
      else return FAILED;
      const limit = 2 ** (bits - 1);
      return n >= -limit && n < limit ? n : FAILED;
    }
    case 'float':
    case 'decimal': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : NaN;
      return Number.isFinite(n) ? n : FAILED;
    }
    case 'boolean':
      if (typeof v === 'boolean') return v;
      return typeof v === 'string' ? v.trim().toLowerCase() === 'true' : FAILED;
    case 'string':
      return text;
    case 'timestamp': {
      if (typeof v !== 'string') return FAILED;
      const m = SQL_TIMESTAMP.exec(v);
      if (!m) return FAILED;
      const [, y, mo, d, h, mi, s, frac = ''] = m;
      const millis = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Number(frac.padEnd(3, '0').slice(0, 3)));
      // Reject dates that JavaScript would roll over (2021-02-30) as Java's parser does.
      return new Date(millis).getUTCDate() === +d ? millis : FAILED;
    }
    default:
      return text;
  }
}

/** A value as `CAST(x AS STRING)` prints it, for SADD members. */
export function sqlString(v: Value): string {
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return String(v);
}
