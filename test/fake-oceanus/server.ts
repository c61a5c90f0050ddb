/**
 * A fake Oceanus API (2019-04-22) for tests: plain node:http on 127.0.0.1, ephemeral port.
 *
 * Like the real service it checks every request's TC3-HMAC-SHA256 signature (recomputed from the
 * request as received, with the secret key it was given), the service `oceanus` and the date in the
 * credential scope, the X-TC-Version / X-TC-Region / X-TC-Timestamp headers and the timestamp's
 * freshness, and each action's parameters (missing, unknown, wrongly typed). It keeps jobs with
 * their status codes (1 uninitialised, 2 unpublished, 3 in operation, 4 running, 5 stopped,
 * 6 paused, -1 failed) and configuration versions, with the SQL decoded from ProgramArgs.SqlCode.
 * Every RunJobs and StopJobs takes effect `lagPolls` DescribeJobs calls late (default 3: two polls
 * still show the state from before), then
 * takes `pollsToSettle` more to finish. Errors can be injected per action.
 * A pause leaves a savepoint of RecordType 3 (DescribeJobSavepoint lists it), which RunJobs can
 * start a job from (SavepointPath, SavepointId). A paused job can be stopped (StopType 1; whether
 * the real API takes that no public source says, see docs/oceanus-first-deploy.md): the stop takes
 * no savepoint, and the pause's stays listed.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseTc3Authorization, tc3Sign, utcDate } from '../../src/deploy/oceanus/sign';

export interface FakeOceanusOptions {
  secretId: string;
  secretKey: string;
  /** When set, requests must carry it as X-TC-Token. */
  token?: string;
  /** When set, the only region served. */
  region?: string;
  /** When set, the only clusters that exist. */
  clusterIds?: string[];
  /** DescribeJobs calls an operation (start, stop) stays "in operation" (default 1). */
  pollsToSettle?: number;
  /**
   * The DescribeJobs call after an accepted RunJobs or StopJobs at which it takes effect: the ones
   * before it still show the job's state from before the call (lagPolls - 1 of them), as an
   * asynchronous control plane's may.
   * Default: UVPV_FAKE_OCEANUS_LAG_POLLS, else {@link DEFAULT_LAG_POLLS}; 0 for none.
   */
  lagPolls?: number;
  /** Largest accepted distance of X-TC-Timestamp from now, in seconds (default 300). */
  maxSkewSeconds?: number;
  /** The built-in resources DescribeSystemResources lists (default: Kafka and Redis connectors). */
  systemResources?: FakeResource[];
  /** Clusters as DescribeClusters shows them (default: each of clusterIds, running, 8 free CUs). */
  clusters?: Partial<FakeCluster>[];
  /** Workspaces as DescribeWorkSpaces shows them (default: the default one). */
  workspaces?: { WorkSpaceId: string; Status: number }[];
  /** Actions this key may not call (CAM): answered with AuthFailure.UnauthorizedOperation. */
  denied?: string[];
  /** What a pause leaves: an active savepoint (default), a failed one, or none listed. */
  pauseSavepoint?: 'active' | 'failed' | 'none';
}

/** A savepoint as DescribeJobSavepoint lists it (the SDK models' `Savepoint`). */
export interface FakeSavepoint {
  Id: number;
  SerialId: string;
  VersionId: number;
  /** 1 active, 2 expired, 3 in progress, 4 failed, 5 timed out. */
  Status: number;
  CreateTime: number;
  UpdateTime: number;
  Path: string;
  Size: number;
  /** 1 savepoint, 2 checkpoint, 3 taken when stopping or pausing. */
  RecordType: number;
  JobRuntimeId: number;
  Description: string;
  Timeout: number;
  TimeConsuming: number;
  /** 1 usable, 2 not. */
  PathStatus: number;
}

export interface FakeResource {
  ResourceId: string;
  Name: string;
  LatestResourceConfigVersion: number;
  /** The connector identifier the JAR provides ('kafka', 'redis'). */
  provides: string;
  /** 1 (default): Oceanus provides it; 2: a user uploaded it. */
  SystemProvide?: number;
}

export interface FakeCluster {
  ClusterId: string;
  Region: string;
  Status: number;
  FreeCuNum: number;
  SupportedFlink: string[];
}

/**
 * How many polls every transition lags unless a test says otherwise: the fake is as slow to show
 * an operation as a real control plane may be, so every wait in the deployer is tested with lag.
 */
export const DEFAULT_LAG_POLLS = 3;

/** The lag a fake gets: the option, else UVPV_FAKE_OCEANUS_LAG_POLLS, else the default. */
export function lagPollsOf(opts: Pick<FakeOceanusOptions, 'lagPolls'>, env: NodeJS.ProcessEnv = process.env): number {
  if (opts.lagPolls !== undefined) return opts.lagPolls;
  const fromEnv = env.UVPV_FAKE_OCEANUS_LAG_POLLS;
  if (fromEnv === undefined || fromEnv === '') return DEFAULT_LAG_POLLS;
  const n = Number(fromEnv);
  if (!Number.isInteger(n) || n < 0) throw new Error(`UVPV_FAKE_OCEANUS_LAG_POLLS is ${fromEnv}; expected a whole number of polls`);
  return n;
}

/** The built-in connectors a fresh fake offers, as Oceanus lists system resources. */
export const BUILTIN_RESOURCES: FakeResource[] = [
  { ResourceId: 'resource-kafka011', Name: 'flink-connector-kafka-0.11', LatestResourceConfigVersion: 2, provides: 'kafka' },
  { ResourceId: 'resource-kafka', Name: 'flink-connector-kafka', LatestResourceConfigVersion: 5, provides: 'kafka' },
  { ResourceId: 'resource-redis', Name: 'flink-connector-redis', LatestResourceConfigVersion: 3, provides: 'redis' },
];

