/**
 * `uvpv verify`: feed known events through the real pipeline on the local stack and compare what
 * lands in Redis with an expectation (a file, or the reference model). Each run has a topic and
 * a Redis keyspace of its own, and cleans both up unless asked to keep them. The job runs on the
 * stack's Flink; its Kafka and Redis are the stack's (`--connections stack`, the default) or the
 * spec's own, reached with the spec's security and Redis mode (`--connections spec`).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Io } from '../io/io';
import { progress } from '../io/progress';
import { settings } from '../io/settings';
import { compileSpec } from '../compile';
import { GatewayClient, DEFAULT_TIMING } from '../deploy/gateway/client';
import type { JobRunner } from '../deploy/deployer';
import { GatewayDeployer } from '../deploy/gateway/deployer';
import type { Restarts } from '../deploy/gateway/restarts';
import { Interrupted, RuntimeFailure, UsageError } from '../errors';
import { createTopic, deleteTopic, kafka, partitionCounts, reachKafka, sendValues, splitLines } from '../kafka/client';
import type { Expectation } from '../model/expectation';
import { referenceModel } from '../model/reference';
import { loadSpec, withParallelism } from '../pipeline/load';
import { jobStatements } from '../sql/compiler';
import { stackLayout } from '../stack/layout';
import { LocalStack } from '../stack/stack';
import { compare, type KeyResult } from './compare';
import { expectationYaml, readExpectation } from './expect-file';
import { checkFaultFits, FAULT_CHECKPOINT, faultLine, feedWithFault, outcome, type FaultPlan, type FaultReport } from './faults';
import { RedisProxy } from './redis-proxy';
import { junitXml } from './junit';
import { restartVerdict } from './restarts';
import { claimDatabase, claimKeyspace, CLAIM_KEY, type Namespace } from './namespace';
import { describeRedis, redisAddressOf } from '../util/redis';
import { snapshot } from './snapshot';
import { nothingToCompare, unmatchedEvents, verdict, type Verdict } from './verdict';

export interface VerifyOptions {
  spec: string;
  events: string;
  expect?: string;
  target: string;
  junit?: string;
  keep: boolean;
  writeExpect?: string;
  /** Inject this failure mid-stream (see faults.ts). */
  fault?: FaultPlan;
  /** Run the job at this parallelism instead of the spec's. */
  parallelism?: number;
  /** An empty result (no key expected, none written) passes instead of failing as "nothing to compare". */
  allowEmpty?: boolean;
  /** Fail the run when Flink restarted the job at all (by default the results decide, and restarts are reported). */
  failOnRestart?: boolean;
  /** Aborted on Ctrl-C or SIGTERM (its reason is the signal's name): the job is cancelled and the run's topic and database cleaned up. */
  signal?: AbortSignal;
  /** Whose Kafka and Redis the job uses: the local stack's (default), or the spec's own. */
  connections?: Connections;
}

export const CONNECTIONS = ['stack', 'spec'] as const;
export type Connections = (typeof CONNECTIONS)[number];

export interface VerifyOutcome {
  ok: boolean;
  results: KeyResult[];
  timings: Record<string, number>;
  fault?: FaultReport;
  /** The job's restarts, read once it had ended. */
  restarts?: Restarts;
  /** The Flink job verify ran. */
  jobId?: string;
}

