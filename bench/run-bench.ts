/**
 * `npm run bench`: produce N records once, run every job on them (taking turns, `runs` times),
 * and measure each run: records/s, Redis write commands (INFO commandstats before and after),
 * the TaskManager's peak memory, where the time went (Flink's busy / back-pressured / idle time
 * per task), and what the job wrote (so that the jobs are seen to compute the same thing).
 * Then the Redis memory of a UV of many distinct users, as a set and as an hll.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type Redis from 'ioredis';
import type { Io } from '../src/io/io';
import { progress } from '../src/io/progress';
import { DEFAULT_TIMING, GatewayClient } from '../src/deploy/gateway/client';
import type { JobRunner } from '../src/deploy/deployer';
import { GatewayDeployer } from '../src/deploy/gateway/deployer';
import { RuntimeFailure } from '../src/errors';
import { createTopic, deleteTopic, kafka } from '../src/kafka/client';
import { produce } from '../src/produce/sink';
import { REDIS_COMMANDS } from '../src/redis-types';
import { loadSpec } from '../src/pipeline/load';
import { stackLayout } from '../src/stack/layout';
import { LocalStack } from '../src/stack/stack';
import { required } from '../src/util/required';
import { claimDatabase, CLAIM_KEY } from '../src/verify/namespace';
import { snapshot } from '../src/verify/snapshot';
import { JOBS, ROWS_KEY, type BenchContext, type BenchJob } from './jobs';
import { collectGarbage, memorySampler, type FlinkRest } from './memory';

export interface BenchOptions {
  spec: string;
  events: number;
  seed: number;
  /** Runs of each job; the median run is reported (the jobs take turns, so noise hits all alike). */
  runs: number;
  /** Rounds of every job before the measured ones, not measured: the TaskManager's JIT warms up (default 1). */
  warmup?: number;
  /** Distinct users for the set-vs-hll memory measure (default: `events`). */
  uvUsers?: number;
  /** The jobs to run (default: JOBS); the first is the ceiling the others are compared with. */
  jobs?: readonly BenchJob[];
}

export interface VertexProfile {
  name: string;
  /** Milliseconds the task was busy, back-pressured (waiting for downstream) and idle. */
  busyMs: number;
  backPressuredMs: number;
  idleMs: number;
  readRecords: number;
  writeRecords: number;
}

/** What a job left in its Redis database, in short. */
export interface JobOutput {
  /** The ceiling's count of parsed rows (the sum of its INCRBYs). */
  rows?: number;
  /** Members of each set, in number. */
  sets: Record<string, number>;
  /** Each hash's fields, in number, and the sum of their values. */
  hashes: Record<string, { fields: number; total: number }>;
  /** Members of each zset, in number. */
  zsets: Record<string, number>;
  /** Each list's entries, oldest window first, as numbers (`{"value": n}` entries are read as n). */
  lists: Record<string, number[]>;
  strings: Record<string, string>;
}

export interface JobRun {
  jobId: string;
  /** Flink's duration of the job: submission to FINISHED, scheduling and task start-up included. */
  jobSeconds: number;
  /** From the first task RUNNING to the last task FINISHED: the records' processing alone. */
  runSeconds: number;
  redisCommands: number;
  redisByCommand: Record<string, number>;
  peakHeapMb: number;
  peakRssMb?: number;
  vertices: VertexProfile[];
  output: JobOutput;
}

export interface JobResult extends JobRun {
  name: string;
  describe: string;
  /** The metrics the job computes on top of the bench spec's own (a metrics variant). */
  adds?: readonly string[];
  /** The job's parallelism, and the partitions of the topic it read. */
  parallelism: number;
  /** records / runSeconds of the median run. */
  recordsPerSecond: number;
  /** records / jobSeconds of the median run. */
  recordsPerJobSecond: number;
  /** Every run's run time, in the order run. */
  allRunSeconds: number[];
}

export interface BenchResult {
  events: number;
  /** Records per second `uvpv produce` reached into Kafka. */
  produceRate: number;
  produceSeconds: number;
  /** The topics' partition counts: one topic per parallelism the jobs run at, the same records in each. */
  partitionCounts: number[];
  runs: number;
  warmup: number;
  jobs: JobResult[];
  uvMemory: { distinct: number; setBytes: number; hllBytes: number };
  machine: string[];
  /** How the peak heap was measured. */
  heapSource: string;
  /** Whether each job started after a full GC of the TaskManager. */
  gcBetweenJobs: boolean;
}