export type Injection =
  /** Answer with this `Response.Error`. */
  | { code: string; message?: string }
  /** Drop the connection without an answer, before or after carrying the request out. */
  | { network: 'before' | 'after' }
  /** RunJobs: accept, then let the job fail with this LastOpResult. */
  | { failRun: string }
  /** RunJobs: accept, then keep the job in operation for this many milliseconds before it runs. */
  | { lateRun: number }
  /** Run this first (another client acting meanwhile), then treat the request normally. */
  | { meanwhile: () => void };

export interface FakeConfig {
  Version: number;
  ProgramArgs: string;
  /** The SQL decoded from ProgramArgs.SqlCode. */
  sql: string;
  /** ProgramArgs.CheckpointInterval, seconds. */
  checkpointSeconds?: number;
  DefaultParallelism?: number;
  Properties: { Key: string; Value: string }[];
  ResourceRefs: { ResourceId: string; Version: number; Type: number }[];
  resources: { JobManagerCpu: number; JobManagerMem: number; TaskManagerCpu: number; TaskManagerMem: number };
  Remark?: string;
  /** Log collection and the bucket, as sent. */
  logs: { COSBucket?: string; LogCollect?: boolean; ClsLogsetId?: string; ClsTopicId?: string; LogCollectType?: number };
}

export interface FakeJob {
  JobId: string;
  Name: string;
  JobType: number;
  ClusterType: number;
  ClusterId: string;
  CuMem: number;
  FlinkVersion: string;
  WorkSpaceId: string;
  Status: number;
  LastOpResult: string;
  /** The versions the job still has (at most 100). */
  configs: FakeConfig[];
  /** The highest version number ever given, deleted ones included. */
  latestVersion: number;
  /** The version the job was last started with. */
  published?: number;
  pending?: { to: number; polls: number; lag: number; failure?: string; start: () => void; done?: () => void; until?: number };
  /** When the job last started running (ms). */
  startedAt?: number;
  runs: { RunType: number; JobConfigVersion: number; SavepointPath?: string; SavepointId?: string }[];
  stops: number[];
  /** The savepoints and checkpoints the job has, oldest first. */
  savepoints: FakeSavepoint[];
  /** The states DescribeJobs reported for the job, in order, each change once. */
  reported: number[];
}

export interface FakeRequest {
  action: string;
  params: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  /** The error code answered, if any. */
  error?: string;
  /** DescribeJobs: the state and published version of each job it answered with. */
  seen?: { Status: number; PublishedJobConfigVersion: number }[];
}

export interface FakeOceanus {
  url: string;
  port: number;
  state: { jobs: FakeJob[]; requests: FakeRequest[] };
  /** The next `times` calls of `action` get `injection` instead of the normal treatment. */
  inject(action: string, injection: Injection, times?: number): void;
  /** Creates a SQL job as another client would (default workspace, first known cluster). */
  addJob(name: string): FakeJob;
  close(): Promise<void>;
}

const STATUS_DESC: Record<number, string> = {
  1: 'uninitialized',
  2: 'unpublished',
  3: 'operating',
  4: 'running',
  5: 'stopped',
  6: 'paused',
  [-1]: 'failed',
};
const DEFAULT_WORKSPACE = 'space-default';

/** Top-level request fields per action, after the SDK models (anything else is UnknownParameter). */
const FIELDS: Record<string, string[]> = {
  DescribeJobs: ['JobIds', 'Filters', 'Offset', 'Limit', 'WorkSpaceId', 'ExtraResult', 'ConnectorOptions'],
  CreateJob: [
    'Name',
    'JobType',
    'ClusterType',
    'ClusterId',
    'CuMem',
    'Remark',
    'FolderId',
    'FlinkVersion',
    'WorkSpaceId',
    'Tags',
    'Description',
    'OpenJobDefaultAlarm',
    'Uid',
    'JdkVersion',
  ],
  CreateJobConfig: [
    'JobId',
    'EntrypointClass',
    'ProgramArgs',
    'Remark',
    'ResourceRefs',
    'DefaultParallelism',
    'Properties',
    'AutoDelete',
    'COSBucket',
    'LogCollect',
    'JobManagerSpec',
    'TaskManagerSpec',
    'ClsLogsetId',
    'ClsTopicId',
    'LogCollectType',
    'PythonVersion',
    'WorkSpaceId',
    'LogLevel',
    'AutoRecover',
    'ClazzLevels',
    'ExpertModeOn',
    'ExpertModeConfiguration',
    'TraceModeOn',
    'TraceModeConfiguration',
    'CheckpointRetainedNum',
    'JobGraph',
    'EsServerlessIndex',
    'EsServerlessSpace',
    'FlinkVersion',
    'JobManagerCpu',
    'JobManagerMem',
    'JdkVersion',
    'TaskManagerCpu',
    'TaskManagerMem',
    'UseOldSystemConnector',
    'ProgramArgsAfterGzip',
    'CheckpointTimeoutSecond',
    'CheckpointIntervalSecond',
    'VariableReplaceMode',
    'OperatorName',
    'ConfigScope',
    'StateCOSBucket',
  ],
  RunJobs: ['RunJobDescriptions', 'WorkSpaceId'],
  StopJobs: ['StopJobDescriptions', 'WorkSpaceId'],
};
FIELDS.DescribeJobConfigs = ['JobId', 'JobConfigVersions', 'Offset', 'Limit', 'Filters', 'OnlyDraft', 'WorkSpaceId'];
FIELDS.DescribeSystemResources = ['ResourceIds', 'Offset', 'Limit', 'Filters', 'ClusterId', 'FlinkVersion', 'WorkSpaceId'];
FIELDS.DescribeClusters = ['ClusterIds', 'Offset', 'Limit', 'OrderType', 'Filters', 'WorkSpaceId', 'ExtraResult'];
FIELDS.DescribeWorkSpaces = ['Offset', 'OrderType', 'Limit', 'Filters'];
FIELDS.DescribeJobSavepoint = ['JobId', 'Limit', 'Offset', 'WorkSpaceId', 'RecordTypes'];
/** Configuration versions a job keeps (CreateJobConfig's documentation). */
const MAX_VERSIONS = 100;
const RUN_FIELDS = [
  'JobId',
  'RunType',
  'StartMode',
  'JobConfigVersion',
  'SavepointPath',
  'SavepointId',
  'UseOldSystemConnector',
  'CustomTimestamp',
  'KafkaScanMode',
];
const STOP_FIELDS = ['JobId', 'StopType'];

