/**
 * `uvpv status` on a Flink cluster: the job's health from Flink's REST API (job, exception
 * history, checkpoints, each task's metrics) and the source topic's end offsets from Kafka. Every
 * number is read from one place; one Flink reports nothing for is "not available", with why.
 */
import type { GatewayTarget, Spec } from '../../pipeline/types';
import { kafka } from '../../kafka/client';
import {
  healthHeader,
  notAvailable,
  type CheckpointsSection,
  type FreshnessSection,
  type KafkaSection,
  type PipelineHealth,
  type RedisSection,
  type Section,
  type SinkCounts,
  type TaskLoad,
  type TasksSection,
  type ThroughputSection,
} from '../health';
import type { JobState } from '../deployer';
import type { FlinkJob, GatewayClient } from './client';

/** A topic's end offsets and the group's committed offsets, per partition; undefined when Kafka does not answer. */
export interface KafkaOffsets {
  endOffsets(topic: string): Promise<Map<number, number> | undefined>;
  committed(groupId: string, topic: string): Promise<Map<number, number> | undefined>;
}

/** Flink's value for "no watermark yet" (Long.MIN_VALUE), as JSON carries it. */
const NO_WATERMARK = -9.2e18;
/** A task back-pressured more than this (ms per second) is named as back-pressured. */
const BACK_PRESSURED_MS = 100;

interface VertexInfo {
  id: string;
  name: string;
  parallelism: number;
}

/** One task's metrics, aggregated over its subtasks: name → {min, max, sum}. */
type Aggregates = Map<string, { min: number; max: number; sum: number }>;

export async function gatewayHealth(
  client: GatewayClient,
  target: GatewayTarget,
  spec: Spec,
  found: FlinkJob,
  details: string[],
  offsets: KafkaOffsets = kafkaOffsets(spec.source.bootstrapServers),
): Promise<PipelineHealth> {
  const job = await client.rest<{ state: string; 'start-time': number; now?: number; vertices?: VertexInfo[] }>(`/jobs/${found.jid}`);
  const now = job.now ?? Date.now();
  const running = job.state === 'RUNNING';
  const state: JobState = { jobId: found.jid, name: found.name, state: job.state, details };
  const restarts = await client.restartHistory(found.jid, job.state);
  const last = restarts.listed[restarts.listed.length - 1];
  const notRunning = notAvailable(`the job is ${job.state}, not RUNNING: Flink keeps no live metrics for it`);
  const vertices = running
    ? await Promise.all((job.vertices ?? []).map(async (v) => ({ v, m: await vertexMetrics(client, found.jid, v) })))
    : [];
  return {
    ...healthHeader(spec, target, now),
    job: {
      ...state,
      startedAt: job['start-time'] > 0 ? new Date(job['start-time']).toISOString() : null,
      uptimeSeconds: running && job['start-time'] > 0 ? (now - job['start-time']) / 1000 : null,
    },
    restarts: {
      available: true,
      count: restarts.count,
      ...(last
        ? { last: { at: new Date(last.at).toISOString(), rootCause: last.rootCause, ...(last.task ? { task: last.task } : {}) } }
        : {}),
    },
    checkpoints: await checkpoints(client, found.jid, now),
    kafka: running ? await kafkaLag(spec, vertices, offsets) : notRunning,
    freshness: running ? freshness(spec, vertices, now) : notRunning,
    throughput: running ? throughput(vertices) : notRunning,
    tasks: running ? tasks(vertices) : notRunning,
    redis: running ? redis(target, vertices) : notRunning,
    droppedRows: droppedRows(),
  };
}

/** Rows the job dropped are counted into the spec's Redis, not Flink's metrics: `status` reads them (deploy/dropped-rows.ts). */
function droppedRows(): Section<never> {
  return notAvailable("not in Flink's metrics: the job counts them into the spec's job.droppedRows hash in Redis");
}

