/**
 * Safe upgrades on Oceanus against the fake on 127.0.0.1: `deploy --replace` rolls back to the
 * previous configuration version from the savepoint the pause took when the new version does not
 * run, and `plan` compares the running version's SQL with the new one, never showing a secret.
 * Every CLI run (see harness) also asserts that no watched secret is printed.
 */
import { actions, envFor, ROOT, SPEC, startFake, uvpv, watchSecret } from '../fake-oceanus/harness';
import type { FakeOceanus } from '../fake-oceanus/server';
import { memoryIo } from '../../src/io/io';
import { progress } from '../../src/io/progress';
import { compileForTarget } from '../../src/cli/target-spec';
import { deployerFor } from '../../src/deploy/targets';
import { RuntimeFailure } from '../../src/errors';
import { jobStatements, uncommentedScript } from '../../src/sql/compiler';
import { splitStatements } from '../../src/sql/split';
import { maskSecretOptions } from '../../src/sql/read-back';
import { newest } from '../../src/deploy/oceanus/jobs';
import { required } from '../../src/util/required';

const DEPLOY = ['deploy', SPEC, '--target', 'oceanus'];
const REPLACE = [...DEPLOY, '--replace'];
const PLAN = ['plan', SPEC, '--target', 'oceanus'];

let fake: FakeOceanus;
beforeEach(async () => {
  fake = await startFake();
});
afterEach(async () => {
  await fake.close();
});

/** The actions of the requests from `from` on, without the DescribeJobs polls. */
const callsSince = (from: number) =>
  fake.state.requests
    .slice(from)
    .map((r) => r.action)
    .filter((a) => a !== 'DescribeJobs');