/** An API error to answer with. */
class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Params = Record<string, unknown>;

function fields(where: string, value: unknown, allowed: string[], required: string[]): Params {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ApiError('InvalidParameter', `${where} must be an object`);
  const p = value as Params;
  const unknown = Object.keys(p).find((k) => !allowed.includes(k));
  if (unknown)
    throw new ApiError('UnknownParameter', `The parameter \`${where === 'body' ? '' : `${where}.`}${unknown}\` is not recognized.`);
  const missing = required.find((k) => p[k] === undefined || p[k] === null);
  if (missing) throw new ApiError('MissingParameter', `The request is missing a required parameter \`${missing}\`.`);
  return p;
}

/** A parameter of the API type: 'number' is an integer (int64, uint64), 'float' any number. */
function typed<T>(p: Params, key: string, type: 'string' | 'number' | 'float' | 'boolean' | 'array'): T | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  const ok =
    type === 'array'
      ? Array.isArray(v)
      : type === 'number'
        ? Number.isInteger(v)
        : type === 'float'
          ? typeof v === 'number' && Number.isFinite(v)
          : typeof v === type;
  if (!ok)
    throw new ApiError(
      'InvalidParameter',
      `The parameter \`${key}\` must be of type ${type === 'number' ? 'Integer' : type === 'float' ? 'Float' : type}.`,
    );
  return v as T;
}

/** A parameter the action requires: of the API type, and there. */
function given<T>(p: Params, key: string, type: 'string' | 'number' | 'float' | 'boolean' | 'array'): T {
  const v = typed<T>(p, key, type);
  if (v === undefined) throw new ApiError('MissingParameter', `The request is missing a required parameter \`${key}\`.`);
  return v;
}

