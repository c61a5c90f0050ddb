/**
 * Oceanus job operations on top of the client: find a job by name, create it at most once, upload
 * a configuration version, start / stop it and wait for the outcome. The request parameters are
 * built by the `…Params` functions, which `--dry-run` prints as they are.
 */
import { createHash } from 'node:crypto';
import { RuntimeFailure } from '../../errors';
import { CONNECTORS } from '../../sql/compiler';
import type { OceanusTarget } from '../../pipeline/types';
import type { Progress } from '../../io/progress';
import type { JobState } from '../deployer';
import {
  AUTO_DELETE,
  CONSOLE_JOBS_URL,
  MAX_CONFIG_VERSIONS,
  DEDICATED_CLUSTER,
  JobStatus,
  jobState,
  LogCollectType,
  publishedVersion,
  RunType,
  SQL_JOB,
  SYSTEM_PROVIDED,
  sqlProgramArgs,
  StopType,
  type CreateJobConfigRequest,
  type CreateJobConfigResponse,
  type CreateJobRequest,
  type CreateJobResponse,
  type DescribeJobsRequest,
  type DescribeJobConfigsRequest,
  type DescribeJobConfigsResponse,
  type DescribeJobSavepointRequest,
  type DescribeJobSavepointResponse,
  type JobConfig,
  RecordType,
  type Savepoint,
  type DescribeJobsResponse,
  type DescribeSystemResourcesRequest,
  type DescribeSystemResourcesResponse,
  type ResourceRef,
  type SystemResourceItem,
  type JobV1,
  type RunJobsRequest,
  type StopJobsRequest,
} from './api';
import type { OceanusClient } from './client';
import { OceanusApiError } from './errors';

const workspace = (t: OceanusTarget) => (t.workspaceId ? { WorkSpaceId: t.workspaceId } : {});

export function findParams(t: OceanusTarget, name: string): DescribeJobsRequest {
  return { Filters: [{ Name: 'Name', Values: [name] }], Offset: 0, Limit: 100, ...workspace(t) };
}

export function createJobParams(t: OceanusTarget, name: string): CreateJobRequest {
  return {
    Name: name,
    JobType: SQL_JOB,
    ClusterType: DEDICATED_CLUSTER,
    ClusterId: t.clusterId,
    CuMem: t.cuMem,
    FlinkVersion: t.flinkVersion,
    Remark: 'managed by uvpv',
    ...workspace(t),
  };
}

/** What a configuration version carries besides the target's settings. */
export interface ConfigInput {
  /** The SQL, without comments. */
  sql: string;
  checkpointSeconds: number;
  resourceRefs: ResourceRef[];
}

/**
 * A configuration version as the API's documented SQL example builds one: the code, checkpoint
 * interval and metadata in ProgramArgs, the referenced resources, and the JobManager's and each
 * TaskManager's cores and memory (a CU is 1 core and `cuMem` GB).
 */
export function configParams(t: OceanusTarget, jobId: string, input: ConfigInput): CreateJobConfigRequest {
  const body = {
    JobId: jobId,
    ProgramArgs: sqlProgramArgs(input.sql, input.checkpointSeconds),
    ResourceRefs: input.resourceRefs,
    DefaultParallelism: t.parallelism,
    Properties: Object.entries(t.properties).map(([Key, Value]) => ({ Key, Value })),
    AutoDelete: AUTO_DELETE,
    JobManagerCpu: t.jobManagerCu,
    JobManagerMem: t.jobManagerCu * t.cuMem,
    TaskManagerCpu: t.taskManagerCu,
    TaskManagerMem: t.taskManagerCu * t.cuMem,
    ...logCollection(t),
    ...workspace(t),
  };
  return { ...body, Remark: `${REMARK} (${fingerprint(body)})` };
}

const REMARK = 'uploaded by uvpv deploy';

/**
 * Log collection and the COS bucket, when the target sets them: the logs into its CLS logset and
 * topic when it names them (LogCollectType 2), else into the bucket (3) when it names one, else
 * where the cluster collects them. Without them a failed start shows only LastOpResult.
 */
