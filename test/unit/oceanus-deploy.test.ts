/**
 * `uvpv deploy|status|stop --target oceanus` end to end against the fake Oceanus on 127.0.0.1.
 * Every run (see harness) also asserts that neither the SecretId nor the SecretKey is printed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  actions,
  CLUSTER,
  envFor,
  MUTATING,
  ROOT,
  SECRET_ID,
  SECRET_KEY,
  SPEC,
  specWith,
  uploaded,
  startFake,
  uvpv,
  watchSecret,
} from '../fake-oceanus/harness';
import type { FakeOceanus } from '../fake-oceanus/server';
import { matched } from '../support/checks';

const DEPLOY = ['deploy', SPEC, '--target', 'oceanus'];

let fake: FakeOceanus;
beforeEach(async () => {
  fake = await startFake();
});
afterEach(async () => {
  await fake.close();
});

describe('deploy', () => {
  test('the first deploy creates exactly one SQL job, uploads the Oceanus SQL, runs it and reports it RUNNING', async () => {
    const env = envFor(fake);
    const r = await uvpv(DEPLOY, env);
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);

    expect(fake.state.jobs).toHaveLength(1);
    const [job] = fake.state.jobs;
    expect(job).toMatchObject({
      Name: 'uvpv-demo',
      JobType: 1,
      ClusterType: 2,
      ClusterId: CLUSTER,
      CuMem: 4,
      FlinkVersion: 'Flink-1.16',
      Status: 4,
    });
    expect(job.configs).toHaveLength(1);
    expect(job.configs[0].sql).toBe(await uploaded(env));
    expect(job.configs[0].sql).not.toMatch(/^\s*--/m);
    // As the API's documented SQL example: checkpoint interval (spec job.checkpointInterval, 1 minute), empty metadata, the code.
    expect(JSON.parse(job.configs[0].ProgramArgs)).toEqual({
      CheckpointInterval: 60,
      Metadata: Buffer.from('{"Metadata":{"ReferenceTables":[],"Variables":[]}}').toString('base64'),
      SqlCode: Buffer.from(job.configs[0].sql).toString('base64'),
    });
    expect(job.configs[0].resources).toEqual({ JobManagerCpu: 1, JobManagerMem: 4, TaskManagerCpu: 1, TaskManagerMem: 4 });
    // The built-in Kafka (not the 0.11 one) and Redis connectors, at their latest versions.
    expect(job.configs[0].ResourceRefs).toEqual([
      { ResourceId: 'resource-kafka', Version: 5, Type: 0 },
      { ResourceId: 'resource-redis', Version: 3, Type: 0 },
    ]);
    expect(fake.state.requests.find((q) => q.action === 'CreateJobConfig')?.params.AutoDelete).toBe(1);
    expect(job.configs[0].DefaultParallelism).toBe(1);
    expect(job.runs).toEqual([{ RunType: 1, JobConfigVersion: 1 }]);

    expect(actions(fake).filter((a) => a !== 'DescribeJobs')).toEqual([
      'DescribeSystemResources',
      'CreateJob',
      'CreateJobConfig',
      'RunJobs',
    ]);
    expect(fake.state.requests.every((q) => q.error === undefined)).toBe(true);
    for (const q of fake.state.requests) {
      expect(q.headers).toMatchObject({
        'x-tc-version': '2019-04-22',
        'x-tc-region': 'ap-guangzhou',
        'x-tc-action': q.action,
        host: `127.0.0.1:${fake.port}`,
      });
      expect(q.headers['x-tc-timestamp']).toMatch(/^\d+$/);
      expect(q.headers.authorization).toMatch(
        /^TC3-HMAC-SHA256 Credential=\S+\/\d{4}-\d\d-\d\d\/oceanus\/tc3_request, SignedHeaders=content-type;host;x-tc-action, /,
      );
    }

    expect(r.out).toContain(`created job ${job.JobId} (uvpv-demo)`);
    expect(r.out).toContain('uploaded configuration version 1');
    expect(r.out).toContain(`started job ${job.JobId} with configuration version 1`);
    expect(r.out).toContain(`job ${job.JobId} is RUNNING`);
    expect(r.err).toContain(`waiting for job ${job.JobId} to start: RUNNING`);
  });

  test('a re-deploy of the unchanged spec changes nothing; a changed one is refused without --replace, changing nothing', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const [job] = fake.state.jobs;
    const same = await uvpv(DEPLOY, envFor(fake));
    expect(same.code).toBe(0);
    expect(same.out).toContain(
      `pipeline uvpv-demo already runs as Oceanus job ${job.JobId} (RUNNING) with this SQL and settings; nothing to do`,
    );
    const changed = await uvpv(DEPLOY, envFor(fake, { REDIS_HOST: '10.0.0.7' }));
    expect(changed.code).toBe(2);
    expect(changed.err).toContain(
      `error: pipeline uvpv-demo already runs as Oceanus job ${job.JobId} (RUNNING) with other SQL or settings; use --replace`,
    );
    expect(fake.state.jobs).toHaveLength(1);
    expect(job.configs.map((c) => c.Version)).toEqual([1]);
    expect(job.stops).toEqual([]);
    expect(job.runs).toHaveLength(1);
    expect(job.Status).toBe(4);
    expect(actions(fake).filter((a) => MUTATING.includes(a))).toEqual(['CreateJob', 'CreateJobConfig', 'RunJobs']);
  });

  test('a change of settings alone (parallelism) counts as a change', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const { file, dir } = specWith('', [['    parallelism: 1\n    secretId', '    parallelism: 2\n    secretId']]);
    const r = await uvpv(['deploy', file, '--target', 'oceanus'], envFor(fake), dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('with other SQL or settings; use --replace');
  });

  test('--replace keeps the state: pause (a savepoint), then start the new version from it (RunType 1, SavepointPath, SavepointId)', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const r = await uvpv([...DEPLOY, '--replace'], envFor(fake, { REDIS_HOST: '10.0.0.7' }));
    expect(r.code).toBe(0);
    const [job] = fake.state.jobs;
    const [savepoint] = job.savepoints;
    expect(job.stops).toEqual([2]);
    expect(job.runs[1]).toEqual({ RunType: 1, JobConfigVersion: 2, SavepointPath: savepoint.Path, SavepointId: savepoint.SerialId });
    expect(r.out).toContain(`started job ${job.JobId} with configuration version 2 from savepoint ${savepoint.Path}`);
  });

  test('--from-savepoint starts the job from that savepoint', async () => {
    const r = await uvpv([...DEPLOY, '--from-savepoint', 'cosn://bucket/savepoint-1'], envFor(fake));
    expect(r.code).toBe(0);
    expect(fake.state.jobs[0].runs).toEqual([{ RunType: 1, JobConfigVersion: 1, SavepointPath: 'cosn://bucket/savepoint-1' }]);
  });

  test('the uploaded SQL carries the resolved Redis password; output never shows it', async () => {
    const password = 'redis-pw-4711';
    watchSecret(password);
    const env = envFor(fake, { REDIS_PASSWORD: password });
    const r = await uvpv(DEPLOY, env);
    expect(r.code).toBe(0);
    expect(fake.state.jobs[0].configs[0].sql).toBe(await uploaded(env, true));
    expect(fake.state.jobs[0].configs[0].sql).toContain(`'password' = '${password}'`);
  });

  test('target properties and parallelism go into the configuration version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'uvpv-oceanus-'));
    const spec = readFileSync(join(ROOT, SPEC), 'utf8').replace(
      '    parallelism: 1\n    secretId',
      "    parallelism: 3\n    properties:\n      pipeline.max-parallelism: '2048'\n    secretId",
    );
    writeFileSync(join(dir, 'p.yaml'), spec);
    const r = await uvpv(['deploy', 'p.yaml', '--target', 'oceanus'], envFor(fake), dir);
    expect(r.code).toBe(0);
    expect(fake.state.jobs[0].configs[0]).toMatchObject({
      DefaultParallelism: 3,
      Properties: [{ Key: 'pipeline.max-parallelism', Value: '2048' }],
    });
  });

  test('a failed run exits 1 with the reason Oceanus gives', async () => {
    fake.inject('RunJobs', { failRun: 'Could not find any factory for identifier redis' });
    const r = await uvpv(DEPLOY, envFor(fake));
    expect(r.code).toBe(1);
    const id = fake.state.jobs[0].JobId;
    expect(r.err).toContain(`error: Oceanus job ${id} (uvpv-demo) did not start: it is FAILED`);
    expect(r.err).toContain('failed: Could not find any factory for identifier redis');
    expect(fake.state.jobs[0].Status).toBe(-1);
    expect(r.err).toContain(
      `done before this failure:\n  created job ${id} (uvpv-demo) on cluster ${CLUSTER}\n  uploaded configuration version 1`,
    );

    // Deploying again after fixing things starts the failed job with a new version.
    const again = await uvpv(DEPLOY, envFor(fake));
    expect(again.code).toBe(0);
    expect(again.out).toContain(`found job ${id} (uvpv-demo): FAILED`);
    expect(fake.state.jobs).toHaveLength(1);
    expect(fake.state.jobs[0].runs.at(-1)).toEqual({ RunType: 1, JobConfigVersion: 2 });
  });

  test.each([1, 3])(
    'operations that take effect %i poll(s) late: a new job goes 1 → 2 → 3 → 4 and is waited for, not reported CREATED',
    async (lagPolls) => {
      await fake.close();
      fake = await startFake({ lagPolls });
      const r = await uvpv(DEPLOY, envFor(fake));
      expect(r.err).not.toContain('error');
      expect(r.code).toBe(0);
      const [job] = fake.state.jobs;
      expect(job.reported).toEqual([1, 2, 3, 4]);
      expect(r.out).toContain(`job ${job.JobId} is RUNNING`);

      // A replacement: the job still shows RUNNING after StopJobs, and PAUSED after RunJobs, for a while.
      const again = await uvpv([...DEPLOY, '--replace'], envFor(fake, { REDIS_HOST: '10.0.0.8' }));
      expect(again.code).toBe(0);
      expect(job.reported).toEqual([1, 2, 3, 4, 3, 6, 3, 4]);
      expect(job.stops).toEqual([2]);
      expect(job.runs.map((x) => x.JobConfigVersion)).toEqual([1, 2]);
    },
  );

  test('a start after a stop: the job shows STOPPED for two polls after RunJobs, with the new version already published, and is waited for', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    expect((await uvpv(['stop', SPEC, '--target', 'oceanus'], envFor(fake))).code).toBe(0);
    const [job] = fake.state.jobs;
    const seen: { Status: number; PublishedJobConfigVersion: number }[] = [];
    const before = fake.state.requests.length;
    const r = await uvpv(DEPLOY, envFor(fake, { REDIS_HOST: '10.0.0.8' }));
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    expect(job.runs.map((x) => x.JobConfigVersion)).toEqual([1, 2]);
    expect(job.Status).toBe(4);
    // What the polls after RunJobs saw: STOPPED with version 2 (twice), then in operation, then RUNNING.
    const run = fake.state.requests.findIndex((q, i) => i >= before && q.action === 'RunJobs');
    for (const q of fake.state.requests.slice(run + 1)) if (q.action === 'DescribeJobs' && q.seen) seen.push(...q.seen);
    expect(seen.slice(0, 2)).toEqual([
      { Status: 5, PublishedJobConfigVersion: 2 },
      { Status: 5, PublishedJobConfigVersion: 2 },
    ]);
    expect(seen.at(-1)).toEqual({ Status: 4, PublishedJobConfigVersion: 2 });
  });

  test('a run that fails after taking effect late is still reported as failed, with the reason', async () => {
    await fake.close();
    fake = await startFake({ lagPolls: 2 });
    fake.inject('RunJobs', { failRun: 'Could not find any factory for identifier kafka' });
    const r = await uvpv(DEPLOY, envFor(fake));
    expect(r.code).toBe(1);
    expect(r.err).toContain('did not start: it is FAILED');
    expect(r.err).toContain('failed: Could not find any factory for identifier kafka');
    expect(fake.state.jobs[0].reported).toEqual([1, 2, 3, -1]);
  });

  test('a job that never leaves "not published" after RunJobs times out with its state, bounded as before', async () => {
    await fake.close();
    fake = await startFake({ lagPolls: 100000 });
    const r = await uvpv(DEPLOY, envFor(fake, { UVPV_OCEANUS_TIMEOUT_MS: '40' }));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/did not start within 0s; it is CREATED/);
  });

  test('a RunJobs or StopJobs whose answer is lost and that takes effect late is not sent twice into a failure', async () => {
    await fake.close();
    fake = await startFake({ lagPolls: 2 });
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    fake.inject('StopJobs', { network: 'after' });
    fake.inject('RunJobs', { network: 'after' });
    const r = await uvpv([...DEPLOY, '--replace'], envFor(fake, { REDIS_HOST: '10.0.0.9' }));
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    const [job] = fake.state.jobs;
    expect(job.stops).toEqual([2]);
    expect(job.runs.map((x) => x.JobConfigVersion)).toEqual([1, 2]);
    expect(job.Status).toBe(4);
  });

  test('a failed job started again that fails again is reported as failed with the new reason, not as a timeout', async () => {
    await fake.close();
    fake = await startFake({ pollsToSettle: 0 });
    fake.inject('RunJobs', { failRun: 'first failure' });
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(1);
    fake.inject('RunJobs', { failRun: 'second failure' });
    const r = await uvpv(DEPLOY, envFor(fake, { UVPV_OCEANUS_TIMEOUT_MS: '60000' }));
    expect(r.code).toBe(1);
    expect(r.err).toContain('did not start: it is FAILED');
    expect(r.err).toContain('failed: second failure');
  });

  test('a JAR job of the same name is not overwritten with SQL', async () => {
    const jar = fake.addJob('uvpv-demo');
    jar.JobType = 2;
    const r = await uvpv(DEPLOY, envFor(fake));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: Oceanus job ${jar.JobId} is named 'uvpv-demo' but is not a SQL job (JobType 2)`);
    expect(jar.configs).toHaveLength(0);
  });

  test('a job that does not come up in time is reported, not waited on forever', async () => {
    await fake.close();
    fake = await startFake({ pollsToSettle: 1000 });
    const r = await uvpv(DEPLOY, envFor(fake, { UVPV_OCEANUS_TIMEOUT_MS: '30' }));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/did not start within 0s; it is IN_PROGRESS/);
    expect(r.err).toContain('UVPV_OCEANUS_TIMEOUT_MS');
  });

  test('the SQL Oceanus rejects is reported with its message, and the running job is left alone', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    fake.inject('CreateJobConfig', { code: 'FailedOperation.GrammarCheckFailure', message: 'line 3: syntax error near WATERMARK' });
    const r = await uvpv([...DEPLOY, '--replace'], envFor(fake, { REDIS_HOST: '10.0.0.7' }));
    expect(r.code).toBe(1);
    expect(r.err).toContain('Oceanus rejected the SQL');
    expect(r.err).toContain('CreateJobConfig → FailedOperation.GrammarCheckFailure: line 3: syntax error near WATERMARK (RequestId ');
    expect(fake.state.jobs[0].stops).toEqual([]);
    expect(fake.state.jobs[0].Status).toBe(4);
  });
});

describe('retries', () => {
  test('throttling (RequestLimitExceeded twice) is retried and the deploy succeeds', async () => {
    fake.inject('DescribeJobs', { code: 'RequestLimitExceeded', message: 'Your current request times equals to `21` in a second' }, 2);
    fake.inject('CreateJob', { code: 'RequestLimitExceeded' }, 2);
    fake.inject('RunJobs', { code: 'RequestLimitExceeded.UinLimitExceeded' }, 2);
    const r = await uvpv(DEPLOY, envFor(fake));
    expect(r.code).toBe(0);
    expect(fake.state.jobs).toHaveLength(1);
    expect(actions(fake).filter((a) => a === 'CreateJob')).toHaveLength(3);
    expect(actions(fake).filter((a) => a === 'RunJobs')).toHaveLength(3);
    expect(r.err).toContain('RequestLimitExceeded');
    expect(r.err).toContain('retrying (attempt 2 of 5)');
  });

  test('retries are bounded: persistent throttling ends with an actionable message', async () => {
    fake.inject('DescribeJobs', { code: 'RequestLimitExceeded' }, 100);
    const r = await uvpv(DEPLOY, envFor(fake, { UVPV_OCEANUS_ATTEMPTS: '3' }));
    expect(r.code).toBe(1);
    expect(actions(fake)).toEqual(['DescribeJobs', 'DescribeJobs', 'DescribeJobs']);
    expect(r.err).toContain(
      'error: Oceanus kept throttling DescribeJobs (RequestLimitExceeded) after retries; wait a minute and run again',
    );
  });

  test.each([
    ['after the job was created: the recheck finds it, CreateJob is not resent', 'after', 1],
    ['before it arrived: CreateJob is resent', 'before', 2],
  ] as const)('a CreateJob lost %s; one job in the end', async (_what, when, creates) => {
    fake.inject('CreateJob', { network: when });
    const r = await uvpv(DEPLOY, envFor(fake));
    expect(r.code).toBe(0);
    expect(fake.state.jobs).toHaveLength(1);
    expect(actions(fake).filter((a) => a === 'CreateJob')).toHaveLength(creates);
    expect(fake.state.jobs[0].Status).toBe(4);
    expect(r.out).toContain(`created job ${fake.state.jobs[0].JobId} (uvpv-demo)`);
  });

  test('an internal error on DescribeJobs and lost answers to CreateJobConfig and RunJobs: no extra version, no second run', async () => {
    fake.inject('DescribeJobs', { code: 'InternalError', message: 'db timeout' }, 1);
    fake.inject('CreateJobConfig', { network: 'after' });
    fake.inject('RunJobs', { network: 'after' });
    const r = await uvpv(DEPLOY, envFor(fake));
    expect(r.code).toBe(0);
    const [job] = fake.state.jobs;
    expect(fake.state.jobs).toHaveLength(1);
    expect(job.configs).toHaveLength(1);
    expect(job.runs).toHaveLength(1);
    expect(job.Status).toBe(4);
  });

  test('a job created meanwhile by someone else ("name exists") is used, not duplicated', async () => {
    fake.inject('CreateJob', { meanwhile: () => fake.addJob('uvpv-demo') });
    const r = await uvpv(DEPLOY, envFor(fake));
    expect(r.code).toBe(0);
    expect(fake.state.requests.find((q) => q.action === 'CreateJob')?.error).toBe('InvalidParameterValue.JobNameExisted');
    expect(fake.state.jobs).toHaveLength(1);
    const [job] = fake.state.jobs;
    expect(r.out).toContain(`found job ${job.JobId} (uvpv-demo), created meanwhile by another client`);
    expect(job.Status).toBe(4);
  });

  test('an unreachable endpoint fails after the bounded retries, naming the endpoint', async () => {
    const url = fake.url;
    await fake.close();
    const r = await uvpv(DEPLOY, { ...envFor(fake), UVPV_OCEANUS_ENDPOINT: url, UVPV_OCEANUS_ATTEMPTS: '2' });
    fake = await startFake();
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: could not reach Oceanus at ${url} (DescribeJobs: ECONNREFUSED`);
    expect(r.err).toContain('after 2 attempts');
  });
});

describe('credentials and permissions', () => {
  test.each([
    [
      'a wrong secret key',
      { TENCENTCLOUD_SECRET_KEY: 'not-the-right-key-000' },
      [
        'error: Oceanus rejected the request signature',
        'set TENCENTCLOUD_SECRET_KEY to the SecretKey that belongs to TENCENTCLOUD_SECRET_ID',
        'DescribeJobs → AuthFailure.SignatureFailure',
      ],
    ],
    [
      'an unknown SecretId (which the service echoes, redacted)',
      { TENCENTCLOUD_SECRET_ID: 'AKIDnobodyKnowsThisOne42' },
      [
        'Tencent Cloud does not know the SecretId in TENCENTCLOUD_SECRET_ID',
        'AuthFailure.SecretIdNotFound: The SecretId ****** is not found',
      ],
    ],
  ])('%s: exit 1, a message naming the variable to fix, no retry', async (_what, wrong, messages) => {
    watchSecret(...Object.values(wrong));
    const r = await uvpv(DEPLOY, envFor(fake, wrong));
    expect(r.code).toBe(1);
    for (const m of messages) expect(r.err).toContain(m);
    expect(fake.state.requests).toHaveLength(1);
    expect(fake.state.jobs).toHaveLength(0);
  });

  test('missing permissions name the action and the policy to grant', async () => {
    fake.inject('CreateJob', { code: 'UnauthorizedOperation', message: 'not authorized: oceanus:CreateJob' });
    const r = await uvpv(DEPLOY, envFor(fake));
    expect(r.code).toBe(1);
    expect(r.err).toContain('the API key is not allowed to call oceanus:CreateJob; grant its CAM user');
    expect(r.err).toContain('QcloudOceanusFullAccess');
  });

  test('limits and capacity: the job quota and missing CUs say what to do', async () => {
    fake.inject('CreateJob', { code: 'LimitExceeded.Job', message: 'job quota exceeded' });
    const quota = await uvpv(DEPLOY, envFor(fake));
    expect(quota.code).toBe(1);
    expect(quota.err).toContain('reached its Oceanus job quota; delete jobs you no longer need');
    fake.inject('RunJobs', { code: 'ResourceInsufficient.CU', message: 'not enough CU' });
    const cu = await uvpv(DEPLOY, envFor(fake));
    expect(cu.code).toBe(1);
    expect(cu.err).toContain(`cluster ${CLUSTER} has not enough free CUs for parallelism 1`);
  });

  test('an unknown cluster names the cluster and OCEANUS_CLUSTER_ID', async () => {
    const r = await uvpv(DEPLOY, envFor(fake, { OCEANUS_CLUSTER_ID: 'cluster-nope' }));
    expect(r.code).toBe(1);
    expect(r.err).toContain("there is no Oceanus cluster 'cluster-nope' in region ap-guangzhou");
    expect(fake.state.jobs).toHaveLength(0);
  });

  test('empty credentials are a usage error naming the variables; nothing is called', async () => {
    const r = await uvpv(DEPLOY, envFor(fake, { TENCENTCLOUD_SECRET_ID: '', TENCENTCLOUD_SECRET_KEY: '' }));
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "error: the Oceanus target 'oceanus' needs Tencent Cloud API credentials\nfix: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY",
    );
    expect(fake.state.requests).toHaveLength(0);
  });

  test('unset credentials are reported by the spec loader, naming the variable', async () => {
    const env = envFor(fake);
    delete env.TENCENTCLOUD_SECRET_KEY;
    const r = await uvpv(DEPLOY, env);
    expect(r.code).toBe(2);
    expect(r.err).toContain('${TENCENTCLOUD_SECRET_KEY} is not set');
    expect(fake.state.requests).toHaveLength(0);
  });

  test('a session token is sent as X-TC-Token and never printed', async () => {
    await fake.close();
    const token = 'session-token-abcdef-123456';
    watchSecret(token);
    fake = await startFake({ token });
    const dir = mkdtempSync(join(tmpdir(), 'uvpv-oceanus-'));
    const spec = readFileSync(join(ROOT, SPEC), 'utf8').replace(
      '    secretKey: ${TENCENTCLOUD_SECRET_KEY}\n',
      '    secretKey: ${TENCENTCLOUD_SECRET_KEY}\n    token: ${TENCENTCLOUD_SESSION_TOKEN}\n',
    );
    writeFileSync(join(dir, 'p.yaml'), spec);
    const ok = await uvpv(['deploy', 'p.yaml', '--target', 'oceanus'], envFor(fake, { TENCENTCLOUD_SESSION_TOKEN: token }), dir);
    expect(ok.code).toBe(0);
    expect(fake.state.requests.every((q) => q.headers['x-tc-token'] === token)).toBe(true);
    const bad = await uvpv(
      ['status', 'p.yaml', '--target', 'oceanus'],
      envFor(fake, { TENCENTCLOUD_SESSION_TOKEN: 'expired-token-xyz' }),
      dir,
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('the session token in TENCENTCLOUD_SESSION_TOKEN is invalid or expired');
  });
});

describe('status and stop', () => {
  test('status without a job exits 1; after a deploy it shows RUNNING with details', async () => {
    const none = await uvpv(['status', SPEC, '--target', 'oceanus'], envFor(fake));
    expect(none.code).toBe(1);
    expect(none.out).toBe('uvpv-demo: no job on target oceanus\n');

    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const id = fake.state.jobs[0].JobId;
    const r = await uvpv(['status', SPEC, '--target', 'oceanus'], envFor(fake));
    expect(r.code).toBe(0);
    expect(r.out).toContain(`uvpv-demo: RUNNING (job ${id} on target oceanus)`);
    expect(r.out).toContain('  status: running');
    expect(r.out).toContain('  configuration: runs version 1, latest version 1, 1 of 100 versions kept');
    expect(r.out).toContain(`  cluster: ${CLUSTER}`);
    expect(r.out).toContain(`  console: https://console.cloud.tencent.com/oceanus/job (job ${id})`);
  });

  test('status shows how long the job has run and its web UI; a reason that quotes the Redis password is shown without it', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const r = await uvpv(['status', SPEC, '--target', 'oceanus'], envFor(fake));
    expect(r.out).toMatch(/\n {2}running for \d+ s\n/);
    expect(r.out).toMatch(/\n {2}web UI: http:\/\/127\.0\.0\.1:\d+\/flinkui\//);

    const password = 'status-redis-pw-42';
    watchSecret(password);
    fake.inject('RunJobs', { failRun: `Could not connect: options {'password'='${password}'}` });
    const env = envFor(fake, { REDIS_PASSWORD: password, REDIS_HOST: '10.0.0.4' });
    expect((await uvpv(['stop', SPEC, '--target', 'oceanus'], env)).code).toBe(0);
    expect((await uvpv(DEPLOY, env)).code).toBe(1);
    const failed = await uvpv(['status', SPEC, '--target', 'oceanus'], env);
    expect(failed.out).toContain("failed: Could not connect: options {'password'='******'}");
  });

  test("status of a failed job shows Oceanus's reason", async () => {
    fake.inject('RunJobs', { failRun: 'Could not find any factory for identifier redis' });
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(1);
    const r = await uvpv(['status', SPEC, '--target', 'oceanus'], envFor(fake));
    expect(r.out).toContain('uvpv-demo: FAILED');
    expect(r.out).toContain('  failed: Could not find any factory for identifier redis');
    expect(r.out).toContain('  configuration: published version 1');
  });

  test('stop --pause pauses (StopType 2); the next deploy resumes; stop stops (StopType 1); stopping again changes nothing', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const job = fake.state.jobs[0];

    const paused = await uvpv(['stop', SPEC, '--target', 'oceanus', '--pause'], envFor(fake));
    expect(paused.code).toBe(0);
    expect(paused.out).toContain(`paused job ${job.JobId} (uvpv-demo); Oceanus took a savepoint, which the next deploy starts from`);
    expect(paused.out).toContain(`job ${job.JobId} is PAUSED`);
    expect(job.stops).toEqual([2]);
    expect(job.Status).toBe(6);
    const status = await uvpv(['status', SPEC, '--target', 'oceanus'], envFor(fake));
    expect(status.code).toBe(1);
    expect(status.out).toContain('uvpv-demo: PAUSED');

    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const [savepoint] = job.savepoints;
    expect(job.runs.at(-1)).toEqual({ RunType: 1, JobConfigVersion: 2, SavepointPath: savepoint.Path, SavepointId: savepoint.SerialId });

    const stopped = await uvpv(['stop', SPEC, '--target', 'oceanus'], envFor(fake));
    expect(stopped.code).toBe(0);
    expect(stopped.out).toContain(`stopped job ${job.JobId} (uvpv-demo); no savepoint taken: its state is dropped (stop --pause keeps it)`);
    expect(stopped.out).toContain(`job ${job.JobId} is STOPPED`);
    expect(job.stops).toEqual([2, 1]);
    expect(job.Status).toBe(5);

    const again = await uvpv(['stop', SPEC, '--target', 'oceanus'], envFor(fake));
    expect(again.code).toBe(0);
    expect(again.out).toBe(`job ${job.JobId} (uvpv-demo) is STOPPED; nothing to stop\n`);
    expect(job.stops).toEqual([2, 1]);
  });

  test("stop of a paused job stops it (StopType 1) through the lag, says the pause's savepoint is still listed, and a deploy starts from it only when told", async () => {
    await fake.close();
    fake = await startFake({ lagPolls: 3 });
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const job = fake.state.jobs[0];
    expect((await uvpv(['stop', SPEC, '--target', 'oceanus', '--pause'], envFor(fake))).code).toBe(0);
    const [savepoint] = job.savepoints;
    const seen = job.reported.length;

    const stopped = await uvpv(['stop', SPEC, '--target', 'oceanus'], envFor(fake));
    expect(stopped.err).not.toContain('error');
    expect(stopped.code).toBe(0);
    expect(stopped.out).toBe(
      `stopped job ${job.JobId} (uvpv-demo), which was PAUSED; the savepoint its pause took is still listed, ${savepoint.Path}: ` +
        `the next deploy starts from it only with --from-savepoint ${savepoint.Path}\n` +
        `job ${job.JobId} is STOPPED\n`,
    );
    expect(job.stops).toEqual([2, 1]);
    // PAUSED lingered after StopJobs (the lag) and was waited out, through the operation, to STOPPED.
    expect(job.reported.slice(seen - 1)).toEqual([6, 3, 5]);
    expect(job.savepoints).toEqual([savepoint]);
    // Pausing the stopped job changes nothing.
    expect((await uvpv(['stop', SPEC, '--target', 'oceanus', '--pause'], envFor(fake))).out).toBe(
      `job ${job.JobId} (uvpv-demo) is STOPPED; nothing to pause\n`,
    );

    // As the line says: the savepoint's path given, the job starts from it (a new version: the SQL is the same, the job was stopped).
    const resumed = await uvpv([...DEPLOY, '--from-savepoint', savepoint.Path], envFor(fake));
    expect(resumed.code).toBe(0);
    expect(job.runs.at(-1)).toEqual({ RunType: 1, JobConfigVersion: 2, SavepointPath: savepoint.Path });
  });

  test('stop of a paused job whose pause left no usable savepoint says its state is dropped', async () => {
    await fake.close();
    fake = await startFake({ pauseSavepoint: 'failed' });
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    expect((await uvpv(['stop', SPEC, '--target', 'oceanus', '--pause'], envFor(fake))).code).toBe(0);
    const r = await uvpv(['stop', SPEC, '--target', 'oceanus'], envFor(fake));
    expect(r.code).toBe(0);
    const { JobId } = fake.state.jobs[0];
    expect(r.out).toContain(
      `stopped job ${JobId} (uvpv-demo), which was PAUSED; Oceanus lists no usable savepoint of its pause (DescribeJobSavepoint, RecordType 3): its state is dropped`,
    );
    expect(fake.state.jobs[0].Status).toBe(5);
  });

  test('stop of a paused job that Oceanus refuses to stop exits 1 with what to do; the job stays paused', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    expect((await uvpv(['stop', SPEC, '--target', 'oceanus', '--pause'], envFor(fake))).code).toBe(0);
    fake.inject('StopJobs', { code: 'ResourceUnavailable.NotAllowedToBeStopOrPause', message: 'Job is paused.' });
    const r = await uvpv(['stop', SPEC, '--target', 'oceanus'], envFor(fake));
    expect(r.code).toBe(1);
    expect(r.err).toContain("job 'uvpv-demo' cannot be stopped or paused in its current state; check it with `uvpv status`");
    expect(r.err).toContain('StopJobs → ResourceUnavailable.NotAllowedToBeStopOrPause: Job is paused.');
    expect(fake.state.jobs[0].Status).toBe(6);
  });

  test('stop without a job exits 1; --savepoint is refused for Oceanus', async () => {
    const none = await uvpv(['stop', SPEC, '--target', 'oceanus'], envFor(fake));
    expect(none.code).toBe(1);
    expect(none.err).toContain('uvpv-demo: no job on target oceanus; nothing to stop');
    const sp = await uvpv(['stop', SPEC, '--target', 'oceanus', '--savepoint', '/tmp/sp'], envFor(fake));
    expect(sp.code).toBe(2);
    expect(sp.err).toContain('--savepoint is for gateway targets; on Oceanus use --pause');
  });

  test('a job whose name only contains the pipeline name is not taken for it', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    fake.state.jobs[0].Name = 'uvpv-demo-old';
    const r = await uvpv(['status', SPEC, '--target', 'oceanus'], envFor(fake));
    expect(r.code).toBe(1);
    expect(r.out).toBe('uvpv-demo: no job on target oceanus\n');
  });
});

describe('--dry-run', () => {
  const mutations = (f: FakeOceanus) => actions(f).filter((a) => MUTATING.includes(a));

  test('without a job: lists CreateJob, CreateJobConfig and RunJobs with their exact bodies, calls only read-only actions', async () => {
    const password = 'dry-run-redis-pw';
    watchSecret(password);
    const env = envFor(fake, { REDIS_PASSWORD: password });
    const r = await uvpv([...DEPLOY, '--dry-run'], env);
    expect(r.code).toBe(0);
    expect(actions(fake)).toEqual(['DescribeJobs', 'DescribeSystemResources']);
    expect(fake.state.jobs).toHaveLength(0);
    expect(r.out).toContain('dry run: nothing is changed on Oceanus');
    expect(r.out).toContain(
      'DescribeJobs {"Filters":[{"Name":"Name","Values":["uvpv-demo"]}],"Offset":0,"Limit":100} → no job named uvpv-demo',
    );
    expect(r.out).toContain(
      `would call CreateJob {"Name":"uvpv-demo","JobType":1,"ClusterType":2,"ClusterId":"${CLUSTER}","CuMem":4,"FlinkVersion":"Flink-1.16","Remark":"managed by uvpv"}`,
    );
    // The exact body, as deploy sends it, with the SQL's secrets as placeholders.
    const body = JSON.parse(matched(/^would call CreateJobConfig (.*)$/m, r.out)[1]) as Record<string, unknown>;
    const args = JSON.parse(body.ProgramArgs as string) as { CheckpointInterval: number; Metadata: string; SqlCode: string };
    expect(Buffer.from(args.SqlCode, 'base64').toString('utf8')).toBe(await uploaded(env));
    expect(args.CheckpointInterval).toBe(60);
    expect(body).toMatchObject({
      JobId: '<new job id>',
      ResourceRefs: [
        { ResourceId: 'resource-kafka', Version: 5, Type: 0 },
        { ResourceId: 'resource-redis', Version: 3, Type: 0 },
      ],
      DefaultParallelism: 1,
      AutoDelete: 1,
      JobManagerCpu: 1,
      JobManagerMem: 4,
      TaskManagerCpu: 1,
      TaskManagerMem: 4,
    });
    expect(r.out).toContain(
      "→ references Oceanus's built-in connectors flink-connector-kafka (resource-kafka, version 5), flink-connector-redis (resource-redis, version 3)",
    );
    expect(r.out).toContain(
      'would call RunJobs {"RunJobDescriptions":[{"JobId":"<new job id>","RunType":1,"JobConfigVersion":"<new version>"}]}',
    );
    expect(r.out).not.toContain('StopJobs');
    expect(r.out).toContain('Credential=****** (SecretId from TENCENTCLOUD_SECRET_ID');
    expect(r.out).toContain("'password' = '${REDIS_PASSWORD:-}'");
    expect(r.out).toContain((await uploaded(env)).trimEnd());
  });

  test('with a running job: unchanged, it would do nothing; changed, it is refused without --replace; with it, it lists the pause before RunJobs; nothing changes', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const before = mutations(fake).length;
    const id = fake.state.jobs[0].JobId;
    const same = await uvpv([...DEPLOY, '--dry-run'], envFor(fake));
    expect(same.code).toBe(0);
    expect(same.out).toContain(`→ job ${id} exists: RUNNING`);
    expect(same.out).toContain(
      `would do nothing: pipeline uvpv-demo already runs as Oceanus job ${id} (RUNNING) with this SQL and settings`,
    );
    expect(same.out).not.toContain('would call');
    const refused = await uvpv([...DEPLOY, '--dry-run'], envFor(fake, { REDIS_HOST: '10.0.0.7' }));
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('with other SQL or settings; use --replace');
    const r = await uvpv([...DEPLOY, '--dry-run', '--replace'], envFor(fake, { REDIS_HOST: '10.0.0.7' }));
    expect(r.code).toBe(0);
    expect(mutations(fake)).toHaveLength(before);
    expect(fake.state.jobs[0].configs).toHaveLength(1);
    expect(r.out).not.toContain('would call CreateJob ');
    expect(r.out).toContain(`would call StopJobs {"StopJobDescriptions":[{"JobId":"${id}","StopType":2}]} and poll until it is PAUSED`);
    expect(r.out).toContain(
      `would call RunJobs {"RunJobDescriptions":[{"JobId":"${id}","RunType":1,"JobConfigVersion":"<new version>","SavepointPath":"<its Path>","SavepointId":"<its SerialId>"}]}`,
    );
  });

  test.each([
    ['without a job', [] as string[]],
    ['with a running job, --replace', ['--replace']],
  ])('%s: the deploy makes the changing calls its dry run listed, in that order', async (what, flags) => {
    if (what !== 'without a job') expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const dry = await uvpv([...DEPLOY, ...flags, '--dry-run'], envFor(fake, { REDIS_HOST: '10.0.0.7' }));
    expect(dry.code).toBe(0);
    const listed = [...dry.out.matchAll(/^would call (\w+) /gm)].map((m) => m[1]);
    const before = mutations(fake).length;
    expect((await uvpv([...DEPLOY, ...flags], envFor(fake, { REDIS_HOST: '10.0.0.7' }))).code).toBe(0);
    expect(mutations(fake).slice(before)).toEqual(listed);
  });

  test('without credentials: says which calls would be made and calls nothing', async () => {
    const r = await uvpv([...DEPLOY, '--dry-run'], envFor(fake, { TENCENTCLOUD_SECRET_ID: '', TENCENTCLOUD_SECRET_KEY: '' }));
    expect(r.code).toBe(0);
    expect(fake.state.requests).toHaveLength(0);
    expect(r.out).toContain('→ not called: no credentials (set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY)');
    expect(r.out).toContain('would call CreateJob ');
    expect(r.out).toContain('would call RunJobs ');
  });
});

test('the test credentials really are what the fake checks (the secret guard is not vacuous)', () => {
  expect(envFor(fake)).toMatchObject({ TENCENTCLOUD_SECRET_ID: SECRET_ID, TENCENTCLOUD_SECRET_KEY: SECRET_KEY });
});

describe('the SQL Oceanus gets has no comments', () => {
  test('the fake refuses SQL with a comment outside strings, and takes -- and /* inside a string or identifier', async () => {
    const { sqlComment } = await import('../fake-oceanus/server');
    expect(sqlComment("SET a = 'b'; -- why\nSELECT 1")).toEqual({ line: 1, text: '-- why' });
    expect(sqlComment('SELECT 1 /* no */')).toMatchObject({ line: 1 });
    expect(sqlComment("SELECT 'a--b', '/*', `x--y`, 'it''s -- fine' FROM t")).toBeUndefined();
  });

  test('a spec whose filters and keys hold -- and /* in strings deploys: the strings are kept, no comment is sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'uvpv-oceanus-comments-'));
    const spec = readFileSync(join(ROOT, SPEC), 'utf8')
      .replace('browse: record_type = 0', "browse: record_type = 0 AND client_ip <> '--x' AND client_ip <> '/*y'")
      .replace('key: pagevisits', 'key: "pv--all"');
    expect(spec).toContain("'--x'");
    const file = join(dir, 'comments.yaml');
    writeFileSync(file, spec);
    const r = await uvpv(['deploy', file, '--target', 'oceanus'], envFor(fake), dir);
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    const sql = fake.state.jobs[0].configs[0].sql;
    expect(sql).toContain("'--x'");
    expect(sql).toContain("'/*y'");
    expect(sql).toContain("'pv--all'");
    expect(sql).not.toMatch(/^\s*--/m);
  });
});

