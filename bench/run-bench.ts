/**
 * `npm run bench`: produce the records once (per size and per partition count), then run rounds:
 * each round runs the ceiling and every job once, in an order shuffled afresh (seeded), so that
 * what slows the machine for a while slows the jobs of a round alike; a job's ratio is taken per
 * round against the ceiling of the same round. Each run measures records/s, Redis write commands
 * (INFO commandstats before and after), CPU seconds of the TaskManager, Kafka and Redis (/proc),
 * the load average before and after, the TaskManager's peak memory, Flink's busy / back-pressured
 * / idle time per task, and a digest of every key the job wrote. A job that writes to the stack's
 * Redis Cluster runs only when the cluster runs (else it is skipped, with why), on the cluster to itself.
 * Then the Redis memory of a UV of many distinct users, as a set and as an hll.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type { WindowSpec } from '../src/pipeline/types';
import type { Expected } from '../src/redis-types';
import type { Io } from '../src/io/io';
import { progress } from '../src/io/progress';
import { DEFAULT_TIMING, GatewayClient } from '../src/deploy/gateway/client';
import type { JobRunner } from '../src/deploy/deployer';
import { GatewayDeployer } from '../src/deploy/gateway/deployer';
import { RuntimeFailure } from '../src/errors';
import { createTopic, deleteTopic, kafka } from '../src/kafka/client';
import { EVENT_STEP_MS } from '../src/produce/generator';
import { produce } from '../src/produce/sink';
import { REDIS_COMMANDS } from '../src/redis-types';
import { loadSpec } from '../src/pipeline/load';
import { runningCluster } from '../src/stack/extras';
import { stackLayout, type StackLayout } from '../src/stack/layout';
import { LocalStack } from '../src/stack/stack';
import { required } from '../src/util/required';
import { connectRedis, keyCount, masters, redisClient, type RedisAddress, type RedisClient } from '../src/util/redis';
import { claimDatabase, claimKeyspace, CLAIM_KEY, type Namespace } from '../src/verify/namespace';
import { snapshot } from '../src/verify/snapshot';
import { JOBS, ROWS_KEY, type BenchContext, type BenchJob } from './jobs';
import { digestOf, keyDigests } from './digest';
import { collectGarbage, memorySampler, type FlinkRest } from './memory';
import {
  BUSY_OTHER_CORES,
  busyThreshold,
  cpuMeter,
  cpuSecondsOf,
  isBusy,
  loadAverage,
  MEASURED_PROCESSES,
  otherWorkMeter,
  ownProcesses,
  redisPid,
  type MeasuredProcess,
  type OtherWork,
  type Pids,
} from './processes';
import { prng } from '../src/util/random';
import { median, pairedRatio, shuffled, type PairedRatio } from './stats';

export interface BenchOptions {
  spec: string;
  /**
   * Records per run: one size, or two (ascending), when each job's rate is the slope between them:
   * (large − small) / (run time at large − run time at small), so fixed start and stop costs cancel.
   */
  sizes: readonly number[];
  seed: number;
  /** Event time between two produced records, in ms (default: produce's, EVENT_STEP_MS). */
  eventStepMs?: number;
  /** Measured rounds: each runs every job once (at every size), in a shuffled order. */
  rounds: number;
  /** Rounds of every job before the measured ones, not measured: the TaskManager's JIT warms up (default 1). */
  warmup?: number;
  /** Distinct users for the set-vs-hll memory measure (default: the largest size). */
  uvUsers?: number;
  /** The jobs to run (default: JOBS); the first is the ceiling the others are compared with. */
  jobs?: readonly BenchJob[];
}

export interface VertexProfile {
  name: string;
  /** Milliseconds the task was busy, back-pressured (waiting for downstream) and idle (summed over its subtasks). */
  busyMs: number;
  backPressuredMs: number;
  idleMs: number;
  readRecords: number;
  writeRecords: number;
}