function logCollection(t: OceanusTarget): Partial<CreateJobConfigRequest> {
  const bucket = t.cosBucket ? { COSBucket: t.cosBucket } : {};
  if (!t.logCollect) return bucket;
  const cls = { ...(t.clsLogsetId ? { ClsLogsetId: t.clsLogsetId } : {}), ...(t.clsTopicId ? { ClsTopicId: t.clsTopicId } : {}) };
  const type = t.clsLogsetId ? LogCollectType.Cls : t.cosBucket ? LogCollectType.Cos : undefined;
  return { ...bucket, LogCollect: true, ...cls, ...(type ? { LogCollectType: type } : {}) };
}

/**
 * A configuration version's fingerprint: of everything uvpv sends in it but the Remark that
 * carries it (the SQL, its settings, the resources). A deploy compares the running version's with
 * the new one's to tell an unchanged pipeline, whatever of it DescribeJobConfigs gives back.
 * Nothing in it is not already readable from the version itself.
 */
function fingerprint(body: Omit<CreateJobConfigRequest, 'Remark'>): string {
  return `config ${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16)}`;
}

/** Whether a configuration version (read back) is the one these parameters make. */
export function sameConfig(version: Pick<JobConfig, 'Remark'> | undefined, params: CreateJobConfigRequest): boolean {
  return version?.Remark !== undefined && version.Remark === params.Remark;
}

export function systemResourcesParams(t: OceanusTarget, offset = 0): DescribeSystemResourcesRequest {
  return { ClusterId: t.clusterId, FlinkVersion: t.flinkVersion, Offset: offset, Limit: 100, ...workspace(t) };
}

/** The connectors the generated SQL uses, which an Oceanus job must reference. */
export const USED_CONNECTORS: readonly string[] = [CONNECTORS.source, CONNECTORS.sink];

/** Whether the target references Oceanus's built-in connectors (`connectors: auto`, no `resourceRefs`). */
export function usesBuiltins(t: OceanusTarget): boolean {
  return !t.resourceRefs && t.connectors === 'auto';
}

/** The built-in resources of the connectors the SQL uses, in that order, and the connectors Oceanus lists none for. */
export function builtinConnectors(resources: readonly SystemResourceItem[]): { found: SystemResourceItem[]; missing: string[] } {
  const each = USED_CONNECTORS.map((id) => ({ id, resource: builtinConnector(resources, id) }));
  return { found: each.flatMap((e) => (e.resource ? [e.resource] : [])), missing: each.filter((e) => !e.resource).map((e) => e.id) };
}

/**
 * The built-in resource of a connector: a name with the identifier, the plain
 * `flink-connector-<id>` first, then the shortest (`flink-connector-kafka` before
 * `flink-connector-kafka-0.11`). Resources the system provides (`SystemProvide` 1) come before a
 * user's (2) whatever their names: Oceanus keeps its own connectors matched to the cluster's Flink
 * version, where a user's JAR of the same name may be any build; a user's is taken only when the
 * system lists none for the connector.
 */
function builtinConnector(resources: readonly SystemResourceItem[], identifier: string): SystemResourceItem | undefined {
  const named = resources.filter((r) => r.Name.toLowerCase().includes(identifier));
  const system = named.filter((r) => r.SystemProvide === SYSTEM_PROVIDED);
  const pool = system.length ? system : named;
  const exact = pool.find((r) => r.Name.toLowerCase() === `flink-connector-${identifier}`);
  return exact ?? [...pool].sort((a, b) => a.Name.length - b.Name.length)[0];
}

/** Where a run starts from: a savepoint's path, and its id when known (`Savepoint.SerialId`). */
export interface StartFrom {
  path: string;
  id?: string;
}

export function runParams(t: OceanusTarget, jobId: string, runType: number, version: number, from?: StartFrom): RunJobsRequest {
  const description = {
    JobId: jobId,
    RunType: runType,
    JobConfigVersion: version,
    ...(from ? { SavepointPath: from.path } : {}),
    ...(from?.id ? { SavepointId: from.id } : {}),
  };
  return { RunJobDescriptions: [description], ...workspace(t) };
}

/** A page of the savepoints a stop or pause took (RecordType 3). */
export function stopSavepointParams(t: OceanusTarget, jobId: string, offset = 0): DescribeJobSavepointRequest {
  return { JobId: jobId, Limit: 100, Offset: offset, RecordTypes: [RecordType.StopSavepoint], ...workspace(t) };
}

