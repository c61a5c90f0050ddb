/** Everything in one Redis database, read into the expectation's shape for comparison. */
import type Redis from 'ioredis';
import type { Expected } from '../model/expectation';

export async function snapshot(redis: Redis, ignore: ReadonlySet<string> = new Set()): Promise<Map<string, Expected>> {
  const out = new Map<string, Expected>();
  let cursor = '0';
  const keys: string[] = [];
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  for (const key of keys.sort()) {
    if (ignore.has(key)) continue;
    const type = await redis.type(key);
    if (type === 'set') out.set(key, { set: (await redis.smembers(key)).sort() });
    else if (type === 'list') out.set(key, { list: (await redis.lrange(key, 0, -1)).map(parseEntry) });
    else if (type === 'hash') out.set(key, { hash: await redis.hgetall(key) });
    else if (type === 'string') {
      const raw = await redis.getBuffer(key);
      // A HyperLogLog is a string that starts with "HYLL".
      if (raw && raw.subarray(0, 4).toString('latin1') === 'HYLL') out.set(key, { hll: await redis.pfcount(key) });
      else out.set(key, { string: raw?.toString('utf8') ?? '' });
    }
  }
  return out;
}

/** List entries are JSON objects; one that is not stays a string, so the report can show it. */
function parseEntry(s: string): Record<string, unknown> {
  try {
    const v = JSON.parse(s);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : { raw: s };
  } catch {
    return { raw: s };
  }
}
