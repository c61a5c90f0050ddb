/**
 * A Redis database of the run's own. A database counts as free when it is empty; the run claims
 * it with a marker key set only-if-absent, so two runs never share one, and it deletes only what
 * is in it (its own writes) when done.
 */
import type Redis from 'ioredis';
import { redisClient } from '../util/redis';
import { RuntimeFailure } from '../errors';

export const CLAIM_KEY = '__uvpv_verify_claim';

export interface Namespace {
  database: number;
  redis: Redis;
  release(keep: boolean): Promise<void>;
}

export async function claimDatabase(host: string, port: number, runId: string, password?: string): Promise<Namespace> {
  const probe = connect(host, port, 0, password);
  let databases = 16;
  try {
    const conf = (await probe.config('GET', 'databases')) as string[];
    databases = Number(conf[1]) || 16;
  } catch {
    // CONFIG may be disabled; Redis's default is 16
  } finally {
    probe.disconnect();
  }
  // Database 0 is where people keep their data: never use it.
  for (let db = databases - 1; db >= 1; db--) {
    const redis = connect(host, port, db, password);
    if ((await redis.dbsize()) === 0 && (await redis.set(CLAIM_KEY, runId, 'EX', 3600, 'NX')) === 'OK' && (await redis.dbsize()) === 1) {
      return {
        database: db,
        redis,
        async release(keep) {
          if (!keep) {
            let cursor = '0';
            do {
              const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
              cursor = next;
              if (keys.length) await redis.del(...keys);
            } while (cursor !== '0');
          }
          redis.disconnect();
        },
      };
    }
    redis.disconnect();
  }
  throw new RuntimeFailure(
    `no empty Redis database on ${host}:${port} to run in (databases 1..${databases - 1} all hold data); free one or raise 'databases' in redis.conf`,
  );
}

function connect(host: string, port: number, db: number, password?: string): Redis {
  return redisClient({ host, port, db, password }, 'session');
}
