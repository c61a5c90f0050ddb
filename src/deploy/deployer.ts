/**
 * What `deploy`, `status` and `stop` need from a target. Each target type (a Flink SQL Gateway,
 * Oceanus) implements it in its own folder; the commands do not know which one they talk to.
 */
import type { Progress } from '../io/progress';
import type { CompiledJob } from '../compile';
import type { Spec, Target } from '../pipeline/types';
import type { UpgradePlan } from './upgrade/upgrade-plan';
import type { PipelineHealth } from './health';

export interface DeployRequest {
  spec: Spec;
  /**
   * The compiled job. Its statements keep their secrets as parts (sql/parts.ts): rendered
   * `reveal` only for what is sent to the target, `placeholder` for --dry-run, `mask` for what is
   * kept with the job and for plans.
   */
  job: CompiledJob;
  dryRun: boolean;
  /** Replace a running job of the same name (gateway: stop with savepoint, start from it). */
  replace: boolean;
  /** With `replace`: how long the new job must run without a failure before the old one counts as replaced (default 30 s). */
  settleMs?: number;
  fromSavepoint?: string;
  /** Create the source topic when it is missing (where Kafka can be reached from here). */
  createTopic?: boolean;
  /** With `replace`: start even where some of the running job's state would be left behind (Flink's allow-non-restored-state). */
  allowNonRestoredState?: boolean;
  /** Each metric's sink table, to tell per metric what a replacement changes (`plan`). */
  sinks?: readonly { metric: string; table: string }[];
}

export interface JobState {
  /** The target's job id (a Flink job id, or an Oceanus `cql-…` id). */
  jobId: string;
  name: string;
  /** Normalised: RUNNING, FINISHED, FAILED, CANCELED, STOPPED, PAUSED, CREATED, STARTING, ... */
  state: string;
  /** Extra lines worth showing (status text, last operation result, root cause). */
  details: string[];
}

export interface DeployResult {
  /** Lines to print (for --dry-run: what would be done). */
  lines: string[];
  job?: JobState;
}

export interface StopOptions {
  /** Take a savepoint into this directory while stopping (gateway). */
  savepointDir?: string;
  /** Pause instead of stop (Oceanus). */
  pause?: boolean;
}

export interface Deployer {
  deploy(req: DeployRequest): Promise<DeployResult>;
  /** What `deploy` would do, changing nothing (where the target can tell: a gateway). */
  plan?(req: DeployRequest): Promise<UpgradePlan>;
  /** The job of this pipeline (by name), or undefined when there is none. */
  status(spec: Spec): Promise<JobState | undefined>;
  /** The job's health for `uvpv status` (what the target can tell; the rest marked not available), or undefined when there is no job. */
  health(spec: Spec): Promise<PipelineHealth | undefined>;
  stop(spec: Spec, opts: StopOptions): Promise<{ lines: string[]; savepoint?: string }>;
}

/**
 * Bounded jobs that verify and the bench run to their end: submitted as compiled (no savepoint,
 * no SQL kept with the job, no topic check) and waited on until they finish.
 */
export interface JobRunner {
  /** Submits a job's statements (each without its closing `;`) in order; returns the target's job id. */
  submitJob(spec: Spec, statements: readonly string[]): Promise<string>;
  /** Waits until the job has FINISHED; it failing (or restarting, unless tolerated) or the time running out is a RuntimeFailure. */
  waitUntilFinished(jobId: string, opts?: { timeoutMs?: number; tolerateRestarts?: boolean }): Promise<void>;
}

export interface DeployerContext {
  env: NodeJS.ProcessEnv;
  progress: Progress;
}

export type DeployerFactory<T extends Target = Target> = (target: T, ctx: DeployerContext) => Deployer;
