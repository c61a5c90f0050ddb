/**
 * `uvpv verify --fault KIND`: the same comparison as verify, with a failure injected while the job
 * is mid-stream. The job starts first, bounded by the offsets the whole input will end at; the
 * events then arrive in batches, and after `--at` of them (and a completed checkpoint) the fault
 * hits. The service comes back, Flink restarts the job from its last checkpoint by itself, and
 * the rest of the events follow. Faults on the stack's connections touch only what the stack
 * started (a TaskManager, the Kafka broker) or a proxy in front of Redis: the Redis server itself
 * is never stopped. With `--connections spec`, a cluster's master pauses or the sentinels fail the
 * master over (redis-mode-faults.ts), on servers of this machine only.
 */
import type { Kafka } from 'kafkajs';
import type { GatewayClient } from '../deploy/gateway/client';
import { Interrupted, RuntimeFailure, UsageError } from '../errors';
import type { Progress } from '../io/progress';
import { sendValues } from '../kafka/client';
import { sleep } from '../util/http';
import type { LocalStack } from '../stack/stack';
import type { RedisSpec } from '../pipeline/types';
import { RedisProxy } from './redis-proxy';
import {
  checkRedisModeFault,
  failover,
  MASTER_PAUSE_MS,
  pauseOneMaster,
  REDIS_MODE_FAULTS,
  type RedisModeFault,
} from './redis-mode-faults';

