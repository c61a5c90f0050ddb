/**
 * `npm run bench`: produce N records once, run the three jobs one after the other on them,
 * and measure each: records/s, the ratio to the ceiling, Redis commands, peak TaskManager heap.
 * Then the Redis memory of a UV of N distinct users as a set and as an hll.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import type { Io } from '../cli/io';
import { progress } from '../cli/progress';
import { DEFAULT_TIMING, GatewayClient } from '../deploy/gateway/client';
import { GatewayDeployer } from '../deploy/gateway/deployer';
import { deleteTopic, kafka } from '../kafka/client';
import { produce } from '../produce/sink';
import { loadSpec } from '../spec/load';
import { stackLayout } from '../stack/layout';
import { LocalStack } from '../stack/stack';
import { claimDatabase } from '../verify/namespace';
import { JOBS, type BenchContext } from './jobs';

export interface BenchOptions {
  spec: string;
  events: number;
  seed: number;
  /** Runs of each job; the medians are reported (the jobs take turns, so noise hits all alike). */
  runs: number;
}

export interface JobResult {
  name: string;
  describe: string;
  /** Median job time over the runs (submission to FINISHED), and every run's time. */
  seconds: number;
  allSeconds: number[];
  /** Processing time of the median run: from the first task's start to the last task's end. */
  processingSeconds: number;
  recordsPerSecond: number;
  redisCommands: number;
  redisByCommand: Record<string, number>;
  peakHeapMb: number;
}

export interface BenchResult {
  events: number;
  produceSeconds: number;
  jobs: JobResult[];
  uvMemory: { distinct: number; setBytes: number; hllBytes: number };
  machine: string[];
}

export async function runBench(opts: BenchOptions, io: Io): Promise<BenchResult> {
  const p = progress(io);
  const loaded = loadSpec(opts.spec, { env: io.env, cwd: io.cwd, mode: 'lenient' });
  const stack = new LocalStack(stackLayout(io.env), p);
  const status = await stack.status();
  if (status.components.some((c) => !c.healthy) || !status.redis?.healthy) await stack.up();
  const redisAt = stack.redisEndpoint()!;
  const runId = randomBytes(3).toString('hex');
  const topic = `uvpv-bench-${runId}`;
  const k = kafka(stack.urls.kafka, 'uvpv-bench');
  const client = new GatewayClient({ gateway: stack.urls.gateway, flinkRest: stack.urls.flinkRest }, { ...DEFAULT_TIMING, intervalMs: 100, timeoutMs: 30 * 60_000 });
  const deployer = new GatewayDeployer({ name: 'local', type: 'gateway', gateway: stack.urls.gateway, flinkRest: stack.urls.flinkRest }, client, { env: io.env, progress: p });

  const runJob = async (job: (typeof JOBS)[number], run: number): Promise<JobResult> => {
    const ns = await claimDatabase(redisAt.host, redisAt.port, `bench-${runId}`);
    try {
      const ctx: BenchContext = { loaded, topic, bootstrap: stack.urls.kafka, redisHost: redisAt.host, redisPort: redisAt.port, database: ns.database, runId: `${runId}-${run}` };
      const before = await commandStats(ns.redis);
      const jobId = await deployer.submit({ spec: loaded.spec, sql: job.sql(ctx) });
      const end = p.step(`run ${run}/${opts.runs}, ${job.name}: job ${jobId} over ${opts.events.toLocaleString('en-US')} records`);
      const sampler = heapSampler(stack.urls.flinkRest);
      await client.waitForJob(jobId, ['FINISHED'], 30 * 60_000);
      const peakHeapMb = await sampler.stop();
      const detail = (await client.job(jobId)) as unknown as { duration: number; vertices: { 'start-time': number; 'end-time': number }[] };
      const seconds = detail.duration / 1000;
      const processingSeconds = (Math.max(...detail.vertices.map((v) => v['end-time'])) - Math.min(...detail.vertices.map((v) => v['start-time']))) / 1000;
      const byCommand = diffStats(before, await commandStats(ns.redis));
      const redisCommands = Object.values(byCommand).reduce((a, b) => a + b, 0);
      end(`${seconds.toFixed(1)}s, ${Math.round(opts.events / seconds).toLocaleString('en-US')} records/s, ${redisCommands} Redis commands`);
      return { name: job.name, describe: job.describe, seconds, allSeconds: [seconds], processingSeconds, recordsPerSecond: opts.events / seconds, redisCommands, redisByCommand: byCommand, peakHeapMb };
    } finally {
      await ns.release(false);
    }
  };

  try {
    const produced = await produce(loaded.spec, { kind: 'kafka', bootstrap: stack.urls.kafka, topic }, { events: opts.events, users: Math.max(1000, Math.floor(opts.events / 20)), seed: opts.seed, badRatio: 0, lateRatio: 0 }, io);
    const runs = new Map<string, JobResult[]>();
    for (let run = 1; run <= opts.runs; run++) {
      for (const job of JOBS) {
        const r = await runJob(job, run);
        runs.set(job.name, [...(runs.get(job.name) ?? []), r]);
      }
    }
    const jobs = JOBS.map((job) => median(runs.get(job.name)!));
    const uvMemory = await measureUvMemory(redisAt.host, redisAt.port, opts.events, runId);
    return { events: opts.events, produceSeconds: produced.seconds, jobs, uvMemory, machine: machine() };
  } finally {
    await deleteTopic(k, topic).catch(() => undefined);
  }
}

