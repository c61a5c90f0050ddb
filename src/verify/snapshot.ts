/** Everything in one Redis database, read into the expectation's shape for comparison. */
import type Redis from 'ioredis';
import { snapshotKey, type Expected } from '../redis-types';

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
    const content = await snapshotKey(redis, key);
    if (content !== undefined) out.set(key, content);
  }
  return out;
}