export const FAULT_KINDS = ['taskmanager-kill', 'redis-outage', 'kafka-restart', 'redis-master-outage', 'redis-failover'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Whose servers a fault acts on, so which `--connections` it goes with (taskmanager-kill: the stack's Flink, either). */
export const FAULT_CONNECTIONS: Readonly<Record<FaultKind, 'stack' | 'spec' | 'either'>> = {
  'taskmanager-kill': 'either',
  'redis-outage': 'stack',
  'kafka-restart': 'stack',
  'redis-master-outage': 'spec',
  'redis-failover': 'spec',
};

/** A usage error when the fault cannot act on the run's connections (and, for the spec's, on its Redis mode). */
export function checkFaultFits(kind: FaultKind, connections: 'stack' | 'spec', redis: RedisSpec): void {
  const needs = FAULT_CONNECTIONS[kind];
  if (needs === 'stack' && connections === 'spec')
    throw new UsageError(
      `--fault ${kind} acts on the local stack's ${kind === 'redis-outage' ? 'Redis' : 'Kafka'}, not on the spec's: use it with --connections stack`,
    );
  if (needs === 'spec' && connections === 'stack')
    throw new UsageError(
      `--fault ${kind} acts on the spec's own ${REDIS_MODE_FAULTS[kind as RedisModeFault]} Redis: use it with --connections spec`,
    );
  if (needs === 'spec') checkRedisModeFault(kind as RedisModeFault, redis);
}

export interface FaultPlan {
  kind: FaultKind;
  /** The share of the events sent before the fault, 0 < at < 1. */
  at: number;
}

/** How often a fault run checkpoints: often, so a short run has checkpoints to restore from. */
export const FAULT_CHECKPOINT = { millis: 1000, text: '1 s' };
/** Batches the events arrive in. */
const BATCHES = 10;
/** How long after the last batch the fault hits: the job is reading it and writing what it closes. */
const IN_FLIGHT_MS = 300;
/** How long Redis stays away: longer than the connector's 2 s read timeout, so writes fail. */
const REDIS_OUTAGE_MS = 4000;

export function parseFault(kind: string | undefined, at: string | undefined): FaultPlan | undefined {
  if (kind === undefined) {
    if (at !== undefined) throw new UsageError('--at goes with --fault');
    return undefined;
  }
  if (!(FAULT_KINDS as readonly string[]).includes(kind))
    throw new UsageError(`--fault: got '${kind}'; expected one of ${FAULT_KINDS.join(', ')}`);
  const m = /^(\d{1,2})%$/.exec(at ?? '40%');
  const share = m ? Number(m[1]) / 100 : NaN;
  if (!(share > 0 && share < 1)) throw new UsageError(`--at: got '${at}'; expected a share of the events such as 40% (1% to 99%)`);
  return { kind: kind as FaultKind, at: share };
}

/** What happened, for the report. */
export interface FaultReport {
  kind: FaultKind;
  /** Messages sent before the fault hit. */
  after: number;
  total: number;
  /** Restarts Flink made (the failures in its exception history). */
  restarts: number;
  /** From the fault to the job's last return to RUNNING (undefined: it never restarted). */
  recoveredSeconds?: number;
  /** When the fault hit (epoch ms). */
  at: number;
  /** What the fault did, e.g. "killed TaskManager pid 123; a new TaskManager registered". */
  detail: string;
}

/** What the feed knows of the fault; the restarts and recovery are read once the job has finished. */
export type FedReport = Omit<FaultReport, 'restarts' | 'recoveredSeconds'>;

export interface FaultContext {
  stack: LocalStack;
  client: GatewayClient;
  kafka: Kafka;
  topic: string;
  partitions: number;
  progress: Progress;
  proxy?: RedisProxy;
  /** The spec's own Redis (`--connections spec`), for the faults on its cluster or sentinels. */
  redis?: RedisSpec;
  /** A key the job writes: redis-master-outage pauses the master that serves it. */
  key?: string;
  /** Aborted when verify is interrupted: no more events are sent, and no fault is injected. */
  signal?: AbortSignal;
}

/**
 * Sends the events in batches with the fault after `plan.at` of them; returns once all are sent
 * and the service is back. A Redis outage lasts while later batches arrive, so the job's writes
 * meet it.
 */
export async function feedWithFault(ctx: FaultContext, jobId: string, messages: readonly Buffer[], plan: FaultPlan): Promise<FedReport> {
  const size = Math.max(1, Math.ceil(messages.length / BATCHES));
  const faultAfter = Math.min(messages.length - 1, Math.max(1, Math.round(messages.length * plan.at)));
  let report: FedReport | undefined;
  let restored: Promise<void> = Promise.resolve();
  // Set once `at` of the events are in and checkpointed: the fault follows the next batch.
  let armed = false;
  for (let sent = 0; sent < messages.length;) {
    stopIfAborted(ctx.signal);
    const next = Math.min(armed || report ? messages.length : faultAfter, sent + size);
    await sendValues(ctx.kafka, ctx.topic, messages.slice(sent, next), undefined, 5000, ctx.partitions, sent);
    sent = next;
    if (armed) {
      // The fault while the job writes the windows this batch closes: those writes come after the
      // checkpoint, so the restarted job replays them.
      armed = false;
      await sleep(IN_FLIGHT_MS);
      const at = Date.now();
      const injected = await inject(ctx, plan.kind);
      restored = injected.restored;
      report = { kind: plan.kind, after: sent, total: messages.length, detail: injected.detail, at };
    } else if (!report && sent >= faultAfter) {
      // A checkpoint after the job has read what was sent, so there is state to restore.
      await waitForCheckpoint(ctx.client, jobId, ctx.signal);
      armed = true;
    } else {
      await sleep(200);
    }
  }
  await restored;
  // faultAfter is below messages.length, so the loop injects the fault while events remain, if any do.
  if (!report) throw new Error(`the ${plan.kind} fault was not injected: no events to send`);
  return report;
}

/** What the fault run reports once the job has finished: its restarts (read once, by verify), and how long it took to run again. */
export async function outcome(client: GatewayClient, jobId: string, fed: FedReport, restarts: number): Promise<FaultReport> {
  const job = await client.rest<{ timestamps?: Record<string, number> }>(`/jobs/${jobId}`);
  const back = job.timestamps?.RUNNING;
  return { ...fed, restarts, recoveredSeconds: restarts > 0 && back && back > fed.at ? (back - fed.at) / 1000 : undefined };
}

async function inject(ctx: FaultContext, kind: FaultKind): Promise<{ detail: string; restored: Promise<void> }> {
  const end = ctx.progress.step(`injecting ${kind}`);
  let detail: string;
  let restored: Promise<void> = Promise.resolve();
  switch (kind) {
    case 'taskmanager-kill': {
      const { before, after } = await killAndRestart(ctx.stack, 'taskmanager', 'no TaskManager of the stack is running: nothing to kill');
      detail = `killed the TaskManager (pid ${before}, SIGKILL); a new one registered (pid ${after})`;
      break;
    }
    case 'kafka-restart': {
      const { before, after } = await killAndRestart(ctx.stack, 'kafka', 'the stack has no Kafka broker running: nothing to restart');
      detail = `killed the Kafka broker (pid ${before}, SIGKILL) and started it again (pid ${after})`;
      break;
    }
    case 'redis-outage': {
      if (!ctx.proxy) throw new Error('redis-outage needs the proxy');
      restored = ctx.proxy.outage(REDIS_OUTAGE_MS);
      detail = `cut the job's Redis connections and refused new ones for ${REDIS_OUTAGE_MS / 1000} s (a proxy; the Redis server was not touched)`;
      break;
    }
    case 'redis-master-outage': {
      if (!ctx.redis || ctx.key === undefined) throw new Error("redis-master-outage needs the spec's Redis and a key the job writes");
      detail = await pauseOneMaster(ctx.redis, ctx.key, MASTER_PAUSE_MS);
      restored = sleep(MASTER_PAUSE_MS);
      break;
    }
    case 'redis-failover': {
      if (!ctx.redis) throw new Error("redis-failover needs the spec's Redis");
      // The job writes the batch just sent while the sentinels demote its master and promote the replica.
      const r = await failover(ctx.redis);
      detail = `the sentinels failed master ${ctx.redis.masterName} over from ${r.from} to ${r.to} (SENTINEL FAILOVER)`;
      break;
    }
  }
  end();
  return { detail, restored };
}

/** SIGKILLs a part of the stack, then `stack up` starts it again and waits until it is healthy. */
async function killAndRestart(
  stack: LocalStack,
  name: 'taskmanager' | 'kafka',
  notRunning: string,
): Promise<{ before: number; after?: number }> {
  const before = stack.pid(name);
  if (before === undefined) throw new RuntimeFailure(notRunning);
  await stack.kill(name);
  await stack.up();
  return { before, after: stack.pid(name) };
}

/** Waits until the job has completed a checkpoint (at most a minute). */
async function waitForCheckpoint(client: GatewayClient, jobId: string, signal?: AbortSignal): Promise<void> {
  const before = await completedCheckpoints(client, jobId);
  const deadline = Date.now() + 60_000;
  while ((await completedCheckpoints(client, jobId)) <= before) {
    stopIfAborted(signal);
    if (Date.now() > deadline)
      throw new RuntimeFailure(`job ${jobId} completed no checkpoint in 60 s; a fault run needs one to restore from`);
    await sleep(100);
  }
}

function stopIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Interrupted('the fault run was interrupted');
}

async function completedCheckpoints(client: GatewayClient, jobId: string): Promise<number> {
  const r = await client.rest<{ counts?: { completed?: number } }>(`/jobs/${jobId}/checkpoints`);
  return r.counts?.completed ?? 0;
}

export function faultLine(r: FaultReport): string {
  const pct = Math.round((r.after / r.total) * 100);
  const recovered =
    r.recoveredSeconds === undefined
      ? 'the job rode through it without stopping'
      : `the job was RUNNING again ${r.recoveredSeconds.toFixed(1)} s after the fault`;
  return `fault: ${r.kind} after ${r.after} of ${r.total} messages (${pct}%): ${r.detail}; Flink restarted the job ${r.restarts} time${r.restarts === 1 ? '' : 's'}; ${recovered}`;
}