/** `deploy --replace` through the deployer itself, to see the RuntimeFailure it throws. */
async function replaceThroughDeployer(env: NodeJS.ProcessEnv): Promise<unknown> {
  const io = memoryIo(env, ROOT);
  const { loaded, target, ...sql } = compileForTarget(SPEC, 'oceanus', io);
  const deployer = await deployerFor(target, { env, progress: progress(io) });
  return deployer.deploy({ spec: loaded.spec, ...sql, dryRun: false, replace: true }).then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('deploy --replace rolls back when the new version does not run', () => {
  test('the new version fails: the previous version starts again from the pause savepoint; exit 1, code rolled-back', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const [job] = fake.state.jobs;
    const from = fake.state.requests.length;
    fake.inject('RunJobs', { failRun: 'Could not restore operator state: incompatible state for GroupWindowAggregate' });

    const r = await uvpv(REPLACE, envFor(fake, { REDIS_HOST: '10.0.0.7' }));

    expect(r.code).toBe(1);
    const mutating = ['CreateJobConfig', 'StopJobs', 'RunJobs', 'DescribeJobSavepoint'];
    // The newest savepoint before the pause, the pause, its savepoint, the new version from it; then the rollback.
    expect(callsSince(from).filter((a) => mutating.includes(a))).toEqual([
      'CreateJobConfig',
      'DescribeJobSavepoint',
      'StopJobs',
      'DescribeJobSavepoint',
      'RunJobs',
      'DescribeJobSavepoint',
      'RunJobs',
    ]);
    expect(job.stops).toEqual([2]);
    const [savepoint] = job.savepoints;
    expect(savepoint).toMatchObject({ RecordType: 3, Status: 1 });
    expect(savepoint.Path).toMatch(/^cosn:\/\/.+\/flink-savepoints\/savepoint-/);
    expect(job.runs).toEqual([
      { RunType: 1, JobConfigVersion: 1 },
      { RunType: 1, JobConfigVersion: 2, SavepointPath: savepoint.Path, SavepointId: savepoint.SerialId },
      { RunType: 1, JobConfigVersion: 1, SavepointPath: savepoint.Path, SavepointId: savepoint.SerialId },
    ]);
    // The savepoints asked for: those a stop or pause took.
    const asked = required(
      fake.state.requests.find((q) => q.action === 'DescribeJobSavepoint'),
      'a DescribeJobSavepoint request',
    );
    expect(asked.params).toEqual({ JobId: job.JobId, Limit: 100, Offset: 0, RecordTypes: [3] });
    expect(asked.error).toBeUndefined();
    // Running again, on the previous version.
    expect(job.Status).toBe(4);
    expect(job.published).toBe(1);

    expect(r.err).toContain(
      `error: configuration version 2 of uvpv-demo did not run: Oceanus job ${job.JobId} (uvpv-demo) did not start: it is FAILED; ` +
        `rolled back: the previous version (configuration version 1) of uvpv-demo runs again as job ${job.JobId}, from the savepoint Oceanus took when pausing it (${savepoint.Path})`,
    );
    expect(r.err).toContain('failed: Could not restore operator state: incompatible state for GroupWindowAggregate');
    expect(r.err).toContain(`  found the savepoint Oceanus took when pausing job ${job.JobId}: ${savepoint.Path} (${savepoint.SerialId})`);
    expect(r.err).toContain(`  started job ${job.JobId} with configuration version 1 from savepoint ${savepoint.Path}`);

    const status = await uvpv(['status', SPEC, '--target', 'oceanus'], envFor(fake));
    expect(status.code).toBe(0);
    expect(status.out).toContain('uvpv-demo: RUNNING');
    expect(status.out).toContain('configuration: runs version 1, latest version 2');
  });

  test('the failure carries the code rolled-back (a RuntimeFailure, exit 1)', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    fake.inject('RunJobs', { failRun: 'boom' });
    const e = await replaceThroughDeployer(envFor(fake, { REDIS_HOST: '10.0.0.7' }));
    expect(e).toBeInstanceOf(RuntimeFailure);
    expect((e as RuntimeFailure).code).toBe('rolled-back');
    expect((e as RuntimeFailure).exitCode).toBe(1);
    expect((e as RuntimeFailure).message).toContain(
      'rolled back: the previous version (configuration version 1) of uvpv-demo runs again as job',
    );
    expect(fake.state.jobs[0]).toMatchObject({ Status: 4, published: 1 });
  });

  test('the new version runs from the savepoint the pause took (RunType 1, SavepointPath and SavepointId): no rollback, exit 0', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const from = fake.state.requests.length;
    const r = await uvpv(REPLACE, envFor(fake, { REDIS_HOST: '10.0.0.7' }));
    expect(r.code).toBe(0);
    const [job] = fake.state.jobs;
    const [savepoint] = job.savepoints;
    expect(callsSince(from).filter((a) => a === 'DescribeJobSavepoint')).toHaveLength(2);
    expect(job.runs).toEqual([
      { RunType: 1, JobConfigVersion: 1 },
      { RunType: 1, JobConfigVersion: 2, SavepointPath: savepoint.Path, SavepointId: savepoint.SerialId },
    ]);
    expect(job).toMatchObject({ Status: 4, published: 2 });
    expect(r.out).toContain(`started job ${job.JobId} with configuration version 2 from savepoint ${savepoint.Path}`);
    expect(r.out + r.err).not.toContain('rolled back');
  });

  test('no savepoint listed after the pause: nothing is started, code upgrade-failed, saying how to recover', async () => {
    await fake.close();
    fake = await startFake({ pauseSavepoint: 'none' });
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const [job] = fake.state.jobs;
    fake.inject('RunJobs', { failRun: 'boom' });
    const r = await uvpv(REPLACE, envFor(fake, { REDIS_HOST: '10.0.0.7' }));
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `error: job ${job.JobId} (uvpv-demo) is PAUSED, but Oceanus lists no savepoint taken when it was paused (DescribeJobSavepoint, RecordType 3); nothing was started\n` +
        `find its savepoint in the console (job ${job.JobId}, savepoints) and deploy with --from-savepoint <its path>`,
    );
    expect(job.runs).toHaveLength(1);
    expect(job.Status).toBe(6);
  });

  test('the savepoint of this pause failed: an older one is not used (it would restore stale state), nothing is started', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const [job] = fake.state.jobs;
    // An earlier pause and resume leaves an older, active savepoint.
    expect((await uvpv(['stop', SPEC, '--target', 'oceanus', '--pause'], envFor(fake))).code).toBe(0);
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    expect(job.savepoints).toHaveLength(1);
    const runs = job.runs.length;
    // The lookup before the pause sees the older one; the one after it finds the pause's, failed.
    fake.inject('DescribeJobSavepoint', { meanwhile: () => undefined });
    fake.inject('DescribeJobSavepoint', { meanwhile: () => (required(job.savepoints.at(-1), 'the savepoint the pause took').Status = 4) });
    const r = await uvpv(REPLACE, envFor(fake, { REDIS_HOST: '10.0.0.7' }));
    expect(r.code).toBe(1);
    expect(job.savepoints).toHaveLength(2);
    expect(r.err).toContain(
      `error: job ${job.JobId} (uvpv-demo) is PAUSED, but the savepoint Oceanus took when it was paused is failed; nothing was started`,
    );
    expect(job.runs).toHaveLength(runs);
    expect(job.Status).toBe(6);
  });

  test('the rollback fails too: code upgrade-failed, naming the savepoint to deploy from', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const [job] = fake.state.jobs;
    fake.inject('RunJobs', { failRun: 'boom' }, 2);
    const r = await uvpv(REPLACE, envFor(fake, { REDIS_HOST: '10.0.0.7' }));
    expect(r.code).toBe(1);
    const path = job.savepoints[0].Path;
    expect(r.err).toContain(
      `; the rollback to configuration version 1 failed too: Oceanus job ${job.JobId} (uvpv-demo) did not start: it is FAILED; ` +
        `its state is in savepoint ${path}: fix the pipeline and deploy with --from-savepoint ${path}`,
    );
    expect(job.runs.at(-1)).toMatchObject({ RunType: 1, JobConfigVersion: 1, SavepointPath: path });
  });

  test('the new version does not run in time: once it is up it is stopped, and the previous version starts from the pause savepoint', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const [job] = fake.state.jobs;
    const from = fake.state.requests.length;
    // Up after 750 ms: the wait for the resume (500 ms) ends first; the rollback's wait (500 ms more) sees it come up.
    fake.inject('RunJobs', { lateRun: 750 });
    const r = await uvpv(REPLACE, envFor(fake, { REDIS_HOST: '10.0.0.7', UVPV_OCEANUS_TIMEOUT_MS: '500' }));
    expect(r.code).toBe(1);
    const [savepoint] = job.savepoints;
    expect(callsSince(from).filter((a) => ['StopJobs', 'RunJobs', 'DescribeJobSavepoint'].includes(a))).toEqual([
      'DescribeJobSavepoint',
      'StopJobs',
      'DescribeJobSavepoint',
      'RunJobs',
      'DescribeJobSavepoint',
      'StopJobs',
      'RunJobs',
    ]);
    expect(job.stops).toEqual([2, 1]);
    expect(job.savepoints).toHaveLength(1);
    expect(job.runs.at(-1)).toEqual({ RunType: 1, JobConfigVersion: 1, SavepointPath: savepoint.Path, SavepointId: savepoint.SerialId });
    expect(job).toMatchObject({ Status: 4, published: 1 });
    expect(r.err).toContain(
      `error: configuration version 2 of uvpv-demo did not run: Oceanus job ${job.JobId} did not start within 1s; it is IN_PROGRESS`,
    );
    expect(r.err).toContain('rolled back: the previous version (configuration version 1) of uvpv-demo runs again as job');
    expect(r.err).toContain(`  stopped job ${job.JobId}, which ran version 2 only after the wait`);
  });

  test('a plain deploy (no --replace) of a stopped job that fails is not rolled back', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    expect((await uvpv(['stop', SPEC, '--target', 'oceanus'], envFor(fake))).code).toBe(0);
    fake.inject('RunJobs', { failRun: 'boom' });
    const r = await uvpv(DEPLOY, envFor(fake, { REDIS_HOST: '10.0.0.7' }));
    expect(r.code).toBe(1);
    expect(actions(fake)).not.toContain('DescribeJobSavepoint');
    expect(r.err).not.toContain('rolled back');
  });

  test('--dry-run --replace lists the rollback calls it would make', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const id = fake.state.jobs[0].JobId;
    const r = await uvpv([...REPLACE, '--dry-run'], envFor(fake, { REDIS_HOST: '10.0.0.7' }));
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `would call RunJobs {"RunJobDescriptions":[{"JobId":"${id}","RunType":1,"JobConfigVersion":"<new version>","SavepointPath":"<its Path>","SavepointId":"<its SerialId>"}]}`,
    );
    expect(r.out).toContain(`would call StopJobs {"StopJobDescriptions":[{"JobId":"${id}","StopType":2}]}`);
    expect(r.out).toContain(
      `if the job does not run with the new version: would call DescribeJobSavepoint {"JobId":"${id}","Limit":100,"Offset":0,"RecordTypes":[3]} for the savepoint the pause took, ` +
        `then RunJobs {"RunJobDescriptions":[{"JobId":"${id}","RunType":1,"JobConfigVersion":1,"SavepointPath":"<its Path>","SavepointId":"<its SerialId>"}]}`,
    );
    expect(actions(fake)).not.toContain('DescribeJobSavepoint');
  });
});

