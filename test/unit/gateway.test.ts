/**
 * The gateway deployer's error paths against a fake SQL Gateway + Flink REST API. The happy path
 * runs against the real local stack in the integration tests.
 */
import { progress } from '../../src/io/progress';
import { memoryIo } from '../../src/io/io';
import { GatewayClient } from '../../src/deploy/gateway/client';
import { GatewayDeployer } from '../../src/deploy/gateway/deployer';
import { RuntimeFailure, UsageError } from '../../src/errors';
import type { SqlStatement } from '../../src/sql/compiler';
import type { GatewayTarget, Spec } from '../../src/pipeline/types';
import { closedPort, startFakeHttp, type FakeHttp } from '../support/fake-http';
import { rejection } from '../support/checks';
import { JOB_SQL_PARAMETER, keepSqlStatement, keptStatements, unpackSql } from '../../src/deploy/gateway/job-sql';

const JOB = 'a'.repeat(32);
let spec: Spec;
const STATEMENTS: SqlStatement[] = [
  { kind: 'set', comment: '-- the job name', parts: ["SET 'pipeline.name' = 'uvpv-demo'"] },
  { kind: 'insert', comment: '', parts: ['INSERT INTO s SELECT 1'] },
];
const SQL = "-- the job name\nSET 'pipeline.name' = 'uvpv-demo';\n\nEXECUTE STATEMENT SET\nBEGIN\n\n  INSERT INTO s SELECT 1;\n\nEND;\n";
const FLINK_TRACE = [
  'Internal server error.',
  "<Exception on server side:\norg.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.\n\tat org.apache.flink.X.y(X.java:1)\nCaused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation 1.\n\tat a.b(C.java:2)\nCaused by: org.apache.flink.table.api.ValidationException: Could not find any factory for identifier 'redis' that implements 'org.apache.flink.table.factories.DynamicTableFactory' in the classpath.\n\tat d.e(F.java:3)\nEnd of exception on server side>",
];

let fake: FakeHttp;
let io: ReturnType<typeof memoryIo>;
let deployer: GatewayDeployer;

function happyGateway(jobState: () => string) {
  fake.route('GET', /^\/v1\/info$/, () => ({ body: { productName: 'Apache Flink', version: '1.20.1' } }));
  fake.route('POST', /^\/v1\/sessions$/, () => ({ body: { sessionHandle: 's1' } }));
  fake.route('DELETE', /^\/v1\/sessions\/s1$/, () => ({ body: {} }));
  let op = 0;
  const inserts = new Set<string>();
  fake.route('POST', /statements$/, (req, body) => {
    const handle = `op${++op}`;
    if (/^EXECUTE STATEMENT SET/.test((body as { statement: string }).statement)) inserts.add(handle);
    return { body: { operationHandle: handle } };
  });
  fake.route('GET', /\/operations\/op\d+\/result\/0/, (req) => {
    const handle = /\/operations\/(op\d+)\//.exec(req.url ?? '')?.[1];
    const isInsert = handle !== undefined && inserts.has(handle);
    return {
      body: isInsert
        ? { resultType: 'PAYLOAD', jobID: JOB, results: { data: [{ kind: 'INSERT', fields: [JOB] }] } }
        : { resultType: 'EOS', results: { data: [{ kind: 'INSERT', fields: ['OK'] }] } },
    };
  });
  fake.route('GET', /^\/jobs\/overview$/, () => ({ body: { jobs: [] } }));
  fake.route('GET', new RegExp(`^/jobs/${JOB}$`), () => ({
    body: { jid: JOB, name: 'uvpv-demo', state: jobState(), vertices: [{ status: jobState() }] },
  }));
}

beforeEach(async () => {
  fake = await startFakeHttp();
  // No Kafka answers here: deploy notes that it cannot check the topic, and goes on.
  spec = { name: 'uvpv-demo', source: { topic: 'uvpv-demo', bootstrapServers: `127.0.0.1:${await closedPort()}` } } as Spec;
  io = memoryIo();
  const target: GatewayTarget = { name: 'local', type: 'gateway', gateway: fake.url, flinkRest: fake.url, redisConnector: 'uvpv' };
  deployer = new GatewayDeployer(target, new GatewayClient(target, { intervalMs: 5, timeoutMs: 400 }), { env: {}, progress: progress(io) });
});
afterEach(() => fake.close());

const request = { job: { statements: STATEMENTS, statementSet: true, script: () => SQL }, dryRun: false, replace: false };
const deploy = (extra: object = {}) => deployer.deploy({ spec, ...request, ...extra });