/** What a job left in its Redis database, in short. */
export interface JobOutput {
  /** The ceiling's (or the read-only anchor's) count of rows (the sum of its INCRBYs). */
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
  /** The measured round (1..rounds), and the run's place in the round's shuffled order (1..). */
  round: number;
  order: number;
  /** Records the run read. */
  events: number;
  /** Flink's duration of the job: submission to FINISHED, scheduling and task start-up included. */
  jobSeconds: number;
  /** From the first task RUNNING to the last task FINISHED: the records' processing alone. */
  runSeconds: number;
  redisCommands: number;
  redisByCommand: Record<string, number>;
  peakHeapMb: number;
  peakRssMb?: number;
  /** CPU seconds (user + system) each process used from submission to FINISHED. */
  cpuSeconds: Partial<Record<MeasuredProcess, number>>;
  /** The 1-minute load average before the job was submitted and after it finished. */
  loadBefore: number;
  loadAfter: number;
  /** Work on the machine by anything but the stack and the bench while the job ran; absent where /proc/stat cannot be read. */
  otherWork?: OtherWork;
  /** Other work took more than BUSY_OTHER_CORES while the job ran (or, without /proc/stat, the load before it was above the threshold). */
  busy: boolean;
  vertices: VertexProfile[];
  output: JobOutput;
  /** The digest of every key the job wrote, and each key's. */
  digest: string;
  keyDigests: Record<string, string>;
}

export interface JobResult {
  name: string;
  describe: string;
  /** The metrics the job computes on top of the bench spec's own (a metrics variant). */
  adds?: readonly string[];
  /** The job whose Redis contents this one must reproduce (on that job's keys). */
  sameOutputAs?: string;
  /** Where the job wrote, when not to the stack's standalone Redis: its Redis Cluster. */
  redis?: 'cluster';
  /** The job's parallelism, and the partitions of the topic it read. */
  parallelism: number;
  /** Every measured run, in the order run. */
  runs: JobRun[];
  /** The job's records/s in each round (the slope between the sizes, or at the one size; NaN where unusable). */
  ratePerRound: number[];
  /** The median of ratePerRound. */
  recordsPerSecond: number;
  /** Against the ceiling, round by round (undefined for the ceiling itself). */
  vsCeiling?: PairedRatio;
  /** Against the generated job, round by round (for the generated job's variants). */
  vsGenerated?: PairedRatio;
  /** The median run at the largest size (by run time): the one whose profile and output are shown. */
  median: JobRun;
  /** Per command, the fewest calls any run at the largest size made (the job's own writes). */
  redisByCommand: Record<string, number>;
  redisCommands: number;
  /** Median over the runs at the largest size of CPU seconds per million records, per process. */
  cpuPerMillion: Partial<Record<MeasuredProcess, number>>;
}

export interface BenchResult {
  /** Records per run: one size, or two for the slope. */
  sizes: number[];
  /** Records per second `uvpv produce` reached into Kafka (the largest topic). */
  produceRate: number;
  /** The topics' partition counts: one topic per parallelism the jobs run at (and per size), the same records in each. */
  partitionCounts: number[];
  /** Event time between two produced records, in ms. */
  eventStepMs: number;
  /** The bench spec's window: how many windows the records span. */
  window: WindowSpec;
  rounds: number;
  warmup: number;
  seed: number;
  jobs: JobResult[];
  /** Jobs asked for that did not run, each with why (the stack's Redis Cluster is not running). */
  skipped: { name: string; reason: string }[];
  /** Every digest disagreement, in words; empty when every run wrote what it should. */
  digestMismatches: string[];
  /** Runs whose row count (ceiling, read-only anchor) is not the records produced. */
  rowMismatches: string[];
  busyThreshold: number;
  /** The cores other work may take during a run before the run is flagged busy. */
  busyOtherCores: number;
  uvMemory: { distinct: number; setBytes: number; hllBytes: number };
  machine: string[];
  /** How the peak heap was measured. */
  heapSource: string;
  /** Whether each job started after a full GC of the TaskManager. */
  gcBetweenJobs: boolean;
  /** Which processes' CPU could be read (others are left out of the CPU columns). */
  cpuMeasured: MeasuredProcess[];
}

