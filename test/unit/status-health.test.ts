/**
 * `uvpv status`'s health report from a fake Flink REST API (answers shaped as Flink 1.20's, with
 * the metric names the generated job registers) and fake Kafka offsets: every section is read from
 * its metric, and what is missing is "not available" with why, never a zero.
 */
import { GatewayClient, type FlinkJob } from '../../src/deploy/gateway/client';
import { gatewayHealth, type KafkaOffsets } from '../../src/deploy/gateway/health';
import { healthLines, duration } from '../../src/deploy/health-text';
import { oceanusHealth } from '../../src/deploy/oceanus/health';
import { HEALTH_SECTIONS } from '../../src/deploy/health';
import { toJobState } from '../../src/deploy/oceanus/jobs';
import type { GatewayTarget, OceanusTarget, Spec } from '../../src/pipeline/types';
import { startFakeHttp, type FakeHttp } from '../support/fake-http';

const JOB = 'b'.repeat(32);
const NOW = Date.parse('2024-05-01T12:00:00.000Z');
const SOURCE = 'Source__clicks[1]';
const spec = {
  name: 'shop',
  source: { topic: 'clicks', bootstrapServers: '127.0.0.1:1', groupId: 'g1', watermarkDelay: { millis: 30_000 } },
} as unknown as Spec;
let fake: FakeHttp;
let target: GatewayTarget;
const found: FlinkJob = { jid: JOB, name: 'shop', state: 'RUNNING', 'start-time': NOW - 3_723_000 };

/** Per vertex: metric name → [min, max, sum]. */
function flink(state: string, metrics: Record<string, Record<string, [number, number, number]>>, checkpoints: unknown = undefined) {
  fake.route('GET', new RegExp(`^/jobs/${JOB}$`), () => ({
    body: {
      state,
      'start-time': found['start-time'],
      now: NOW,
      vertices: Object.keys(metrics).map((id) => ({ id, name: `${id}[7] -> Calc[8]`, parallelism: 2 })),
    },
  }));
  fake.route('GET', new RegExp(`^/jobs/${JOB}/exceptions`), () => ({
    body: {
      exceptionHistory: {
        entries: [
          {
            timestamp: NOW - 60_000,
            exceptionName: 'java.io.IOException',
            stacktrace: 'java.io.IOException: Redis went away',
            taskName: 'Sink',
          },
        ],
      },
    },
  }));
  // Its one failure was recovered from, unless it ended the job.
  fake.route('GET', new RegExp(`^/jobs/${JOB}/metrics`), () => ({ body: [{ id: 'numRestarts', value: state === 'FAILED' ? '0' : '1' }] }));
  fake.route('GET', new RegExp(`^/jobs/${JOB}/checkpoints$`), () => (checkpoints ? { body: checkpoints } : undefined));
  fake.route('GET', new RegExp(`^/jobs/${JOB}/vertices/([^/]+)/subtasks/metrics`), (req) => {
    const url = new URL(req.url ?? '', 'http://x');
    const vertex = /vertices\/([^/]+)\//.exec(url.pathname)?.[1] ?? '';
    const mine = metrics[vertex] ?? {};
    const get = url.searchParams.get('get');
    if (!get) return { body: Object.keys(mine).map((id) => ({ id })) };
    return { body: get.split(',').map((id) => ({ id, min: mine[id][0], max: mine[id][1], sum: mine[id][2] })) };
  });
}

const offsets = (ends: [number, number][] | undefined, committed?: [number, number][]): KafkaOffsets => ({
  endOffsets: () => Promise.resolve(ends && new Map(ends)),
  committed: () => Promise.resolve(committed && new Map(committed)),
});