async function vertexMetrics(client: GatewayClient, jobId: string, v: VertexInfo): Promise<Aggregates> {
  const base = `/jobs/${jobId}/vertices/${v.id}/subtasks/metrics`;
  const names = (await client.rest<{ id: string }[]>(base).catch(() => [])).map((m) => m.id).filter(wanted);
  const out: Aggregates = new Map();
  // A few names per request: they are long, and a URL has a limit.
  for (let i = 0; i < names.length; i += 20) {
    const get = names
      .slice(i, i + 20)
      .map(encodeURIComponent)
      .join(',');
    const values = await client
      .rest<{ id: string; min: number; max: number; sum: number }[]>(`${base}?get=${get}&agg=min,max,sum`)
      .catch(() => []);
    for (const m of values) out.set(m.id, { min: m.min, max: m.max, sum: m.sum });
  }
  return out;
}

const PARTITION = /^Source__.+?\[\d+\]\.KafkaSourceReader\.topic\.(.+)\.partition\.(\d+)\.currentOffset$/;
const SOURCE_IN = /^Source__.+?\[\d+\]\.numRecordsInPerSecond$/;
const SOURCE_WATERMARK = /^Source__.+?\[\d+\]\.currentOutputWatermark$/;
const WINDOW_WATERMARK = /^\w*WindowAggregate\[\d+\]\.currentInputWatermark$/;
/** The sinks' metrics: Flink's own, and those uvpv's connector registers (connector/…/RedisSinkMetrics.java). */
const SINK_METRICS = [
  'numRecordsInPerSecond',
  'numRecordsSend',
  'numNullRowsSkipped',
  'numListPushesSkipped',
  'numMembersSkipped',
  'numCommandsWritten',
  'numBatchesFlushed',
  'numWriteFailures',
  'numConnectRetries',
  'lastBatchSyncTimeMs',
  'maxBatchSyncTimeMs',
  'accumulatedBatchSyncTimeMs',
] as const;
const WRITER = new RegExp(`^(.+?)\\[\\d+\\]__Writer\\.(${SINK_METRICS.join('|')})$`);
const TASK = new Set(['busyTimeMsPerSecond', 'backPressuredTimeMsPerSecond']);

function wanted(name: string): boolean {
  return [PARTITION, SOURCE_IN, SOURCE_WATERMARK, WINDOW_WATERMARK, WRITER].some((r) => r.test(name)) || TASK.has(name);
}

function matching(vertices: { m: Aggregates }[], pattern: RegExp): [RegExpExecArray, { min: number; max: number; sum: number }][] {
  const out: [RegExpExecArray, { min: number; max: number; sum: number }][] = [];
  for (const { m } of vertices)
    for (const [name, value] of m) {
      const match = pattern.exec(name);
      if (match) out.push([match, value]);
    }
  return out;
}

async function checkpoints(client: GatewayClient, jobId: string, now: number): Promise<Section<CheckpointsSection>> {
  const r = await client
    .rest<{
      counts?: { completed?: number; failed?: number; in_progress?: number };
      latest?: {
        completed?: { latest_ack_timestamp?: number; end_to_end_duration?: number; checkpointed_size?: number; state_size?: number } | null;
        failed?: { failure_timestamp?: number; failure_message?: string } | null;
      };
    }>(`/jobs/${jobId}/checkpoints`)
    .catch(() => undefined);
  if (!r?.counts) return notAvailable("Flink's REST API gave no checkpoint statistics for the job");
  const done = r.latest?.completed;
  const failed = r.latest?.failed;
  return {
    available: true,
    completed: r.counts.completed ?? 0,
    failed: r.counts.failed ?? 0,
    inProgress: r.counts.in_progress ?? 0,
    last:
      done && done.latest_ack_timestamp
        ? {
            at: new Date(done.latest_ack_timestamp).toISOString(),
            ageSeconds: Math.max(0, (now - done.latest_ack_timestamp) / 1000),
            durationMs: done.end_to_end_duration ?? 0,
            sizeBytes: done.checkpointed_size ?? done.state_size ?? 0,
          }
        : null,
    lastFailure:
      failed && failed.failure_timestamp
        ? { at: new Date(failed.failure_timestamp).toISOString(), message: failed.failure_message ?? 'no message' }
        : null,
  };
}