/** The run with the median time, carrying every run's time. */
function median(results: JobResult[]): JobResult {
  const sorted = [...results].sort((a, b) => a.seconds - b.seconds);
  return { ...sorted[Math.floor(sorted.length / 2)], allSeconds: results.map((r) => r.seconds) };
}

/** Calls per Redis command, from INFO commandstats (server-wide; the bench is the only writer). */
async function commandStats(redis: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await redis.info('commandstats')).matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

const WRITES = new Set(['sadd', 'srem', 'lpush', 'rpush', 'set', 'del', 'hset', 'hdel', 'pfadd', 'expire', 'zadd', 'incrby', 'hincrby']);

function diffStats(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [cmd, n] of Object.entries(after)) {
    const d = n - (before[cmd] ?? 0);
    if (d > 0 && WRITES.has(cmd)) out[cmd] = d;
  }
  return out;
}

/** Samples the TaskManagers' heap every 250 ms; `stop` returns the peak in MB. */
function heapSampler(rest: string) {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const tms = (await (await fetch(`${rest}/taskmanagers`)).json()) as { taskmanagers: { id: string }[] };
        for (const tm of tms.taskmanagers) {
          const m = (await (await fetch(`${rest}/taskmanagers/${tm.id}/metrics?get=Status.JVM.Memory.Heap.Used`)).json()) as { value: string }[];
          peak = Math.max(peak, Number(m[0]?.value ?? 0));
        }
      } catch {
        // a missed sample
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return Math.round(peak / 1024 / 1024);
    },
  };
}

/** SADD and PFADD `n` distinct user ids in a database of the bench's own; MEMORY USAGE of each. */
async function measureUvMemory(host: string, port: number, n: number, runId: string) {
  const ns = await claimDatabase(host, port, `bench-uv-${runId}`);
  try {
    for (let i = 0; i < n; i += 10_000) {
      const ids = Array.from({ length: Math.min(10_000, n - i) }, (_, j) => String(i + j + 1));
      await ns.redis.pipeline().sadd('bench:uv:set', ...ids).pfadd('bench:uv:hll', ...ids).exec();
    }
    const setBytes = Number(await ns.redis.call('MEMORY', 'USAGE', 'bench:uv:set', 'SAMPLES', '0'));
    const hllBytes = Number(await ns.redis.call('MEMORY', 'USAGE', 'bench:uv:hll'));
    return { distinct: n, setBytes, hllBytes };
  } finally {
    await ns.release(false);
  }
}

function machine(): string[] {
  const cpu = cpus();
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr.split('\n')[0];
  let kernel = '';
  try {
    kernel = readFileSync('/proc/version', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    // not Linux
  }
  return [
    `${cpu.length} cores (${cpu[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory`,
    `${kernel}; ${java}; Node ${process.version}; Flink 1.20.3 session cluster (1 TaskManager, 4 slots, parallelism 1), Kafka 3.9.1, Redis on 127.0.0.1`,
  ];
}
