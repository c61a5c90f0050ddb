/**
 * A Redis keyspace of the run's own. A keyspace counts as free when it is empty; the run claims
 * it with a marker key set only-if-absent, so two runs never share one, and it deletes only what
 * is in it (its own writes) when done: SCAN and DEL master by master, one key per DEL, so that a
 * cluster never answers CROSSSLOT.
 */
import { RuntimeFailure } from '../errors';
import type Redis from 'ioredis';
import {
  deleteAll,
  describeRedis,
  keyCount,
  connectRedis,
  redisClient,
  redisRefusal,
  type RedisAddress,
  type RedisClient,
} from '../util/redis';

export const CLAIM_KEY = '__uvpv_verify_claim';

export interface Namespace<C extends RedisClient = RedisClient> {
  /** Where the run writes: its database included. */
  at: RedisAddress;
  database: number;
  redis: C;
  release(keep: boolean): Promise<void>;
}

/** The stack's Redis (standalone): the highest empty database but 0, which is where people keep their data. */
export async function claimDatabase(host: string, port: number, runId: string, password?: string): Promise<Namespace<Redis>> {
  const at: RedisAddress = { host, port, password };
  const probe = await connect({ ...at, db: 0 });
  let databases = 16;
  try {
    const conf = (await probe.config('GET', 'databases')) as string[];
    databases = Number(conf[1]) || 16;
  } catch {
    // CONFIG may be disabled; Redis's default is 16
  } finally {
    probe.disconnect();
  }
  for (let db = databases - 1; db >= 1; db--) {
    const claimed = await tryClaim({ ...at, db }, runId);
    // A standalone address makes a standalone client.
    if (claimed) return claimed as Namespace<Redis>;
  }
  throw new RuntimeFailure(
    `no empty Redis database on ${at.host}:${at.port} to run in (databases 1..${databases - 1} all hold data); free one or raise 'databases' in redis.conf`,
  );
}

/**
 * A spec's own Redis (`verify --connections spec`): its database as the spec names it (a cluster's
 * only one), which must be empty, on every master: the run deletes all it holds afterwards.
 */
export async function claimKeyspace(at: RedisAddress, runId: string): Promise<Namespace> {
  const claimed = await tryClaim(at, runId);
  if (claimed) return claimed;
  throw new RuntimeFailure(
    `${describeRedis(at)} holds data: verify --connections spec writes the pipeline's keys there and deletes everything in it afterwards`,
    undefined,
    undefined,
    'point the spec at an empty database (redis.database; a cluster has only database 0, so an empty cluster), or verify with --connections stack',
  );
}

async function tryClaim(at: RedisAddress, runId: string): Promise<Namespace | undefined> {
  const redis = await connect(at);
  try {
    if ((await keyCount(redis)) === 0 && (await redis.set(CLAIM_KEY, runId, 'EX', 3600, 'NX')) === 'OK' && (await keyCount(redis)) === 1) {
      return {
        at,
        database: at.db ?? 0,
        redis,
        async release(keep) {
          if (!keep) await deleteAll(redis);
          redis.disconnect();
        },
      };
    }
  } catch (e) {
    redis.disconnect();
    throw e;
  }
  redis.disconnect();
  return undefined;
}

/** A connected session client; a refused login or certificate is a failure with its fix. */
async function connect(at: RedisAddress): Promise<RedisClient> {
  const redis = redisClient(at, 'session');
  try {
    await connectRedis(redis);
    return redis;
  } catch (e) {
    redis.disconnect();
    const refusal = redisRefusal(e, at);
    throw new RuntimeFailure(
      `cannot reach ${describeRedis(at)}: ${refusal?.detail ?? (e as Error).message}`,
      undefined,
      'service-unreachable',
      refusal?.fix ?? "start that Redis, or fix the spec's redis block",
    );
  }
}
