/**
 * The slice of the Oceanus API (2019-04-22) that uvpv uses: request and response shapes after the
 * public SDK models (tencentcloud-sdk-nodejs `oceanus_models.ts`), job status codes, and how a SQL
 * job's code travels in a configuration version.
 */

export const OCEANUS_SERVICE = 'oceanus';

/** The actions uvpv calls: reads (deploy, status, doctor) and writes (deploy, stop). */
export const ACTIONS = {
  read: ['DescribeJobs', 'DescribeJobConfigs', 'DescribeSystemResources', 'DescribeClusters', 'DescribeWorkSpaces', 'DescribeJobSavepoint'],
  write: ['CreateJob', 'CreateJobConfig', 'RunJobs', 'StopJobs'],
} as const;

/** The Oceanus console's job list (no source documents a link to one job). */
export const CONSOLE_JOBS_URL = 'https://console.cloud.tencent.com/oceanus/job';
export const OCEANUS_VERSION = '2019-04-22';

/** `JobV1.Status`: 1 uninitialised, 2 unpublished, 3 in operation, 4 running, 5 stopped, 6 paused, -1 failed. */
export const JobStatus = {
  Uninitialized: 1,
  Unpublished: 2,
  Operating: 3,
  Running: 4,
  Stopped: 5,
  Paused: 6,
  Failed: -1,
} as const;

/** CreateJob's `Name`: "fewer than 50 characters", so at most 49 (a spec's name may have 50 elsewhere). */
export const MAX_JOB_NAME = 49;

/** `JobType` of CreateJob and JobV1. */
export const SQL_JOB = 1;
/** `ClusterType` of CreateJob: 2 is a dedicated cluster, named by `ClusterId`. */
export const DEDICATED_CLUSTER = 2;
/** `RunJobDescription.RunType`: 1 start, 2 resume (a paused job, from its savepoint). */
export const RunType = { Start: 1, Resume: 2 } as const;
/** `StopJobDescription.StopType`: 1 stop, 2 pause (Oceanus takes a savepoint). */
export const StopType = { Stop: 1, Pause: 2 } as const;

const STATES: Readonly<Record<number, string>> = {
  [JobStatus.Uninitialized]: 'CREATED',
  [JobStatus.Unpublished]: 'CREATED',
  [JobStatus.Operating]: 'IN_PROGRESS',
  [JobStatus.Running]: 'RUNNING',
  [JobStatus.Stopped]: 'STOPPED',
  [JobStatus.Paused]: 'PAUSED',
  [JobStatus.Failed]: 'FAILED',
};

/** The normalised state uvpv shows for a `JobV1.Status`. */
export function jobState(status: number | undefined): string {
  return (status !== undefined && STATES[status]) || `UNKNOWN(${status ?? 'none'})`;
}

export interface Property {
  Key: string;
  Value: string;
}

export interface Filter {
  Name: string;
  Values: string[];
}

export interface DescribeJobsRequest {
  JobIds?: string[];
  Filters?: Filter[];
  Offset?: number;
  Limit?: number;
  WorkSpaceId?: string;
}

/** The fields of `JobV1` that uvpv reads. */
export interface JobV1 {
  JobId: string;
  Name: string;
  JobType?: number;
  Status: number;
  StatusDesc?: string;
  LastOpResult?: string;
  ProgressDesc?: string;
  ClusterId?: string;
  WorkSpaceId?: string;
  /** Counts deleted versions too: the number the next upload is above. */
  LatestJobConfigVersion?: number;
  /** The highest version number not deleted (not a count: DescribeJobConfigs' TotalCount is). */
  LatestValidJobConfigVersion?: number;
  /** The version the job runs (or last ran); -1 when it was never published (DescribeJobs' example). Read it with {@link publishedVersion}. */
  PublishedJobConfigVersion?: number;
  WebUIUrl?: string;
  /** While running: how long this run has lasted, ms. */
  CurrentRunMillis?: number;
  StartTime?: string;
  RunningCu?: number;
}

/** The configuration version a job runs or last ran, or undefined when it never ran one (-1, 0 or absent). */
export function publishedVersion(job: Pick<JobV1, 'PublishedJobConfigVersion'> | undefined): number | undefined {
  const v = job?.PublishedJobConfigVersion;
  return v !== undefined && v > 0 ? v : undefined;
}

export interface DescribeJobsResponse {
  TotalCount: number;
  JobSet: JobV1[];
  RequestId: string;
}

export interface CreateJobRequest {
  Name: string;
  JobType: number;
  ClusterType: number;
  ClusterId?: string;
  CuMem?: number;
  Remark?: string;
  FlinkVersion?: string;
  WorkSpaceId?: string;
}