describe('the fake DescribeJobSavepoint is as strict as the API', () => {
  test('unknown keys, a missing JobId, Limit or Offset, wrong types and unknown record types are refused', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const { OceanusClient } = await import('../../src/deploy/oceanus/client');
    const client = new OceanusClient({
      endpoint: fake.url,
      region: 'ap-guangzhou',
      credentials: { secretId: 'AKIDuvpvTestSecretId0123456789', secretKey: 'uvpvTestSecretKey-9876543210' },
      maxAttempts: 1,
      retryBaseMs: 1,
      requestTimeoutMs: 5000,
    });
    const id = fake.state.jobs[0].JobId;
    const refused = async (params: object, action = 'DescribeJobSavepoint') => {
      const e = (await client.call(action, params).catch((x: unknown) => x)) as { code?: string };
      return e.code;
    };
    expect(await refused({ JobId: id, Limit: 10, Offset: 0, Type: 3 })).toBe('UnknownParameter');
    expect(await refused({ Limit: 10, Offset: 0 })).toBe('MissingParameter');
    expect(await refused({ JobId: id, Offset: 0 })).toBe('MissingParameter');
    expect(await refused({ JobId: id, Limit: 10 })).toBe('MissingParameter');
    expect(await refused({ JobId: id, Limit: '10', Offset: 0 })).toBe('InvalidParameter');
    expect(await refused({ JobId: id, Limit: 10, Offset: 0, RecordTypes: 3 })).toBe('InvalidParameter');
    expect(await refused({ JobId: id, Limit: 10, Offset: 0, RecordTypes: [4] })).toBe('InvalidParameterValue');
    expect(await refused({ JobId: 'cql-nope', Limit: 10, Offset: 0 })).toBe('ResourceNotFound.Job');
    expect(await client.call('DescribeJobSavepoint', { JobId: id, Limit: 10, Offset: 0, RecordTypes: [3] })).toMatchObject({
      TotalNumber: 0,
      Savepoint: [],
    });

    // A SavepointId RunJobs is given must name one of the job's savepoints, at the path given with it.
    expect((await uvpv(['stop', SPEC, '--target', 'oceanus', '--pause'], envFor(fake))).code).toBe(0);
    const [savepoint] = fake.state.jobs[0].savepoints;
    expect(await client.call('DescribeJobSavepoint', { JobId: id, Limit: 10, Offset: 0 })).toMatchObject({
      TotalNumber: 1,
      Savepoint: [savepoint],
    });
    const run = (extra: object) => ({ RunJobDescriptions: [{ JobId: id, RunType: 1, JobConfigVersion: 1, ...extra }] });
    expect(await refused(run({ SavepointId: 'svp-unknown' }), 'RunJobs')).toBe('ResourceNotFound');
    expect(await refused(run({ SavepointId: savepoint.SerialId, SavepointPath: 'cosn://elsewhere/savepoint-1' }), 'RunJobs')).toBe(
      'InvalidParameterValue',
    );
    expect(fake.state.jobs[0].runs).toHaveLength(1);
  });
});