test('a gateway that is down is named, with the way to start the local stack', async () => {
  const closed = await closedPort();
  const target: GatewayTarget = {
    name: 'local',
    type: 'gateway',
    gateway: `http://127.0.0.1:${closed}`,
    flinkRest: `http://127.0.0.1:${closed}`,
    redisConnector: 'uvpv',
  };
  const d = new GatewayDeployer(target, new GatewayClient(target, { intervalMs: 5, timeoutMs: 200 }), { env: {}, progress: progress(io) });
  await expect(d.deploy({ spec, ...request })).rejects.toThrow(
    new RegExp(
      `Flink SQL Gateway at http://127\\.0\\.0\\.1:${closed} did not answer \\(ECONNREFUSED\\); start the local stack with 'uvpv stack up'`,
    ),
  );
});

test("a statement that fails reports Flink's root cause, not a generic HTTP error", async () => {
  happyGateway(() => 'RUNNING');
  fake.route('GET', /\/operations\/op2\/result\/0/, () => ({ status: 500, body: { errors: FLINK_TRACE } }));
  const err = await rejection(deploy(), RuntimeFailure);
  expect(err).toBeInstanceOf(RuntimeFailure);
  expect(err.code).toBe('service-error');
  expect(err.message).toMatch(
    /answered HTTP 500: org\.apache\.flink\.table\.api\.ValidationException: Could not find any factory for identifier 'redis'/,
  );
  expect(err.detail).toMatch(/^root cause: org\.apache\.flink\.table\.api\.ValidationException/);
  expect(err.detail).not.toMatch(/\tat /);
  expect(fake.calls.some((c) => c.method === 'DELETE')).toBe(true); // the session is closed anyway
});

test('a job that goes FAILED in its first seconds fails the deploy with the root-cause exception', async () => {
  happyGateway(() => 'FAILED');
  fake.route('GET', new RegExp(`^/jobs/${JOB}/exceptions`), () => ({
    body: {
      'root-exception':
        'java.lang.RuntimeException: boom\n\tat x.y(Z.java:1)\nCaused by: io.lettuce.core.RedisConnectionException: Unable to connect to 127.0.0.1:6390',
    },
  }));
  const err = await rejection(deploy(), RuntimeFailure);
  expect(err.message).toBe(`Flink job ${JOB} (uvpv-demo) FAILED`);
  expect(err.code).toBe('job-terminal-state');
  expect(err.detail).toMatch(/root cause: io\.lettuce\.core\.RedisConnectionException: Unable to connect to 127\.0\.0\.1:6390/);
});

test('a job that fails and restarts (a cluster with a restart strategy) is reported with its root cause', async () => {
  happyGateway(() => 'RESTARTING');
  fake.route('GET', new RegExp(`^/jobs/${JOB}/exceptions`), () => ({
    body: { 'root-exception': 'java.io.IOException: Failed to connect to Redis at 127.0.0.1:6399' },
  }));
  const err = await rejection(deploy(), RuntimeFailure);
  expect(err.message).toMatch(/^Flink job a{32} \(uvpv-demo\) failed and is RESTARTING; it stays on the cluster until you stop it/);
  expect(err.code).toBe('job-restarting');
  expect(err.detail).toMatch(/root cause: java\.io\.IOException: Failed to connect to Redis at 127\.0\.0\.1:6399/);
});

test('a job that never starts times out with its state', async () => {
  happyGateway(() => 'CREATED');
  const err = await rejection(deploy(), RuntimeFailure);
  expect(err.message).toMatch(/is CREATED, not RUNNING or FINISHED, after 0\.4s/);
  expect(err.code).toBe('timed-out');
});

test('a gateway that does not answer in time is a timeout, not a hang', async () => {
  happyGateway(() => 'RUNNING');
  fake.route('POST', /^\/v1\/sessions$/, () => ({ body: { sessionHandle: 's1' }, delayMs: 60_000 }));
  const client = new GatewayClient({ gateway: fake.url, flinkRest: fake.url }, { intervalMs: 5, timeoutMs: 400 }, 300);
  const err = await rejection(client.openSession('x'), RuntimeFailure);
  expect(err.message).toMatch(/did not answer \(no answer within 0\.3s\)/);
  expect(err.code).toBe('service-unreachable');
});

test('a running job of the same pipeline is not duplicated without --replace', async () => {
  happyGateway(() => 'RUNNING');
  fake.route('GET', /^\/jobs\/overview$/, () => ({
    body: { jobs: [{ jid: 'b'.repeat(32), name: 'uvpv-demo', state: 'RUNNING', 'start-time': 1 }] },
  }));
  const err = await rejection(deploy(), UsageError);
  expect(err).toBeInstanceOf(UsageError);
  // It keeps no SQL uvpv can read back: nothing shows that it runs the same SQL.
  expect(err.message).toMatch(/already runs as Flink job b{32} \(RUNNING\) with other SQL or settings; use --replace/);
  expect(fake.calls.filter((c) => c.path.endsWith('/statements'))).toHaveLength(0);
});