export interface CreateJobResponse {
  JobId: string;
  RequestId: string;
}

/** `ResourceRef`: a resource (a JAR) a configuration uses. Type 0 is a referenced JAR, 1 the main package. */
export interface ResourceRef {
  ResourceId: string;
  /** -1: the latest version. */
  Version: number;
  Type: number;
}

/** `ResourceRef.Type` of a JAR a job references (a connector), as opposed to 1, a JAR job's main package. */
export const REFERENCED_JAR = 0;

export interface CreateJobConfigRequest {
  JobId: string;
  /** For a SQL job: the JSON text of {@link SqlProgramArgs}. */
  ProgramArgs?: string;
  Remark?: string;
  ResourceRefs?: ResourceRef[];
  DefaultParallelism?: number;
  Properties?: Property[];
  /** 1: when the job has its 100 versions, Oceanus deletes the oldest one that can be deleted. */
  AutoDelete?: number;
  /** Cores and memory (GB) of the JobManager and of each TaskManager. */
  JobManagerCpu?: number;
  JobManagerMem?: number;
  TaskManagerCpu?: number;
  TaskManagerMem?: number;
  /** The COS bucket the job uses. */
  COSBucket?: string;
  /** Collect the job's logs; where: {@link LogCollectType}, and the CLS logset and topic. */
  LogCollect?: boolean;
  ClsLogsetId?: string;
  ClsTopicId?: string;
  LogCollectType?: number;
  WorkSpaceId?: string;
}

/** `LogCollectType` of CreateJobConfig: 2 into CLS, 3 into COS. */
export const LogCollectType = { Cls: 2, Cos: 3 } as const;

/** A job keeps at most this many configuration versions (CreateJobConfig's documentation). */
export const MAX_CONFIG_VERSIONS = 100;
/** `AutoDelete` on: make room for a new version by deleting the oldest deletable one. */
export const AUTO_DELETE = 1;

export interface CreateJobConfigResponse {
  Version: number;
  RequestId: string;
}

export interface RunJobDescription {
  JobId: string;
  RunType: number;
  JobConfigVersion?: number;
  /** Start (RunType 1) from this savepoint (or checkpoint): its `Savepoint.Path`. */
  SavepointPath?: string;
  /** The same savepoint's id: its `Savepoint.SerialId` (`svp-…`). */
  SavepointId?: string;
}

export interface RunJobsRequest {
  RunJobDescriptions: RunJobDescription[];
  WorkSpaceId?: string;
}

export interface StopJobsRequest {
  StopJobDescriptions: { JobId: string; StopType: number }[];
  WorkSpaceId?: string;
}

/**
 * `DescribeJobSavepoint`: a job's savepoints and checkpoints. The API documentation (849/74226)
 * marks JobId, Limit and Offset as required; RecordTypes filters by {@link RecordType}.
 */
export interface DescribeJobSavepointRequest {
  JobId: string;
  Limit: number;
  Offset: number;
  WorkSpaceId?: string;
  RecordTypes?: number[];
}

/** `Savepoint.RecordType` (and `RecordTypes`): 1 a triggered savepoint, 2 a checkpoint, 3 a savepoint taken when the job was stopped or paused ("cancelWithSavepoint"). */
export const RecordType = { Savepoint: 1, Checkpoint: 2, StopSavepoint: 3 } as const;
/** `Savepoint.Status`: 1 active, 2 expired, 3 in progress, 4 failed, 5 timed out. */
export const SavepointStatus = { Active: 1, Expired: 2, InProgress: 3, Failed: 4, Timeout: 5 } as const;
/** `Savepoint.PathStatus`: 1 the path can be used, 2 it cannot. */
export const PATH_UNAVAILABLE = 2;

/** The fields of `Savepoint` that uvpv reads (every one may be null, the models say). */
export interface Savepoint {
  /** Primary key. */
  Id?: number;
  /** The id RunJobs takes as SavepointId, e.g. `svp-52xkpymp`. */
  SerialId?: string;
  Status?: number;
  /** A number (the models give no unit); only compared with another's. */
  CreateTime?: number;
  Path?: string;
  RecordType?: number;
  PathStatus?: number;
}

export interface DescribeJobSavepointResponse {
  TotalNumber?: number;
  Savepoint?: Savepoint[] | null;
  RunningSavepoint?: Savepoint[] | null;
  RunningTotalNumber?: number;
}

const SAVEPOINT_STATES: Readonly<Record<number, string>> = { 1: 'active', 2: 'expired', 3: 'in progress', 4: 'failed', 5: 'timed out' };

/** A savepoint's `Status` in words. */
export function savepointState(status: number | undefined): string {
  return (status !== undefined && SAVEPOINT_STATES[status]) || `status ${status ?? 'unknown'}`;
}

