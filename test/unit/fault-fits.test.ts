/**
 * Which `verify --fault` goes with which connections: the stack's faults refuse the spec's
 * servers, the cluster and sentinel faults need the spec's Redis in that mode, on this machine.
 */
import { UsageError } from '../../src/errors';
import type { RedisSpec } from '../../src/pipeline/types';
import { checkFaultFits, FAULT_KINDS, type FaultKind } from '../../src/verify/faults';

const password = { placeholder: '${P}', value: 'p', empty: false };
const standalone: RedisSpec = { mode: 'standalone', host: '127.0.0.1', port: 6379, nodes: ['127.0.0.1:6379'], password, database: 0 };
const cluster: RedisSpec = { ...standalone, mode: 'cluster', nodes: ['127.0.0.1:7000', '127.0.0.1:7001'] };
const sentinel: RedisSpec = { ...standalone, mode: 'sentinel', nodes: ['localhost:26379'], masterName: 'm' };

function refusal(kind: FaultKind, connections: 'stack' | 'spec', redis: RedisSpec): string | undefined {
  try {
    checkFaultFits(kind, connections, redis);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
}

test('every fault fits somewhere, and taskmanager-kill fits both connections', () => {
  for (const kind of FAULT_KINDS)
    expect([standalone, cluster, sentinel].some((r) => ['stack', 'spec'].some((c) => !refusal(kind, c as 'stack', r)))).toBe(true);
  expect(refusal('taskmanager-kill', 'spec', cluster)).toBeUndefined();
  expect(refusal('taskmanager-kill', 'stack', standalone)).toBeUndefined();
});

test("the stack's Redis and Kafka faults refuse --connections spec", () => {
  expect(refusal('redis-outage', 'spec', standalone)).toBe(
    "--fault redis-outage acts on the local stack's Redis, not on the spec's: use it with --connections stack",
  );
  expect(refusal('kafka-restart', 'spec', cluster)).toMatch(/local stack's Kafka.*--connections stack$/);
});

test('redis-master-outage needs the spec’s cluster, redis-failover its sentinels', () => {
  expect(refusal('redis-master-outage', 'spec', cluster)).toBeUndefined();
  expect(refusal('redis-failover', 'spec', sentinel)).toBeUndefined();
  expect(refusal('redis-master-outage', 'stack', cluster)).toBe(
    "--fault redis-master-outage acts on the spec's own cluster Redis: use it with --connections spec",
  );
  expect(refusal('redis-master-outage', 'spec', sentinel)).toBe(
    "--fault redis-master-outage needs a spec whose redis.mode is cluster; this spec's is sentinel (use redis-failover)",
  );
  expect(refusal('redis-failover', 'spec', standalone)).toBe(
    "--fault redis-failover needs a spec whose redis.mode is sentinel; this spec's is standalone (use --connections stack with redis-outage)",
  );
  expect(refusal('redis-failover', 'spec', cluster)).toMatch(/this spec's is cluster \(use redis-master-outage\)$/);
});

test('a Redis elsewhere is never paused or failed over', () => {
  const away = { ...cluster, nodes: ['127.0.0.1:7000', 'redis.example.com:7001'] };
  expect(refusal('redis-master-outage', 'spec', away)).toBe(
    "--fault redis-master-outage acts on the spec's Redis servers themselves, so only on this machine's: redis.nodes has redis.example.com:7001",
  );
  expect(refusal('redis-failover', 'spec', { ...sentinel, nodes: ['[::1]:26379'] })).toBeUndefined();
});