/** The newest of some savepoints: by CreateTime, then by Id (the list's order is not documented). */
export function newest(savepoints: readonly Savepoint[]): Savepoint | undefined {
  const key = (s: Savepoint) => [s.CreateTime ?? -Infinity, s.Id ?? -Infinity];
  return [...savepoints].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return y[0] - x[0] || y[1] - x[1];
  })[0];
}

export function stopParams(t: OceanusTarget, jobId: string, stopType: number): StopJobsRequest {
  return { StopJobDescriptions: [{ JobId: jobId, StopType: stopType }], ...workspace(t) };
}

/** The job as `status` shows it: its version, the last operation's result, and where to look. */
export function toJobState(job: JobV1, versionsKept?: number): JobState {
  const details: string[] = [];
  if (job.StatusDesc) details.push(`status: ${job.StatusDesc}`);
  if (job.Status === JobStatus.Failed)
    details.push(`failed: ${job.LastOpResult || "Oceanus gives no reason; see the job's events in the console"}`);
  else if (job.LastOpResult) details.push(`last operation: ${job.LastOpResult}`);
  if (job.ProgressDesc) details.push(`in progress: ${job.ProgressDesc}`);
  if (job.Status === JobStatus.Running && job.CurrentRunMillis !== undefined) details.push(`running for ${duration(job.CurrentRunMillis)}`);
  const versions = [
    publishedVersion(job)
      ? `${job.Status === JobStatus.Running ? 'runs' : 'published'} version ${publishedVersion(job)}`
      : 'never published',
    job.LatestJobConfigVersion ? `latest version ${job.LatestJobConfigVersion}` : '',
    versionsKept !== undefined ? `${versionsKept} of ${MAX_CONFIG_VERSIONS} versions kept` : '',
  ].filter(Boolean);
  if (versions.length) details.push(`configuration: ${versions.join(', ')}`);
  if (job.ClusterId) details.push(`cluster: ${job.ClusterId}`);
  details.push(`console: ${CONSOLE_JOBS_URL} (job ${job.JobId})`);
  if (job.WebUIUrl) details.push(`web UI: ${job.WebUIUrl}`);
  return { jobId: job.JobId, name: job.Name, state: jobState(job.Status), details };
}

/** `3 d 4 h`, `2 h 5 min`, `40 s`: the two largest units. */
function duration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.floor(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size || (unit === 's' && parts.length === 0)) parts.push(`${Math.floor(rest / size)} ${unit}`);
    rest %= size;
  }
  return parts.slice(0, 2).join(' ');
}

/**
 * Whether a failed job that was started again has failed again, though its state is the same as
 * before (-1): a new reason or a new start time. Not the version it runs, which a control plane
 * may show as soon as it accepts the run, before the run has taken effect.
 */
function failedAgain(before: JobV1, now: JobV1): boolean {
  return (
    now.Status === JobStatus.Failed &&
    ((Boolean(now.LastOpResult) && now.LastOpResult !== before.LastOpResult) || now.StartTime !== before.StartTime)
  );
}

/** A job that was never run: created (1) or given a configuration (2); never the outcome of an operation. */
const NOT_STARTED: ReadonlySet<number> = new Set([JobStatus.Uninitialized, JobStatus.Unpublished]);

/** Answers to a resent RunJobs or StopJobs that mean the first one was carried out. */
const ALREADY_UNDER_WAY = [
  'ResourceInUse.InstanceInProcess',
  'ResourceUnavailable.NotAllowedToBeStopOrPause',
  // The SDK's error list spells it so; the FailedOperation spelling is kept for what an older answer may say.
  'ResourceUnavailable.NoRunningJobInstancesFoundForJobId',
  'FailedOperation.NoRunningJobInstancesFoundForJobId',
];

const DUPLICATE_NAME = ['InvalidParameterValue.JobNameExisted', 'FailedOperation.DuplicatedJobName'];

export interface WaitOptions {
  pollMs: number;
  timeoutMs: number;
  sleep: (ms: number) => Promise<void>;
  progress: Progress;
}

export class OceanusJobs {
  constructor(
    private readonly client: OceanusClient,
    private readonly target: OceanusTarget,
    private readonly wait: WaitOptions,
  ) {}