export async function verify(opts: VerifyOptions, io: Io): Promise<VerifyOutcome> {
  if (opts.target !== 'local') throw new UsageError(`verify runs on the local stack only ('--target local'), not on '${opts.target}'`);
  const ownConnections = opts.connections === 'spec';
  // With the stack's Kafka and Redis, the spec's addresses and passwords are not needed: unset
  // variables there are fine. With the spec's own, they are, secrets included.
  const loaded = withParallelism(
    loadSpec(opts.spec, { env: io.env, cwd: io.cwd, mode: ownConnections ? 'strict' : 'lenient', revealSecrets: ownConnections }),
    opts.parallelism,
  );
  io.redactor?.add(loaded.secrets);
  const spec = loaded.spec;
  if (opts.fault) checkFaultFits(opts.fault.kind, ownConnections ? 'spec' : 'stack', spec.redis);
  const messages = splitLines(readInput(io, opts.events, 'events file'));
  const model = referenceModel(spec, messages);
  const expectation: Expectation = opts.expect ? readExpectation(resolve(io.cwd, opts.expect), opts.expect) : model.expectation;
  // The gateway and Flink are polled every 50 ms unless UVPV_POLL_MS says otherwise (deploy: 100 ms).
  const pollMs = settings(io.env).pollMs(50);
  const p = progress(io);
  const t: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    try {
      return await f();
    } finally {
      t[name] = (Date.now() - start) / 1000;
    }
  };

  io.stderr(`verify ${opts.spec} with ${opts.events}: ${messages.length} messages\n`);
  io.stderr(
    opts.expect
      ? `expected: ${opts.expect}\n`
      : "expected: computed by the reference model (uvpv's own TypeScript implementation of the spec's semantics, independent of the SQL)\n",
  );
  if (model.skipped) io.stderr(`note: ${model.skipped} of ${messages.length} messages are not JSON objects and are skipped\n`);
  const dropped = model.dropped;
  if (dropped.lateRows) {
    const windows = dropped.late.size;
    io.stderr(
      `note: ${dropped.lateRows} rows arrive after the watermark (${spec.source.watermarkDelay.text} behind the largest event time before them) passed ` +
        `the end of some of their windows (${windows} window${windows === 1 ? '' : 's'}); they do not count there\n`,
    );
    // With several partitions the watermark is the smallest over them, so lateness depends on how they interleave.
    if (spec.job.parallelism > 1)
      io.stderr(
        `warning: with ${spec.job.parallelism} partitions the late rows depend on how the partitions interleave; the model assumes their order in ${opts.events}, so results may differ\n`,
      );
  }
  if (dropped.noEventTime) io.stderr(`note: ${dropped.noEventTime} rows have no event time and count in no window\n`);
  for (const line of unmatchedEvents(spec, model.eventRows, messages.length)) io.stderr(`warning: ${line}\n`);

  const stack = new LocalStack(stackLayout(io.env), p);
  if (!(await stack.isUp())) await timed('stack', () => stack.up());
  else {
    const stale = stack.staleConnector();
    if (stale) io.stderr(`warning: ${stale}\n`);
  }
  // Up means its Redis answers, so the stack has recorded where.
  const redisAt = stack.redisEndpoint();
  if (!redisAt) throw new Error('the local stack is up but has not recorded its Redis endpoint');
  const runId = randomBytes(4).toString('hex');
  const topic = `uvpv-verify-${spec.name}-${runId}`.replace(/[^A-Za-z0-9._-]/g, '_');
  const source = ownConnections
    ? { bootstrapServers: spec.source.bootstrapServers, security: spec.source.security }
    : { bootstrapServers: stack.urls.kafka, security: undefined };
  const k = kafka(source.bootstrapServers, { clientId: 'uvpv-verify', security: source.security });
  // A refused login or certificate ends the run here, with its fix, before anything is created.
  await reachKafka(k, source.bootstrapServers, source.security);
  const ns: Namespace = ownConnections
    ? await claimKeyspace(redisAddressOf(spec.redis), runId)
    : await claimDatabase(redisAt.host, redisAt.port, runId);
  if (ownConnections) io.stderr(`connections: the spec's Kafka ${source.bootstrapServers} and ${describeRedis(ns.at)}\n`);
  const target = stack.target;
  const client = new GatewayClient(target, { ...DEFAULT_TIMING, intervalMs: pollMs });
  let results: KeyResult[] = [];
  let failure: RuntimeFailure | undefined;
  let faultReport: FaultReport | undefined;
  let restarts: Restarts | undefined;
  // The job this run started, until it has ended: whatever ends the run, it does not outlive it (unless --keep).
  let jobId: string | undefined;
  let ended = false;
  const interrupted = () => {
    const signal = opts.signal?.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
    return new Interrupted(`verify was interrupted (${signal === 'SIGINT' ? 'Ctrl-C' : signal})`, signal);
  };
  const checkSignal = () => {
    if (opts.signal?.aborted) throw interrupted();
  };
  // Cancelling at once ends the wait on the job (it turns CANCELED); the run then cleans up as after any failure.
  const onAbort = () => {
    if (jobId && !ended && !opts.keep) client.cancel(jobId).catch(() => undefined);
  };
  opts.signal?.addEventListener('abort', onAbort);
  // As many partitions as the job's parallelism, so every source task reads.
  const partitions = spec.job.parallelism;
  // A Redis outage cuts the job off through a proxy: the Redis server itself is never stopped.
  const proxy = opts.fault?.kind === 'redis-outage' ? new RedisProxy(redisAt) : undefined;
  try {
    await timed('produce', async () => {
      await createTopic(k, topic, partitions);
      if (opts.fault) return; // the events follow once the job runs
      const end = p.step(`sending ${messages.length} messages to topic ${topic}${partitions > 1 ? ` (${partitions} partitions)` : ''}`);
      await sendValues(k, topic, messages, undefined, 5000, partitions);
      end();
    });
    checkSignal();
    const redisPort = proxy ? await proxy.start() : redisAt.port;
    const compiled = compileSpec(
      loaded,
      'flink',
      {
        topic,
        ...source,
        groupId: `uvpv-verify-${runId}`,
        // A fault run starts before its input is written: it stops at the offsets the input ends at.
        bounded: opts.fault ? partitionCounts(messages.length, partitions) : true,
        checkpointInterval: opts.fault ? FAULT_CHECKPOINT : undefined,
        // The spec's own Redis stays as the spec has it: its mode, its TLS, its user.
        ...(!ownConnections && {
          redis: { host: redisAt.host, port: redisPort, database: ns.database, password: { placeholder: '', empty: true } },
        }),
        jobName: `${spec.name}-verify-${runId}`,
      },
      { redisConnector: target.redisConnector },
    );
    // The job is submitted and waited on through the gateway deployer; the client reads Flink's REST API for the faults.
    const runner: JobRunner = new GatewayDeployer(target, client, { env: io.env, progress: p });
    jobId = await timed('submit', () => runner.submitJob(spec, jobStatements(compiled, 'reveal')));
    const job = jobId;
    // A signal during the submission: the job exists now, so cancel it.
    if (opts.signal?.aborted) onAbort();
    checkSignal();
    const plan = opts.fault;
    const fed =
      plan &&
      (await timed('feed', () =>
        feedWithFault(
          {
            stack,
            client,
            kafka: k,
            topic,
            partitions,
            progress: p,
            proxy,
            redis: ownConnections ? spec.redis : undefined,
            key: spec.metrics[0]?.redis.key,
            signal: opts.signal,
          },
          job,
          messages,
          plan,
        ),
      ));
    checkSignal();
    await timed('run', async () => {
      const end = p.step(`running job ${job} to the end of its input`);
      // A restart is no failure while waiting: whether it fails the run is decided once the job has ended, from its history.
      // A fault run restarts on purpose, and may take a while to recover.
      await runner.waitUntilFinished(job, { timeoutMs: plan ? 300_000 : undefined, tolerateRestarts: true });
      ended = true;
      end('FINISHED');
    });
    restarts = await client.restartHistory(job, 'FINISHED');
    if (fed) faultReport = await outcome(client, job, fed, restarts.count);
    const actual = await timed('compare', async () => {
      const got = await snapshot(ns.redis, new Set([CLAIM_KEY]));
      results = compare(expectation, got);
      return got;
    });
    if (opts.writeExpect) {
      const written: Expectation = { redis: actual, exact: true };
      writeFileSync(
        resolve(io.cwd, opts.writeExpect),
        expectationYaml(
          written,
          `What ${spec.name} wrote to Redis for ${opts.events}.\nRecorded by uvpv verify --write-expect: review every value before trusting it.`,
        ),
      );
      io.stderr(`wrote ${opts.writeExpect} from what Redis holds: review it before using it as an expectation\n`);
    }
  } catch (e) {
    // A failure caused by the signal (the cancelled job, a closed connection) is the interruption.
    if (opts.signal?.aborted) failure = undefined;
    else if (!(e instanceof RuntimeFailure)) throw e;
    else failure = e;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (jobId && !ended) {
      if (opts.keep) io.stderr(`kept job ${jobId} as it is (--keep): stop it with the Flink UI or REST API\n`);
      else await cancelJob(client, jobId, p);
    }
    if (opts.keep) io.stderr(`kept topic ${topic} and the keys on ${describeRedis(ns.at)} (--keep)\n`);
    else await deleteTopic(k, topic).catch(() => undefined);
    await ns.release(opts.keep);
    await proxy?.stop();
  }
  // Every run that started a job reports its restarts, however it ended.
  if (jobId && !restarts) restarts = await client.restartHistory(jobId).catch(() => undefined);
  const restartCheck = restarts && restartVerdict(restarts, Boolean(opts.failOnRestart));

  const total = Object.values(t).reduce((a, b) => a + b, 0);
  const decided = verdict(results, {
    allowEmpty: Boolean(opts.allowEmpty),
    exact: expectation.exact,
    restartedWhenForbidden: restartCheck?.fails ? restarts?.count : undefined,
  });
  const empty = !failure && results.length === 0 && !decided.ok ? nothingToCompare(expectation.exact) : undefined;
  if (opts.junit)
    writeFileSync(
      resolve(io.cwd, opts.junit),
      junitXml(`uvpv verify ${spec.name}`, results, total, {
        error: opts.signal?.aborted ? interrupted().message : failure ? `${failure.message}\n${failure.detail ?? ''}` : empty,
        properties: [...(jobId ? ([['job', jobId]] as [string, string][]) : []), ...(restartCheck?.properties ?? [])],
        failures: restartCheck?.failure ? [restartCheck.failure] : [],
      }),
    );
  if (opts.signal?.aborted || failure) {
    for (const line of restartCheck?.lines ?? []) io.stdout(`${line}\n`);
    throw failure ?? interrupted();
  }
  if (faultReport) io.stdout(`${faultLine(faultReport)}\n`);
  for (const line of restartCheck?.lines ?? []) io.stdout(`${line}\n`);
  report(io, results, decided, t);
  return { ok: decided.ok, results, timings: t, fault: faultReport, restarts, jobId };
}