describe('plan on Oceanus', () => {
  test('without a job: deploy would start one, every statement added; only read calls', async () => {
    const r = await uvpv(PLAN, envFor(fake));
    expect(r.code).toBe(3);
    expect(r.out).toContain('uvpv-demo: no job runs on target oceanus; deploy would start one:');
    expect(actions(fake)).toEqual(['DescribeJobs']);
  });

  test("the running version's SQL against the new, by statement and per metric; the Redis password is never shown", async () => {
    const old = 'plan-old-redis-pw-31337';
    const next = 'plan-new-redis-pw-27182';
    watchSecret(old, next);
    expect((await uvpv(DEPLOY, envFor(fake, { REDIS_PASSWORD: old }))).code).toBe(0);
    const [job] = fake.state.jobs;
    expect(job.configs[0].sql).toContain(`'password' = '${old}'`);
    const from = fake.state.requests.length;

    // Only the password differs: nothing would change, and neither password is printed.
    const same = await uvpv(PLAN, envFor(fake, { REDIS_PASSWORD: next }));
    expect(same.code).toBe(0);
    expect(same.out).toContain(`uvpv-demo: job ${job.JobId} (RUNNING) on target oceanus`);
    expect(same.out).toMatch(/statements \(.*\): \d+ unchanged\n/);
    expect(same.out).not.toMatch(/\b(changed|added|removed)\b/);
    expect(same.err).toContain('compared with configuration version 1, which job');
    expect(same.err).toContain('Oceanus gives no execution plan');

    // The Redis host changes: the sink tables change, shown without the password.
    const moved = await uvpv(PLAN, envFor(fake, { REDIS_PASSWORD: next, REDIS_HOST: '10.0.0.9' }));
    expect(moved.code).toBe(3);
    expect(moved.out).toMatch(/~ TABLE \S+\n {6}- 'nodes' = '[^']+',\n {6}\+ 'nodes' = '10\.0\.0\.9:6379',/);
    expect(moved.out).toMatch(/metrics:\n(.+changed\n)+/);
    expect(moved.out).not.toContain('password');
    expect(moved.out).not.toContain('state (from');

    // Without a password in the environment the new SQL has none: the old one shows masked.
    const none = await uvpv(PLAN, envFor(fake));
    expect(none.code).toBe(3);
    expect(none.out).toContain("- 'password' = '******'");

    expect(callsSince(from).every((a) => a === 'DescribeJobConfigs')).toBe(true);
    expect(fake.state.requests.slice(from).find((q) => q.action === 'DescribeJobConfigs')?.params).toEqual({
      JobId: job.JobId,
      JobConfigVersions: [1],
      Offset: 0,
      Limit: 1,
    });
    expect(job.configs).toHaveLength(1);
  });

  test('the plan itself never holds the running password, and a stopped job counts as none running', async () => {
    const old = 'plan-object-pw-4242';
    watchSecret(old);
    expect((await uvpv(DEPLOY, envFor(fake, { REDIS_PASSWORD: old }))).code).toBe(0);
    const env = envFor(fake);
    const io = memoryIo(env, ROOT);
    const { loaded, target, ...sql } = compileForTarget(SPEC, 'oceanus', io, {}, false);
    const deployer = await deployerFor(target, { env, progress: progress(io) });
    if (!deployer.plan) throw new Error('the Oceanus deployer plans');
    const plan = await deployer.plan({ spec: loaded.spec, ...sql, dryRun: true, replace: true });
    expect(plan.sqlKept).toBe(true);
    expect(plan.state).toBeUndefined();
    expect(plan.running).toEqual({ jid: fake.state.jobs[0].JobId, name: 'uvpv-demo', state: 'RUNNING' });
    expect(JSON.stringify(plan)).not.toContain(old);
    expect(plan.statements.find((s) => s.before?.includes("'password'"))?.before).toContain("'password' = '******'");

    expect((await uvpv(['stop', SPEC, '--target', 'oceanus'], envFor(fake))).code).toBe(0);
    const stopped = await deployer.plan({ spec: loaded.spec, ...sql, dryRun: true, replace: true });
    expect(stopped.running).toBeUndefined();
    expect(stopped.statements.every((s) => s.change === 'added')).toBe(true);
  });

  test('a running version whose SQL Oceanus does not give back: sqlKept is false', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    fake.state.jobs[0].configs[0].ProgramArgs = '{}';
    const r = await uvpv(PLAN, envFor(fake));
    expect(r.code).toBe(3);
    expect(r.out).toContain('it carries no SQL uvpv kept with it');
    expect(r.err).toContain('whose SQL Oceanus does not give back');
  });
});