test('a running job that keeps exactly the new SQL is left alone: deploy says so and submits nothing', async () => {
  happyGateway(() => 'RUNNING');
  const running = 'b'.repeat(32);
  fake.route('GET', /^\/jobs\/overview$/, () => ({
    body: { jobs: [{ jid: running, name: 'uvpv-demo', state: 'RUNNING', 'start-time': 1 }] },
  }));
  let kept = keepSqlStatement(keptStatements({ statements: STATEMENTS, statementSet: true }));
  fake.route('GET', new RegExp(`^/jobs/${running}/config$`), () => ({
    body: { 'execution-config': { 'user-config': { [JOB_SQL_PARAMETER]: kept.slice(kept.indexOf(':') + 1, -1) } } },
  }));
  const r = await deploy();
  expect(r.lines).toEqual([`pipeline uvpv-demo already runs as Flink job ${running} (RUNNING) with this SQL and settings; nothing to do`]);
  expect(r.job).toMatchObject({ jobId: running, state: 'RUNNING' });
  expect(fake.calls.filter((c) => c.path.endsWith('/statements'))).toHaveLength(0);

  // One statement different: refused, as any changed deploy without --replace.
  kept = keepSqlStatement(
    keptStatements({ statements: [STATEMENTS[0], { kind: 'insert', comment: '', parts: ['INSERT INTO s SELECT 2'] }], statementSet: true }),
  );
  const err = await rejection(deploy(), UsageError);
  expect(err.message).toMatch(/with other SQL or settings; use --replace/);
  expect(fake.calls.filter((c) => c.path.endsWith('/statements'))).toHaveLength(0);
});

test('the happy path submits every statement in one session and waits for RUNNING', async () => {
  happyGateway(() => 'RUNNING');
  const r = await deploy();
  expect(r.job).toMatchObject({ jobId: JOB, state: 'RUNNING' });
  const statements = fake.calls.filter((c) => c.path.endsWith('/statements')).map((c) => (c.body as { statement: string }).statement);
  // The printable SQL kept with the job first, then the compiler's statements as they are: each SET
  // and CREATE, then the inserts as one statement set.
  const [keep, ...rest] = statements;
  expect(keep).toMatch(/^SET 'pipeline\.global-job-parameters' = 'uvpv\.sql:[A-Za-z0-9_-]+'$/);
  expect(unpackSql(keep.slice(keep.indexOf(':') + 1, -1))).toEqual(rest.map((st) => [st]));
  expect(rest).toEqual(["SET 'pipeline.name' = 'uvpv-demo'", 'EXECUTE STATEMENT SET\nBEGIN\n\n  INSERT INTO s SELECT 1;\n\nEND']);
  expect(io.err).toMatch(/✓ waiting for job a{32} to run: RUNNING/);
  expect(io.err).toMatch(/note: Kafka at 127\.0\.0\.1:\d+ does not answer from here; not checking that topic uvpv-demo exists/);
});

test("after a job of the pipeline FAILED, deploy starts the new one from that job's last retained checkpoint, and says so", async () => {
  happyGateway(() => 'RUNNING');
  const failed = 'f'.repeat(32);
  fake.route('GET', /^\/jobs\/overview$/, () => ({
    body: { jobs: [{ jid: failed, name: 'uvpv-demo', state: 'FAILED', 'start-time': 5 }] },
  }));
  fake.route('GET', new RegExp(`^/jobs/${failed}/checkpoints$`), () => ({
    body: { latest: { completed: { external_path: 'file:/ck/chk-7' } } },
  }));
  const r = await deploy();
  const statements = fake.calls.filter((c) => c.path.endsWith('/statements')).map((c) => (c.body as { statement: string }).statement);
  expect(statements[0]).toBe("SET 'execution.savepoint.path' = 'file:/ck/chk-7'");
  expect(r.lines).toContain(`job ${failed} of this pipeline FAILED; resuming from its last checkpoint file:/ck/chk-7`);
  expect(r.lines).toContain(`submitted uvpv-demo as Flink job ${JOB} from savepoint file:/ck/chk-7`);
});