/** Every response: `{"Response": {..., "RequestId"}}`, or `{"Response": {"Error": {...}, "RequestId"}}`. */
export interface ApiEnvelope {
  Response?: { Error?: { Code?: string; Message?: string }; RequestId?: string } & Record<string, unknown>;
}

/**
 * A SQL job's configuration carries its code in `ProgramArgs`, a JSON object, as in the API's
 * documented example "创建SQL作业配置示例" for CreateJobConfig: the checkpoint interval in seconds,
 * the base64 of an empty variables metadata, and the base64 of the SQL text (UTF-8).
 */
export interface SqlProgramArgs {
  CheckpointInterval: number;
  Metadata: string;
  SqlCode: string;
}

/** What the documented example sends as `Metadata` (before base64): no table or global variables. */
export const EMPTY_METADATA = '{"Metadata":{"ReferenceTables":[],"Variables":[]}}';

/** Checkpoint intervals Oceanus's SQL job settings take, in seconds (its console's range). */
export const CHECKPOINT_SECONDS = { min: 30, max: 3600 } as const;

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

export function sqlProgramArgs(sql: string, checkpointSeconds: number): string {
  const args: SqlProgramArgs = { CheckpointInterval: checkpointSeconds, Metadata: base64(EMPTY_METADATA), SqlCode: base64(sql) };
  return JSON.stringify(args);
}

/**
 * The SQL in a configuration's `ProgramArgs`, or undefined when it carries none. What uvpv uploads
 * is base64; the documented DescribeJobConfigs answer shows a console-made one as plain text.
 */
export function sqlFromProgramArgs(programArgs: string | undefined): string | undefined {
  if (!programArgs) return undefined;
  try {
    const code = (JSON.parse(programArgs) as Partial<SqlProgramArgs>)?.SqlCode;
    if (typeof code !== 'string') return undefined;
    const decoded = Buffer.from(code, 'base64');
    return decoded.toString('base64') === code ? decoded.toString('utf8') : code;
  } catch {
    return undefined;
  }
}

export interface DescribeJobConfigsRequest {
  JobId: string;
  JobConfigVersions?: number[];
  Offset?: number;
  Limit?: number;
  WorkSpaceId?: string;
}

/** The fields of `JobConfig` that uvpv reads. */
export interface JobConfig {
  JobId: string;
  Version: number;
  ProgramArgs?: string;
  /** What uvpv wrote: "uploaded by uvpv deploy (config <fingerprint>)". */
  Remark?: string;
  CreateTime?: string;
  DefaultParallelism?: number;
}

export interface DescribeJobConfigsResponse {
  TotalCount: number;
  JobConfigSet: JobConfig[];
}

/** `SystemResourceItem`: a built-in resource, e.g. a connector JAR of a Flink version. */
export interface SystemResourceItem {
  ResourceId: string;
  Name: string;
  ResourceType?: number;
  LatestResourceConfigVersion?: number;
  /** {@link SYSTEM_PROVIDED} (1): provided by the system; 2: uploaded by a user. */
  SystemProvide?: number;
}

/** `SystemResourceItem.SystemProvide`: Oceanus's own resources, and those a user uploaded. */
export const SYSTEM_PROVIDED = 1;
export const USER_PROVIDED = 2;

export interface DescribeSystemResourcesRequest {
  ClusterId?: string;
  FlinkVersion?: string;
  Offset?: number;
  Limit?: number;
  WorkSpaceId?: string;
}

export interface DescribeSystemResourcesResponse {
  TotalCount: number;
  ResourceSet: SystemResourceItem[];
}

/** `Cluster.Status`: 1 not initialised, 3 initialising, 2 running. */
export const ClusterStatus = { Uninitialized: 1, Running: 2, Initializing: 3 } as const;

/** The fields of `Cluster` that uvpv reads. */
export interface Cluster {
  ClusterId: string;
  Name?: string;
  Region?: string;
  Status: number;
  StatusDesc?: string;
  CuNum?: number;
  FreeCuNum?: number;
  FreeCu?: number;
  Version?: { Flink?: string; SupportedFlink?: string[] };
}

export interface DescribeClustersResponse {
  TotalCount: number;
  ClusterSet: Cluster[];
}

/** `WorkSpaceSetItem.Status`: 1 not initialised, 2 available, -1 deleted. */
export const WORKSPACE_AVAILABLE = 2;

export interface WorkSpace {
  WorkSpaceId: string;
  SerialId?: string;
  WorkSpaceName?: string;
  Status: number;
}

export interface DescribeWorkSpacesResponse {
  TotalCount: number;
  WorkSpaceSetItem: WorkSpace[];
}
