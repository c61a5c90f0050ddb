/**
 * The slice of the Oceanus API (2019-04-22) that uvpv uses: request and response shapes after the
 * public SDK models (tencentcloud-sdk-nodejs `oceanus_models.ts`), job status codes, and how a SQL
 * job's code travels in a configuration version.
 */

export const OCEANUS_SERVICE = 'oceanus';
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
  LatestJobConfigVersion?: number;
  PublishedJobConfigVersion?: number;
  WebUIUrl?: string;
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

export interface CreateJobConfigRequest {
  JobId: string;
  /** For a SQL job: the JSON text of {@link SqlProgramArgs}. */
  ProgramArgs?: string;
  Remark?: string;
  DefaultParallelism?: number;
  Properties?: Property[];
  WorkSpaceId?: string;
}

export interface CreateJobConfigResponse {
  Version: number;
  RequestId: string;
}

export interface RunJobDescription {
  JobId: string;
  RunType: number;
  JobConfigVersion?: number;
  SavepointPath?: string;
}

export interface RunJobsRequest {
  RunJobDescriptions: RunJobDescription[];
  WorkSpaceId?: string;
}

export interface StopJobsRequest {
  StopJobDescriptions: { JobId: string; StopType: number }[];
  WorkSpaceId?: string;
}

/** Every response: `{"Response": {..., "RequestId"}}`, or `{"Response": {"Error": {...}, "RequestId"}}`. */
export interface ApiEnvelope {
  Response?: { Error?: { Code?: string; Message?: string }; RequestId?: string } & Record<string, unknown>;
}

/**
 * A SQL job's configuration carries its code in `ProgramArgs`, a JSON object whose `SqlCode` is the
 * base64 of the SQL text (UTF-8), as in the CLI example "创建SQL作业配置示例" for CreateJobConfig.
 */
export interface SqlProgramArgs {
  SqlCode: string;
}

export function sqlProgramArgs(sql: string): string {
  const args: SqlProgramArgs = { SqlCode: Buffer.from(sql, 'utf8').toString('base64') };
  return JSON.stringify(args);
}

/** The SQL in a configuration's `ProgramArgs`, or undefined when it carries none. */
export function sqlFromProgramArgs(programArgs: string | undefined): string | undefined {
  if (!programArgs) return undefined;
  try {
    const parsed = JSON.parse(programArgs) as Partial<SqlProgramArgs>;
    if (typeof parsed?.SqlCode !== 'string') return undefined;
    return Buffer.from(parsed.SqlCode, 'base64').toString('utf8');
  } catch {
    return undefined;
  }
}