describe('helpers', () => {
  test('the uploaded script splits back into the statements it was made of', () => {
    const io = memoryIo(envFor(fake), ROOT);
    const { job } = compileForTarget(SPEC, 'oceanus', io, {}, false);
    expect(splitStatements(uncommentedScript(job, 'placeholder'))).toEqual(jobStatements(job, 'placeholder'));
  });

  test("maskSecretOptions takes the new SQL's value, or ******, and handles quotes in the value", () => {
    const running = ["CREATE TABLE t (\n  'password' = 'it''s-secret',\n  'nodes' = 'a'\n)"];
    expect(maskSecretOptions(running, ["CREATE TABLE t (\n  'password' = '${REDIS_PASSWORD:-}'\n)"])[0]).toBe(
      "CREATE TABLE t (\n  'password' = '${REDIS_PASSWORD:-}',\n  'nodes' = 'a'\n)",
    );
    expect(maskSecretOptions(running, ['CREATE TABLE t ()'])[0]).toBe("CREATE TABLE t (\n  'password' = '******',\n  'nodes' = 'a'\n)");
  });

  test('newest goes by CreateTime, then Id, whatever the order listed', () => {
    expect(
      newest([
        { Id: 3, CreateTime: 100 },
        { Id: 1, CreateTime: 300 },
        { Id: 2, CreateTime: 300 },
      ])?.Id,
    ).toBe(2);
    expect(newest([])).toBeUndefined();
  });
});
