import type { RedisTypeDefinition } from './definition';
import { quote } from './definition';

/** A Redis string holding the latest window's value: SET; the last write wins. */
export const string: RedisTypeDefinition<string, 'set'> = {
  name: 'string',
  article: 'a string',
  metrics: ['uv', 'pv', 'ratio'],
  writes: 'value',
  breakdown: 'key',
  commands: ['set'],
  columns: [{ name: 'value', slot: 'value' }],
  order: 'overwrites',
  describeWrite: (w) => `Metric ${w.metric}: SET ${w.key} <value> per window${w.by ? ` and ${w.by}` : ''}; the latest window wins.`,
  // Windows arrive in window_end order: the last one wins.
  addWindow: (_previous, w) => String(w.value),
  checkExpected: (v) => (typeof v === 'string' || typeof v === 'number' ? undefined : 'a string is one value, e.g. "0.5000"'),
  expected: (v) => String(v),
  storedAs: 'string',
  snapshot: async (redis, key) => (await redis.getBuffer(key))?.toString('utf8') ?? '',
  diff: (want, got) => (want === got ? [] : [`value is ${quote(got)}, expected ${quote(want)}`]),
  describe: (c) => `the string ${quote(c)}`,
  dashboard: {
    kind: 'number',
    async read(redis, key) {
      const v = await redis.get(key);
      if (v === null) return null;
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`${key} holds '${v.slice(0, 40)}', not a number`);
      return n;
    },
  },
};