export async function runBench(opts: BenchOptions, io: Io): Promise<BenchResult> {
  const sizes = [...opts.sizes].sort((a, b) => a - b);
  const largest = sizes[sizes.length - 1];
  const p = progress(io);
  const loaded = loadSpec(opts.spec, { env: io.env, cwd: io.cwd, mode: 'lenient' });
  io.redactor?.add(loaded.secrets);
  const layout = stackLayout(io.env);
  const stack = new LocalStack(layout, p);
  if (!(await stack.isUp())) await stack.up();
  const redisAt = stack.redisEndpoint();
  if (!redisAt) throw new RuntimeFailure('the local stack has no Redis');
  // The jobs that write to the stack's Redis Cluster run only when it runs, and is theirs to empty.
  const asked = opts.jobs ?? JOBS;
  const cluster = asked.some((j) => j.redis === 'cluster') ? await usableCluster(layout) : undefined;
  if (cluster && 'at' in cluster && cluster.at.password) io.redactor?.add([cluster.at.password]);
  const skipped =
    cluster && 'down' in cluster ? asked.filter((j) => j.redis === 'cluster').map((j) => ({ name: j.name, reason: cluster.down })) : [];
  for (const s of skipped) p.info(`skipping bench job ${s.name}: ${s.reason}`);
  const jobs = asked.filter((j) => !skipped.some((s) => s.name === j.name));
  const clusterAt = cluster && 'at' in cluster ? cluster : undefined;
  const tmPid = stack.pid('taskmanager');
  const pids: Pids = { taskmanager: tmPid, kafka: stack.pid('kafka'), redis: await redisPid(redisAt.host, redisAt.port) };
  const cpuMeasured = MEASURED_PROCESSES.filter((name) => cpuSecondsOf(pids[name]) !== undefined);
  const ownPids = await ownProcesses(layout, stack, pids.redis);
  const threshold = busyThreshold();
  const jcmd = layout.java.includes('/') ? join(dirname(layout.java), 'jcmd') : 'jcmd';
  const runId = randomBytes(3).toString('hex');
  // One topic per parallelism the jobs run at and per size, with a partition per source task,
  // holding the same records (the smaller size's are the first of the larger's). A second
  // partition costs a parallelism-1 job about 20%, so each reads its own.
  // A job without a parallelism of its own runs at the spec's.
  // Each job's spec: the bench's, or its own (a variant that adds metrics), loaded before anything runs.
  const specs = new Map(
    jobs.map((job) => [job.name, job.spec ? job.spec(opts.spec, { env: io.env, cwd: io.cwd, mode: 'lenient' }) : loaded]),
  );
  for (const own of specs.values()) io.redactor?.add(own.secrets);
  const specOf = (job: BenchJob) => required(specs.get(job.name), `the spec of bench job ${job.name}`);
  const partitionsOf = (job: BenchJob) => job.parallelism ?? specOf(job).spec.job.parallelism;
  const partitionCounts = [...new Set(jobs.map(partitionsOf))].sort((a, b) => a - b);
  const eventStepMs = opts.eventStepMs ?? EVENT_STEP_MS;
  // Another event step is other records: its topics say so.
  const stepTag = eventStepMs === EVENT_STEP_MS ? '' : `-s${eventStepMs}`;
  const topicOf = (partitions: number, size: number) => `uvpv-bench-${runId}-p${partitions}-n${size}${stepTag}`;
  const k = kafka(stack.urls.kafka, { clientId: 'uvpv-bench' });
  const target = stack.target;
  const client = new GatewayClient(target, { ...DEFAULT_TIMING, intervalMs: 50, timeoutMs: 30 * 60_000 });
  // Jobs are submitted and waited on through the gateway deployer; the client reads Flink's REST API for the measures.
  const runner: JobRunner = new GatewayDeployer(target, client, { env: io.env, progress: p });
  const rest: FlinkRest = (path) => client.rest(path);
  let gcBetweenJobs = tmPid !== undefined;
  let heapSource = 'hsperfdata';

  const runJob = async (
    job: BenchJob,
    size: number,
    tag: string,
    label: string,
    place: { round: number; order: number },
  ): Promise<JobRun> => {
    if (gcBetweenJobs) gcBetweenJobs = collectGarbage(tmPid, jcmd);
    const onCluster = job.redis === 'cluster' ? required(clusterAt, `the Redis Cluster of bench job ${job.name}`) : undefined;
    // The cluster has one database, claimed whole (empty); the standalone Redis a free database of the run's own.
    const ns: Namespace = onCluster
      ? await claimKeyspace(onCluster.at, `bench-${runId}`)
      : await claimDatabase(redisAt.host, redisAt.port, `bench-${runId}`);
    try {
      const ctx: BenchContext = {
        loaded: specOf(job),
        topic: topicOf(partitionsOf(job), size),
        bootstrap: stack.urls.kafka,
        redisHost: redisAt.host,
        redisPort: redisAt.port,
        database: ns.database,
        runId: `${runId}-${tag}`,
        redisConnector: target.redisConnector,
        ...(onCluster ? { cluster: onCluster.at } : {}),
      };
      const before = await commandStats(ns.redis);
      const loadBefore = loadAverage();
      const sampler = memorySampler(tmPid, rest);
      // The Redis CPU of a job on the cluster is its masters', summed.
      const cpu = cpuMeter(onCluster ? { ...pids, redis: onCluster.pids } : pids);
      const others = otherWorkMeter(ownPids);
      let jobId: string;
      try {
        jobId = await runner.submitJob(loaded.spec, job.statements(ctx));
        const end = p.step(`${label}, ${job.name}: job ${jobId} over ${size.toLocaleString('en-US')} records`);
        await runner.waitUntilFinished(jobId, { timeoutMs: 30 * 60_000 });
        end();
      } catch (e) {
        await sampler.stop();
        throw e;
      }
      const cpuSeconds = cpu.stop();
      const otherWork = others.stop();
      const memory = await sampler.stop();
      const loadAfter = loadAverage();
      heapSource = memory.heapSource;
      const timing = await jobTiming(rest, jobId);
      const byCommand = diffStats(before, await commandStats(ns.redis));
      const redisCommands = Object.values(byCommand).reduce((a, b) => a + b, 0);
      const contents = await snapshot(ns.redis, new Set([CLAIM_KEY]));
      const keys = keyDigests(contents);
      const busy = isBusy(otherWork, loadBefore);
      p.info(
        `  ${timing.runSeconds.toFixed(2)} s running (${timing.jobSeconds.toFixed(2)} s job), ${Math.round(size / timing.runSeconds).toLocaleString('en-US')} records/s, ` +
          `${redisCommands.toLocaleString('en-US')} Redis commands, peak heap ${memory.heapMb} MB, load ${loadBefore.toFixed(2)}` +
          `${otherWork ? `, other work ${otherWork.cores.toFixed(2)} cores` : ''}${busy ? ' (busy)' : ''}`,
      );
      return {
        jobId,
        ...place,
        events: size,
        ...timing,
        redisCommands,
        redisByCommand: byCommand,
        peakHeapMb: memory.heapMb,
        peakRssMb: memory.rssMb,
        cpuSeconds,
        loadBefore,
        loadAfter,
        ...(otherWork ? { otherWork } : {}),
        busy,
        output: readOutput(contents),
        digest: digestOf(keys),
        keyDigests: keys,
      };
    } finally {
      await ns.release(false);
    }
  };

  try {
    const users = Math.max(1000, Math.floor(largest / 20));
    let produced = { sent: 0, seconds: 1 };
    for (const partitions of partitionCounts) {
      for (const size of sizes) {
        await createTopic(k, topicOf(partitions, size), partitions);
        produced = await produce(
          loaded.spec,
          { kind: 'kafka', bootstrap: stack.urls.kafka, topic: topicOf(partitions, size) },
          { events: size, users, seed: opts.seed, badRatio: 0, lateRatio: 0, stepMs: opts.eventStepMs },
          io,
        );
      }
    }
    // The first job after the TaskManager has been idle runs up to 2x slower (JIT), so a round
    // of every job goes first, unmeasured.
    for (let round = 1; round <= (opts.warmup ?? 1); round++) {
      for (const job of jobs) await runJob(job, sizes[0], `w${round}`, `warm-up ${round}`, { round: 0, order: 0 });
    }
    const runs = new Map<string, JobRun[]>(jobs.map((job) => [job.name, []]));
    const random = prng(opts.seed);
    const items = jobs.flatMap((job) => sizes.map((size) => ({ job, size })));
    for (let round = 1; round <= opts.rounds; round++) {
      const order = shuffled(items, random);
      for (const [i, { job, size }] of order.entries()) {
        const run = await runJob(job, size, `${round}-${i + 1}`, `round ${round}/${opts.rounds} (${i + 1}/${order.length})`, {
          round,
          order: i + 1,
        });
        required(runs.get(job.name), `the runs of bench job ${job.name}`).push(run);
      }
    }
    const runsOf = (job: BenchJob) => required(runs.get(job.name), `the runs of bench job ${job.name}`);
    const rate = (job: BenchJob, round: number) => roundRate(runsOf(job), round, sizes);
    const rounds = Array.from({ length: opts.rounds }, (_, i) => i + 1);
    const ratesOf = (job: BenchJob) => rounds.map((round) => rate(job, round));
    const ceiling = jobs[0];
    const generated = jobs.find((j) => j.name === 'generated');
    const results: JobResult[] = jobs.map((job, index) => {
      const all = runsOf(job);
      const atLargest = all.filter((r) => r.events === largest);
      const median = [...atLargest].sort((a, b) => a.runSeconds - b.runSeconds)[Math.floor(atLargest.length / 2)];
      // INFO commandstats is server-wide: someone else's writes during a run can only add to
      // it, and a job's own writes are the same every run, so the fewest seen is the job's.
      const redisByCommand = fewest(atLargest.map((r) => r.redisByCommand));
      const ratePerRound = ratesOf(job);
      const compareWithGenerated =
        generated && job !== generated && (job.sameOutputAs === generated.name || partitionsOf(job) !== partitionsOf(generated));
      return {
        name: job.name,
        describe: job.describe,
        ...(job.adds ? { adds: job.adds } : {}),
        ...(job.sameOutputAs ? { sameOutputAs: job.sameOutputAs } : {}),
        ...(job.redis ? { redis: job.redis } : {}),
        parallelism: partitionsOf(job),
        runs: all,
        ratePerRound,
        recordsPerSecond: medianOf(ratePerRound.filter(Number.isFinite)),
        ...(index === 0 ? {} : { vsCeiling: pairedRatio(ratePerRound, ratesOf(ceiling), opts.seed + index) }),
        ...(compareWithGenerated ? { vsGenerated: pairedRatio(ratePerRound, ratesOf(generated), opts.seed + index + 1000) } : {}),
        median,
        redisByCommand,
        redisCommands: Object.values(redisByCommand).reduce((a, b) => a + b, 0),
        cpuPerMillion: cpuPerMillion(atLargest),
      };
    });
    const uvMemory = await measureUvMemory(redisAt.host, redisAt.port, opts.uvUsers ?? largest, runId);
    return {
      sizes,
      produceRate: produced.sent / produced.seconds,
      eventStepMs,
      window: loaded.spec.window,
      partitionCounts,
      rounds: opts.rounds,
      warmup: opts.warmup ?? 1,
      seed: opts.seed,
      jobs: results,
      skipped,
      digestMismatches: digestMismatches(results),
      rowMismatches: rowMismatches(results),
      busyThreshold: threshold,
      busyOtherCores: BUSY_OTHER_CORES,
      uvMemory,
      machine: await machine(rest, layout.java),
      heapSource,
      gcBetweenJobs,
      cpuMeasured,
    };
  } finally {
    for (const partitions of partitionCounts)
      for (const size of sizes) await deleteTopic(k, topicOf(partitions, size)).catch(() => undefined);
  }
}

