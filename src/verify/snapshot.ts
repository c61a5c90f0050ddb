/** Everything in the run's keyspace (every master's, on a cluster), read into the expectation's shape for comparison. */
import { snapshotKey, type Expected } from '../redis-types';
import { scanAll, type RedisClient } from '../util/redis';

export async function snapshot(redis: RedisClient, ignore: ReadonlySet<string> = new Set()): Promise<Map<string, Expected>> {
  const out = new Map<string, Expected>();
  for (const key of (await scanAll(redis)).sort()) {
    if (ignore.has(key)) continue;
    const content = await snapshotKey(redis, key);
    if (content !== undefined) out.set(key, content);
  }
  return out;
}