/** Cancels a job verify started and waits (briefly) until Flink has cancelled it. */
async function cancelJob(client: GatewayClient, jobId: string, p: ReturnType<typeof progress>): Promise<void> {
  const end = p.step(`cancelling job ${jobId}`);
  try {
    await client.cancel(jobId);
    // A restarting job passes through RESTARTING on its way to CANCELED.
    end(await client.waitForJob(jobId, ['CANCELED', 'FINISHED', 'FAILED'], 30_000, true));
  } catch (e) {
    // A job that had already ended cannot be cancelled: then there is nothing left to do.
    const state = await client.job(jobId).then(
      (j) => j.state,
      () => 'unknown',
    );
    end(state);
    if (!['CANCELED', 'FINISHED', 'FAILED'].includes(state))
      p.info(`warning: job ${jobId} is ${state} after cancelling it (${(e as Error).message}): stop it with the Flink UI or REST API`);
  }
}

function report(io: Io, results: KeyResult[], decided: Verdict, t: Record<string, number>): void {
  for (const r of results) {
    io.stdout(`${r.ok ? '✓' : '✗'} ${r.key}\n`);
    for (const line of r.problems) io.stdout(`    ${line}\n`);
  }
  const times = ['stack', 'produce', 'submit', 'feed', 'run', 'compare']
    .filter((k) => k in t)
    .map((k) => `${k} ${t[k].toFixed(1)}s`)
    .join(', ');
  const total = Object.values(t).reduce((a, b) => a + b, 0);
  io.stdout(`verify: ${decided.summary} (${times}; total ${total.toFixed(1)}s)\n`);
}

function readInput(io: Io, file: string, what: string): Buffer {
  try {
    return readFileSync(resolve(io.cwd, file));
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
