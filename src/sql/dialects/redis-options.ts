/**
 * The Redis sink's connection options in the flink dialect: one home for their names, which the
 * SQL for jeff-zou's connector and for uvpv's own (connector/: RedisOptions.java) both use.
 * jeff-zou's flink-connector-redis 1.4.3 names the mode and its nodes (and the sentinels' own
 * password); uvpv's connector takes the same names and adds an ACL user and TLS, which jeff-zou's
 * has not.
 */
import type { DialectProblem, RedisConnectorName } from '../compiler';
import type { RedisConnection } from '../../ir/nodes';
import type { RedisMode } from '../../pipeline/types';
import type { SqlValue } from '../parts';

export const REDIS_OPTIONS = {
  mode: 'redis-mode',
  /** standalone */
  host: 'host',
  port: 'port',
  /** cluster: the seed nodes, `host:port,host:port` */
  clusterNodes: 'cluster-nodes',
  /** sentinel: the sentinels, `host:port,host:port`, and the master's name */
  sentinels: 'sentinels.info',
  masterName: 'master.name',
  database: 'database',
  /** uvpv's connector only: an ACL user (AUTH username password) */
  username: 'username',
  password: 'password',
  /** sentinel: the password the sentinels themselves require (a spec's redis.sentinelPassword) */
  sentinelsPassword: 'sentinels.password',
  /** uvpv's connector only: 'true' for TLS to every node, the CA's PEM file, and whether to check the server's certificate and name */
  tls: 'tls',
  tlsCa: 'tls.ca',
  tlsVerifyPeer: 'tls.verify-peer',
} as const;

/** `redis-mode`'s value for each mode, as jeff-zou's connector spells them. */
export const REDIS_MODE_VALUES: Readonly<Record<RedisMode, string>> = { standalone: 'single', cluster: 'cluster', sentinel: 'sentinel' };

/** Where the connection goes: the mode, its server or nodes, the database. */
export function redisLocationOptions(r: RedisConnection): [string, SqlValue][] {
  const o = REDIS_OPTIONS;
  const options: [string, SqlValue][] = [[o.mode, REDIS_MODE_VALUES[r.mode]]];
  if (r.mode === 'standalone') options.push([o.host, r.host], [o.port, String(r.port)]);
  if (r.mode === 'cluster') options.push([o.clusterNodes, r.nodes.join(',')]);
  if (r.mode === 'sentinel') options.push([o.sentinels, r.nodes.join(',')], [o.masterName, r.masterName ?? '']);
  // A cluster has database 0 only, and takes no option for it.
  if (r.mode !== 'cluster') options.push([o.database, String(r.database)]);
  return options;
}

/**
 * How it authenticates and encrypts: `password` and `sentinelPassword` are the secrets' option
 * values, or undefined where there is none.
 */
export function redisAuthOptions(
  r: RedisConnection,
  password: SqlValue | undefined,
  sentinelPassword: SqlValue | undefined,
): [string, SqlValue][] {
  const o = REDIS_OPTIONS;
  const options: [string, SqlValue][] = [];
  if (r.username !== undefined) options.push([o.username, r.username]);
  if (password !== undefined) options.push([o.password, password]);
  if (r.mode === 'sentinel' && sentinelPassword !== undefined) options.push([o.sentinelsPassword, sentinelPassword]);
  if (r.tls) {
    options.push([o.tls, 'true']);
    if (r.tls.ca !== undefined) options.push([o.tlsCa, r.tls.ca]);
    options.push([o.tlsVerifyPeer, String(r.tls.verifyPeer)]);
  }
  return options;
}

/** What `connector` cannot connect with: jeff-zou's has no ACL user and no TLS. */
export function redisConnectionProblems(r: RedisConnection, connector: RedisConnectorName, describe: string): DialectProblem[] {
  if (connector === 'uvpv') return [];
  const problems: DialectProblem[] = [];
  const other = "uvpv's own connector has it (a gateway target's redisConnector: uvpv)";
  if (r.username !== undefined)
    problems.push({
      field: 'redis.username',
      message: `${describe} has no ACL user option (it authenticates with the password alone); ${other}`,
    });
  if (r.tls) problems.push({ field: 'redis.tls', message: `${describe} has no TLS option; ${other}` });
  return problems;
}