async function kafkaLag(spec: Spec, vertices: { m: Aggregates }[], offsets: KafkaOffsets): Promise<Section<KafkaSection>> {
  const { topic, bootstrapServers, groupId } = spec.source;
  const ends = await offsets.endOffsets(topic);
  if (!ends) return notAvailable(`Kafka at ${bootstrapServers} does not answer from here, so the topic's end offsets are unknown`);
  // The source's metric is the offset of the last record it read; -1 before the first.
  const read = new Map<number, number>();
  for (const [m, value] of matching(vertices, PARTITION)) if (m[1] === topic) read.set(Number(m[2]), value.max + 1);
  let from: KafkaSection['from'] = 'job metrics';
  let positions = read;
  if (read.size === 0) {
    const committed = groupId ? await offsets.committed(groupId, topic) : undefined;
    if (!committed)
      return notAvailable(`the job reports no offsets for topic ${topic} yet${groupId ? ` and group ${groupId} has committed none` : ''}`);
    from = 'committed offsets';
    positions = committed;
  }
  const partitions = [...ends.entries()]
    .sort(([a], [b]) => a - b)
    .map(([partition, endOffset]) => {
      const position = Math.max(0, positions.get(partition) ?? 0);
      return { partition, position, endOffset, lag: Math.max(0, endOffset - position) };
    });
  return { available: true, topic, from, totalLag: partitions.reduce((a, p) => a + p.lag, 0), partitions };
}

function freshness(spec: Spec, vertices: { m: Aggregates }[], now: number): Section<FreshnessSection> {
  const window = matching(vertices, WINDOW_WATERMARK);
  const seen = (window.length ? window : matching(vertices, SOURCE_WATERMARK)).map(([, v]) => v.min);
  const watermark = seen.length ? Math.min(...seen) : undefined;
  if (watermark === undefined) return notAvailable('the job reports no watermark metric');
  if (watermark <= NO_WATERMARK) return notAvailable('no watermark yet: no row with an event time has reached the windows');
  return {
    available: true,
    watermark: new Date(watermark).toISOString(),
    behindSeconds: (now - watermark) / 1000,
    watermarkDelaySeconds: spec.source.watermarkDelay.millis / 1000,
  };
}

function throughput(vertices: { m: Aggregates }[]): Section<ThroughputSection> {
  const inputs = matching(vertices, SOURCE_IN);
  const outputs = matching(vertices, WRITER).filter(([m]) => m[2] === 'numRecordsInPerSecond');
  if (!inputs.length) return notAvailable("the job's source reports no numRecordsInPerSecond");
  const sum = (xs: [unknown, { sum: number }][]) => xs.reduce((a, [, v]) => a + v.sum, 0);
  return { available: true, inPerSecond: sum(inputs), outPerSecond: sum(outputs) };
}

function tasks(vertices: { v: VertexInfo; m: Aggregates }[]): Section<TasksSection> {
  const loads: TaskLoad[] = vertices
    .filter(({ m }) => m.has('busyTimeMsPerSecond'))
    .map(({ v, m }) => ({
      name: taskName(v.name),
      parallelism: v.parallelism,
      busyMsPerSecond: finite(m.get('busyTimeMsPerSecond')?.max),
      backPressuredMsPerSecond: finite(m.get('backPressuredTimeMsPerSecond')?.max),
    }))
    .sort((a, b) => b.busyMsPerSecond - a.busyMsPerSecond);
  if (!loads.length) return notAvailable('the job reports no busy time for its tasks');
  return {
    available: true,
    tasks: loads,
    busiest: loads[0].name,
    backPressured: loads.filter((t) => t.backPressuredMsPerSecond > BACK_PRESSURED_MS).map((t) => t.name),
  };
}

