import type { Point, RedisTypeDefinition } from './definition';
import { quote } from './definition';

/** A Redis hash of window end → value: HSET per window; with `by`, of the value of `by` → value. */
export const hash: RedisTypeDefinition<Record<string, string>, 'hset'> = {
  name: 'hash',
  article: 'a hash',
  metrics: ['uv', 'pv', 'ratio'],
  writes: 'value',
  breakdown: 'field',
  commands: ['hset'],
  columns: [
    { name: 'field', slot: 'field' },
    { name: 'value', slot: 'value' },
  ],
  order: 'overwrites',
  describeWrite: (w) =>
    w.by
      ? `Metric ${w.metric}: HSET ${w.key} <${w.by}> <value> per window and ${w.by}.`
      : `Metric ${w.metric}: HSET ${w.key} <window_end> <value> per window.`,
  addWindow: (previous, w) => ({ ...previous, [w.by ? w.by.text : w.end]: String(w.value) }),
  checkExpected: (v) =>
    v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string' || typeof x === 'number')
      ? undefined
      : 'a hash is a map of field to value',
  expected: (v) => Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, String(x)])),
  storedAs: 'hash',
  snapshot: (redis, key) => redis.hgetall(key),
  diff(want, got) {
    const out: string[] = [];
    for (const [f, v] of Object.entries(want)) {
      if (!(f in got)) out.push(`missing field ${quote(f)} (expected ${quote(v)})`);
      else if (got[f] !== v) out.push(`field ${quote(f)} is ${quote(got[f])}, expected ${quote(v)}`);
    }
    for (const [f, v] of Object.entries(got)) if (!(f in want)) out.push(`extra field ${quote(f)} = ${quote(v)}`);
    return out;
  },
  describe: (c) => `a hash of ${Object.keys(c).length} fields`,
  dashboard: { kind: 'windows', read: async (redis, key) => hashPoints(await redis.hgetall(key)) },
};

/** A hash `window_end → value` as points; fields whose value is not a number are skipped. */
export function hashPoints(h: Readonly<Record<string, string>>): Point[] {
  return Object.entries(h)
    .filter(([, v]) => v.trim() !== '')
    .map(([t, v]) => ({ t, v: Number(v) }))
    .filter((p) => Number.isFinite(p.v));
}