/**
 * A job's records/s in one round: records / run time at the one size, or with two sizes the
 * slope (large − small) / (time at large − time at small); NaN when the round has no such runs
 * or the larger size did not take longer (too small a difference for the noise).
 */
export function roundRate(
  runs: readonly Pick<JobRun, 'round' | 'events' | 'runSeconds'>[],
  round: number,
  sizes: readonly number[],
): number {
  const at = (size: number) => runs.find((r) => r.round === round && r.events === size)?.runSeconds;
  if (sizes.length === 1) {
    const t = at(sizes[0]);
    return t === undefined || t <= 0 ? NaN : sizes[0] / t;
  }
  const [small, large] = [sizes[0], sizes[sizes.length - 1]];
  const [ts, tl] = [at(small), at(large)];
  if (ts === undefined || tl === undefined || tl <= ts) return NaN;
  return (large - small) / (tl - ts);
}

function medianOf(xs: readonly number[]): number {
  return xs.length ? median(xs) : NaN;
}

function cpuPerMillion(runs: readonly JobRun[]): Partial<Record<MeasuredProcess, number>> {
  const out: Partial<Record<MeasuredProcess, number>> = {};
  for (const name of MEASURED_PROCESSES) {
    const each = runs.flatMap((r) => {
      const s = r.cpuSeconds[name];
      return s === undefined ? [] : [(s / r.events) * 1e6];
    });
    if (each.length) out[name] = median(each);
  }
  return out;
}

