/**
 * `npm run bench -- --freshness`: how long a window's results take to reach Redis once the
 * watermark has passed the window's end. The freshness pipeline (bench/freshness.yaml: 10-second
 * tumbling windows, a watermark delay of 2 s, the default checkpoint interval, a list, a set, a
 * hash and a string) runs unbounded on the local stack while a producer writes records whose event
 * time is now, at a fixed rate; Redis is polled every 50 ms, and for each window and Redis type
 * the first time its result is visible is kept. Reported per type: visible time − (window end +
 * watermark delay), p50 / p95 / max.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type Redis from 'ioredis';
import { compileSpec } from '../src/compile';
import { DEFAULT_TIMING, GatewayClient } from '../src/deploy/gateway/client';
import { GatewayDeployer } from '../src/deploy/gateway/deployer';
import { RuntimeFailure } from '../src/errors';
import type { Io } from '../src/io/io';
import { progress } from '../src/io/progress';
import { createTopic, deleteTopic, kafka } from '../src/kafka/client';
import { loadSpec } from '../src/pipeline/load';
import type { Metric, WindowSpec } from '../src/pipeline/types';
import { produce } from '../src/produce/sink';
import { jobStatements } from '../src/sql/compiler';
import { stackLayout } from '../src/stack/layout';
import { LocalStack } from '../src/stack/stack';
import { claimDatabase } from '../src/verify/namespace';
import { busyRuleText, isBusy, loadAverage, otherWorkMeter, ownProcesses, redisPid, type OtherWork } from './processes';
import { percentile } from './stats';

export const FRESHNESS_SPEC = join(__dirname, 'freshness.yaml');
export const POLL_MS = 50;

export interface FreshnessOptions {
  /** How long the producer writes (default 70 s: at least 5 windows of 10 s close within it). */
  seconds: number;
  /** Records per second. */
  rate: number;
  seed: number;
  spec?: string;
}

/** One Redis type's windows: how late each became visible, in ms after window end + watermark delay. */
export interface TypeFreshness {
  type: string;
  metric: string;
  key: string;
  /** Per window end (epoch ms), the delay in ms. */
  delays: { windowEnd: number; delayMs: number }[];
  /** Windows that were due (window end + delay before the producer stopped) and never seen. */
  missing: number;
}

export interface FreshnessResult {
  seconds: number;
  rate: number;
  sent: number;
  watermarkDelayMs: number;
  checkpointInterval: string;
  pollMs: number;
  loadBefore: number;
  loadAfter: number;
  /** Work on the machine by anything but the stack and the bench while records were produced; absent without /proc/stat. */
  otherWork?: OtherWork;
  busy: boolean;
  types: TypeFreshness[];
}

/** The window end a key or entry names, `yyyy-MM-ddTHH:mm:ss` in UTC (as the generator writes event time), as epoch ms. */
const windowTime = (text: string) => Date.parse(`${text}Z`);

/** How a metric's windows show in Redis: a key per window, a list entry per window, or a hash field per window. */
function windowReader(metric: Metric): (redis: Redis) => Promise<Map<number, number>> {
  const key = metric.redis.key;
  const type = metric.redis.type;
  if (key.includes('{window_end}')) {
    const [before, after] = key.split('{window_end}');
    if (/[{}]/.test(before + after)) throw new Error(`freshness metric ${metric.name}: only {window_end} may vary in its key`);
    const pattern = `${before}*${after}`;
    // A set is written member by member: its window counts as visible once it holds all of them (its final size).
    return async (redis) => {
      const out = new Map<number, number>();
      for (const k of await redis.keys(pattern)) {
        const end = windowTime(k.slice(before.length, k.length - after.length));
        out.set(end, type === 'set' ? await redis.scard(k) : 1);
      }
      return out;
    };
  }
  if (type === 'list') {
    return async (redis) => {
      const out = new Map<number, number>();
      for (const entry of await redis.lrange(key, 0, 50)) {
        const end = (JSON.parse(entry) as { window_end?: string }).window_end;
        if (end) out.set(windowTime(end), 1);
      }
      return out;
    };
  }
  if (type === 'hash' && metric.by === undefined) {
    return async (redis) => new Map(Object.keys(await redis.hgetall(key)).map((field) => [windowTime(field), 1]));
  }
  throw new Error(`freshness metric ${metric.name}: its windows cannot be told apart in Redis (put {window_end} in its key)`);
}

