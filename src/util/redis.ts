/**
 * Redis clients, made one way: quiet about errors (callers report them), never waiting forever,
 * and in every mode a spec's `redis` can have (standalone, cluster, sentinel; TLS; an ACL user).
 * Work over the whole keyspace (SCAN, DEL) goes through `masters`, which on a cluster are its
 * masters, each SCANned on its own: a cluster's SCAN sees one node only.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import { UsageError } from '../errors';
import type { RedisMode, RedisSpec } from '../pipeline/types';
import { errorChain, isError, tlsRefusal, type Refusal } from './error-chain';

/** Where a Redis is and how to log in: a standalone host and port, or a spec's cluster or sentinel. */
export interface RedisAddress {
  /** Default standalone. */
  mode?: RedisMode;
  host: string;
  port: number;
  /** Cluster: seed nodes; sentinel: the sentinels (`host:port`). Standalone uses host and port. */
  nodes?: readonly string[];
  /** Sentinel only. */
  masterName?: string;
  db?: number;
  username?: string;
  password?: string;
  /** Sentinel only: the password the sentinels themselves require; without it they get none. */
  sentinelPassword?: string;
  tls?: { ca?: string; verifyPeer: boolean };
}

/** A client of any mode: ioredis's `Redis` (standalone, sentinel) or `Cluster`. Their commands are the same. */
export type RedisClient = Redis | Cluster;

/** The address of a spec's Redis, its password as the command resolved it, at `db` (default: the spec's database). */
export function redisAddressOf(r: RedisSpec, db = r.database): RedisAddress {
  return {
    mode: r.mode,
    host: r.host,
    port: r.port,
    nodes: r.nodes,
    masterName: r.masterName,
    db,
    username: r.username,
    password: r.password.value,
    sentinelPassword: r.sentinelPassword?.value,
    tls: r.tls,
  };
}

/** How an address is shown: never its password. */
export function describeRedis(at: RedisAddress): string {
  const mode = at.mode ?? 'standalone';
  const where = mode === 'standalone' ? `${at.host}:${at.port}/${at.db ?? 0}` : `${(at.nodes ?? []).join(',')}`;
  const what = mode === 'cluster' ? 'Redis Cluster ' : mode === 'sentinel' ? `Redis master ${at.masterName ?? '?'} via sentinels ` : '';
  return `${what}${where}${mode === 'sentinel' ? `/${at.db ?? 0}` : ''}${at.tls ? ' (TLS)' : ''}${at.username ? ` as ${at.username}` : ''}`;
}

/** What ioredis is given for an address: a cluster's seed nodes and options, or one client's options. */
export type IoredisOptions =
  { kind: 'cluster'; nodes: { host: string; port: number }[]; options: ClusterOptions } | { kind: 'single'; options: RedisOptions };

/**
 * `probe`: one attempt, no reconnects, no queued commands, for "does it answer?" checks.
 * `session`: reconnects on a dropped connection, for work that lasts (verify, the dashboard).
 * `read` reads the CA's PEM file (tests pass their own).
 */