export async function startFakeOceanus(opts: FakeOceanusOptions): Promise<FakeOceanus> {
  const jobs: FakeJob[] = [];
  const requests: FakeRequest[] = [];
  const injections: { action: string; injection: Injection; times: number }[] = [];
  const pollsToSettle = opts.pollsToSettle ?? 1;
  const lagPolls = lagPollsOf(opts);
  const systemResources = opts.systemResources ?? BUILTIN_RESOURCES;
  const clusters: FakeCluster[] = (opts.clusters ?? (opts.clusterIds ?? []).map((ClusterId): Partial<FakeCluster> => ({ ClusterId }))).map(
    (c) => ({
      ClusterId: c.ClusterId ?? 'cluster-any',
      Region: c.Region ?? opts.region ?? 'ap-guangzhou',
      Status: c.Status ?? 2,
      FreeCuNum: c.FreeCuNum ?? 8,
      SupportedFlink: c.SupportedFlink ?? ['Flink-1.13', 'Flink-1.16', 'Flink-1.18'],
    }),
  );
  const workspaces = opts.workspaces ?? [{ WorkSpaceId: DEFAULT_WORKSPACE, Status: 2 }];

  /** A started SQL job without the connector JAR one of its tables names fails, as Oceanus's INSERT page says. */
  const missingFactory = (config: FakeConfig): string | undefined => {
    const provided = new Set(config.ResourceRefs.map((r) => systemResources.find((x) => x.ResourceId === r.ResourceId)?.provides));
    const used = [...config.sql.matchAll(/'connector' = '([^']+)'/g)].map((m) => m[1]);
    const lacking = used.find((c) => !provided.has(c));
    return (
      lacking &&
      `org.apache.flink.table.api.ValidationException: Could not find any factory for identifier '${lacking}' that implements 'org.apache.flink.table.factories.DynamicTableFactory' in the classpath.`
    );
  };
  let port = 0;

  const takeInjection = (action: string): Injection | undefined => {
    const i = injections.find((x) => x.action === action && x.times > 0);
    if (!i) return undefined;
    i.times--;
    return i.injection;
  };

  const jobById = (id: unknown, workspace: string): FakeJob => {
    const job = jobs.find((j) => j.JobId === id && j.WorkSpaceId === workspace);
    if (!job) throw new ApiError('ResourceNotFound.Job', `Job ${String(id)} does not exist.`);
    return job;
  };

  const settle = (job: FakeJob) => {
    if (!job.pending) return;
    if (job.pending.lag > 0) {
      // Not yet taken effect: the job still shows its state from before the operation.
      if (--job.pending.lag === 0) job.pending.start();
      return;
    }
    if (job.pending.polls > 0) {
      job.pending.polls--;
      return;
    }
    if (job.pending.until !== undefined && Date.now() < job.pending.until) return;
    job.Status = job.pending.to;
    job.LastOpResult = job.pending.failure ?? '';
    const done = job.pending.done;
    job.pending = undefined;
    done?.();
  };

  /** An operation: it takes effect (now, or after `lagPolls` polls), stays in operation, then ends in `to`. */
  const operate = (job: FakeJob, to: number, failure?: string, effect?: () => void, done?: () => void) => {
    const start = () => {
      job.Status = 3;
      job.LastOpResult = '';
      effect?.();
    };
    const lag = lagPolls;
    if (lag === 0) start();
    const pending: NonNullable<FakeJob['pending']> = { to, polls: pollsToSettle, lag, failure, start, done };
    job.pending = pending;
    return pending;
  };

  let savepointIds = 0;
  const hex = (n: number) => randomUUID().replace(/-/g, '').slice(0, n);
  /** The savepoint a pause takes, with a path shaped like the documented examples' (cosn://…/flink-savepoints/savepoint-…). */
  const pauseSavepoint = (job: FakeJob) => {
    const kind = opts.pauseSavepoint ?? 'active';
    if (kind === 'none') return;
    const now = Date.now();
    const runtime = job.runs.length;
    job.savepoints.push({
      Id: ++savepointIds,
      SerialId: `svp-${hex(8)}`,
      VersionId: job.published ?? 0,
      Status: kind === 'failed' ? 4 : 1,
      CreateTime: now,
      UpdateTime: now,
      Path: `cosn://${job.ClusterId}-1250000000/1250000000/100000000001/${job.JobId}/${runtime}/flink-savepoints/savepoint-${hex(6)}-${hex(12)}`,
      Size: 4096,
      RecordType: 3,
      JobRuntimeId: runtime,
      Description: '',
      Timeout: 0,
      TimeConsuming: 1,
      PathStatus: 1,
    });
  };

  const describeJob = (j: FakeJob) => {
    if (j.reported.at(-1) !== j.Status) j.reported.push(j.Status);
    return describeJobFields(j);
  };
  const describeJobFields = (j: FakeJob) => ({
    JobId: j.JobId,
    Region: opts.region ?? 'ap-guangzhou',
    Name: j.Name,
    JobType: j.JobType,
    Status: j.Status,
    StatusDesc: STATUS_DESC[j.Status],
    LastOpResult: j.LastOpResult,
    ClusterId: j.ClusterId,
    CuMem: j.CuMem,
    FlinkVersion: j.FlinkVersion,
    WorkSpaceId: j.WorkSpaceId,
    LatestJobConfigVersion: j.latestVersion,
    LatestValidJobConfigVersion: Math.max(0, ...j.configs.map((c) => c.Version)),
    // -1 for a job never published, as DescribeJobs' documented example shows.
    PublishedJobConfigVersion: j.published ?? -1,
    ...(j.startedAt ? { StartTime: new Date(j.startedAt).toISOString().replace('T', ' ').slice(0, 19) } : {}),
    ...(j.Status === 4 && j.startedAt
      ? { CurrentRunMillis: Date.now() - j.startedAt, WebUIUrl: `http://127.0.0.1:${port}/flinkui/${j.ClusterId}/${j.JobId}/` }
      : {}),
  });

  const actions: Record<string, (p: Params, injected?: Injection) => Params> = {
    DescribeJobs(p) {
      const workspace = typed<string>(p, 'WorkSpaceId', 'string') ?? DEFAULT_WORKSPACE;
      const ids = typed<string[]>(p, 'JobIds', 'array');
      const filters = typed<{ Name: string; Values: string[] }[]>(p, 'Filters', 'array');
      if (ids && filters) throw new ApiError('InvalidParameter', 'JobIds and Filters cannot be specified at the same time.');
      const limit = typed<number>(p, 'Limit', 'number') ?? 20;
      const offset = typed<number>(p, 'Offset', 'number') ?? 0;
      if (limit < 1 || limit > 100) throw new ApiError('InvalidParameterValue.InvalidLimit', 'Limit must be between 1 and 100.');
      if (filters && filters.length > 5) throw new ApiError('InvalidParameter', 'At most 5 filters.');
      let found = jobs.filter((j) => j.WorkSpaceId === workspace);
      if (ids) found = found.filter((j) => ids.includes(j.JobId));
      for (const f of filters ?? []) {
        const filter = fields('Filters', f, ['Name', 'Values'], ['Name', 'Values']);
        const values = typed<string[]>(filter, 'Values', 'array') ?? [];
        const predicates: Record<string, (j: FakeJob) => boolean> = {
          // Matches by substring, so that clients must check the name themselves.
          Name: (j) => values.some((v) => j.Name.includes(v)),
          Status: (j) => values.includes(String(j.Status)),
          ClusterId: (j) => values.includes(j.ClusterId),
          JobId: (j) => values.includes(j.JobId),
        };
        const match = predicates[String(filter.Name)];
        if (!match) throw new ApiError('InvalidParameterValue', `Unsupported filter ${String(filter.Name)}.`);
        found = found.filter(match);
      }
      found.forEach(settle);
      const set = found.slice(offset, offset + limit).map(describeJob);
      const record = requests.at(-1);
      if (record) record.seen = set.map((j) => ({ Status: j.Status, PublishedJobConfigVersion: j.PublishedJobConfigVersion }));
      return { TotalCount: found.length, JobSet: set };
    },

    CreateJob(p) {
      const name = given<string>(p, 'Name', 'string');
      const jobType = given<number>(p, 'JobType', 'number');
      const clusterType = given<number>(p, 'ClusterType', 'number');
      const clusterId = typed<string>(p, 'ClusterId', 'string');
      const cuMem = typed<number>(p, 'CuMem', 'number') ?? 4;
      const workspace = typed<string>(p, 'WorkSpaceId', 'string') ?? DEFAULT_WORKSPACE;
      if (!/^[\p{L}\p{N}_.-]{1,49}$/u.test(name)) throw new ApiError('InvalidParameterValue.JobName', `Illegal JobName ${name}.`);
      if (![1, 2].includes(jobType)) throw new ApiError('InvalidParameterValue.Type', 'JobType must be 1 (SQL) or 2 (JAR).');
      if (![1, 2].includes(clusterType)) throw new ApiError('InvalidParameterValue', 'ClusterType must be 1 or 2.');
      if (clusterType === 2 && !clusterId)
        throw new ApiError('InvalidParameterValue.ClusterId', 'ClusterId is required when ClusterType is 2.');
      if (clusterId && opts.clusterIds && !opts.clusterIds.includes(clusterId)) {
        throw new ApiError('ResourceNotFound.ClusterId', `Cluster ${clusterId} does not exist.`);
      }
      if (![2, 4, 8, 16].includes(cuMem)) throw new ApiError('InvalidParameterValue.CuMem', `CuMem ${cuMem} is not supported.`);
      if (jobs.some((j) => j.Name === name && j.WorkSpaceId === workspace)) {
        throw new ApiError('InvalidParameterValue.JobNameExisted', `Job name ${name} already exists.`);
      }
      const job: FakeJob = {
        JobId: `cql-${randomUUID().replace(/-/g, '').slice(0, 8)}`,
        Name: name,
        JobType: jobType,
        ClusterType: clusterType,
        ClusterId: clusterId ?? 'cluster-shared',
        CuMem: cuMem,
        FlinkVersion: typed<string>(p, 'FlinkVersion', 'string') ?? 'Flink-1.13',
        WorkSpaceId: workspace,
        Status: 1,
        LastOpResult: '',
        configs: [],
        latestVersion: 0,
        runs: [],
        stops: [],
        savepoints: [],
        reported: [],
      };
      jobs.push(job);
      return { JobId: job.JobId };
    },

    CreateJobConfig(p) {
      const job = jobById(p.JobId, typed<string>(p, 'WorkSpaceId', 'string') ?? DEFAULT_WORKSPACE);
      const programArgs = typed<string>(p, 'ProgramArgs', 'string') ?? '';
      const parallelism = typed<number>(p, 'DefaultParallelism', 'number');
      if (parallelism !== undefined && parallelism < 1) throw new ApiError('InvalidParameterValue', 'DefaultParallelism must be positive.');
      const properties = (typed<unknown[]>(p, 'Properties', 'array') ?? []).map((x) => {
        const prop = fields('Properties', x, ['Key', 'Value'], ['Key', 'Value']);
        return { Key: given<string>(prop, 'Key', 'string'), Value: given<string>(prop, 'Value', 'string') };
      });
      const refs = (typed<unknown[]>(p, 'ResourceRefs', 'array') ?? []).map((x) => {
        const ref = fields('ResourceRefs', x, ['ResourceId', 'Version', 'Type'], ['ResourceId', 'Version', 'Type']);
        const r = {
          ResourceId: given<string>(ref, 'ResourceId', 'string'),
          Version: given<number>(ref, 'Version', 'number'),
          Type: given<number>(ref, 'Type', 'number'),
        };
        if (![0, 1, 2, 3, 4].includes(r.Type)) throw new ApiError('InvalidParameterValue', `ResourceRef Type ${r.Type} is not supported.`);
        const known = systemResources.find((x) => x.ResourceId === r.ResourceId);
        if (!known) throw new ApiError('ResourceNotFound.Resource', `Resource ${r.ResourceId} does not exist.`);
        if (r.Version !== -1 && (r.Version < 1 || r.Version > known.LatestResourceConfigVersion))
          throw new ApiError('ResourceNotFound.ResourceConfig', `Resource ${r.ResourceId} has no version ${r.Version}.`);
        return r;
      });
      // The documented SQL example sets the JobManager's and TaskManagers' cores and memory.
      const size = Object.fromEntries(
        (['JobManagerCpu', 'JobManagerMem', 'TaskManagerCpu', 'TaskManagerMem'] as const).map((k) => {
          const v = typed<number>(p, k, 'float');
          if (v === undefined || v <= 0)
            throw new ApiError('InvalidParameterValue', `${k} must be set to a positive number for a SQL job.`);
          return [k, v];
        }),
      ) as FakeConfig['resources'];
      if (![0.5, 1, 2].includes(size.JobManagerCpu) || ![0.5, 1, 2].includes(size.TaskManagerCpu)) {
        throw new ApiError('InvalidParameterValue', 'JobManagerCpu and TaskManagerCpu take 0.5, 1 or 2.');
      }
      const logs: FakeConfig['logs'] = {
        COSBucket: typed<string>(p, 'COSBucket', 'string'),
        LogCollect: typed<boolean>(p, 'LogCollect', 'boolean'),
        ClsLogsetId: typed<string>(p, 'ClsLogsetId', 'string'),
        ClsTopicId: typed<string>(p, 'ClsTopicId', 'string'),
        LogCollectType: typed<number>(p, 'LogCollectType', 'number'),
      };
      if (logs.LogCollectType !== undefined && ![2, 3].includes(logs.LogCollectType))
        throw new ApiError('InvalidParameterValue', `LogCollectType ${logs.LogCollectType} is not 2 (CLS) or 3 (COS).`);
      if (logs.LogCollectType === 2 && !logs.ClsLogsetId)
        throw new ApiError('InvalidParameterValue', 'LogCollectType 2 (CLS) needs ClsLogsetId.');
      let sql = '';
      let checkpointSeconds: number | undefined;
      if (job.JobType === 1) {
        if (p.EntrypointClass !== undefined) {
          throw new ApiError('InvalidParameterValue.JobTypeCombineWithEntrypointClass', 'A SQL job cannot have an EntrypointClass.');
        }
        const args = sqlArgs(programArgs);
        sql = args.sql;
        checkpointSeconds = args.checkpointSeconds;
        const comment = sqlComment(sql);
        // Oceanus's SET page: a SET statement takes no comments; the service's SQL check refuses them.
        if (comment)
          throw new ApiError(
            'FailedOperation.GrammarCheckFailure',
            `SQL grammar check failed: comment at line ${comment.line} ('${comment.text}').`,
          );
      }
      if (job.configs.length >= MAX_VERSIONS) {
        if (typed<number>(p, 'AutoDelete', 'number') !== 1)
          throw new ApiError('LimitExceeded.JobConfig', `Job ${job.JobId} already has ${MAX_VERSIONS} configuration versions.`);
        const oldest = job.configs.findIndex((c) => c.Version !== job.published);
        job.configs.splice(oldest, 1);
      }
      job.latestVersion++;
      const config: FakeConfig = {
        Version: job.latestVersion,
        ProgramArgs: programArgs,
        sql,
        checkpointSeconds,
        DefaultParallelism: parallelism,
        Properties: properties,
        ResourceRefs: refs,
        resources: size,
        Remark: typed<string>(p, 'Remark', 'string'),
        logs,
      };
      job.configs.push(config);
      if (job.Status === 1) job.Status = 2;
      return { Version: config.Version };
    },

    DescribeJobConfigs(p) {
      const job = jobById(p.JobId, typed<string>(p, 'WorkSpaceId', 'string') ?? DEFAULT_WORKSPACE);
      const versions = typed<number[]>(p, 'JobConfigVersions', 'array');
      const limit = typed<number>(p, 'Limit', 'number') ?? 20;
      if (limit < 1 || limit > 100) throw new ApiError('InvalidParameterValue.InvalidLimit', 'Limit must be between 1 and 100.');
      const found = job.configs.filter((c) => !versions || versions.includes(c.Version)).reverse();
      const offset = typed<number>(p, 'Offset', 'number') ?? 0;
      return {
        TotalCount: found.length,
        JobConfigSet: found.slice(offset, offset + limit).map((c) => ({
          JobId: job.JobId,
          Version: c.Version,
          ProgramArgs: c.ProgramArgs,
          Remark: c.Remark ?? '',
          DefaultParallelism: c.DefaultParallelism,
        })),
      };
    },

    DescribeSystemResources(p) {
      const limit = typed<number>(p, 'Limit', 'number') ?? 20;
      const clusterId = typed<string>(p, 'ClusterId', 'string');
      if (clusterId && !clusters.some((c) => c.ClusterId === clusterId))
        throw new ApiError('ResourceNotFound.ClusterId', `Cluster ${clusterId} does not exist.`);
      const set = systemResources.map((r) => ({
        ResourceId: r.ResourceId,
        Name: r.Name,
        ResourceType: 1,
        LatestResourceConfigVersion: r.LatestResourceConfigVersion,
        SystemProvide: r.SystemProvide ?? 1,
      }));
      return { TotalCount: set.length, ResourceSet: set.slice(0, limit) };
    },

    DescribeClusters(p) {
      const ids = typed<string[]>(p, 'ClusterIds', 'array');
      const found = clusters.filter((c) => !ids || ids.includes(c.ClusterId));
      return {
        TotalCount: found.length,
        ClusterSet: found.map((c) => ({
          ClusterId: c.ClusterId,
          Region: c.Region,
          Status: c.Status,
          StatusDesc: c.Status === 2 ? 'running' : 'initializing',
          FreeCuNum: c.FreeCuNum,
          FreeCu: c.FreeCuNum,
          Version: { Flink: c.SupportedFlink.at(-1), SupportedFlink: c.SupportedFlink },
        })),
      };
    },

    DescribeWorkSpaces() {
      const set = workspaces.map((w) => ({
        WorkSpaceId: w.WorkSpaceId,
        SerialId: w.WorkSpaceId,
        WorkSpaceName: w.WorkSpaceId,
        Status: w.Status,
      }));
      return { TotalCount: set.length, WorkSpaceSetItem: set };
    },

    DescribeJobSavepoint(p) {
      const job = jobById(typed<string>(p, 'JobId', 'string'), typed<string>(p, 'WorkSpaceId', 'string') ?? DEFAULT_WORKSPACE);
      const limit = given<number>(p, 'Limit', 'number');
      const offset = given<number>(p, 'Offset', 'number');
      if (limit < 1) throw new ApiError('InvalidParameterValue', 'Limit must be positive.');
      if (offset < 0) throw new ApiError('InvalidParameterValue', 'Offset must not be negative.');
      const types = typed<unknown[]>(p, 'RecordTypes', 'array');
      for (const t of types ?? []) {
        if (!Number.isInteger(t) || ![1, 2, 3].includes(t as number))
          throw new ApiError('InvalidParameterValue', `RecordTypes holds ${JSON.stringify(t)}; 1, 2 or 3.`);
      }
      const found = job.savepoints.filter((s) => !types?.length || types.includes(s.RecordType));
      // Oldest first: the documentation promises no order, so clients must not take the first for the newest.
      return { TotalNumber: found.length, Savepoint: found.slice(offset, offset + limit), RunningSavepoint: [], RunningTotalNumber: 0 };
    },

    RunJobs(p, injected) {
      const workspace = typed<string>(p, 'WorkSpaceId', 'string') ?? DEFAULT_WORKSPACE;
      const descriptions = given<unknown[]>(p, 'RunJobDescriptions', 'array');
      if (descriptions.length === 0 || descriptions.length > 20)
        throw new ApiError('InvalidParameterValue.RunJobDescriptionsCount', 'Between 1 and 20 jobs.');
      for (const d of descriptions) {
        const desc = fields('RunJobDescriptions', d, RUN_FIELDS, ['JobId', 'RunType']);
        const job = jobById(desc.JobId, workspace);
        const runType = given<number>(desc, 'RunType', 'number');
        if (![1, 2].includes(runType)) throw new ApiError('InvalidParameterValue.RunType', `RunType ${runType} is not supported.`);
        const version = typed<number>(desc, 'JobConfigVersion', 'number') ?? job.configs.length;
        const config = job.configs.find((c) => c.Version === version);
        if (!config) throw new ApiError('ResourceNotFound.JobConfig', `Job config version ${version} does not exist.`);
        if (job.pending || job.Status === 3 || job.Status === 4)
          throw new ApiError('ResourceInUse.InstanceInProcess', `Job ${job.JobId} is running or in operation; stop or pause it first.`);
        if (runType === 2 && job.Status !== 6)
          throw new ApiError('FailedOperation', `Job ${job.JobId} is not paused and cannot be resumed.`);
        const savepointPath = typed<string>(desc, 'SavepointPath', 'string');
        const savepointId = typed<string>(desc, 'SavepointId', 'string');
        if (savepointId !== undefined) {
          // An id names one of the job's savepoints; with a path too, the same one.
          const named = job.savepoints.find((s) => s.SerialId === savepointId);
          if (!named) throw new ApiError('ResourceNotFound', `Savepoint ${savepointId} of job ${job.JobId} does not exist.`);
          if (savepointPath !== undefined && named.Path !== savepointPath)
            throw new ApiError('InvalidParameterValue', `Savepoint ${savepointId} is not at ${savepointPath}.`);
          if (named.Status !== 1 || named.PathStatus !== 1)
            throw new ApiError('FailedOperation', `Savepoint ${savepointId} cannot be used (status ${named.Status}).`);
        }
        job.runs.push({ RunType: runType, JobConfigVersion: version, SavepointPath: savepointPath, SavepointId: savepointId });
        // The accepted version shows at once, while the state still lags (as a control plane that
        // records the request before it acts may): a client cannot take it for the run's outcome.
        job.published = version;
        const failure = (injected && 'failRun' in injected ? injected.failRun : undefined) ?? missingFactory(config);
        const pending = operate(job, failure ? -1 : 4, failure, () => {
          job.startedAt = Date.now();
        });
        if (injected && 'lateRun' in injected) pending.until = Date.now() + injected.lateRun;
      }
      return {};
    },

    StopJobs(p) {
      const workspace = typed<string>(p, 'WorkSpaceId', 'string') ?? DEFAULT_WORKSPACE;
      const descriptions = given<unknown[]>(p, 'StopJobDescriptions', 'array');
      if (descriptions.length === 0) throw new ApiError('InvalidParameterValue', 'StopJobDescriptions is empty.');
      for (const d of descriptions) {
        const desc = fields('StopJobDescriptions', d, STOP_FIELDS, STOP_FIELDS);
        const job = jobById(desc.JobId, workspace);
        const stopType = given<number>(desc, 'StopType', 'number');
        if (![1, 2].includes(stopType)) throw new ApiError('InvalidParameterValue.UnknownStopType', `StopType ${stopType} is unknown.`);
        // A running job can be stopped or paused; a paused one only stopped.
        const from = stopType === 1 ? [4, 6] : [4];
        if (job.pending || !from.includes(job.Status))
          throw new ApiError(
            'ResourceUnavailable.NotAllowedToBeStopOrPause',
            `Job ${job.JobId} is not running${stopType === 1 ? ' or paused' : ''}.`,
          );
        job.stops.push(stopType);
        operate(job, stopType === 2 ? 6 : 5, undefined, undefined, stopType === 2 ? () => pauseSavepoint(job) : undefined);
      }
      return {};
    },
  };

  const REQUIRED: Record<string, string[]> = {
    DescribeJobs: [],
    DescribeJobConfigs: ['JobId'],
    DescribeSystemResources: [],
    DescribeClusters: [],
    DescribeWorkSpaces: [],
    // Required, as the API documentation (849/74226) lists them.
    DescribeJobSavepoint: ['JobId', 'Limit', 'Offset'],
    CreateJob: ['Name', 'JobType', 'ClusterType'],
    CreateJobConfig: ['JobId'],
    RunJobs: ['RunJobDescriptions'],
    StopJobs: ['StopJobDescriptions'],
  };

  /** Checks method, headers and signature; returns the action. */
  const authenticate = (req: IncomingMessage, body: string): string => {
    const h = req.headers;
    const header = (name: string) => (Array.isArray(h[name]) ? h[name][0] : h[name]);
    if (req.method !== 'POST' || req.url !== '/') throw new ApiError('UnsupportedProtocol', 'POST / only.');
    if (!/^application\/json(;|$)/.test(header('content-type') ?? ''))
      throw new ApiError('InvalidParameter', 'Content-Type must be application/json.');
    const action = header('x-tc-action') ?? '';
    if (!action) throw new ApiError('MissingParameter', 'The request is missing a required parameter `Action`.');
    if (!(action in actions)) throw new ApiError('InvalidAction', `The action \`${action}\` does not exist.`);
    if (header('x-tc-version') !== '2019-04-22')
      throw new ApiError('NoSuchVersion', `The version \`${header('x-tc-version') ?? ''}\` does not exist.`);
    const region = header('x-tc-region');
    if (!region) throw new ApiError('MissingParameter', 'The request is missing a required parameter `Region`.');
    if (opts.region && region !== opts.region) throw new ApiError('UnsupportedRegion', `Region ${region} is not supported.`);
    const timestamp = Number(header('x-tc-timestamp'));
    if (!Number.isInteger(timestamp)) throw new ApiError('MissingParameter', 'The request is missing a required parameter `Timestamp`.');
    if (Math.abs(Date.now() / 1000 - timestamp) > (opts.maxSkewSeconds ?? 300)) {
      throw new ApiError('AuthFailure.SignatureExpire', 'Signature expired. Timestamp is more than 5 minutes from the server time.');
    }
    const auth = parseTc3Authorization(header('authorization') ?? '');
    if (!auth || auth.terminator !== 'tc3_request')
      throw new ApiError('AuthFailure.InvalidAuthorization', 'Authorization header is malformed.');
    if (auth.secretId !== opts.secretId) {
      // Echoes the SecretId like a careless service might, so that tests see it redacted.
      throw new ApiError(
        'AuthFailure.SecretIdNotFound',
        `The SecretId ${auth.secretId} is not found, please ensure that your SecretId is correct.`,
      );
    }
    if (auth.service !== 'oceanus')
      throw new ApiError('AuthFailure.InvalidAuthorization', `Credential scope service ${auth.service} is not oceanus.`);
    if (auth.date !== utcDate(timestamp))
      throw new ApiError('AuthFailure.InvalidAuthorization', 'Credential scope date does not match X-TC-Timestamp.');
    if (!auth.signedHeaders.includes('content-type') || !auth.signedHeaders.includes('host')) {
      throw new ApiError('AuthFailure.InvalidAuthorization', 'SignedHeaders must include content-type and host.');
    }
    if (header('host') !== `127.0.0.1:${port}`)
      throw new ApiError('AuthFailure.SignatureFailure', `Host ${header('host') ?? ''} is not this endpoint.`);
    const signed: Record<string, string> = {};
    for (const name of auth.signedHeaders) {
      const value = header(name);
      if (value === undefined) throw new ApiError('AuthFailure.InvalidAuthorization', `Signed header ${name} is missing.`);
      signed[name] = value;
    }
    const expected = tc3Sign({
      secretId: opts.secretId,
      secretKey: opts.secretKey,
      service: 'oceanus',
      timestamp,
      payload: body,
      headers: signed,
    });
    if (expected.signature !== auth.signature) {
      throw new ApiError(
        'AuthFailure.SignatureFailure',
        'The provided credentials could not be validated. Please check your signature is correct.',
      );
    }
    const token = header('x-tc-token');
    if ((opts.token ?? '') !== (token ?? '')) throw new ApiError('AuthFailure.TokenFailure', 'The token is invalid or expired.');
    if (opts.denied?.includes(action)) {
      throw new ApiError(
        'AuthFailure.UnauthorizedOperation',
        `you are not authorized to perform operation (oceanus:${action}) on resource (qcs::oceanus:${region}:uin/1000000001:*).`,
      );
    }
    return action;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const requestId = randomUUID();
    const record: FakeRequest = { action: String(req.headers['x-tc-action'] ?? ''), params: {}, headers: req.headers };
    requests.push(record);
    const answer = (response: Params) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ Response: { ...response, RequestId: requestId } }));
    };
    try {
      const action = authenticate(req, body);
      let params: Params;
      try {
        params = JSON.parse(body) as Params;
      } catch {
        throw new ApiError('InvalidParameter', 'The request body is not valid JSON.');
      }
      record.params = fields('body', params, FIELDS[action], REQUIRED[action]);
      const injected = takeInjection(action);
      if (injected && 'meanwhile' in injected) injected.meanwhile();
      if (injected && 'code' in injected) throw new ApiError(injected.code, injected.message ?? `Injected ${injected.code}.`);
      if (injected && 'network' in injected && injected.network === 'before') {
        record.error = 'network';
        req.socket.destroy();
        return;
      }
      const result = actions[action](params, injected);
      if (injected && 'network' in injected) {
        record.error = 'network';
        req.socket.destroy();
        return;
      }
      answer(result);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      record.error = e.code;
      answer({ Error: { Code: e.code, Message: e.message } });
    }
  };

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state: { jobs, requests },
    inject(action, injection, times = 1) {
      injections.push({ action, injection, times });
    },
    addJob(name) {
      const { JobId } = actions.CreateJob({ Name: name, JobType: 1, ClusterType: 2, ClusterId: opts.clusterIds?.[0] ?? 'cluster-any' });
      const job = jobs.find((j) => j.JobId === JobId);
      if (!job) throw new Error(`CreateJob made no job ${String(JobId)}`);
      return job;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The first `--` or `/* ... *\/` comment outside string literals and quoted identifiers. */
export function sqlComment(sql: string): { line: number; text: string } | undefined {
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (quote) {
      if (c === quote) {
        if (sql[i + 1] === quote)
          i++; // '' inside a string, `` inside an identifier
        else quote = undefined;
      }
      continue;
    }
    if (c === "'" || c === '`' || c === '"') quote = c;
    else if ((c === '-' && sql[i + 1] === '-') || (c === '/' && sql[i + 1] === '*')) {
      const line = sql.slice(0, i).split('\n').length;
      return { line, text: sql.slice(i, sql.indexOf('\n', i) === -1 ? undefined : sql.indexOf('\n', i)).slice(0, 60) };
    }
  }
  return undefined;
}

