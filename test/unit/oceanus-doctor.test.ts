/**
 * `uvpv doctor --target oceanus` against the fake Oceanus: the account is proved with read-only
 * calls, each failure names its fix, and nothing is ever changed. Kafka and Redis lines are the
 * local doctor's and are not looked at here.
 */
import { CLUSTER, envFor, MUTATING, SPEC, startFake, uvpv } from '../fake-oceanus/harness';
import type { FakeOceanus, FakeOceanusOptions } from '../fake-oceanus/server';
import { closedPort } from '../support/fake-http';

let fake: FakeOceanus | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** The doctor's lines that start with the label, e.g. `OK   Oceanus cluster  ...`. */
async function doctor(opts: Partial<FakeOceanusOptions> = {}, extra: NodeJS.ProcessEnv = {}, setup?: (f: FakeOceanus) => void) {
  const started = await startFake(opts);
  fake = started;
  setup?.(started);
  const dead = await closedPort();
  const r = await uvpv(
    ['doctor', SPEC, '--target', 'oceanus'],
    envFor(started, { KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${dead}`, PATH: process.env.PATH, ...extra }),
  );
  const line = (label: string) => r.out.split('\n').find((l) => l.slice(5).startsWith(label)) ?? `(no ${label} line)\n${r.out}`;
  const after = (label: string) => r.out.slice(r.out.indexOf(line(label)));
  // Doctor never changes anything.
  expect(started.state.requests.filter((q) => MUTATING.includes(q.action))).toEqual([]);
  return { ...r, line, after, fake: started };
}

test('a healthy account: credentials, permissions, cluster, capacity, Flink version, connectors and job all OK', async () => {
  const r = await doctor();
  expect(r.line('Oceanus credentials')).toMatch(
    /^OK +Oceanus credentials +signed requests accepted by http:\/\/127\.0\.0\.1:\d+ in ap-guangzhou$/,
  );
  expect(r.line('Oceanus permissions')).toMatch(/^OK /);
  expect(r.after('Oceanus permissions')).toContain(
    'not checked (they would change something): oceanus:CreateJob, oceanus:CreateJobConfig, oceanus:RunJobs, oceanus:StopJobs',
  );
  expect(r.line('Oceanus cluster')).toMatch(new RegExp(`^OK +Oceanus cluster +${CLUSTER} in ap-guangzhou: running$`));
  expect(r.line('Oceanus capacity')).toMatch(
    /^OK +Oceanus capacity +8 CU free; the job needs 2 \(JobManager 1 \+ TaskManager 1 x parallelism 1\)$/,
  );
  expect(r.line('Oceanus Flink')).toMatch(/^OK +Oceanus Flink +Flink-1\.16 is among the cluster's versions/);
  expect(r.line('Oceanus connectors')).toMatch(
    /^OK +Oceanus connectors +built-in flink-connector-kafka \(resource-kafka\), flink-connector-redis \(resource-redis\) for Flink-1\.16$/,
  );
  expect(r.line('Oceanus job')).toMatch(/^OK +Oceanus job +no job named uvpv-demo yet: deploy creates it$/);
  expect(r.fake.state.requests.every((q) => q.action.startsWith('Describe'))).toBe(true);
});

test('a wrong secret key fails the credentials line with the variable to fix, and stops the Oceanus checks there', async () => {
  const r = await doctor({}, { TENCENTCLOUD_SECRET_KEY: 'not-the-key-0000' });
  expect(r.code).toBe(1);
  expect(r.line('Oceanus credentials')).toMatch(
    /^FAIL Oceanus credentials +Oceanus rejected the request signature: .*set TENCENTCLOUD_SECRET_KEY/,
  );
  expect(r.out).not.toContain('Oceanus cluster');
});

test('empty credentials fail the credentials line with the variables to set, and nothing is called', async () => {
  const r = await doctor({}, { TENCENTCLOUD_SECRET_ID: '', TENCENTCLOUD_SECRET_KEY: '' });
  expect(r.code).toBe(1);
  expect(r.line('Oceanus credentials')).toMatch(/^FAIL Oceanus credentials +secretId or secretKey is empty$/);
  expect(r.after('Oceanus credentials')).toContain(
    'fix: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (an API key from the CAM console)',
  );
  expect(r.fake.state.requests).toHaveLength(0);
});

test('a key without oceanus:DescribeClusters: the permission line names the action and the policy; the cluster is not guessed', async () => {
  const r = await doctor({ denied: ['DescribeClusters'] });
  expect(r.line('Oceanus permissions')).toMatch(/^FAIL Oceanus permissions +not allowed: oceanus:DescribeClusters$/);
  expect(r.after('Oceanus permissions')).toContain(
    "fix: grant the API key's CAM user oceanus:DescribeClusters (or the QcloudOceanusFullAccess policy)",
  );
  expect(r.line('Oceanus cluster')).toMatch(/^FAIL Oceanus cluster +not checked: the key may not call oceanus:DescribeClusters$/);
  expect(r.out).not.toContain('OCEANUS_CLUSTER_ID');
});

test('a key that may not even read jobs fails at the first call, as a permission', async () => {
  const r = await doctor({ denied: ['DescribeJobs'] });
  expect(r.line('Oceanus permissions')).toMatch(/^FAIL Oceanus permissions +the API key is not allowed to call oceanus:DescribeJobs/);
});

test('a cluster that is not running, too small, and without the Flink version: each is its own line with its fix', async () => {
  const r = await doctor({ clusters: [{ ClusterId: CLUSTER, Status: 3, FreeCuNum: 1, SupportedFlink: ['Flink-1.13'] }] });
  expect(r.line('Oceanus cluster')).toMatch(/^FAIL Oceanus cluster +cluster-uvpv01 in ap-guangzhou: initializing$/);
  expect(r.line('Oceanus capacity')).toMatch(/^FAIL Oceanus capacity +1 CU free; the job needs 2/);
  expect(r.line('Oceanus Flink')).toMatch(/^FAIL Oceanus Flink +Flink-1\.16 is not among the cluster's versions \(Flink-1\.13\)$/);
  expect(r.after('Oceanus Flink')).toContain("fix: set the target's flinkVersion to one of Flink-1.13");
});

test('an unknown cluster says so and how to fix it', async () => {
  const r = await doctor({ clusters: [{ ClusterId: 'cluster-other' }] });
  expect(r.line('Oceanus cluster')).toMatch(/^FAIL Oceanus cluster +no cluster cluster-uvpv01 in ap-guangzhou for this account$/);
  expect(r.after('Oceanus cluster')).toContain('fix: set clusterId (OCEANUS_CLUSTER_ID) and region');
});

test('a workspace the key cannot see, and a missing built-in connector, fail with their fixes', async () => {
  const r = await doctor({ systemResources: [] }, { OCEANUS_WORKSPACE_ID: 'space-missing' });
  expect(r.line('Oceanus workspace')).toMatch(/^FAIL Oceanus workspace +no workspace space-missing for this key$/);
  expect(r.line('Oceanus connectors')).toMatch(/^FAIL Oceanus connectors +no built-in connector for kafka and redis with Flink-1\.16$/);
  expect(r.after('Oceanus connectors')).toContain('targets.oceanus.resourceRefs');
});

test('an existing running job is reported with its version; the CUs it holds are not asked for again', async () => {
  const r = await doctor({ clusters: [{ ClusterId: CLUSTER, FreeCuNum: 0 }] }, {}, (f) => {
    const job = f.addJob('uvpv-demo');
    job.Status = 4;
    job.published = 3;
  });
  expect(r.line('Oceanus capacity')).toMatch(/^OK +Oceanus capacity +0 CU free; the job needs 2 .*, which it already holds$/);
  expect(r.line('Oceanus job')).toMatch(/^OK +Oceanus job +job cql-\w+ \(uvpv-demo\) is RUNNING, runs configuration version 3$/);
});

describe('Kafka and Redis as the cluster sees them', () => {
  test("loopback addresses (the reference spec's defaults) are a warning that explains the private link; doctor does not fail for them", async () => {
    const r = await doctor({}, { REDIS_HOST: 'localhost' });
    expect(r.line('reachable from Oceanus')).toMatch(
      /^WARN reachable from Oceanus +Kafka bootstrap 127\.0\.0\.1:\d+ \(source\.bootstrapServers\) and Redis localhost \(redis\.host\): only this machine reaches a loopback or link-local address/,
    );
    expect(r.after('reachable from Oceanus')).toContain('advertise that address (advertised.listeners)');
    expect(r.after('reachable from Oceanus')).toContain('VPC peering');
    expect(r.out).not.toMatch(/^FAIL reachable/m);
  });

  test('private addresses in a VPC pass', async () => {
    const r = await doctor({}, { KAFKA_BOOTSTRAP_SERVERS: '10.1.0.10:9092,10.1.0.11:9092', REDIS_HOST: '10.1.0.20' });
    expect(r.line('reachable from Oceanus')).toMatch(/^OK +reachable from Oceanus +Kafka and Redis have addresses a cluster can reach$/);
  });
});

test.each([
  ['localhost', true],
  ['Kafka.localhost', true],
  ['127.0.0.1', true],
  ['127.8.9.10', true],
  ['::1', true],
  ['[::1]', true],
  ['169.254.10.1', true],
  ['fe80::1', true],
  ['febf::1', true],
  ['fec0::1', false],
  ['10.0.0.7', false],
  ['192.168.1.2', false],
  ['kafka.internal', false],
  ['128.0.0.1', false],
])('isLocalOnly(%s) is %s', async (host, local) => {
  const { isLocalOnly } = await import('../../src/deploy/oceanus/doctor');
  expect(isLocalOnly(host)).toBe(local);
});
