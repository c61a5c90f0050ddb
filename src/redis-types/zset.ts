import type { Ranked, RedisTypeDefinition } from './definition';
import { quote } from './definition';

/** A Redis sorted set of a window's top-N: ZADD key <rows> <value of by> for each of the N. */
export const zset: RedisTypeDefinition<Record<string, number>, 'zadd'> = {
  name: 'zset',
  article: 'a zset',
  metrics: ['topn'],
  writes: 'ranking',
  breakdown: 'member',
  windowKeyReason: "a zset holds one window's ranking, and windows written into one key would mix",
  commands: ['zadd'],
  // jeff-zou's and uvpv's connectors map (key, score, member) in this order.
  columns: [
    { name: 'score', slot: 'score' },
    { name: 'member', slot: 'member' },
  ],
  order: 'none',
  describeWrite: (w) => `Metric ${w.metric}: ZADD ${w.key} <rows> <${w.by}> for each of a window's top values of ${w.by}.`,
  fromRanking: (ranked) => Object.fromEntries(ranked.map((r) => [r.member, r.score])),
  checkExpected: (v) =>
    v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'number' && Number.isFinite(x))
      ? undefined
      : 'a zset is a map of member to score, e.g. {"101": 7, "103": 5}',
  expected: (v) => ({ ...(v as Record<string, number>) }),
  storedAs: 'zset',
  async snapshot(redis, key) {
    return Object.fromEntries(pairs(await redis.zrange(key, 0, -1, 'WITHSCORES')).map((r) => [r.member, r.score]));
  },
  diff(want, got) {
    const out: string[] = [];
    for (const [m, score] of Object.entries(want)) {
      if (!(m in got)) out.push(`missing member ${quote(m)} (expected score ${score})`);
      else if (got[m] !== score) out.push(`member ${quote(m)} has score ${got[m]}, expected ${score}`);
    }
    for (const [m, score] of Object.entries(got)) if (!(m in want)) out.push(`extra member ${quote(m)} with score ${score}`);
    return out;
  },
  describe: (c) => `a zset of ${Object.keys(c).length}`,
  dashboard: {
    kind: 'ranking',
    read: async (redis, key, limit) => pairs(await redis.zrevrangeWithScores(key, 0, limit === undefined ? -1 : limit - 1)),
  },
};

/** A WITHSCORES reply `[member, score, member, score, ...]` as members with numeric scores. */
export function pairs(reply: readonly string[]): Ranked[] {
  const out: Ranked[] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) out.push({ member: reply[i], score: Number(reply[i + 1]) });
  return out;
}