describe('what a configuration version carries', () => {
  test('JobManager and TaskManager sizes come from the target (CU × cuMem GB)', async () => {
    const { file, dir } = specWith('    jobManagerCu: 0.5\n    taskManagerCu: 2\n    cuMem: 8\n');
    const r = await uvpv(['deploy', file, '--target', 'oceanus'], envFor(fake), dir);
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    expect(fake.state.jobs[0].configs[0].resources).toEqual({
      JobManagerCpu: 0.5,
      JobManagerMem: 4,
      TaskManagerCpu: 2,
      TaskManagerMem: 16,
    });
  });

  test('a size Oceanus does not have is a spec error with its line; nothing is called', async () => {
    const { file, dir } = specWith('    taskManagerCu: 3\n');
    const r = await uvpv(['deploy', file, '--target', 'oceanus'], envFor(fake), dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /pipeline\.yaml:\d+:\d+: targets\.oceanus\.taskManagerCu: got 3; Oceanus sizes a JobManager or TaskManager in 0\.5, 1, 2 CU/,
    );
    expect(fake.state.requests).toHaveLength(0);
  });

  test('a checkpoint interval Oceanus does not take is exit 2 before any call', async () => {
    const { file, dir } = specWith('', [['\ntargets:', '\njob:\n  checkpointInterval: 10 s\n\ntargets:']]);
    const r = await uvpv(['deploy', file, '--target', 'oceanus'], envFor(fake), dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('job.checkpointInterval is 10 s; an Oceanus SQL job checkpoints every 30 to 3600 seconds, in whole seconds');
    expect(fake.state.requests).toHaveLength(0);
  });

  test('connectors: none references nothing, and the job fails to start as Oceanus documents ("Could not find any factory")', async () => {
    const { file, dir } = specWith('    connectors: none\n');
    const r = await uvpv(['deploy', file, '--target', 'oceanus'], envFor(fake), dir);
    expect(r.code).toBe(1);
    expect(fake.state.jobs[0].configs[0].ResourceRefs).toEqual([]);
    expect(r.out + r.err).toContain('references no connectors (targets.oceanus.connectors: none)');
    expect(r.err).toContain("Could not find any factory for identifier 'kafka'");
    expect(actions(fake)).not.toContain('DescribeSystemResources');
  });

  test('resourceRefs name the resources instead of the built-ins', async () => {
    const { file, dir } = specWith(
      '    resourceRefs:\n      - { resourceId: resource-kafka, version: 4 }\n      - { resourceId: resource-redis }\n',
    );
    const r = await uvpv(['deploy', file, '--target', 'oceanus'], envFor(fake), dir);
    expect(r.code).toBe(0);
    expect(fake.state.jobs[0].configs[0].ResourceRefs).toEqual([
      { ResourceId: 'resource-kafka', Version: 4, Type: 0 },
      { ResourceId: 'resource-redis', Version: -1, Type: 0 },
    ]);
    expect(actions(fake)).not.toContain('DescribeSystemResources');
  });

  test('a built-in connector Oceanus does not list stops the deploy before anything changes, naming it and the fix', async () => {
    await fake.close();
    fake = await startFake({
      systemResources: [{ ResourceId: 'resource-kafka', Name: 'flink-connector-kafka', LatestResourceConfigVersion: 1, provides: 'kafka' }],
    });
    const r = await uvpv(DEPLOY, envFor(fake));
    expect(r.code).toBe(1);
    expect(r.err).toContain("Oceanus lists no built-in connector for 'redis' for Flink-1.16 on cluster");
    expect(r.err).toContain('targets.oceanus.resourceRefs');
    expect(actions(fake).filter((a) => MUTATING.includes(a))).toEqual([]);
  });

  test('at 100 versions deploy keeps working: Oceanus deletes the oldest unused version (AutoDelete) and the output says so', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const [job] = fake.state.jobs;
    // 99 more uploads by other deploys: the job holds 100 versions, version 1 running.
    while (job.configs.length < 100) {
      job.latestVersion++;
      job.configs.push({ ...job.configs[0], Version: job.latestVersion });
    }
    const r = await uvpv([...DEPLOY, '--replace'], envFor(fake, { REDIS_HOST: '10.0.0.7' }));
    expect(r.code).toBe(0);
    expect(r.out).toContain('uploaded configuration version 101');
    expect(r.out).toContain(
      "the job had 100 configuration versions, Oceanus's limit: it deleted the oldest unused one to make room (AutoDelete)",
    );
    expect(job.configs).toHaveLength(100);
    expect(job.configs.map((c) => c.Version)).not.toContain(2);
    expect(job.runs.at(-1)).toMatchObject({ RunType: 1, JobConfigVersion: 101 });
  });
});