test('a cancelled last job, or one without a retained checkpoint, is not resumed from', async () => {
  happyGateway(() => 'RUNNING');
  const last = 'c'.repeat(32);
  let state = 'CANCELED';
  fake.route('GET', /^\/jobs\/overview$/, () => ({ body: { jobs: [{ jid: last, name: 'uvpv-demo', state, 'start-time': 5 }] } }));
  fake.route('GET', new RegExp(`^/jobs/${last}/checkpoints$`), () => ({
    body: { latest: { completed: state === 'CANCELED' ? { external_path: 'file:/ck/chk-1' } : null } },
  }));
  for (state of ['CANCELED', 'FAILED']) {
    fake.calls.length = 0;
    const r = await deploy();
    const statements = fake.calls.filter((c) => c.path.endsWith('/statements')).map((c) => (c.body as { statement: string }).statement);
    expect(statements[1]).toBe("SET 'pipeline.name' = 'uvpv-demo'");
    expect(r.lines.join('\n')).not.toContain('resuming');
  }
});

test('--dry-run shows the plan and the script, and calls nothing', async () => {
  const r = await deploy({ dryRun: true, fromSavepoint: '/sp/1' });
  expect(r.lines).toEqual([
    `-- would open a session on ${fake.url} and run these 2 statements in order,`,
    `-- then wait for job 'uvpv-demo' to be RUNNING on ${fake.url}, starting from savepoint /sp/1`,
    SQL,
  ]);
  expect(fake.calls).toHaveLength(0);
});

test('a job still cancelling when the wait ends counts as cancelled; a job that fails instead does not', async () => {
  const jobs = [{ jid: JOB, name: 'uvpv-demo', state: 'RUNNING', 'start-time': 1 }];
  let state = 'CANCELLING';
  fake.route('GET', /^\/v1\/info$/, () => ({ body: { productName: 'Apache Flink', version: '1.20.1' } }));
  fake.route('GET', /^\/jobs\/overview$/, () => ({ body: { jobs } }));
  fake.route('PATCH', new RegExp(`^/jobs/${JOB}\\?mode=cancel$`), () => ({ body: {} }));
  fake.route('GET', new RegExp(`^/jobs/${JOB}$`), () => ({ body: { jid: JOB, name: 'uvpv-demo', state } }));
  fake.route('GET', new RegExp(`^/jobs/${JOB}/exceptions`), () => ({ body: {} }));
  const r = await deployer.stop(spec, {});
  expect(r.lines).toEqual([`cancelled job ${JOB} (uvpv-demo); no savepoint taken: its state is dropped (--savepoint DIR keeps it)`]);
  state = 'FAILED';
  const err = await rejection(deployer.stop(spec, {}), RuntimeFailure);
  expect(err).toBeInstanceOf(RuntimeFailure);
  expect(err.code).toBe('job-terminal-state');
  expect(err.message).toBe(`Flink job ${JOB} (uvpv-demo) FAILED`);
});

describe('bounded jobs (verify and the bench, through JobRunner)', () => {
  test('submitJob runs the statements as they are, with no savepoint and nothing kept, and returns the job id', async () => {
    happyGateway(() => 'FINISHED');
    const id = await deployer.submitJob(spec, [
      "SET 'pipeline.name' = 'uvpv-demo'",
      'EXECUTE STATEMENT SET\nBEGIN\n  INSERT INTO s SELECT 1;\nEND',
    ]);
    expect(id).toBe(JOB);
    const sent = fake.calls
      .filter((c) => c.method === 'POST' && /statements$/.test(c.path))
      .map((c) => (c.body as { statement: string }).statement);
    expect(sent).toEqual(["SET 'pipeline.name' = 'uvpv-demo'", 'EXECUTE STATEMENT SET\nBEGIN\n  INSERT INTO s SELECT 1;\nEND']);
    await expect(deployer.waitUntilFinished(id)).resolves.toBeUndefined();
  });

  test('a restart is no failure while waiting when tolerated (verify decides on restarts once the job has ended)', async () => {
    const states = ['RUNNING', 'RESTARTING', 'RESTARTING', 'RUNNING', 'FINISHED'];
    happyGateway(() => (states.length > 1 ? (states.shift() as string) : states[0]));
    await expect(deployer.waitUntilFinished(JOB, { tolerateRestarts: true })).resolves.toBeUndefined();
  });

  test('waitUntilFinished ends with the root cause when the job fails', async () => {
    happyGateway(() => 'FAILED');
    fake.route('GET', new RegExp(`^/jobs/${JOB}/exceptions`), () => ({ body: { 'root-exception': 'java.lang.RuntimeException: boom' } }));
    const err = await deployer.waitUntilFinished(JOB).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeFailure);
    expect((err as RuntimeFailure).code).toBe('job-terminal-state');
    expect((err as RuntimeFailure).detail).toMatch(/root cause: java\.lang\.RuntimeException: boom/);
  });
});