export async function runFreshness(opts: FreshnessOptions, io: Io): Promise<FreshnessResult> {
  const p = progress(io);
  const loaded = loadSpec(opts.spec ?? FRESHNESS_SPEC, { env: io.env, cwd: io.cwd, mode: 'lenient' });
  const spec = loaded.spec;
  const layout = stackLayout(io.env);
  const stack = new LocalStack(layout, p);
  if (!(await stack.isUp())) await stack.up();
  const redisAt = stack.redisEndpoint();
  if (!redisAt) throw new RuntimeFailure('the local stack has no Redis');
  const runId = randomBytes(3).toString('hex');
  const topic = `uvpv-bench-freshness-${runId}`;
  const jobName = `uvpv-bench-freshness-${runId}`;
  const k = kafka(stack.urls.kafka, { clientId: 'uvpv-bench' });
  const client = new GatewayClient(stack.target, { ...DEFAULT_TIMING, intervalMs: 50 });
  const runner = new GatewayDeployer(stack.target, client, { env: io.env, progress: p });
  const ns = await claimDatabase(redisAt.host, redisAt.port, `bench-freshness-${runId}`);
  const readers = spec.metrics.map((m) => ({ metric: m, read: windowReader(m) }));
  // Per metric: window end -> the first time (ms) it was seen at each size, and its last size.
  const seen = readers.map(() => new Map<number, { count: number; at: number; firstAt: Map<number, number> }>());
  let jobId: string | undefined;
  try {
    await createTopic(k, topic, 1);
    const compiled = compileSpec(
      loaded,
      'flink',
      {
        topic,
        bootstrapServers: stack.urls.kafka,
        groupId: jobName,
        bounded: false,
        redis: { host: redisAt.host, port: redisAt.port, database: ns.database, password: { placeholder: '', empty: true } },
        jobName,
      },
      { redisConnector: stack.target.redisConnector },
    );
    jobId = await runner.submitJob(spec, jobStatements(compiled, 'reveal'));
    const started = p.step(`freshness: job ${jobId}, waiting for its tasks to run`);
    await waitUntilRunning(client, jobId);
    started();

    let polling = true;
    const poll = (async () => {
      while (polling) {
        for (const [i, r] of readers.entries()) {
          const now = await r.read(ns.redis);
          const at = Date.now();
          for (const [end, count] of now) {
            const w = seen[i].get(end) ?? { count: -1, at, firstAt: new Map<number, number>() };
            if (!w.firstAt.has(count)) w.firstAt.set(count, at);
            if (count !== w.count) seen[i].set(end, { count, at, firstAt: w.firstAt });
          }
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    })();
    const loadBefore = loadAverage();
    const others = otherWorkMeter(await ownProcesses(layout, stack, await redisPid(redisAt.host, redisAt.port)));
    const end = p.step(`freshness: ${opts.rate} records/s with event time now, for ${opts.seconds} s`);
    const producerStart = Date.now();
    const produced = await produce(
      spec,
      { kind: 'kafka', bootstrap: stack.urls.kafka, topic },
      { durationMs: opts.seconds * 1000, rate: opts.rate, users: 1000, seed: opts.seed, badRatio: 0, lateRatio: 0 },
      io,
    );
    const producerEnd = Date.now();
    const otherWork = others.stop();
    end(`${produced.sent.toLocaleString('en-US')} records`);
    // The last windows the watermark passed fire now: give them time to be written.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    polling = false;
    await poll;
    // A job that ended on the way (failed, or cancelled by someone else on a shared stack) measured nothing.
    const state = (await client.job(jobId)).state;
    if (state !== 'RUNNING') throw new RuntimeFailure(`the freshness job ${jobId} was ${state} before the measurement ended: run it again`);
    const loadAfter = loadAverage();
    const delayMs = spec.source.watermarkDelay.millis;
    const types = readers.map(({ metric }, i): TypeFreshness => {
      const delays: TypeFreshness['delays'] = [];
      let missing = 0;
      // Windows entirely within the producer's run whose end the watermark passed before it stopped.
      const windows = new Set(seen[i].keys());
      const sizeMs = windowSize(spec.window);
      for (let e = Math.ceil(producerStart / sizeMs) * sizeMs + sizeMs; e + delayMs < producerEnd - 1000; e += sizeMs) windows.add(e);
      for (const windowEnd of [...windows].sort((a, b) => a - b)) {
        const w = seen[i].get(windowEnd);
        if (!w) {
          missing++;
          continue;
        }
        // The time its final content was first seen (for a set: all its members).
        delays.push({ windowEnd, delayMs: (w.firstAt.get(w.count) ?? w.at) - (windowEnd + delayMs) });
      }
      return { type: metric.redis.type, metric: metric.name, key: metric.redis.key, delays, missing };
    });
    return {
      seconds: opts.seconds,
      rate: opts.rate,
      sent: produced.sent,
      watermarkDelayMs: delayMs,
      checkpointInterval: spec.job.checkpointInterval.text,
      pollMs: POLL_MS,
      loadBefore,
      loadAfter,
      ...(otherWork ? { otherWork } : {}),
      busy: isBusy(otherWork, loadBefore),
      types,
    };
  } finally {
    if (jobId) await client.cancel(jobId).catch(() => undefined);
    await ns.release(false);
    await deleteTopic(k, topic).catch(() => undefined);
  }
}

function windowSize(window: WindowSpec): number {
  if (window.type !== 'tumble')
    throw new Error('the freshness pipeline needs a tumbling window (one window per row, so each window end is due once)');
  return window.size.millis;
}

async function waitUntilRunning(client: GatewayClient, jobId: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await client.job(jobId);
    if (job.state === 'RUNNING' && (job.vertices ?? []).every((v) => v.status === 'RUNNING')) return;
    if (['FAILED', 'CANCELED', 'FINISHED'].includes(job.state))
      throw new RuntimeFailure(`the freshness job ${jobId} ended (${job.state}) before it ran`);
    if (Date.now() > deadline) throw new RuntimeFailure(`the freshness job ${jobId} did not start running within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const ms = (x: number) => `${Math.round(x).toLocaleString('en-US')} ms`;

/** The freshness section of the results file: a row per Redis type. */
export function freshnessMarkdown(r: FreshnessResult, command: string, date: Date): string {
  const rows = r.types.map((t) => {
    const d = t.delays.map((x) => x.delayMs);
    return `| ${t.type} | \`${t.key}\` (${t.metric}) | ${d.length}${t.missing ? ` (**${t.missing} missing**)` : ''} | ${d.length ? ms(percentile(d, 50)) : '–'} | ${d.length ? `**${ms(percentile(d, 95))}**` : '–'} | ${d.length ? ms(Math.max(...d)) : '–'} |`;
  });
  const worst = Math.max(
    ...r.types.flatMap((t) =>
      t.delays.length
        ? [
            percentile(
              t.delays.map((x) => x.delayMs),
              95,
            ),
          ]
        : [Infinity],
    ),
  );
  return [
    '## Freshness',
    '',
    `Produced by \`${command}\` on ${date.toISOString().slice(0, 10)}: the freshness pipeline (\`bench/freshness.yaml\`: 10-second tumbling windows, ` +
      `watermark delay ${r.watermarkDelayMs / 1000} s, checkpoint interval ${r.checkpointInterval}, the default) on the local stack, ` +
      `${r.rate} records/s with event time = now for ${r.seconds} s (${r.sent.toLocaleString('en-US')} records); Redis polled every ${r.pollMs} ms. ` +
      `Load average ${r.loadBefore.toFixed(2)} before, ${r.loadAfter.toFixed(2)} after` +
      (r.otherWork
        ? `; other work took ${r.otherWork.cores.toFixed(2)} of a core (steal ${r.otherWork.stealCores.toFixed(2)}) while records were produced`
        : '') +
      (r.busy ? ` (**busy**: ${busyRuleText(r.otherWork ? 'all' : 'none')}).` : '.'),
    '',
    '| Redis type | key (metric) | windows | p50 | p95 | max |',
    '|---|---|---:|---:|---:|---:|',
    ...rows,
    '',
    `Delay = the time the window's result was first seen complete in Redis − (window end + watermark delay): how long after the watermark could pass ` +
      `the window's end its result reached Redis (±${r.pollMs} ms of polling; a set counts once it holds all its members). ` +
      `Target: p95 ≤ 1,000 ms for every type: ${worst <= 1000 ? 'met' : '**not met**'}.`,
    '',
  ].join('\n');
}
