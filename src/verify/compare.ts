/** Expected vs actual Redis contents, key by key, with differences a person can act on. */
import type { Expectation } from '../model/expectation';
import { contentOf, redisType, typeOf, type Expected } from '../redis-types';

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
    const problems =
      got === undefined ? [`missing: the pipeline wrote no key '${key}' (expected ${redisType(typeOf(want)).article})`] : diff(want, got);
    results.push({ key, ok: problems.length === 0, problems });
  }
  if (expected.exact) {
    for (const [key, got] of actual) {
      if (!expected.redis.has(key))
        results.push({ key, ok: false, problems: [`extra: the pipeline wrote ${describe(got)} that is not expected (exact: true)`] });
    }
  }
  return results;
}

function diff(want: Expected, got: Expected): string[] {
  const wt = typeOf(want);
  if (wt !== typeOf(got)) return [`wrong type: expected ${redisType(wt).article}, found ${describe(got)}`];
  return redisType(wt).diff(contentOf(want), contentOf(got));
}

function describe(e: Expected): string {
  return redisType(typeOf(e)).describe(contentOf(e));
}