const RUNNING_METRICS: Record<string, Record<string, [number, number, number]>> = {
  v1: {
    [`${SOURCE}.KafkaSourceReader.topic.clicks.partition.0.currentOffset`]: [99, 99, 99],
    [`${SOURCE}.KafkaSourceReader.topic.clicks.partition.1.currentOffset`]: [-1, 49, 48],
    [`${SOURCE}.KafkaSourceReader.topic.other.partition.0.currentOffset`]: [5, 5, 5],
    [`${SOURCE}.numRecordsInPerSecond`]: [10, 15, 25],
    [`${SOURCE}.currentOutputWatermark`]: [NOW - 40_000, NOW - 35_000, 0],
    busyTimeMsPerSecond: [100, 200, 300],
    backPressuredTimeMsPerSecond: [0, 600, 600],
    'redis_uv[3]__Writer.numRecordsInPerSecond': [1, 2, 3],
    'redis_uv[3]__Writer.numRecordsSend': [10, 20, 30],
    'redis_uv[3]__Writer.numMembersSkipped': [1, 1, 2],
    'redis_uv[3]__Writer.numCommandsWritten': [5, 7, 12],
    'redis_uv[3]__Writer.numBatchesFlushed': [2, 4, 6],
    'redis_uv[3]__Writer.numWriteFailures': [0, 0, 0],
    'redis_uv[3]__Writer.numConnectRetries': [0, 1, 1],
    'redis_uv[3]__Writer.lastBatchSyncTimeMs': [1, 3, 4],
    'redis_uv[3]__Writer.maxBatchSyncTimeMs': [9, 30, 39],
    'redis_uv[3]__Writer.accumulatedBatchSyncTimeMs': [10, 20, 30],
  },
  v2: {
    'GlobalWindowAggregate[4].currentInputWatermark': [NOW - 45_000, NOW - 45_000, 0],
    busyTimeMsPerSecond: [900, 950, 1850],
    backPressuredTimeMsPerSecond: [0, 0, 0],
    'redis_pv[5]__Writer.numRecordsInPerSecond': [0.5, 0.5, 1],
    'redis_pv[5]__Writer.numRecordsSend': [4, 4, 8],
    'redis_pv[5]__Writer.numNullRowsSkipped': [1, 1, 2],
    'redis_pv[5]__Writer.numListPushesSkipped': [0, 3, 3],
    'redis_pv[5]__Writer.numCommandsWritten': [4, 4, 8],
    'redis_pv[5]__Writer.numBatchesFlushed': [1, 1, 2],
    'redis_pv[5]__Writer.numWriteFailures': [0, 1, 1],
    'redis_pv[5]__Writer.numConnectRetries': [1, 1, 2],
    'redis_pv[5]__Writer.lastBatchSyncTimeMs': [2, 5, 7],
    'redis_pv[5]__Writer.maxBatchSyncTimeMs': [6, 12, 18],
    'redis_pv[5]__Writer.accumulatedBatchSyncTimeMs': [4, 4, 8],
  },
};

const CHECKPOINTS = {
  counts: { completed: 12, failed: 1, in_progress: 0 },
  latest: {
    completed: { latest_ack_timestamp: NOW - 14_000, end_to_end_duration: 75, checkpointed_size: 2048 },
    failed: { failure_timestamp: NOW - 3_600_000, failure_message: 'Checkpoint expired before completing.' },
  },
};

beforeEach(async () => {
  fake = await startFakeHttp();
  target = { name: 'local', type: 'gateway', gateway: fake.url, flinkRest: fake.url, redisConnector: 'uvpv' };
});
afterEach(() => fake.close());

const health = (o: KafkaOffsets) =>
  gatewayHealth(new GatewayClient(target, { intervalMs: 5, timeoutMs: 400 }), target, spec, found, ['x'], o);

