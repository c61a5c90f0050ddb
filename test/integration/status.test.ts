/**
 * `uvpv status` on the real local stack: the reference pipeline (under a name, topic and Redis
 * database of this test's own, counting its dropped rows with job.droppedRows) deployed, fed a few
 * hundred records of which some are late, some malformed (`produce --late-ratio 0.05 --bad-ratio
 * 0.02`), then `status --json` must hold every section, with numbers that fit what was sent and
 * dropped rows exactly as the reference model computes them; once stopped, the live numbers are
 * not available and status exits 1.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../src/cli/run';
import { memoryIo } from '../../src/io/io';
import { deleteTopic, kafka, sendValues, splitLines } from '../../src/kafka/client';
import { referenceModel } from '../../src/model/reference';
import { loadSpec } from '../../src/pipeline/load';
import type { PipelineHealth } from '../../src/deploy/health';
import { HEALTH_SECTIONS } from '../../src/deploy/health';
import { stackLayout, stackUrls } from '../../src/stack/layout';
import { LocalStack } from '../../src/stack/stack';
import { progress } from '../../src/io/progress';
import { required } from '../../src/util/required';
import { claimDatabase, type Namespace } from '../../src/verify/namespace';

const ROOT = resolve(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'uvpv-status-'));
const urls = stackUrls(stackLayout(process.env));
const NAME = `uvpv-status-${randomBytes(3).toString('hex')}`;
const SPEC = join(dir, 'pipeline.yaml');
const RECORDS = 400;
let ns: Namespace;

async function uvpv(args: string[]) {
  const io = memoryIo({ ...process.env }, dir);
  const code = await run(args, io);
  return { code, out: io.out, err: io.err };
}

async function status(): Promise<{ code: number; health: PipelineHealth }> {
  const r = await uvpv(['status', SPEC, '--json']);
  expect(r.err).not.toMatch(/error:/);
  return { code: r.code, health: JSON.parse(r.out) as PipelineHealth };
}

beforeAll(async () => {
  // The stack's Redis: the machine's on 6379, or the stack's own.
  const redis = required(new LocalStack(stackLayout(process.env), progress(memoryIo())).redisEndpoint(), "the stack's Redis");
  ns = await claimDatabase(redis.host, redis.port, NAME);
  const text = readFileSync(join(ROOT, 'pipelines/uvpv.yaml'), 'utf8')
    .replace(/^name: uvpv-demo /m, `name: ${NAME} `)
    .replace(/^ {2}topic: uvpv-demo$/m, `  topic: ${NAME}`)
    .replace(/^ {2}port: 6379$/m, `  port: ${redis.port}`)
    .replace(/^ {2}database: 0$/m, `  database: ${ns.database}`)
    .replace(/\nredis:/, `\njob:\n  checkpointInterval: 2 s\n  droppedRows: { key: '${NAME}:dropped', type: hash }\n\nredis:`);
  expect(text).toContain(`database: ${ns.database}`);
  writeFileSync(SPEC, text);
});

afterAll(async () => {
  await uvpv(['stop', SPEC]);
  await deleteTopic(kafka(urls.kafka), NAME).catch(() => undefined);
  await ns.release(false);
});

test('status --json of a running pipeline: every section present and sane; stopped, the live numbers are not available', async () => {
  const deployed = await uvpv(['deploy', SPEC, '--create-topic']);
  expect(deployed.code).toBe(0);
  // Records 20 s of event time apart, so that windows close while they are read and late ones miss them.
  const file = join(dir, 'records.jsonl');
  const args = ['--events', String(RECORDS), '--seed', '3', '--step', '20 s', '--late-ratio', '0.05', '--bad-ratio', '0.02'];
  const produced = await uvpv(['produce', SPEC, ...args, '--out', file]);
  expect(produced.code).toBe(0);
  // produce's malformed records keep their event time; two more have none (missing, and not a time).
  const noTime = [
    '{"record_type":0,"user_id":7,"client_ip":"100.0.0.7","product_id":101}',
    '{"record_type":0,"user_id":8,"create_time":"yesterday"}',
  ];
  const messages = [...splitLines(readFileSync(file)), ...noTime.map((line) => Buffer.from(line))];
  expect(messages).toHaveLength(RECORDS + noTime.length);
  const model = referenceModel(loadSpec(SPEC, { env: process.env, cwd: dir }).spec, messages);
  const late = [...model.dropped.late.values()].reduce((a, b) => a + b, 0);
  // The records must exercise what is checked: rows late for some window, and rows without an event time.
  expect(late).toBeGreaterThan(0);
  expect(model.dropped.noEventTime).toBeGreaterThan(0);
  await sendValues(kafka(urls.kafka), NAME, messages);

  // Flink's REST API refreshes a job's metrics every 10 s: wait until they show every record read and a checkpoint.
  let h: PipelineHealth | undefined;
  let code = -1;
  const deadline = Date.now() + 90_000;
  for (;;) {
    ({ code, health: h } = await status());
    const droppedDone =
      h.droppedRows.available && h.droppedRows.late === late && h.droppedRows.withoutEventTime === model.dropped.noEventTime;
    if (h.kafka.available && h.kafka.totalLag === 0 && h.checkpoints.available && h.checkpoints.last && droppedDone) break;
    if (Date.now() > deadline) throw new Error(`status never showed the records read and a checkpoint:\n${JSON.stringify(h, null, 2)}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
  expect(code).toBe(0);
  expect(Object.keys(h)).toEqual(['version', 'pipeline', 'target', 'checkedAt', 'job', ...HEALTH_SECTIONS]);
  expect(h).toMatchObject({
    version: 1,
    pipeline: NAME,
    target: { name: 'local', type: 'gateway' },
    job: { name: NAME, state: 'RUNNING' },
  });
  expect(h.job.uptimeSeconds).toBeGreaterThan(0);
  expect(Date.parse(h.job.startedAt ?? '')).toBeLessThanOrEqual(Date.parse(h.checkedAt));
  expect(h.restarts).toEqual({ available: true, count: 0 });
  if (!h.checkpoints.available || !h.checkpoints.last) throw new Error('no checkpoint');
  expect(h.checkpoints.completed).toBeGreaterThanOrEqual(1);
  // Checkpoints triggered before every task ran count as failed (Flink records no failure for them).
  expect(Number.isInteger(h.checkpoints.failed) && h.checkpoints.failed >= 0).toBe(true);
  expect(h.checkpoints.last.ageSeconds).toBeLessThan(60);
  expect(h.checkpoints.last.sizeBytes).toBeGreaterThan(0);
  expect(h.checkpoints.last.durationMs).toBeGreaterThanOrEqual(0);
  expect(h.kafka).toEqual({
    available: true,
    topic: NAME,
    from: 'job metrics',
    totalLag: 0,
    partitions: [{ partition: 0, position: messages.length, endOffset: messages.length, lag: 0 }],
  });
  if (!h.freshness.available) throw new Error(`freshness: ${h.freshness.reason}`);
  // The records' event times are in the past; the watermark trails the newest by the spec's delay.
  expect(h.freshness.watermarkDelaySeconds).toBe(600);
  expect(h.freshness.behindSeconds).toBeGreaterThan(600);
  expect(Date.parse(h.freshness.watermark)).toBeLessThan(Date.parse(h.checkedAt));
  if (!h.throughput.available) throw new Error(`throughput: ${h.throughput.reason}`);
  expect(h.throughput.inPerSecond).toBeGreaterThanOrEqual(0);
  expect(h.throughput.outPerSecond).toBeGreaterThanOrEqual(0);
  if (!h.tasks.available) throw new Error(`tasks: ${h.tasks.reason}`);
  expect(h.tasks.tasks.map((t) => t.name).join('\n')).toMatch(/^Source: input_web_record/m);
  expect(h.tasks.busiest).toBe(h.tasks.tasks[0].name);
  if (!h.redis.available) throw new Error(`redis: ${h.redis.reason}`);
  // The uv set's sink writes each browsing user as it arrives; job.droppedRows adds the dropped rows' hash.
  expect(h.redis.sinks.map((s) => s.sink)).toEqual(['redis_conversion_rate', 'redis_dropped_rows', 'redis_pv', 'redis_uv']);
  expect(h.redis.written).toBeGreaterThan(0);
  expect(h.redis.failures).toEqual({ available: true, count: 0 });
  // Exactly the rows the model drops: late per window (a HOP row late for both its windows counts in each), and without an event time.
  expect(h.droppedRows).toMatchObject({
    available: true,
    key: `${NAME}:dropped`,
    late,
    lateWindows: model.dropped.late.size,
    withoutEventTime: model.dropped.noEventTime,
  });

  const text = await uvpv(['status', SPEC]);
  expect(text.code).toBe(0);
  expect(text.out.split('\n')[0]).toMatch(new RegExp(`^${NAME}: RUNNING \\(job [0-9a-f]{32} on target local\\), up `));
  expect(text.out).toMatch(/^ {2}kafka lag {5}0 records behind on /m);

  expect((await uvpv(['stop', SPEC])).code).toBe(0);
  const stopped = await status();
  expect(stopped.code).toBe(1);
  expect(stopped.health.job.state).toBe('CANCELED');
  expect(stopped.health.restarts.available).toBe(true);
  expect(stopped.health.kafka).toEqual({
    available: false,
    reason: 'the job is CANCELED, not RUNNING: Flink keeps no live metrics for it',
  });
});