function redis(target: GatewayTarget, vertices: { m: Aggregates }[]): Section<RedisSection> {
  const bySink = new Map<string, { counts: SinkCounts; metrics: Aggregates }>();
  for (const [m, v] of matching(vertices, WRITER)) {
    const sink = bySink.get(m[1]) ?? {
      counts: { sink: m[1], written: 0, skipped: { nullRows: 0, listPushes: 0, members: 0 } },
      metrics: new Map(),
    };
    bySink.set(m[1], sink);
    sink.metrics.set(m[2], v);
  }
  if (!bySink.size) return notAvailable('the job reports no Redis sink metrics');
  const sum = (m: Aggregates, name: (typeof SINK_METRICS)[number]) => finite(m.get(name)?.sum);
  const sinks = [...bySink.values()]
    .map(({ counts, metrics: m }): SinkCounts => {
      const skipped = {
        nullRows: sum(m, 'numNullRowsSkipped'),
        listPushes: sum(m, 'numListPushesSkipped'),
        members: sum(m, 'numMembersSkipped'),
      };
      if (!m.has('numBatchesFlushed')) return { ...counts, written: sum(m, 'numRecordsSend'), skipped };
      const flushed = sum(m, 'numBatchesFlushed');
      const batches = {
        flushed,
        commands: sum(m, 'numCommandsWritten'),
        lastMs: finite(m.get('lastBatchSyncTimeMs')?.max),
        maxMs: finite(m.get('maxBatchSyncTimeMs')?.max),
        meanMs: flushed > 0 ? sum(m, 'accumulatedBatchSyncTimeMs') / flushed : null,
      };
      return { ...counts, written: sum(m, 'numRecordsSend'), skipped, batches };
    })
    .sort((a, b) => a.sink.localeCompare(b.sink));
  const counted = (name: 'numWriteFailures' | 'numConnectRetries'): Section<{ count: number }> => {
    const reported = [...bySink.values()].filter(({ metrics: m }) => m.has(name));
    if (reported.length) return { available: true, count: reported.reduce((a, { metrics: m }) => a + sum(m, name), 0) };
    return notAvailable(
      target.redisConnector === 'uvpv'
        ? "the job runs a build of uvpv's connector from before it counted them: uvpv connector --out DIR makes a new one for a cluster of your own; locally, uvpv stack down, then up"
        : 'this Redis connector does not report them',
    );
  };
  return {
    available: true,
    sinks,
    written: sinks.reduce((a, s) => a + s.written, 0),
    failures: counted('numWriteFailures'),
    retries: counted('numConnectRetries'),
  };
}

/** A task's name without Flink's operator ids: `Source: clicks -> Calc -> …`. */
function taskName(name: string): string {
  return name.replace(/\[\d+\]/g, '');
}

function finite(n: number | undefined): number {
  return n !== undefined && Number.isFinite(n) ? n : 0;
}

/** Offsets from Kafka itself, through a client that gives up quickly when no broker answers. */
export function kafkaOffsets(bootstrapServers: string): KafkaOffsets {
  const admin = async <T>(f: (a: ReturnType<ReturnType<typeof kafka>['admin']>) => Promise<T>): Promise<T | undefined> => {
    const a = kafka(bootstrapServers, { clientId: 'uvpv-status', retries: 0 }).admin();
    try {
      await a.connect();
      return await f(a);
    } catch {
      return undefined;
    } finally {
      await a.disconnect().catch(() => undefined);
    }
  };
  return {
    endOffsets: (topic) => admin(async (a) => new Map((await a.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]))),
    committed: (groupId, topic) =>
      admin(async (a) => {
        const [t] = await a.fetchOffsets({ groupId, topics: [topic] });
        const known = (t?.partitions ?? []).filter((p) => Number(p.offset) >= 0);
        return known.length ? new Map(known.map((p) => [p.partition, Number(p.offset)])) : undefined;
      }),
  };
}
