/**
 * The gateway deployer's error paths against a fake SQL Gateway + Flink REST API. The happy path
 * runs against the real local stack in the integration tests.
 */
import { progress } from '../../src/cli/progress';
import { memoryIo } from '../../src/cli/io';
import { GatewayClient } from '../../src/deploy/gateway/client';
import { GatewayDeployer } from '../../src/deploy/gateway/deployer';
import { RuntimeFailure, UsageError } from '../../src/errors';
import type { GatewayTarget, Spec } from '../../src/spec/types';
import { closedPort, startFakeHttp, type FakeHttp } from '../support/fake-http';

const JOB = 'a'.repeat(32);
let spec: Spec;
const SQL = "SET 'pipeline.name' = 'uvpv-demo';\nEXECUTE STATEMENT SET BEGIN INSERT INTO s SELECT 1; END;";
const FLINK_TRACE = [
  'Internal server error.',
  '<Exception on server side:\norg.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.\n\tat org.apache.flink.X.y(X.java:1)\nCaused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation 1.\n\tat a.b(C.java:2)\nCaused by: org.apache.flink.table.api.ValidationException: Could not find any factory for identifier \'redis\' that implements \'org.apache.flink.table.factories.DynamicTableFactory\' in the classpath.\n\tat d.e(F.java:3)\nEnd of exception on server side>',
];

let fake: FakeHttp;
let io: ReturnType<typeof memoryIo>;
let deployer: GatewayDeployer;

function happyGateway(jobState: () => string) {
  fake.route('GET', /^\/v1\/info$/, () => ({ body: { productName: 'Apache Flink', version: '1.20.1' } }));
  fake.route('POST', /^\/v1\/sessions$/, () => ({ body: { sessionHandle: 's1' } }));
  fake.route('DELETE', /^\/v1\/sessions\/s1$/, () => ({ body: {} }));
  let op = 0;
  fake.route('POST', /statements$/, () => ({ body: { operationHandle: `op${++op}` } }));
  fake.route('GET', /\/operations\/op\d+\/result\/0/, (req) => {
    const isInsert = req.url!.includes(`op${op}`) && op === 2;
    return { body: isInsert ? { resultType: 'PAYLOAD', jobID: JOB, results: { data: [{ kind: 'INSERT', fields: [JOB] }] } } : { resultType: 'EOS', results: { data: [{ kind: 'INSERT', fields: ['OK'] }] } } };
  });
  fake.route('GET', /^\/jobs\/overview$/, () => ({ body: { jobs: [] } }));
  fake.route('GET', new RegExp(`^/jobs/${JOB}$`), () => ({ body: { jid: JOB, name: 'uvpv-demo', state: jobState(), vertices: [{ status: jobState() }] } }));
}

beforeEach(async () => {
  fake = await startFakeHttp();
  // No Kafka answers here: deploy notes that it cannot check the topic, and goes on.
  spec = { name: 'uvpv-demo', source: { topic: 'uvpv-demo', bootstrapServers: `127.0.0.1:${await closedPort()}` } } as Spec;
  io = memoryIo();
  const target: GatewayTarget = { name: 'local', type: 'gateway', gateway: fake.url, flinkRest: fake.url };
  deployer = new GatewayDeployer(target, new GatewayClient(target, { intervalMs: 5, timeoutMs: 400 }), { env: {}, progress: progress(io) });
});
afterEach(() => fake.close());

const deploy = (extra: object = {}) => deployer.deploy({ spec, sql: SQL, dryRunSql: SQL, dryRun: false, replace: false, ...extra });

test('a gateway that is down is named, with the way to start the local stack', async () => {
  const closed = await closedPort();
  const target: GatewayTarget = { name: 'local', type: 'gateway', gateway: `http://127.0.0.1:${closed}`, flinkRest: `http://127.0.0.1:${closed}` };
  const d = new GatewayDeployer(target, new GatewayClient(target, { intervalMs: 5, timeoutMs: 200 }), { env: {}, progress: progress(io) });
  await expect(d.deploy({ spec, sql: SQL, dryRunSql: SQL, dryRun: false, replace: false })).rejects.toThrow(
    new RegExp(`Flink SQL Gateway at http://127\\.0\\.0\\.1:${closed} did not answer \\(ECONNREFUSED\\); start the local stack with 'uvpv stack up'`),
  );
});