export async function runBench(opts: BenchOptions, io: Io): Promise<BenchResult> {
  const jobs = opts.jobs ?? JOBS;
  const p = progress(io);
  const loaded = loadSpec(opts.spec, { env: io.env, cwd: io.cwd, mode: 'lenient' });
  io.redactor?.add(loaded.secrets);
  const layout = stackLayout(io.env);
  const stack = new LocalStack(layout, p);
  if (!(await stack.isUp())) await stack.up();
  const redisAt = stack.redisEndpoint();
  if (!redisAt) throw new RuntimeFailure('the local stack has no Redis');
  const tmPid = stack.pid('taskmanager');
  const jcmd = layout.java.includes('/') ? join(dirname(layout.java), 'jcmd') : 'jcmd';
  const runId = randomBytes(3).toString('hex');
  // One topic per parallelism the jobs run at, with a partition per source task, holding the same
  // records. A second partition costs a parallelism-1 job about 20%, so each reads its own.
  // A job without a parallelism of its own runs at the spec's.
  // Each job's spec: the bench's, or its own (a variant that adds metrics), loaded before anything runs.
  const specs = new Map(jobs.map((job) => [job.name, job.spec ? job.spec(opts.spec, { env: io.env, cwd: io.cwd, mode: 'lenient' }) : loaded]));
  for (const own of specs.values()) io.redactor?.add(own.secrets);
  const specOf = (job: BenchJob) => required(specs.get(job.name), `the spec of bench job ${job.name}`);
  const partitionsOf = (job: BenchJob) => job.parallelism ?? specOf(job).spec.job.parallelism;
  const partitionCounts = [...new Set(jobs.map(partitionsOf))].sort((a, b) => a - b);
  const topicOf = (partitions: number) => `uvpv-bench-${runId}-p${partitions}`;
  const k = kafka(stack.urls.kafka, { clientId: 'uvpv-bench' });
  const target = stack.target;
  const client = new GatewayClient(target, { ...DEFAULT_TIMING, intervalMs: 50, timeoutMs: 30 * 60_000 });
  // Jobs are submitted and waited on through the gateway deployer; the client reads Flink's REST API for the measures.
  const runner: JobRunner = new GatewayDeployer(target, client, { env: io.env, progress: p });
  const rest: FlinkRest = (path) => client.rest(path);
  let gcBetweenJobs = tmPid !== undefined;
  let heapSource = 'hsperfdata';

  const runJob = async (job: BenchJob, tag: string, label: string): Promise<JobRun> => {
    if (gcBetweenJobs) gcBetweenJobs = collectGarbage(tmPid, jcmd);
    const ns = await claimDatabase(redisAt.host, redisAt.port, `bench-${runId}`);
    try {
      const ctx: BenchContext = {
        loaded: specOf(job),
        topic: topicOf(partitionsOf(job)),
        bootstrap: stack.urls.kafka,
        redisHost: redisAt.host,
        redisPort: redisAt.port,
        database: ns.database,
        runId: `${runId}-${tag}`,
        redisConnector: target.redisConnector,
      };
      const before = await commandStats(ns.redis);
      const sampler = memorySampler(tmPid, rest);
      let jobId: string;
      try {
        jobId = await runner.submitJob(loaded.spec, job.statements(ctx));
        const end = p.step(`${label}, ${job.name}: job ${jobId} over ${opts.events.toLocaleString('en-US')} records`);
        await runner.waitUntilFinished(jobId, { timeoutMs: 30 * 60_000 });
        end();
      } catch (e) {
        await sampler.stop();
        throw e;
      }
      const memory = await sampler.stop();
      heapSource = memory.heapSource;
      const timing = await jobTiming(rest, jobId);
      const byCommand = diffStats(before, await commandStats(ns.redis));
      const redisCommands = Object.values(byCommand).reduce((a, b) => a + b, 0);
      const output = await readOutput(ns.redis);
      p.info(
        `  ${timing.runSeconds.toFixed(2)} s running (${timing.jobSeconds.toFixed(2)} s job), ${Math.round(opts.events / timing.runSeconds).toLocaleString('en-US')} records/s, ` +
          `${redisCommands.toLocaleString('en-US')} Redis commands, peak heap ${memory.heapMb} MB`,
      );
      return { jobId, ...timing, redisCommands, redisByCommand: byCommand, peakHeapMb: memory.heapMb, peakRssMb: memory.rssMb, output };
    } finally {
      await ns.release(false);
    }
  };

  try {
    const users = Math.max(1000, Math.floor(opts.events / 20));
    const produced: { sent: number; seconds: number }[] = [];
    for (const partitions of partitionCounts) {
      await createTopic(k, topicOf(partitions), partitions);
      produced.push(
        await produce(
          loaded.spec,
          { kind: 'kafka', bootstrap: stack.urls.kafka, topic: topicOf(partitions) },
          { events: opts.events, users, seed: opts.seed, badRatio: 0, lateRatio: 0 },
          io,
        ),
      );
    }
    // The first job after the TaskManager has been idle runs up to 2x slower (JIT), so a round
    // of every job goes first, unmeasured.
    for (let round = 1; round <= (opts.warmup ?? 1); round++) {
      for (const job of jobs) await runJob(job, `w${round}`, `warm-up ${round}`);
    }
    const runs = new Map<string, JobRun[]>();
    for (let run = 1; run <= opts.runs; run++) {
      for (const job of jobs) runs.set(job.name, [...(runs.get(job.name) ?? []), await runJob(job, String(run), `run ${run}/${opts.runs}`)]);
    }
    const results = jobs.map((job) => {
      const all = required(runs.get(job.name), `the runs of bench job ${job.name}`);
      const m = [...all].sort((a, b) => a.runSeconds - b.runSeconds)[Math.floor(all.length / 2)];
      // INFO commandstats is server-wide: someone else's writes during a run can only add to
      // it, and a job's own writes are the same every run, so the fewest seen is the job's.
      const redisByCommand = fewest(all.map((r) => r.redisByCommand));
      return {
        name: job.name,
        describe: job.describe,
        ...(job.adds ? { adds: job.adds } : {}),
        parallelism: partitionsOf(job),
        ...m,
        redisByCommand,
        redisCommands: Object.values(redisByCommand).reduce((a, b) => a + b, 0),
        recordsPerSecond: opts.events / m.runSeconds,
        recordsPerJobSecond: opts.events / m.jobSeconds,
        allRunSeconds: all.map((r) => r.runSeconds),
      };
    });
    const uvMemory = await measureUvMemory(redisAt.host, redisAt.port, opts.uvUsers ?? opts.events, runId);
    return {
      events: opts.events,
      produceRate: produced[0].sent / produced[0].seconds,
      produceSeconds: produced[0].seconds,
      partitionCounts,
      runs: opts.runs,
      warmup: opts.warmup ?? 1,
      jobs: results,
      uvMemory,
      machine: await machine(rest, layout.java),
      heapSource,
      gcBetweenJobs,
    };
  } finally {
    for (const partitions of partitionCounts) await deleteTopic(k, topicOf(partitions)).catch(() => undefined);
  }
}

