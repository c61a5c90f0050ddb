/**
 * The Oceanus client (signing, retries, rechecks, redaction), the error mapping, and the fake's own
 * checks: a request the real service would refuse must be refused by the fake too.
 */
import { request } from 'node:http';
import { sqlFromProgramArgs, sqlProgramArgs } from '../../src/deploy/oceanus/api';

/** The JobManager and TaskManager sizes a SQL configuration carries (the documented example's). */
const SIZES = { JobManagerCpu: 1, JobManagerMem: 4, TaskManagerCpu: 1, TaskManagerMem: 4 };
import { OceanusClient, type ClientOptions } from '../../src/deploy/oceanus/client';
import { explain, OceanusApiError, OceanusNetworkError, type ErrorHints } from '../../src/deploy/oceanus/errors';
import { tc3Sign } from '../../src/deploy/oceanus/sign';
import { RuntimeFailure } from '../../src/errors';
import { CLUSTER, SECRET_ID, SECRET_KEY, startFake } from '../fake-oceanus/harness';
import type { FakeOceanus } from '../fake-oceanus/server';

let fake: FakeOceanus;
beforeEach(async () => {
  fake = await startFake();
});
afterEach(async () => {
  await fake.close();
});

function client(opts: Partial<ClientOptions> = {}): OceanusClient {
  return new OceanusClient({
    endpoint: fake.url,
    region: 'ap-guangzhou',
    credentials: { secretId: SECRET_ID, secretKey: SECRET_KEY },
    maxAttempts: 5,
    retryBaseMs: 0,
    requestTimeoutMs: 5_000,
    ...opts,
  });
}

async function apiError(p: Promise<unknown>): Promise<OceanusApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(OceanusApiError);
  return e as OceanusApiError;
}

/** A hand-made request, to send what the client never would. */
function raw(opts: {
  action?: string;
  body?: string;
  version?: string;
  region?: string | null;
  timestamp?: number;
  service?: string;
  signedHost?: string;
  tamper?: (body: string) => string;
}): Promise<{ Error?: { Code: string; Message: string } } & Record<string, unknown>> {
  const action = opts.action ?? 'DescribeJobs';
  const body = opts.body ?? '{}';
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const host = `127.0.0.1:${fake.port}`;
  const contentType = 'application/json; charset=utf-8';
  const { authorization } = tc3Sign({
    secretId: SECRET_ID,
    secretKey: SECRET_KEY,
    service: opts.service ?? 'oceanus',
    timestamp,
    payload: body,
    headers: { 'content-type': contentType, host: opts.signedHost ?? host, 'x-tc-action': action },
  });
  const headers: Record<string, string> = {
    Authorization: authorization,
    'Content-Type': contentType,
    Host: host,
    'X-TC-Action': action,
    'X-TC-Version': opts.version ?? '2019-04-22',
    'X-TC-Timestamp': String(timestamp),
  };
  if (opts.region !== null) headers['X-TC-Region'] = opts.region ?? 'ap-guangzhou';
  const sent = opts.tamper ? opts.tamper(body) : body;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: fake.port, method: 'POST', path: '/', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve((JSON.parse(text) as { Response: never }).Response));
    });
    req.on('error', reject);
    req.end(sent);
  });
}