/**
 * Every way the runs disagree on what Redis holds: a job whose runs at one size wrote different
 * contents, and a job that must reproduce another's contents (on that job's keys) and did not,
 * round by round.
 */
export function digestMismatches(jobs: readonly Pick<JobResult, 'name' | 'runs' | 'sameOutputAs'>[]): string[] {
  const out: string[] = [];
  for (const job of jobs) {
    for (const size of new Set(job.runs.map((r) => r.events))) {
      const digests = new Set(job.runs.filter((r) => r.events === size).map((r) => r.digest));
      if (digests.size > 1)
        out.push(`${job.name}: its ${digests.size} different contents over its runs of ${size.toLocaleString('en-US')} records`);
    }
    const reference = job.sameOutputAs === undefined ? undefined : jobs.find((j) => j.name === job.sameOutputAs);
    if (!reference) continue;
    for (const run of job.runs) {
      const theirs = reference.runs.find((r) => r.round === run.round && r.events === run.events);
      if (!theirs) continue;
      const keys = Object.keys(theirs.keyDigests);
      if (digestOf(run.keyDigests, keys) !== theirs.digest) {
        const differ = keys.filter((k) => run.keyDigests[k] !== theirs.keyDigests[k]);
        out.push(
          `${job.name} (round ${run.round}, ${run.events.toLocaleString('en-US')} records) differs from ${reference.name} on ${differ.length} of its ${keys.length} keys` +
            ` (${differ.slice(0, 5).join(', ')}${differ.length > 5 ? ', …' : ''})`,
        );
      }
    }
  }
  return out;
}

