import type { RedisTypeDefinition } from './definition';
import { countIfExists, describeMembers } from './members';

/** A HyperLogLog of UV members: PFADD; verify compares PFCOUNT within 1% (and always ±1). */
export const hll: RedisTypeDefinition<number, 'pfadd'> = {
  name: 'hll',
  article: 'an hll',
  metrics: ['uv'],
  writes: 'members',
  breakdown: 'key',
  commands: ['pfadd'],
  columns: [{ name: 'member', slot: 'member' }],
  order: 'none',
  describeWrite: describeMembers,
  unsupported: (_command, dialect) => ({
    field: 'redis.type',
    message: `${dialect} has no PFADD command, so it cannot write a HyperLogLog; use 'set' or the flink dialect`,
  }),
  fromMembers: (members) => members.size,
  checkExpected: (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : 'an hll is the expected PFCOUNT, a whole number',
  expected: (v) => v as number,
  storedAs: 'string',
  async snapshot(redis, key) {
    // A HyperLogLog is a string that starts with "HYLL".
    const raw = await redis.getBuffer(key);
    return raw && raw.subarray(0, 4).toString('latin1') === 'HYLL' ? redis.pfcount(key) : undefined;
  },
  diff(want, got) {
    // PFCOUNT is an estimate: within 1%, and always within ±1.
    const tolerance = Math.max(1, Math.floor(want * 0.01));
    return Math.abs(got - want) <= tolerance ? [] : [`PFCOUNT is ${got}, expected ${want} (±${tolerance})`];
  },
  describe: (c) => `an hll of about ${c}`,
  dashboard: { kind: 'number', read: (redis, key) => countIfExists(redis.exists(key), () => redis.pfcount(key)) },
};