interface JobDetail {
  duration: number;
  vertices: { id: string; name: string; metrics: Record<string, number> }[];
}

/** Job and running time, and each task's busy / back-pressured / idle time, from Flink's REST API. */
async function jobTiming(rest: FlinkRest, jobId: string) {
  const detail = await rest<JobDetail>(`/jobs/${jobId}`);
  let firstRunning = Infinity;
  let lastFinished = 0;
  const vertices: VertexProfile[] = [];
  for (const v of detail.vertices) {
    const times = await rest<{ subtasks: { timestamps: Record<string, number> }[] }>(`/jobs/${jobId}/vertices/${v.id}/subtasktimes`);
    for (const s of times.subtasks) {
      if (s.timestamps.RUNNING) firstRunning = Math.min(firstRunning, s.timestamps.RUNNING);
      lastFinished = Math.max(lastFinished, s.timestamps.FINISHED ?? 0);
    }
    vertices.push({
      name: v.name,
      busyMs: Number(v.metrics['accumulated-busy-time'] ?? 0),
      backPressuredMs: Number(v.metrics['accumulated-backpressured-time'] ?? 0),
      idleMs: Number(v.metrics['accumulated-idle-time'] ?? 0),
      readRecords: Number(v.metrics['read-records'] ?? 0),
      writeRecords: Number(v.metrics['write-records'] ?? 0),
    });
  }
  const jobSeconds = detail.duration / 1000;
  const runSeconds = Number.isFinite(firstRunning) && lastFinished > firstRunning ? (lastFinished - firstRunning) / 1000 : jobSeconds;
  return { jobSeconds, runSeconds, vertices };
}

