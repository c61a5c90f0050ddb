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