/** Runs that counted rows (the ceiling, the read-only anchor) and did not count every record. */
function rowMismatches(jobs: readonly JobResult[]): string[] {
  return jobs.flatMap((j) =>
    j.runs.flatMap((r) =>
      r.output.rows === undefined || r.output.rows === r.events
        ? []
        : [`${j.name} (round ${r.round}) counted ${r.output.rows.toLocaleString('en-US')} rows of ${r.events.toLocaleString('en-US')}`],
    ),
  );
}

/**
 * The stack's Redis Cluster, when it runs and holds nothing (a job's run there deletes everything
 * in it afterwards, so it must not hold anyone else's keys); else why not, in one line.
 */
async function usableCluster(layout: StackLayout): Promise<{ at: RedisAddress; pids: number[] } | { down: string }> {
  const cluster = await runningCluster(layout);
  if ('down' in cluster) return cluster;
  const client = redisClient(cluster.at, 'session');
  try {
    await connectRedis(client, 5000);
    const keys = await keyCount(client);
    return keys ? { down: `the stack's Redis Cluster holds ${keys} key${keys === 1 ? '' : 's'}: the cluster job needs it empty` } : cluster;
  } catch (e) {
    return { down: `the stack's Redis Cluster does not answer (${(e as Error).message})` };
  } finally {
    client.disconnect();
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
function readOutput(contents: ReadonlyMap<string, Expected>): JobOutput {
  const out: JobOutput = { sets: {}, hashes: {}, zsets: {}, lists: {}, strings: {} };
  for (const [key, value] of contents) {
    if ('set' in value) out.sets[key] = value.set.length;
    else if ('hash' in value)
      out.hashes[key] = { fields: Object.keys(value.hash).length, total: Object.values(value.hash).reduce((a, v) => a + Number(v), 0) };
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

/** Calls per Redis command, from INFO commandstats (server-wide; the bench is the only writer), summed over a cluster's masters. */
async function commandStats(redis: RedisClient): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const node of masters(redis))
    for (const m of (await node.info('commandstats')).matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) out[m[1]] = (out[m[1]] ?? 0) + Number(m[2]);
  return out;
}

// Every command a Redis type writes with, and other writes a job might make. evalsha: the
// connector's idempotent list push runs as a script (whose LPUSH is counted as well).
const WRITES = new Set<string>([
  ...REDIS_COMMANDS,
  'srem',
  'del',
  'hdel',
  'expire',
  'zrem',
  'incrby',
  'decrby',
  'hincrby',
  'evalsha',
  'eval',
]);

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