describe('what the SDK models and API examples say', () => {
  test('a job never published (PublishedJobConfigVersion -1) shows "never published", never "version -1"', async () => {
    const job = fake.addJob('uvpv-demo');
    const r = await uvpv(['status', SPEC, '--target', 'oceanus'], envFor(fake));
    expect(fake.state.requests.some((q) => q.action === 'DescribeJobs')).toBe(true);
    expect(r.out).toContain(`uvpv-demo: CREATED (job ${job.JobId}`);
    expect(r.out).toContain('  configuration: never published');
    expect(r.out).not.toContain('-1');
  });

  test('--replace of a job that never published a version (-1) aims no rollback at version -1', async () => {
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    const [job] = fake.state.jobs;
    // As if Oceanus did not know which version the running job was started with.
    job.published = undefined;
    fake.inject('RunJobs', { failRun: 'the new version does not start' });
    const r = await uvpv([...DEPLOY, '--replace'], envFor(fake, { REDIS_HOST: '10.0.0.7' }));
    expect(r.code).toBe(1);
    expect(r.err).toContain('nothing was rolled back: Oceanus did not say which configuration version');
    expect(job.runs.map((x) => x.JobConfigVersion)).not.toContain(-1);
  });

  test("a resent StopJobs refused with ResourceUnavailable.NoRunningJobInstancesFoundForJobId (the SDK's spelling) counts as under way", async () => {
    await fake.close();
    fake = await startFake({ lagPolls: 2 });
    expect((await uvpv(DEPLOY, envFor(fake))).code).toBe(0);
    fake.inject('StopJobs', { network: 'after' });
    fake.inject('StopJobs', { code: 'ResourceUnavailable.NoRunningJobInstancesFoundForJobId', message: 'no running instance' });
    const r = await uvpv(['stop', SPEC, '--target', 'oceanus'], envFor(fake));
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    expect(fake.state.requests.filter((q) => q.action === 'StopJobs').map((q) => q.error)).toEqual([
      'network',
      'ResourceUnavailable.NoRunningJobInstancesFoundForJobId',
    ]);
    expect(fake.state.jobs[0].Status).toBe(5);
  });

  test("the system's connector resources (SystemProvide 1) are referenced before a user's JAR of the same name (2)", async () => {
    await fake.close();
    fake = await startFake({
      systemResources: [
        {
          ResourceId: 'resource-user-kafka',
          Name: 'flink-connector-kafka',
          LatestResourceConfigVersion: 9,
          provides: 'kafka',
          SystemProvide: 2,
        },
        { ResourceId: 'resource-kafka', Name: 'flink-connector-kafka-1.16', LatestResourceConfigVersion: 5, provides: 'kafka' },
        {
          ResourceId: 'resource-user-redis',
          Name: 'flink-connector-redis',
          LatestResourceConfigVersion: 1,
          provides: 'redis',
          SystemProvide: 2,
        },
      ],
    });
    const r = await uvpv(DEPLOY, envFor(fake));
    expect(r.code).toBe(0);
    // Kafka: the system's, though the user's has the plain name; Redis: only a user's is listed, so it is taken, and said so.
    expect(fake.state.jobs[0].configs[0].ResourceRefs).toEqual([
      { ResourceId: 'resource-kafka', Version: 5, Type: 0 },
      { ResourceId: 'resource-user-redis', Version: 1, Type: 0 },
    ]);
    expect(r.out).toContain('flink-connector-redis (resource-user-redis, version 1, uploaded by a user)');
  });
});