/** What the job wrote, from verify's snapshot of the database: set, hash and zset sizes, list values, strings, and the ceiling's row count. */
async function readOutput(redis: Redis): Promise<JobOutput> {
  const out: JobOutput = { sets: {}, hashes: {}, zsets: {}, lists: {}, strings: {} };
  for (const [key, value] of await snapshot(redis, new Set([CLAIM_KEY]))) {
    if ('set' in value) out.sets[key] = value.set.length;
    else if ('hash' in value) out.hashes[key] = { fields: Object.keys(value.hash).length, total: Object.values(value.hash).reduce((a, v) => a + Number(v), 0) };
    else if ('zset' in value) out.zsets[key] = Object.keys(value.zset).length;
    // Entries are pushed newest first; `{"value": n}` entries are read as n, anything else as a number.
    else if ('list' in value) out.lists[key] = [...value.list].reverse().map((e) => Number('value' in e ? e.value : e.raw));
    else if ('string' in value) {
      if (key === ROWS_KEY) out.rows = Number(value.string);
      else out.strings[key] = value.string;
    }
  }
  return out;
}

/** Per command, the fewest calls any run made (0 when some run made none). */
export function fewest(runs: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const cmd of new Set(runs.flatMap((r) => Object.keys(r)))) {
    const least = Math.min(...runs.map((r) => r[cmd] ?? 0));
    if (least > 0) out[cmd] = least;
  }
  return out;
}

/** Calls per Redis command, from INFO commandstats (server-wide; the bench is the only writer). */
async function commandStats(redis: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await redis.info('commandstats')).matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

// Every command a Redis type writes with, and other writes a job might make. evalsha: the
// connector's idempotent list push runs as a script (whose LPUSH is counted as well).
const WRITES = new Set<string>([...REDIS_COMMANDS, 'srem', 'del', 'hdel', 'expire', 'zrem', 'incrby', 'decrby', 'hincrby', 'evalsha', 'eval']);

function diffStats(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [cmd, n] of Object.entries(after)) {
    const d = n - (before[cmd] ?? 0);
    if (d > 0 && WRITES.has(cmd)) out[cmd] = d;
  }
  return out;
}

/** SADD and PFADD `n` distinct user ids in a database of the bench's own; MEMORY USAGE of each. */
async function measureUvMemory(host: string, port: number, n: number, runId: string) {
  const ns = await claimDatabase(host, port, `bench-uv-${runId}`);
  try {
    for (let i = 0; i < n; i += 10_000) {
      const ids = Array.from({ length: Math.min(10_000, n - i) }, (_, j) => String(i + j + 1));
      await ns.redis
        .pipeline()
        .sadd('bench:uv:set', ...ids)
        .pfadd('bench:uv:hll', ...ids)
        .exec();
    }
    const setBytes = Number(await ns.redis.call('MEMORY', 'USAGE', 'bench:uv:set', 'SAMPLES', '0'));
    const hllBytes = Number(await ns.redis.call('MEMORY', 'USAGE', 'bench:uv:hll'));
    return { distinct: n, setBytes, hllBytes };
  } finally {
    await ns.release(false);
  }
}

async function machine(rest: FlinkRest, java: string): Promise<string[]> {
  const cpu = cpus();
  const javaVersion = spawnSync(java, ['-version'], { encoding: 'utf8' }).stderr?.split('\n')[0] ?? 'java: unknown';
  const flink = await rest<{ 'flink-version'?: string }>('/config').then(
    (c) => c['flink-version'] ?? '?',
    () => '?',
  );
  type Overview = { taskmanagers?: number; 'slots-total'?: number };
  const overview: Overview = await rest<Overview>('/overview').catch(() => ({}));
  let kernel = '';
  try {
    kernel = readFileSync('/proc/version', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    // not Linux
  }
  const model = cpu[0]?.model?.trim() || 'unknown CPU';
  return [
    `${cpu.length} cores (${model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory; ${kernel || process.platform}`,
    `${javaVersion}; Node ${process.version}; Flink ${flink} session cluster (${overview.taskmanagers ?? '?'} TaskManager, ${overview['slots-total'] ?? '?'} slots, 2 GB), Kafka and Redis on 127.0.0.1, all on the same machine`,
  ];
}