test('a statement that fails reports Flink\'s root cause, not a generic HTTP error', async () => {
  happyGateway(() => 'RUNNING');
  fake.route('GET', /\/operations\/op2\/result\/0/, () => ({ status: 500, body: { errors: FLINK_TRACE } }));
  const err = await deploy().catch((e) => e);
  expect(err).toBeInstanceOf(RuntimeFailure);
  expect(err.message).toMatch(/answered HTTP 500: org\.apache\.flink\.table\.api\.ValidationException: Could not find any factory for identifier 'redis'/);
  expect(err.detail).toMatch(/^root cause: org\.apache\.flink\.table\.api\.ValidationException/);
  expect(err.detail).not.toMatch(/\tat /);
  expect(fake.calls.some((c) => c.method === 'DELETE')).toBe(true); // the session is closed anyway
});

test('a job that goes FAILED in its first seconds fails the deploy with the root-cause exception', async () => {
  happyGateway(() => 'FAILED');
  fake.route('GET', new RegExp(`^/jobs/${JOB}/exceptions`), () => ({
    body: { 'root-exception': 'java.lang.RuntimeException: boom\n\tat x.y(Z.java:1)\nCaused by: io.lettuce.core.RedisConnectionException: Unable to connect to 127.0.0.1:6390' },
  }));
  const err = await deploy().catch((e) => e);
  expect(err.message).toBe(`Flink job ${JOB} (uvpv-demo) FAILED`);
  expect(err.detail).toMatch(/root cause: io\.lettuce\.core\.RedisConnectionException: Unable to connect to 127\.0\.0\.1:6390/);
});

test('a job that fails and restarts (a cluster with a restart strategy) is reported with its root cause', async () => {
  happyGateway(() => 'RESTARTING');
  fake.route('GET', new RegExp(`^/jobs/${JOB}/exceptions`), () => ({ body: { 'root-exception': 'java.io.IOException: Failed to connect to Redis at 127.0.0.1:6399' } }));
  const err = await deploy().catch((e) => e);
  expect(err.message).toMatch(/^Flink job a{32} \(uvpv-demo\) failed and is RESTARTING; it stays on the cluster until you stop it/);
  expect(err.detail).toMatch(/root cause: java\.io\.IOException: Failed to connect to Redis at 127\.0\.0\.1:6399/);
});

test('a job that never starts times out with its state', async () => {
  happyGateway(() => 'CREATED');
  await expect(deploy()).rejects.toThrow(/is CREATED, not RUNNING or FINISHED, after 0\.4s/);
});

test('a gateway that does not answer in time is a timeout, not a hang', async () => {
  happyGateway(() => 'RUNNING');
  fake.route('POST', /^\/v1\/sessions$/, () => ({ body: { sessionHandle: 's1' }, delayMs: 60_000 }));
  const client = new GatewayClient({ gateway: fake.url, flinkRest: fake.url }, { intervalMs: 5, timeoutMs: 400 }, 300);
  await expect(client.openSession('x')).rejects.toThrow(/did not answer \(no answer within 0\.3s\)/);
});

test('a running job of the same pipeline is not duplicated without --replace', async () => {
  happyGateway(() => 'RUNNING');
  fake.route('GET', /^\/jobs\/overview$/, () => ({ body: { jobs: [{ jid: 'b'.repeat(32), name: 'uvpv-demo', state: 'RUNNING', 'start-time': 1 }] } }));
  const err = await deploy().catch((e) => e);
  expect(err).toBeInstanceOf(UsageError);
  expect(err.message).toMatch(/already runs as Flink job b{32} \(RUNNING\); use --replace/);
  expect(fake.calls.filter((c) => c.path.endsWith('/statements'))).toHaveLength(0);
});

test('the happy path submits every statement in one session and waits for RUNNING', async () => {
  happyGateway(() => 'RUNNING');
  const r = await deploy();
  expect(r.job).toMatchObject({ jobId: JOB, state: 'RUNNING' });
  const statements = fake.calls.filter((c) => c.path.endsWith('/statements')).map((c) => (c.body as { statement: string }).statement);
  expect(statements).toEqual(["SET 'pipeline.name' = 'uvpv-demo'", 'EXECUTE STATEMENT SET BEGIN INSERT INTO s SELECT 1; END']);
  expect(io.err).toMatch(/✓ waiting for job a{32} to run: RUNNING/);
  expect(io.err).toMatch(/note: Kafka at 127\.0\.0\.1:\d+ does not answer from here; not checking that topic uvpv-demo exists/);
});
