import type { RedisTypeDefinition } from './definition';
import { quote } from './definition';
import { countIfExists, describeMembers, isMemberList } from './members';

/** A Redis SET of UV members: SADD; verify compares members exactly. */
export const set: RedisTypeDefinition<string[], 'sadd'> = {
  name: 'set',
  article: 'a set',
  metrics: ['uv'],
  writes: 'members',
  breakdown: 'key',
  commands: ['sadd'],
  columns: [{ name: 'member', slot: 'member' }],
  order: 'none',
  describeWrite: describeMembers,
  fromMembers: (members) => [...members].sort(),
  checkExpected: (v) => (isMemberList(v) ? undefined : 'a set is a list of members, e.g. ["1", "2"]'),
  expected: (v) => (v as unknown[]).map(String),
  storedAs: 'set',
  snapshot: async (redis, key) => (await redis.smembers(key)).sort(),
  diff(want, got) {
    const w = new Set(want);
    const g = new Set(got);
    const missing = [...w].filter((m) => !g.has(m));
    const extra = [...g].filter((m) => !w.has(m));
    return [
      ...(missing.length ? [`missing members: ${missing.map(quote).join(', ')}`] : []),
      ...(extra.length ? [`extra members: ${extra.map(quote).join(', ')}`] : []),
    ];
  },
  describe: (c) => `a set of ${c.length}`,
  dashboard: { kind: 'number', read: (redis, key) => countIfExists(redis.exists(key), () => redis.scard(key)) },
};