/**
 * A SQL configuration's ProgramArgs as the documented example has them: JSON with the checkpoint
 * interval (seconds), the base64 of the variables metadata, and the base64 of the SQL.
 */
function sqlArgs(programArgs: string): { sql: string; checkpointSeconds: number } {
  let args: Record<string, unknown>;
  try {
    args = JSON.parse(programArgs) as Record<string, unknown>;
  } catch {
    throw new ApiError('InternalError.SqlCodeNotFound', 'ProgramArgs of a SQL job must be JSON with SqlCode, the base64 of the SQL.');
  }
  const isBase64 = (v: unknown): v is string => typeof v === 'string' && v !== '' && Buffer.from(v, 'base64').toString('base64') === v;
  if (!isBase64(args.SqlCode))
    throw new ApiError('InternalError.SqlCodeNotFound', 'ProgramArgs of a SQL job must be JSON with SqlCode, the base64 of the SQL.');
  const interval = args.CheckpointInterval;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 30 || interval > 3600) {
    throw new ApiError(
      'UnsupportedOperation.InvalidCheckpointIntervalError',
      'ProgramArgs.CheckpointInterval must be whole seconds from 30 to 3600.',
    );
  }
  let metadata: { Metadata?: { ReferenceTables?: unknown; Variables?: unknown } } | undefined;
  try {
    metadata = isBase64(args.Metadata) ? (JSON.parse(Buffer.from(args.Metadata, 'base64').toString('utf8')) as typeof metadata) : undefined;
  } catch {
    metadata = undefined;
  }
  if (!Array.isArray(metadata?.Metadata?.ReferenceTables) || !Array.isArray(metadata?.Metadata?.Variables)) {
    throw new ApiError(
      'InvalidParameterValue',
      'ProgramArgs.Metadata must be the base64 of {"Metadata":{"ReferenceTables":[],"Variables":[]}}.',
    );
  }
  const unknown = Object.keys(args).find((k) => !['CheckpointInterval', 'Metadata', 'SqlCode'].includes(k));
  if (unknown) throw new ApiError('InvalidParameterValue', `ProgramArgs.${unknown} is not recognized.`);
  return { sql: Buffer.from(args.SqlCode, 'base64').toString('utf8'), checkpointSeconds: interval };
}