test('a running job: every section read from its metric', async () => {
  flink('RUNNING', RUNNING_METRICS, CHECKPOINTS);
  const h = await health(
    offsets([
      [0, 130],
      [1, 50],
    ]),
  );
  expect(h.job).toMatchObject({ jobId: JOB, state: 'RUNNING', startedAt: '2024-05-01T10:57:57.000Z', uptimeSeconds: 3723 });
  expect(h.restarts).toEqual({
    available: true,
    count: 1,
    last: { at: '2024-05-01T11:59:00.000Z', rootCause: 'java.io.IOException: Redis went away', task: 'Sink' },
  });
  expect(h.checkpoints).toEqual({
    available: true,
    completed: 12,
    failed: 1,
    inProgress: 0,
    last: { at: '2024-05-01T11:59:46.000Z', ageSeconds: 14, durationMs: 75, sizeBytes: 2048 },
    lastFailure: { at: '2024-05-01T11:00:00.000Z', message: 'Checkpoint expired before completing.' },
  });
  // The metric is the last offset read: the next one is the position. Another topic's partitions are not the source's.
  expect(h.kafka).toEqual({
    available: true,
    topic: 'clicks',
    from: 'job metrics',
    totalLag: 30,
    partitions: [
      { partition: 0, position: 100, endOffset: 130, lag: 30 },
      { partition: 1, position: 50, endOffset: 50, lag: 0 },
    ],
  });
  // The window operator's input watermark, the slowest subtask's.
  expect(h.freshness).toEqual({ available: true, watermark: '2024-05-01T11:59:15.000Z', behindSeconds: 45, watermarkDelaySeconds: 30 });
  expect(h.throughput).toEqual({ available: true, inPerSecond: 25, outPerSecond: 4 });
  expect(h.tasks).toEqual({
    available: true,
    tasks: [
      { name: 'v2 -> Calc', parallelism: 2, busyMsPerSecond: 950, backPressuredMsPerSecond: 0 },
      { name: 'v1 -> Calc', parallelism: 2, busyMsPerSecond: 200, backPressuredMsPerSecond: 600 },
    ],
    busiest: 'v2 -> Calc',
    backPressured: ['v1 -> Calc'],
  });
  // Counts are summed over subtasks; the last batch time is the slowest subtask's, the mean is all time over all batches.
  expect(h.redis).toEqual({
    available: true,
    written: 38,
    sinks: [
      {
        sink: 'redis_pv',
        written: 8,
        skipped: { nullRows: 2, listPushes: 3, members: 0 },
        batches: { flushed: 2, commands: 8, lastMs: 5, maxMs: 12, meanMs: 4 },
      },
      {
        sink: 'redis_uv',
        written: 30,
        skipped: { nullRows: 0, listPushes: 0, members: 2 },
        batches: { flushed: 6, commands: 12, lastMs: 3, maxMs: 30, meanMs: 5 },
      },
    ],
    failures: { available: true, count: 1 },
    retries: { available: true, count: 3 },
  });
  expect(h.droppedRows.available).toBe(false);

  const text = healthLines(h);
  expect(text[0]).toBe(`shop: RUNNING (job ${JOB} on target local), up 1 h 2 min`);
  expect(text).toContain('  restarts      1; last at 2024-05-01T11:59:00.000Z: java.io.IOException: Redis went away');
  expect(text).toContain(
    '  checkpoints   12 completed, 1 failed; last 14 s ago, took 75 ms, 2.0 KiB; last failure at 2024-05-01T11:00:00.000Z: Checkpoint expired before completing.',
  );
  expect(text).toContain('  kafka lag     30 records behind on clicks (partition 0: 30, 1: 0; from job metrics)');
  expect(text).toContain(
    '  freshness     event time 45 s behind now (watermark 2024-05-01T11:59:15.000Z; the watermark delay is 30 s of it)',
  );
  expect(text).toContain('  throughput    in 25.0 records/s, out 4.0 rows/s to Redis');
  expect(text).toContain('  tasks         busiest: v2 -> Calc (950 ms/s busy); back-pressured: v1 -> Calc');
  expect(text).toContain(
    '  redis         38 rows written by 2 sinks in 8 batches (20 commands; last 5 ms, longest 30 ms, mean 4.8 ms), ' +
      '7 skipped (already written on a replay, or null); failures: 1; retries: 3 (since the sinks last started)',
  );
  expect(text.find((l) => l.startsWith('  dropped rows'))).toMatch(/^ {2}dropped rows  not available \(/);
});

test("the group's committed offsets stand in when the job reports none; Kafka away is not available, not zero", async () => {
  const metrics = { v1: { ...RUNNING_METRICS.v1 } };
  for (const k of Object.keys(metrics.v1)) if (k.includes('currentOffset')) delete metrics.v1[k];
  flink('RUNNING', metrics, CHECKPOINTS);
  expect((await health(offsets([[0, 10]], [[0, 4]]))).kafka).toEqual({
    available: true,
    topic: 'clicks',
    from: 'committed offsets',
    totalLag: 6,
    partitions: [{ partition: 0, position: 4, endOffset: 10, lag: 6 }],
  });
  expect((await health(offsets([[0, 10]]))).kafka).toEqual({
    available: false,
    reason: 'the job reports no offsets for topic clicks yet and group g1 has committed none',
  });
  expect((await health(offsets(undefined))).kafka).toEqual({
    available: false,
    reason: "Kafka at 127.0.0.1:1 does not answer from here, so the topic's end offsets are unknown",
  });
});

test('a connector that does not count failures and retries: not available, with why, and no batches', async () => {
  const counted = /\.(numCommandsWritten|numBatchesFlushed|numWriteFailures|numConnectRetries|\w+BatchSyncTimeMs)$/;
  flink('RUNNING', { v1: Object.fromEntries(Object.entries(RUNNING_METRICS.v1).filter(([k]) => !counted.test(k))) }, CHECKPOINTS);
  const older = await health(offsets([[0, 130]]));
  const why = {
    available: false,
    reason:
      "the job runs a build of uvpv's connector from before it counted them: uvpv connector --out DIR makes a new one for a cluster of your own; locally, uvpv stack down, then up",
  };
  expect(older.redis).toEqual({
    available: true,
    written: 30,
    sinks: [{ sink: 'redis_uv', written: 30, skipped: { nullRows: 0, listPushes: 0, members: 2 } }],
    failures: why,
    retries: why,
  });
  expect(healthLines(older)).toContain(
    `  redis         30 rows written by 1 sink, 2 skipped (already written on a replay, or null); failures and retries: not available (${why.reason})`,
  );
  target = { ...target, redisConnector: 'jeff-zou' };
  const other = await health(offsets([[0, 130]]));
  expect(other.redis.available && other.redis.failures).toEqual({ available: false, reason: 'this Redis connector does not report them' });
});

test('no watermark yet, and the source watermark when there is no window operator', async () => {
  flink('RUNNING', { v1: { [`${SOURCE}.currentOutputWatermark`]: [-9223372036854776000, -9223372036854776000, 0] } }, CHECKPOINTS);
  expect((await health(offsets([[0, 0]]))).freshness).toEqual({
    available: false,
    reason: 'no watermark yet: no row with an event time has reached the windows',
  });
  await fake.close();
  fake = await startFakeHttp();
  target = { ...target, gateway: fake.url, flinkRest: fake.url };
  flink('RUNNING', { v1: { [`${SOURCE}.currentOutputWatermark`]: [NOW - 5000, NOW - 5000, 0] } }, CHECKPOINTS);
  expect((await health(offsets([[0, 0]]))).freshness).toMatchObject({ available: true, behindSeconds: 5 });
});

test('a job that is not running: restarts and checkpoints, and live numbers not available', async () => {
  flink('FAILED', RUNNING_METRICS, CHECKPOINTS);
  const h = await health(offsets([[0, 1]]));
  expect(h.job.uptimeSeconds).toBeNull();
  // The newest failure ended the job: it is no restart.
  expect(h.restarts).toEqual({ available: true, count: 0 });
  expect(h.checkpoints.available).toBe(true);
  for (const s of ['kafka', 'freshness', 'throughput', 'tasks', 'redis'] as const)
    expect(h[s]).toEqual({ available: false, reason: 'the job is FAILED, not RUNNING: Flink keeps no live metrics for it' });
  expect(healthLines(h)).toContain(
    '  kafka lag, freshness, throughput, tasks, redis: not available (the job is FAILED, not RUNNING: Flink keeps no live metrics for it)',
  );
  // Nothing was asked of the tasks.
  expect(fake.calls.filter((c) => c.path.includes('/vertices/'))).toEqual([]);
});

test("Oceanus: the state and this run's uptime; everything else not available, with where to look", () => {
  const t = { name: 'prod', type: 'oceanus' } as OceanusTarget;
  const job = { JobId: 'cql-1', Name: 'shop', Status: 4, CurrentRunMillis: 90_000, WebUIUrl: 'https://ui.example/flink' };
  const h = oceanusHealth(t, spec, job, toJobState(job), NOW);
  expect(h.job).toMatchObject({ jobId: 'cql-1', state: 'RUNNING', uptimeSeconds: 90, startedAt: '2024-05-01T11:58:30.000Z' });
  for (const s of HEALTH_SECTIONS) {
    const section = h[s];
    expect(section.available).toBe(false);
    if (!section.available)
      expect(section.reason).toMatch(
        /^Oceanus's API \(DescribeJobs\) does not report .*: see the job's monitoring in the Oceanus console or its Flink web UI/,
      );
  }
  expect(healthLines(h)[0]).toBe('shop: RUNNING (job cql-1 on target prod), up 1 min 30 s');
});

test('durations read as people write them', () => {
  expect([duration(3.24), duration(45), duration(125), duration(3723), duration(90061)]).toEqual([
    '3.2 s',
    '45 s',
    '2 min 5 s',
    '1 h 2 min',
    '1 d 1 h',
  ]);
  expect(duration(3600)).toBe('1 h');
});
