/**
 * What `uvpv status` reports about a pipeline's job: one shape for every target, printed as text
 * or, with --json, as this object (`version` 1; documented in docs/observability.md). A section a
 * target cannot give is `{ available: false, reason }`, never a made-up zero.
 */
import type { Spec } from '../pipeline/types';
import type { JobState } from './deployer';

export type Section<T> = ({ available: true } & T) | { available: false; reason: string };

export function notAvailable(reason: string): { available: false; reason: string } {
  return { available: false, reason };
}

export interface RestartsSection {
  /** Failures the job recovered from (see deploy/gateway/restarts.ts). */
  count: number;
  last?: { at: string; rootCause: string; task?: string };
}

export interface CheckpointsSection {
  completed: number;
  failed: number;
  inProgress: number;
  /** The last completed checkpoint, or null when none has completed yet. */
  last: { at: string; ageSeconds: number; durationMs: number; sizeBytes: number } | null;
  lastFailure: { at: string; message: string } | null;
}

export interface PartitionLag {
  partition: number;
  /** The next offset the job reads. */
  position: number;
  /** The topic's end offset (the next offset a producer writes). */
  endOffset: number;
  lag: number;
}

export interface KafkaSection {
  topic: string;
  /** Where the job's positions come from: its source's metrics, or its group's committed offsets. */
  from: 'job metrics' | 'committed offsets';
  totalLag: number;
  partitions: PartitionLag[];
}

export interface FreshnessSection {
  /** The event time the window operator has seen up to (its input watermark). */
  watermark: string;
  /** Now minus the watermark: how old the newest closed numbers can be, the spec's watermark delay included. */
  behindSeconds: number;
  watermarkDelaySeconds: number;
}

export interface ThroughputSection {
  /** Records the source reads per second. */
  inPerSecond: number;
  /** Rows the Redis sinks take per second. */
  outPerSecond: number;
}

export interface TaskLoad {
  name: string;
  parallelism: number;
  /** The busiest subtask's busy time, ms per second (1000: always busy). */
  busyMsPerSecond: number;
  /** The most back-pressured subtask's back-pressured time, ms per second. */
  backPressuredMsPerSecond: number;
}

export interface TasksSection {
  /** Every task, busiest first. */
  tasks: TaskLoad[];
  busiest: string | null;
  /** Tasks back-pressured more than 100 ms per second. */
  backPressured: string[];
}

export interface SinkCounts {
  sink: string;
  /** Rows the sink wrote to Redis (`numRecordsSend`). */
  written: number;
  /** Rows it skipped as it should: null values, list pushes and set members already written on a replay. */
  skipped: { nullRows: number; listPushes: number; members: number };
  /** Where the connector counts them (uvpv's): the batches it synced since its tasks last started. */
  batches?: SinkBatches;
}

/** A sink's batches over its subtasks: each subtask syncs its own. */
export interface SinkBatches {
  /** Batches whose every reply was checked (`numBatchesFlushed`). */
  flushed: number;
  /** Commands they sent, after merging (`numCommandsWritten`). */
  commands: number;
  /** The slowest subtask's last batch, the longest batch, and the mean, in ms (`lastBatchSyncTimeMs`, `maxBatchSyncTimeMs`, `accumulatedBatchSyncTimeMs`). */
  lastMs: number;
  maxMs: number;
  meanMs: number | null;
}

export interface RedisSection {
  sinks: SinkCounts[];
  written: number;
  /**
   * Batches that failed and connection attempts retried, where the connector counts them (`numWriteFailures`,
   * `numConnectRetries`): since the sinks' tasks last started, as a failed batch fails the job (see restarts).
   */
  failures: Section<{ count: number }>;
  retries: Section<{ count: number }>;
}

/** Rows the job dropped, from the spec's `job.droppedRows` hash in Redis (deploy/dropped-rows.ts). */
export interface DroppedRowsSection {
  /** The hash's key. */
  key: string;
  /** Rows dropped as late, over every window the hash holds. */
  late: number;
  /** How many windows dropped late rows. */
  lateWindows: number;
  /** The newest windows that dropped late rows (at most 5), newest first. */
  newestWindows: { windowEnd: string; late: number }[];
  withoutEventTime: number;
  unparseable?: number;
}

/** What every health report starts with: its format version, the pipeline, the target and when it was read. */
export function healthHeader(
  spec: Pick<Spec, 'name'>,
  target: { name: string; type: string },
  now: number,
): Pick<PipelineHealth, 'version' | 'pipeline' | 'target' | 'checkedAt'> {
  return { version: 1, pipeline: spec.name, target: { name: target.name, type: target.type }, checkedAt: new Date(now).toISOString() };
}

export interface PipelineHealth {
  version: 1;
  pipeline: string;
  target: { name: string; type: string };
  checkedAt: string;
  job: JobState & { startedAt: string | null; uptimeSeconds: number | null };
  restarts: Section<RestartsSection>;
  checkpoints: Section<CheckpointsSection>;
  kafka: Section<KafkaSection>;
  freshness: Section<FreshnessSection>;
  throughput: Section<ThroughputSection>;
  tasks: Section<TasksSection>;
  redis: Section<RedisSection>;
  droppedRows: Section<DroppedRowsSection>;
}

/** The sections after `job`, in the order status prints them. */
export const HEALTH_SECTIONS = ['restarts', 'checkpoints', 'kafka', 'freshness', 'throughput', 'tasks', 'redis', 'droppedRows'] as const;