export function ioredisOptions(at: RedisAddress, purpose: 'probe' | 'session', read: (path: string) => string = readPem): IoredisOptions {
  const tls: ConnectionOptions | undefined = at.tls && {
    ...(at.tls.ca && { ca: [read(at.tls.ca)] }),
    rejectUnauthorized: at.tls.verifyPeer,
    ...(!at.tls.verifyPeer && { checkServerIdentity: () => undefined }),
  };
  const login = { ...(at.username && { username: at.username }), password: at.password || undefined, ...(tls && { tls }) };
  const timing: RedisOptions =
    purpose === 'probe'
      ? { connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false }
      : { connectTimeout: 3000, maxRetriesPerRequest: 1 };
  const mode = at.mode ?? 'standalone';
  if (mode === 'cluster') {
    return {
      kind: 'cluster',
      nodes: (at.nodes ?? [`${at.host}:${at.port}`]).map(hostPort),
      options: {
        lazyConnect: true,
        redisOptions: { ...login, connectTimeout: timing.connectTimeout, maxRetriesPerRequest: timing.maxRetriesPerRequest },
        // Node names are addresses: looking them up again would break TLS's name check against them.
        dnsLookup: (address, callback) => callback(null, address),
        ...(purpose === 'probe' ? { clusterRetryStrategy: () => null, enableOfflineQueue: false } : { clusterRetryStrategy: retryBriefly }),
      },
    };
  }
  const common = { lazyConnect: true, db: at.db ?? 0, ...login, ...timing };
  if (mode === 'sentinel') {
    return {
      kind: 'single',
      options: {
        ...common,
        sentinels: (at.nodes ?? [`${at.host}:${at.port}`]).map(hostPort),
        name: at.masterName,
        // The sentinels' own password: ioredis gives them neither `username` nor `password`.
        ...(at.sentinelPassword && { sentinelPassword: at.sentinelPassword }),
        // `tls` (in common) is the master's, with enableTLSForSentinelMode; sentinelTLS the sentinels'.
        ...(tls && { enableTLSForSentinelMode: true, sentinelTLS: tls }),
        ...(purpose === 'probe' && { sentinelRetryStrategy: () => null }),
      },
    };
  }
  return { kind: 'single', options: { ...common, host: at.host, port: at.port } };
}

/** A client for `at` (see ioredisOptions for `purpose`); connect it with `connect()`. */
export function redisClient(at: RedisAddress, purpose: 'probe' | 'session'): RedisClient {
  const o = ioredisOptions(at, purpose);
  const client = o.kind === 'cluster' ? new Cluster(o.nodes, o.options) : new Redis(o.options);
  // Kept, not printed: `connectRedis` says why a connection closed (a refused password shows only here).
  const keep = (e: unknown) => lastErrors.set(client, e);
  client.on('error', keep);
  client.on('node error', keep);
  return client;
}

const lastErrors = new WeakMap<RedisClient, unknown>();

/**
 * Connects; a failure carries, as its `cause`, the last error the client reported: ioredis's
 * own rejection often says only "Connection is closed" after a refused login or handshake.
 */
export async function connectRedis(client: RedisClient, timeoutMs = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  // A cluster whose state is not ok yet can leave connect() unsettled: never wait forever.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      client.disconnect();
      reject(new Error(`no ready connection within ${timeoutMs / 1000} s`));
    }, timeoutMs);
  });
  try {
    await Promise.race([client.connect(), deadline]);
  } catch (e) {
    const last = lastErrors.get(client);
    if (last === undefined || last === e) throw e;
    throw new Error(`${(e as Error).message} (${isError(last) ? last.message : typeof last === 'string' ? last : 'unknown'})`, {
      cause: last,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** The servers holding the keyspace: a cluster's masters (connected), or the one client itself. */
export function masters(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/** Every key matching `pattern` (default all), each once, SCANned master by master. */
export async function scanAll(client: RedisClient, pattern = '*'): Promise<string[]> {
  const keys = new Set<string>();
  for (const node of masters(client)) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of batch) keys.add(key);
    } while (cursor !== '0');
  }
  return [...keys];
}

/**
 * One SCAN step over all masters: the cursor is `<master index>:<that master's cursor>` on a
 * cluster, the plain cursor otherwise; `0` starts and ends, as with SCAN itself.
 */
export async function scanStep(client: RedisClient, cursor: string, pattern: string, count: number): Promise<[string, string[]]> {
  if (!(client instanceof Cluster)) return client.scan(cursor, 'MATCH', pattern, 'COUNT', count);
  const nodes = client.nodes('master');
  const [index, inner] = cursor === '0' ? [0, '0'] : [Number(cursor.split(':')[0]), cursor.split(':')[1] ?? '0'];
  if (!(index < nodes.length)) return ['0', []];
  const [next, keys] = await nodes[index].scan(inner, 'MATCH', pattern, 'COUNT', count);
  if (next !== '0') return [`${index}:${next}`, keys];
  return [index + 1 < nodes.length ? `${index + 1}:0` : '0', keys];
}

/** Deletes every key matching `pattern` (default all), master by master, one key per DEL: never CROSSSLOT. */
export async function deleteAll(client: RedisClient, pattern = '*'): Promise<number> {
  let deleted = 0;
  for (const node of masters(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) {
        const pipeline = node.pipeline();
        for (const key of keys) pipeline.del(key);
        const replies = (await pipeline.exec()) ?? [];
        for (const [error, n] of replies) {
          if (error) throw error;
          deleted += Number(n);
        }
      }
    } while (cursor !== '0');
  }
  return deleted;
}

