/** Expected vs actual Redis contents, key by key, with differences a person can act on. */
import { isDeepStrictEqual } from 'node:util';
import type { Expectation, Expected } from '../model/expectation';
import { redisTypeOf } from '../model/expectation';

export interface KeyResult {
  key: string;
  ok: boolean;
  /** One line per difference; empty when the key matches. */
  problems: string[];
}

export function compare(expected: Expectation, actual: Map<string, Expected>): KeyResult[] {
  const results: KeyResult[] = [];
  for (const [key, want] of expected.redis) {
    const got = actual.get(key);
    const problems = got === undefined ? [`missing: the pipeline wrote no key '${key}' (expected a ${redisTypeOf(want)})`] : diff(want, got);
    results.push({ key, ok: problems.length === 0, problems });
  }
  if (expected.exact) {
    for (const [key, got] of actual) {
      if (!expected.redis.has(key)) results.push({ key, ok: false, problems: [`extra: the pipeline wrote ${describe(got)} that is not expected (exact: true)`] });
    }
  }
  return results;
}

function diff(want: Expected, got: Expected): string[] {
  const wt = redisTypeOf(want);
  const gt = redisTypeOf(got);
  if (wt !== gt) return [`wrong type: expected a ${wt}, found ${describe(got)}`];
  if ('set' in want && 'set' in got) {
    const w = new Set(want.set);
    const g = new Set(got.set);
    const missing = [...w].filter((m) => !g.has(m));
    const extra = [...g].filter((m) => !w.has(m));
    return [
      ...(missing.length ? [`missing members: ${missing.map(q).join(', ')}`] : []),
      ...(extra.length ? [`extra members: ${extra.map(q).join(', ')}`] : []),
    ];
  }
  if ('hll' in want && 'hll' in got) {
    // PFCOUNT is an estimate: within 1%, and always within ±1.
    const tolerance = Math.max(1, Math.floor(want.hll * 0.01));
    return Math.abs(got.hll - want.hll) <= tolerance ? [] : [`PFCOUNT is ${got.hll}, expected ${want.hll} (±${tolerance})`];
  }
  if ('string' in want && 'string' in got) return want.string === got.string ? [] : [`value is ${q(got.string)}, expected ${q(want.string)}`];
  if ('hash' in want && 'hash' in got) {
    const out: string[] = [];
    for (const [f, v] of Object.entries(want.hash)) {
      if (!(f in got.hash)) out.push(`missing field ${q(f)} (expected ${q(v)})`);
      else if (got.hash[f] !== v) out.push(`field ${q(f)} is ${q(got.hash[f])}, expected ${q(v)}`);
    }
    for (const [f, v] of Object.entries(got.hash)) if (!(f in want.hash)) out.push(`extra field ${q(f)} = ${q(v)}`);
    return out;
  }
  if ('list' in want && 'list' in got) return diffList(want.list, got.list);
  return [];
}

function diffList(want: Record<string, unknown>[], got: Record<string, unknown>[]): string[] {
  if (want.length === got.length && want.every((w, i) => isDeepStrictEqual(w, got[i]))) return [];
  const sameItems = want.length === got.length && want.every((w) => got.some((g) => isDeepStrictEqual(w, g)));
  if (sameItems) return [`wrong order: the entries match but not their order; index 0 first, expected ${want.map(entry).join(', ')}; found ${got.map(entry).join(', ')}`];
  const out: string[] = [];
  if (want.length !== got.length) out.push(`length is ${got.length}, expected ${want.length}`);
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (i >= got.length) out.push(`[${i}] missing: expected ${entry(want[i])}`);
    else if (i >= want.length) out.push(`[${i}] extra: ${entry(got[i])}`);
    else if (!isDeepStrictEqual(want[i], got[i])) out.push(`[${i}] is ${entry(got[i])}, expected ${entry(want[i])}`);
  }
  return out;
}

function entry(e: Record<string, unknown>): string {
  return JSON.stringify(e);
}

function q(s: string): string {
  return JSON.stringify(s);
}

function describe(e: Expected): string {
  if ('set' in e) return `a set of ${e.set.length}`;
  if ('list' in e) return `a list of ${e.list.length}`;
  if ('hash' in e) return `a hash of ${Object.keys(e.hash).length} fields`;
  if ('hll' in e) return `an hll of about ${e.hll}`;
  return `the string ${q(e.string)}`;
}
