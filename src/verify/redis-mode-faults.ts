/**
 * Faults on a spec's own Redis (`verify --connections spec`), for the modes that have more than one
 * server: one master of a cluster stops answering for a while (`CLIENT PAUSE ... ALL`, so its
 * cluster bus keeps talking and the slot map stays as it was), or the sentinels fail the master
 * over to its replica (`SENTINEL FAILOVER`). Both only through Redis commands, and only to servers
 * on this machine: a verify run never pauses or fails over a Redis elsewhere.
 */
import Redis from 'ioredis';
import { RuntimeFailure, UsageError } from '../errors';
import type { RedisMode, RedisSpec } from '../pipeline/types';
import { sleep } from '../util/http';
import { connectRedis, ioredisOptions, masters, redisAddressOf, redisClient, type RedisAddress } from '../util/redis';

/** The Redis mode each of these faults needs. */
export const REDIS_MODE_FAULTS = { 'redis-master-outage': 'cluster', 'redis-failover': 'sentinel' } as const satisfies Record<
  string,
  RedisMode
>;
export type RedisModeFault = keyof typeof REDIS_MODE_FAULTS;

/** How long the master stays paused: longer than the connector's 2 s socket timeout, so its writes fail. */
export const MASTER_PAUSE_MS = 4000;
/** How long a failover may take before the run gives up on it. */
const FAILOVER_WAIT_MS = 30_000;

/** A usage error unless `spec`'s Redis is of the fault's mode and every node of it is on this machine. */
export function checkRedisModeFault(kind: RedisModeFault, redis: RedisSpec): void {
  const mode = REDIS_MODE_FAULTS[kind];
  if (redis.mode !== mode)
    throw new UsageError(
      `--fault ${kind} needs a spec whose redis.mode is ${mode}; this spec's is ${redis.mode}` +
        ` (${redis.mode === 'cluster' ? 'use redis-master-outage' : redis.mode === 'sentinel' ? 'use redis-failover' : 'use --connections stack with redis-outage'})`,
    );
  const away = redis.nodes.filter((n) => !isLoopback(n));
  if (away.length)
    throw new UsageError(
      `--fault ${kind} acts on the spec's Redis servers themselves, so only on this machine's: redis.nodes has ${away.join(', ')}`,
    );
}

function isLoopback(hostPort: string): boolean {
  const host = hostPort.slice(0, hostPort.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/**
 * Pauses, for `ms`, the master that serves `key` (a key the job writes, so its writes meet the
 * pause): it takes connections but answers no command until the pause ends. Returns at once; the
 * pause ends by itself.
 */
export async function pauseOneMaster(redis: RedisSpec, key: string, ms: number): Promise<string> {
  const client = redisClient(redisAddressOf(redis, 0), 'session');
  try {
    await connectRedis(client);
    const slot = Number(await client.cluster('KEYSLOT', key));
    const range = (await client.cluster('SLOTS')).find(([from, to]) => from <= slot && slot <= to);
    if (!range?.[2]) throw new RuntimeFailure(`no master of the Redis Cluster serves slot ${slot}: nothing to pause`);
    const [host, port] = range[2];
    const node = masters(client).find((m) => m.options.port === port && m.options.host === host);
    if (!node) throw new RuntimeFailure(`the master ${host}:${port} of the Redis Cluster is not among the client's nodes`);
    await node.call('CLIENT', 'PAUSE', String(ms), 'ALL');
    return `paused the Redis Cluster master ${host}:${port} (slots ${range[0]}-${range[1]}, key ${key}) for ${ms / 1000} s with CLIENT PAUSE ALL; the other masters kept answering`;
  } finally {
    client.disconnect();
  }
}

/**
 * Asks the first sentinel that answers to fail the master over, and waits until it is complete: the
 * sentinels name a new master that says it is one, and the old master follows it (until then the
 * old one may still take writes, and a client still connected to it reads what it had).
 * Returns the old and the new master's addresses.
 */
export async function failover(redis: RedisSpec): Promise<{ from: string; to: string }> {
  const sentinel = await connectSentinel(redisAddressOf(redis, 0), redis.nodes);
  const name = redis.masterName ?? '';
  try {
    const before = await masterAddress(sentinel, name);
    const deadline = Date.now() + FAILOVER_WAIT_MS;
    // Right after a failover the sentinels may still be reconfiguring (INPROG) or not yet see the
    // demoted master as a good replica (NOGOODSLAVE): ask again until they start one.
    for (;;) {
      try {
        await sentinel.call('SENTINEL', 'FAILOVER', name);
        break;
      } catch (e) {
        if (!/INPROG|NOGOODSLAVE/.test((e as Error).message) || Date.now() > deadline)
          throw new RuntimeFailure(`SENTINEL FAILOVER ${name} was refused: ${(e as Error).message}`);
        await sleep(500);
      }
    }
    for (;;) {
      const now = await masterAddress(sentinel, name);
      if (now !== before && (await role(redis, now)) === 'master' && (await role(redis, before)) === 'slave')
        return { from: before, to: now };
      if (Date.now() > deadline) throw new RuntimeFailure(`the sentinels did not fail ${name} over within ${FAILOVER_WAIT_MS / 1000} s`);
      await sleep(200);
    }
  } finally {
    sentinel.disconnect();
  }
}

/**
 * A client of a sentinel itself: with the sentinels' own password when the spec gives one; else
 * without a login unless it asks for one, then with the data nodes' (as the connector does).
 */
async function connectSentinel(at: RedisAddress, nodes: readonly string[]): Promise<Redis> {
  let last: unknown;
  const logins: Pick<RedisAddress, 'username' | 'password'>[] = at.sentinelPassword
    ? [{ password: at.sentinelPassword }]
    : [{}, { username: at.username, password: at.password }];
  for (const node of nodes) {
    const port = Number(node.slice(node.lastIndexOf(':') + 1));
    const host = node.slice(0, node.lastIndexOf(':'));
    for (const login of logins) {
      const o = ioredisOptions({ host, port, tls: at.tls, ...login }, 'probe');
      if (o.kind !== 'single') continue;
      const client = new Redis(o.options);
      client.on('error', () => undefined);
      try {
        await connectRedis(client, 3000);
        await client.ping();
        return client;
      } catch (e) {
        last = e;
        client.disconnect();
        if (!/NOAUTH/.test((e as Error).message)) break;
      }
    }
  }
  throw new RuntimeFailure(`no sentinel of ${nodes.join(', ')} answered: ${(last as Error | undefined)?.message ?? 'none listed'}`);
}

async function masterAddress(sentinel: Redis, name: string): Promise<string> {
  const r = (await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as [string, string] | null;
  if (!r) throw new RuntimeFailure(`the sentinels know no master named ${name}`);
  return `${r[0]}:${r[1]}`;
}

/** `master` or `slave` as the server says in INFO replication; undefined if it does not answer. */
async function role(redis: RedisSpec, hostPort: string): Promise<string | undefined> {
  const at = redisAddressOf(redis, 0);
  const client = redisClient(
    { ...at, mode: 'standalone', host: hostPort.slice(0, hostPort.lastIndexOf(':')), port: Number(hostPort.split(':').pop()) },
    'probe',
  );
  try {
    await connectRedis(client, 3000);
    return /^role:(\w+)/m.exec(await client.info('replication'))?.[1];
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}