describe('the fake checks requests like the real service', () => {
  test('a correct request is answered with a Response and a RequestId', async () => {
    const r = await raw({});
    expect(r.Error).toBeUndefined();
    expect(r).toMatchObject({ TotalCount: 0, JobSet: [] });
    expect(r.RequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test.each([
    ['another service in the credential scope', { service: 'cvm' }, 'AuthFailure.InvalidAuthorization'],
    ['another API version', { version: '2017-03-12' }, 'NoSuchVersion'],
    ['no X-TC-Region', { region: null }, 'MissingParameter'],
    ['a region it does not serve', { region: 'eu-frankfurt' }, 'UnsupportedRegion'],
    ['a timestamp 10 minutes old', { timestamp: Math.floor(Date.now() / 1000) - 600 }, 'AuthFailure.SignatureExpire'],
    ['a body changed after signing', { body: '{"Limit":1}', tamper: (b: string) => b.replace('1', '2') }, 'AuthFailure.SignatureFailure'],
    ['a signed host without the port', { signedHost: '127.0.0.1' }, 'AuthFailure.SignatureFailure'],
    ['an unknown action', { action: 'LaunchRockets' }, 'InvalidAction'],
    ['an unknown parameter', { body: '{"WorkspaceId":"space-1"}' }, 'UnknownParameter'],
    ['a missing required parameter', { action: 'CreateJob', body: '{"Name":"x","JobType":1}' }, 'MissingParameter'],
    ['a wrongly typed parameter', { body: '{"Limit":"10"}' }, 'InvalidParameter'],
    ['JobIds and Filters together', { body: '{"JobIds":["cql-1"],"Filters":[{"Name":"Name","Values":["x"]}]}' }, 'InvalidParameter'],
  ])('refuses %s', async (_what, opts, code) => {
    const r = await raw(opts);
    expect(r.Error?.Code).toBe(code);
    expect(fake.state.requests.at(-1)?.error).toBe(code);
  });

  test('keeps job status like the service: 1 created, 2 with a config, 3 in operation, 4 running, 5 stopped, 6 paused', async () => {
    const c = client();
    const { JobId } = await c.call<{ JobId: string }>('CreateJob', { Name: 'j1', JobType: 1, ClusterType: 2, ClusterId: CLUSTER });
    const status = async () => (await c.call<{ JobSet: { Status: number }[] }>('DescribeJobs', { JobIds: [JobId] })).JobSet[0].Status;
    expect(await status()).toBe(1);
    expect(await c.call('CreateJobConfig', { JobId, ProgramArgs: sqlProgramArgs('SELECT 1;', 60), ...SIZES })).toMatchObject({
      Version: 1,
    });
    expect(await status()).toBe(2);
    // Every transition lags (DEFAULT_LAG_POLLS): the state from before the call shows for two more polls, then it is in operation for two.
    const polls = async (n: number) => {
      const seen: number[] = [];
      for (let i = 0; i < n; i++) seen.push(await status());
      return seen;
    };
    await c.call('RunJobs', { RunJobDescriptions: [{ JobId, RunType: 1, JobConfigVersion: 1 }] });
    expect(await polls(5)).toEqual([2, 2, 3, 3, 4]);
    expect((await apiError(c.call('RunJobs', { RunJobDescriptions: [{ JobId, RunType: 1 }] }))).code).toBe(
      'ResourceInUse.InstanceInProcess',
    );
    await c.call('StopJobs', { StopJobDescriptions: [{ JobId, StopType: 2 }] });
    // While it lags, the job takes no other operation.
    expect((await apiError(c.call('StopJobs', { StopJobDescriptions: [{ JobId, StopType: 1 }] }))).code).toBe(
      'ResourceUnavailable.NotAllowedToBeStopOrPause',
    );
    expect(await polls(5)).toEqual([4, 4, 3, 3, 6]);
    await c.call('RunJobs', { RunJobDescriptions: [{ JobId, RunType: 2, JobConfigVersion: 1 }] });
    expect(await polls(5)).toEqual([6, 6, 3, 3, 4]);
    await c.call('StopJobs', { StopJobDescriptions: [{ JobId, StopType: 1 }] });
    expect(await polls(5)).toEqual([4, 4, 3, 3, 5]);
    expect((await apiError(c.call('StopJobs', { StopJobDescriptions: [{ JobId, StopType: 1 }] }))).code).toBe(
      'ResourceUnavailable.NotAllowedToBeStopOrPause',
    );
    expect((await apiError(c.call('StopJobs', { StopJobDescriptions: [{ JobId, StopType: 3 }] }))).code).toBe(
      'InvalidParameterValue.UnknownStopType',
    );
    expect((await apiError(c.call('RunJobs', { RunJobDescriptions: [{ JobId, RunType: 1, JobConfigVersion: 9 }] }))).code).toBe(
      'ResourceNotFound.JobConfig',
    );
  });

  test("a paused job can be stopped (StopType 1), not paused again; the stop takes no savepoint and the pause's stays listed", async () => {
    const c = client();
    const { JobId } = await c.call<{ JobId: string }>('CreateJob', { Name: 'j3', JobType: 1, ClusterType: 2, ClusterId: CLUSTER });
    await c.call('CreateJobConfig', { JobId, ProgramArgs: sqlProgramArgs('SELECT 1;', 60), ...SIZES });
    const settle = async () => {
      for (let i = 0; i < 5; i++) await c.call('DescribeJobs', { JobIds: [JobId] });
    };
    await c.call('RunJobs', { RunJobDescriptions: [{ JobId, RunType: 1, JobConfigVersion: 1 }] });
    await settle();
    await c.call('StopJobs', { StopJobDescriptions: [{ JobId, StopType: 2 }] });
    await settle();
    const [job] = fake.state.jobs;
    expect(job.Status).toBe(6);
    expect(job.savepoints).toHaveLength(1);
    expect((await apiError(c.call('StopJobs', { StopJobDescriptions: [{ JobId, StopType: 2 }] }))).code).toBe(
      'ResourceUnavailable.NotAllowedToBeStopOrPause',
    );
    await c.call('StopJobs', { StopJobDescriptions: [{ JobId, StopType: 1 }] });
    await settle();
    expect(job.Status).toBe(5);
    expect(job.stops).toEqual([2, 1]);
    expect(job.savepoints).toHaveLength(1);
  });

  test('a SQL job config must carry what the documented example does: ProgramArgs {CheckpointInterval, Metadata, SqlCode (base64, no comments)} and sizes', async () => {
    const c = client();
    const { JobId } = await c.call<{ JobId: string }>('CreateJob', { Name: 'j2', JobType: 1, ClusterType: 2, ClusterId: CLUSTER });
    const plain = await apiError(c.call('CreateJobConfig', { JobId, ProgramArgs: 'SELECT 1;', ...SIZES }));
    expect(plain.code).toBe('InternalError.SqlCodeNotFound');
    // The documented example's other fields are required too: sizes, checkpoint interval, metadata.
    expect((await apiError(c.call('CreateJobConfig', { JobId, ProgramArgs: sqlProgramArgs('SELECT 1;', 60) }))).message).toContain(
      'JobManagerCpu must be set',
    );
    const args = JSON.parse(sqlProgramArgs('SELECT 1;', 60)) as Record<string, unknown>;
    const without = (key: string) => JSON.stringify(Object.fromEntries(Object.entries(args).filter(([k]) => k !== key)));
    expect((await apiError(c.call('CreateJobConfig', { JobId, ProgramArgs: without('CheckpointInterval'), ...SIZES }))).code).toBe(
      'UnsupportedOperation.InvalidCheckpointIntervalError',
    );
    expect((await apiError(c.call('CreateJobConfig', { JobId, ProgramArgs: without('Metadata'), ...SIZES }))).message).toContain(
      'ProgramArgs.Metadata',
    );
    expect((await apiError(c.call('CreateJobConfig', { JobId, ProgramArgs: sqlProgramArgs('SELECT 1; -- why', 60), ...SIZES }))).code).toBe(
      'FailedOperation.GrammarCheckFailure',
    );
    const sql = "INSERT INTO t SELECT '未命名', 1;\n";
    await c.call('CreateJobConfig', { JobId, ProgramArgs: sqlProgramArgs(sql, 60), ...SIZES });
    expect(fake.state.jobs[0].configs[0].sql).toBe(sql);
    expect(sqlFromProgramArgs(fake.state.jobs[0].configs[0].ProgramArgs)).toBe(sql);
    expect(sqlFromProgramArgs('--conf a=b')).toBeUndefined();
    const entry = await apiError(
      c.call('CreateJobConfig', { JobId, ProgramArgs: sqlProgramArgs(sql, 60), ...SIZES, EntrypointClass: 'x.Main' }),
    );
    expect(entry.code).toBe('InvalidParameterValue.JobTypeCombineWithEntrypointClass');
  });

  test.each([
    ['LogCollect as a string', { LogCollect: 'true' }, 'boolean'],
    ['LogCollect as a number', { LogCollect: 1 }, 'boolean'],
    ['ClsLogsetId as a number', { LogCollect: true, ClsLogsetId: 12345 }, 'string'],
    ['ClsTopicId as a boolean', { LogCollect: true, ClsTopicId: true }, 'string'],
    ['COSBucket as a number', { COSBucket: 1250000000 }, 'string'],
    ['LogCollectType as a string', { LogCollect: true, LogCollectType: '2' }, 'Integer'],
  ])(
    'CreateJobConfig with %s is refused with InvalidParameter naming the field and its type; nothing is kept',
    async (_what, fields, type) => {
      const c = client();
      const { JobId } = await c.call<{ JobId: string }>('CreateJob', { Name: 'logs', JobType: 1, ClusterType: 2, ClusterId: CLUSTER });
      const base = { JobId, ProgramArgs: sqlProgramArgs('SELECT 1;', 60), ...SIZES };
      const e = await apiError(c.call('CreateJobConfig', { ...base, ...fields }));
      expect(e.code).toBe('InvalidParameter');
      expect(e.apiMessage).toBe(`The parameter \`${Object.keys(fields).at(-1)}\` must be of type ${type}.`);
      expect(fake.state.jobs[0].configs).toHaveLength(0);
      // The same fields with the SDK models' types are taken.
      const right = { LogCollect: true, LogCollectType: 2, ClsLogsetId: 'cd9adbb5', ClsTopicId: 'cec4c2f1', COSBucket: 'b-1250000000' };
      const fixed = Object.fromEntries(Object.keys(fields).map((k) => [k, right[k as keyof typeof right]]));
      expect(await c.call('CreateJobConfig', { ...base, ClsLogsetId: 'cd9adbb5', ...fixed })).toMatchObject({ Version: 1 });
    },
  );
});

describe('client', () => {
  test('retries throttling with doubling delays, bounded by maxAttempts', async () => {
    fake.inject('DescribeJobs', { code: 'RequestLimitExceeded' }, 10);
    const delays: number[] = [];
    const retries: string[] = [];
    const c = client({
      maxAttempts: 4,
      retryBaseMs: 100,
      sleep: async (ms) => void delays.push(ms),
      onRetry: (a, n) => retries.push(`${a}#${n}`),
    });
    const e = await apiError(c.call('DescribeJobs', {}));
    expect(e.code).toBe('RequestLimitExceeded');
    expect(e.attempts).toBe(4);
    expect(delays).toEqual([100, 200, 400]);
    expect(retries).toEqual(['DescribeJobs#1', 'DescribeJobs#2', 'DescribeJobs#3']);
    expect(fake.state.requests).toHaveLength(4);
  });

  test('the backoff is capped at 20 s', async () => {
    fake.inject('DescribeJobs', { code: 'RequestLimitExceeded' }, 3);
    const delays: number[] = [];
    await client({ retryBaseMs: 15_000, sleep: async (ms) => void delays.push(ms) }).call('DescribeJobs', {});
    expect(delays).toEqual([15_000, 20_000, 20_000]);
  });

  test('does not retry what retrying cannot fix', async () => {
    fake.inject('DescribeJobs', { code: 'InvalidParameterValue', message: 'bad' }, 3);
    const e = await apiError(client().call('DescribeJobs', {}));
    expect(e.attempts).toBe(1);
    expect(fake.state.requests).toHaveLength(1);
  });

  test('after a lost answer it asks the recheck first and does not resend when the recheck has the result', async () => {
    fake.inject('CreateJob', { network: 'after' });
    let rechecks = 0;
    const r = await client().call<{ JobId: string }>(
      'CreateJob',
      { Name: 'j3', JobType: 1, ClusterType: 2, ClusterId: CLUSTER },
      {
        recheck: async () => {
          rechecks++;
          return fake.state.jobs.length ? { JobId: fake.state.jobs[0].JobId } : undefined;
        },
      },
    );
    expect(rechecks).toBe(1);
    expect(r.JobId).toBe(fake.state.jobs[0].JobId);
    expect(fake.state.requests.filter((q) => q.action === 'CreateJob')).toHaveLength(1);
  });

  test('a throttled request is resent without a recheck (nothing was done)', async () => {
    fake.inject('CreateJob', { code: 'RequestLimitExceeded' });
    let rechecks = 0;
    await client().call(
      'CreateJob',
      { Name: 'j4', JobType: 1, ClusterType: 2, ClusterId: CLUSTER },
      { recheck: async () => void rechecks++ },
    );
    expect(rechecks).toBe(0);
    expect(fake.state.jobs).toHaveLength(1);
  });

  test('network failures are typed, retried and redacted', async () => {
    const url = fake.url;
    await fake.close();
    const c = new OceanusClient({
      endpoint: url,
      region: 'ap-guangzhou',
      credentials: { secretId: SECRET_ID, secretKey: SECRET_KEY },
      maxAttempts: 2,
      retryBaseMs: 0,
      requestTimeoutMs: 1_000,
    });
    const e = await c.call('DescribeJobs', {}).catch((err: unknown) => err);
    fake = await startFake();
    expect(e).toBeInstanceOf(OceanusNetworkError);
    expect((e as OceanusNetworkError).attempts).toBe(2);
    expect((e as OceanusNetworkError).reason).toMatch(/^ECONNREFUSED/);
    expect(c.redact(`id ${SECRET_ID} key ${SECRET_KEY}`)).toBe('id ****** key ******');
  });
});

describe('error messages', () => {
  const hints: ErrorHints = {
    secretIdSource: 'TENCENTCLOUD_SECRET_ID',
    secretKeySource: 'TENCENTCLOUD_SECRET_KEY',
    tokenSource: 'targets.oceanus.token',
    endpoint: 'https://oceanus.tencentcloudapi.com',
    region: 'ap-guangzhou',
    clusterId: 'cluster-abc',
    jobName: 'uvpv-demo',
    parallelism: 2,
    cuMem: 4,
  };
  const message = (code: string, action = 'DescribeJobs') => {
    const f = explain(new OceanusApiError(action, code, 'text from the API', 'req-1'), hints);
    expect(f).toBeInstanceOf(RuntimeFailure);
    expect((f as RuntimeFailure).detail).toBe(`${action} → ${code}: text from the API (RequestId req-1)`);
    return (f as RuntimeFailure).message;
  };

  test.each([
    ['AuthFailure.SignatureFailure', /set TENCENTCLOUD_SECRET_KEY to the SecretKey that belongs to TENCENTCLOUD_SECRET_ID/],
    ['AuthFailure.SecretIdNotFound', /does not know the SecretId in TENCENTCLOUD_SECRET_ID/],
    ['AuthFailure.InvalidSecretId', /does not know the SecretId/],
    ['AuthFailure.SignatureExpire', /synchronise this machine's clock/],
    ['AuthFailure.TokenFailure', /session token in targets.oceanus.token/],
    ['AuthFailure.UnauthorizedOperation', /not allowed to call oceanus:DescribeJobs/],
    ['UnauthorizedOperation', /QcloudOceanusFullAccess/],
    ['RequestLimitExceeded.UinLimitExceeded', /kept throttling DescribeJobs/],
    ['LimitExceeded.Job', /job quota/],
    ['LimitExceeded.JobConfig', /job 'uvpv-demo' has reached its limit of configuration versions/],
    ['ResourceInsufficient.CU', /cluster cluster-abc has not enough free CUs for parallelism 2/],
    ['ResourceNotFound.ClusterId', /no Oceanus cluster 'cluster-abc' in region ap-guangzhou/],
    ['InvalidParameterValue.CuMem', /cuMem 4 is not allowed/],
    ['FailedOperation.ParseSql', /Oceanus rejected the SQL/],
    ['InternalError.DB', /internal error on DescribeJobs/],
    ['NoSuchVersion', /does not serve the Oceanus API 2019-04-22/],
  ])('%s says what to do', (code, re) => {
    expect(message(code)).toMatch(re);
  });

  test('a code without advice shows the code and the API text', () => {
    expect(message('InvalidParameterValue.InvalidStartMode', 'RunJobs')).toBe(
      'Oceanus RunJobs failed: InvalidParameterValue.InvalidStartMode: text from the API',
    );
  });

  test('other errors pass through unchanged', () => {
    const e = new Error('bug');
    expect(explain(e, hints)).toBe(e);
  });
});
