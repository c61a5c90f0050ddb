/** Redis clients, made one way: quiet about errors (callers report them) and never waiting forever. */
import Redis from 'ioredis';

export interface RedisAddress {
  host: string;
  port: number;
  db?: number;
  password?: string;
}

/**
 * `probe`: one attempt, no reconnects, no queued commands, for "does it answer?" checks.
 * `session`: reconnects on a dropped connection, for work that lasts (verify, the dashboard).
 */
export function redisClient(at: RedisAddress, mode: 'probe' | 'session'): Redis {
  const common = { host: at.host, port: at.port, db: at.db ?? 0, password: at.password || undefined, lazyConnect: true };
  const client =
    mode === 'probe'
      ? new Redis({ ...common, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false })
      : new Redis({ ...common, connectTimeout: 3000, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  return client;
}

/**
 * Whether a Redis error is a refused or missing password. Redis starts every error reply with its
 * kind: NOAUTH (a password is needed), WRONGPASS (Redis 6+: wrong user or password); Redis before
 * 6 answers `ERR invalid password`, and a password sent to a server without one gets
 * `ERR AUTH <password> called without any password configured`.
 */
export function isRedisAuthError(e: unknown): boolean {
  const message = e instanceof Error ? e.message : String(e);
  const kind = message.split(' ', 1)[0];
  return kind === 'NOAUTH' || kind === 'WRONGPASS' || (kind === 'ERR' && /\b(invalid password|AUTH)\b/.test(message));
}