/** The number of keys in the keyspace: DBSIZE summed over the masters. */
export async function keyCount(client: RedisClient): Promise<number> {
  let n = 0;
  for (const node of masters(client)) n += await node.dbsize();
  return n;
}

/**
 * Whether a Redis error is a refused or missing password. Redis starts every error reply with its
 * kind: NOAUTH (a password is needed), WRONGPASS (Redis 6+: wrong user or password); Redis before
 * 6 answers `ERR invalid password`, and a password sent to a server without one gets
 * `ERR AUTH <password> called without any password configured`.
 */
export function isRedisAuthError(e: unknown): boolean {
  return errorChain(e).some((x) => isAuthReply(x.message));
}

/**
 * Whether the sentinels refused a client: ioredis tries each sentinel, then fails with "All
 * sentinels are unreachable ... Last error: <the last sentinel's reply>", where a refused or
 * missing password is one of isRedisAuthError's replies. (A master's refusal is its own reply.)
 */
function isSentinelAuthError(e: unknown): boolean {
  return errorChain(e).some((x) => {
    const last = /^All sentinels are unreachable\b.*?\bLast error: (.*)$/s.exec(x.message);
    return last !== null && isAuthReply(last[1]);
  });
}

function isAuthReply(message: string): boolean {
  const kind = message.split(' ', 1)[0];
  return kind === 'NOAUTH' || kind === 'WRONGPASS' || (kind === 'ERR' && /\b(invalid password|AUTH)\b/.test(message));
}

/** Why a Redis refused a client, and the fix, as doctor and verify print them; undefined for anything else. */
export function redisRefusal(e: unknown, at: RedisAddress): Refusal | undefined {
  if (at.mode === 'sentinel' && isSentinelAuthError(e))
    return {
      kind: 'authentication',
      detail: at.sentinelPassword
        ? 'the sentinels refused redis.sentinelPassword (wrong password)'
        : 'the sentinels require a password (NOAUTH) and redis.sentinelPassword gives none',
      fix: at.sentinelPassword
        ? "set the variable redis.sentinelPassword names to the sentinels' password (requirepass in their sentinel.conf)"
        : "set redis.sentinelPassword: ${VAR} (e.g. ${REDIS_SENTINEL_PASSWORD}) to the sentinels' password (requirepass in their sentinel.conf), the variable set in the environment",
    };
  if (isRedisAuthError(e))
    return {
      kind: 'authentication',
      detail: `Redis refused the login${at.username ? ` of user ${at.username}` : ''} (wrong or missing password, or a disabled user)`,
      fix: at.username
        ? 'check redis.username and the variable redis.password names, and that the ACL user is on'
        : 'set the variable redis.password names to the right password (and redis.username for an ACL user)',
    };
  return tlsRefusal(e, {
    untrusted: (code) => ({
      detail: `Redis's TLS certificate is not trusted (${code})`,
      fix: "set redis.tls.ca to the PEM file of the CA that signed the server's certificate (and check the address matches the certificate)",
    }),
    handshake: {
      detail: 'the TLS handshake with Redis failed: the port may not speak TLS',
      fix: 'remove redis.tls for a Redis without TLS, or point redis.port/nodes at its TLS port',
    },
  });
}

function hostPort(text: string): { host: string; port: number } {
  const at = text.lastIndexOf(':');
  return { host: text.slice(0, at), port: Number(text.slice(at + 1)) };
}

/** A cluster client reconnects a few times over a few seconds, then gives up: a session's errors surface. */
function retryBriefly(times: number): number | null {
  return times > 10 ? null : Math.min(times * 200, 1000);
}

function readPem(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