  /** The job with exactly this name (the API's Name filter is not promised to be exact). */
  async find(name: string): Promise<JobV1 | undefined> {
    const r = await this.client.call<DescribeJobsResponse>('DescribeJobs', findParams(this.target, name));
    const matches = (r.JobSet ?? []).filter((j) => j.Name === name);
    if (matches.length > 1) {
      throw new RuntimeFailure(
        `${matches.length} Oceanus jobs are named '${name}' (${matches.map((j) => j.JobId).join(', ')}); delete the extra ones or set the target's workspaceId`,
      );
    }
    return matches[0];
  }

  async get(jobId: string): Promise<JobV1> {
    const params: DescribeJobsRequest = { JobIds: [jobId], ...workspace(this.target) };
    const r = await this.client.call<DescribeJobsResponse>('DescribeJobs', params);
    const job = (r.JobSet ?? []).find((j) => j.JobId === jobId);
    if (!job) throw new RuntimeFailure(`Oceanus job ${jobId} disappeared (deleted meanwhile?); run the command again`);
    return job;
  }

  /**
   * Creates the job; `created` is false when someone else made it meanwhile. A CreateJob that may
   * have reached the service (network failure, internal error) is never simply resent: the job is
   * looked up by name first, so there is never a second one.
   */
  async create(name: string): Promise<{ job: JobV1; created: boolean }> {
    const recheck = async () => {
      const job = await this.find(name);
      return job && { JobId: job.JobId, RequestId: '' };
    };
    let answer: CreateJobResponse;
    try {
      answer = await this.client.call<CreateJobResponse>('CreateJob', createJobParams(this.target, name), { recheck });
    } catch (e) {
      const existing = e instanceof OceanusApiError && DUPLICATE_NAME.includes(e.code) ? await this.find(name) : undefined;
      if (!existing) throw e;
      return { job: existing, created: false };
    }
    return { job: await this.get(answer.JobId), created: true };
  }

  /** Oceanus's built-in resources for the target's Flink version and cluster, every page. */
  async systemResources(): Promise<SystemResourceItem[]> {
    const all: SystemResourceItem[] = [];
    for (;;) {
      const r = await this.client.call<DescribeSystemResourcesResponse>(
        'DescribeSystemResources',
        systemResourcesParams(this.target, all.length),
      );
      const page = r.ResourceSet ?? [];
      all.push(...page);
      if (page.length === 0 || all.length >= (r.TotalCount ?? 0)) return all;
    }
  }

  /** How many configuration versions the job keeps (at most 100). */
  async versionCount(jobId: string): Promise<number> {
    const r = await this.client.call<DescribeJobConfigsResponse>('DescribeJobConfigs', {
      JobId: jobId,
      Offset: 0,
      Limit: 1,
      ...workspace(this.target),
    });
    return r.TotalCount ?? 0;
  }

  /** One configuration version of a job, or undefined when the job no longer has it. */
  async config(jobId: string, version: number): Promise<JobConfig | undefined> {
    const params: DescribeJobConfigsRequest = {
      JobId: jobId,
      JobConfigVersions: [version],
      Offset: 0,
      Limit: 1,
      ...workspace(this.target),
    };
    const r = await this.client.call<DescribeJobConfigsResponse>('DescribeJobConfigs', params);
    return (r.JobConfigSet ?? []).find((c) => c.Version === version);
  }

  /**
   * The newest savepoint Oceanus took when stopping or pausing the job (DescribeJobSavepoint,
   * RecordType 3), whatever its status; undefined when it lists none. Every page is read.
   */
  async newestStopSavepoint(jobId: string): Promise<Savepoint | undefined> {
    const all: Savepoint[] = [];
    for (let offset = 0; ;) {
      const r = await this.client.call<DescribeJobSavepointResponse>(
        'DescribeJobSavepoint',
        stopSavepointParams(this.target, jobId, offset),
      );
      const page = r.Savepoint ?? [];
      all.push(...page);
      offset += page.length;
      if (page.length === 0 || offset >= (r.TotalNumber ?? 0)) break;
    }
    return newest(all.filter((s) => (s.RecordType ?? RecordType.StopSavepoint) === RecordType.StopSavepoint));
  }

  /** Uploads a configuration version; returns its version number. */
  async upload(job: JobV1, input: ConfigInput): Promise<number> {
    const before = job.LatestJobConfigVersion ?? 0;
    const recheck = async () => {
      const latest = (await this.get(job.JobId)).LatestJobConfigVersion ?? 0;
      return latest > before ? { Version: latest, RequestId: '' } : undefined;
    };
    const r = await this.client.call<CreateJobConfigResponse>('CreateJobConfig', configParams(this.target, job.JobId, input), { recheck });
    return r.Version;
  }

  /** Stops (or pauses) a running job, or stops a paused one, and waits until it is stopped (or paused). */
  async stop(job: JobV1, pause: boolean): Promise<JobV1> {
    job = await this.get(job.JobId); // the state right before the call: what may linger after it
    const want = pause ? JobStatus.Paused : JobStatus.Stopped;
    const recheck = async () => {
      const s = (await this.get(job.JobId)).Status;
      return s === JobStatus.Operating || s === want ? { RequestId: '' } : undefined;
    };
    await this.sent(this.client.call('StopJobs', stopParams(this.target, job.JobId, pause ? StopType.Pause : StopType.Stop), { recheck }));
    return this.waitFor(job, pause ? 'pause' : 'stop', want);
  }

  /**
   * Starts (or resumes) the job with a configuration version and waits until it runs or fails:
   * a RuntimeFailure coded `job-terminal-state` when it ends in another state, `timed-out` when it
   * does not get there in time.
   */
  async run(job: JobV1, runType: number, version: number, from?: StartFrom): Promise<JobV1> {
    job = await this.get(job.JobId); // the state right before the call: what may linger after it
    const recheck = async () => {
      const s = (await this.get(job.JobId)).Status;
      return s === JobStatus.Operating || s === JobStatus.Running ? { RequestId: '' } : undefined;
    };
    await this.sent(this.client.call('RunJobs', runParams(this.target, job.JobId, runType, version, from), { recheck }));
    return this.waitFor(job, runType === RunType.Resume ? 'resume' : 'start', JobStatus.Running);
  }

  /**
   * An operation whose first answer was lost, resent, and refused because the job is already in
   * that operation (or no longer in the state it needs): the first request took effect, late.
   */
  private async sent(call: Promise<unknown>): Promise<void> {
    try {
      await call;
    } catch (e) {
      if (!(e instanceof OceanusApiError && e.attempts > 1 && ALREADY_UNDER_WAY.includes(e.code))) throw e;
    }
  }

  /** Waits until a job is in a steady state (no operation in progress). */
  async settle(job: JobV1): Promise<JobV1> {
    return job.Status === JobStatus.Operating ? this.waitFor(job, 'settle', undefined) : job;
  }

  /**
   * Polls until the job reaches `want` (any steady state when undefined), within the timeout. An
   * asynchronous control plane may go on showing the state from before the call (and a new job
   * its "not initialised" / "not published") for a while: until the state moves away from it (in
   * operation, or another steady state) the call has not taken effect, and that is waited out.
   * A steady state other than `want` once it has moved ends the wait as a failure; so does a
   * failed job that failed again (a new reason or start time), which never shows another state.
   */
  private async waitFor(before: JobV1, verb: string, want: number | undefined): Promise<JobV1> {
    const end = this.wait.progress.step(`waiting for job ${before.JobId} to ${verb}`);
    const deadline = Date.now() + this.wait.timeoutMs;
    let moved = false;
    for (;;) {
      const now = await this.get(before.JobId);
      const steady = now.Status !== JobStatus.Operating;
      if (steady && (want === undefined || now.Status === want)) {
        end(jobState(now.Status));
        return now;
      }
      moved ||= !steady || (now.Status !== before.Status && !NOT_STARTED.has(now.Status)) || failedAgain(before, now);
      if (steady && moved) {
        end(jobState(now.Status));
        const detail = toJobState(now).details.join('\n');
        throw new RuntimeFailure(
          `Oceanus job ${now.JobId} (${now.Name}) did not ${verb}: it is ${jobState(now.Status)}`,
          detail || undefined,
          'job-terminal-state',
        );
      }
      if (Date.now() >= deadline) {
        end(`timed out, ${jobState(now.Status)}`);
        throw new RuntimeFailure(
          `Oceanus job ${now.JobId} did not ${verb} within ${Math.round(this.wait.timeoutMs / 1000)}s; it is ${jobState(now.Status)} (check \`uvpv status\`, or raise UVPV_OCEANUS_TIMEOUT_MS)`,
          toJobState(now).details.join('\n') || undefined,
          'timed-out',
        );
      }
      await this.wait.sleep(this.wait.pollMs);
    }
  }
}
