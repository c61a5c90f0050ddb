/** Is each part of the stack answering? One probe each, and a wait with a deadline. */
import { kafka } from '../kafka/client';
import { sleep } from '../util/http';
import { isRedisAuthError, redisClient } from '../util/redis';

export type Probe = () => Promise<string | undefined>; // a note when healthy, undefined when not (yet)

export function kafkaProbe(bootstrap: string): Probe {
  return async () => {
    const admin = kafka(bootstrap, { clientId: 'uvpv-health', retries: 0, connectionTimeoutMs: 1000, requestTimeoutMs: 2000 }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return `${cluster.brokers.length} broker, advertised ${cluster.brokers.map((b) => `${b.host}:${b.port}`).join(', ')}`;
    } catch {
      return undefined;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
}

async function getJson(url: string): Promise<Record<string, unknown> | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function jobmanagerProbe(rest: string): Probe {
  return async () => {
    const o = await getJson(`${rest}/overview`);
    return o ? `Flink ${String(o['flink-version'])}` : undefined;
  };
}

/**
 * Healthy when a TaskManager with slots has registered. With `known`, only a TaskManager whose id
 * is not in it counts: after a TaskManager died and a new one started, Flink lists the dead one
 * (and its slots) until its heartbeat times out, and only the new one's id says it is up.
 */
export function taskmanagerProbe(rest: string, known?: ReadonlySet<string>): Probe {
  if (known === undefined) {
    return async () => {
      const o = await getJson(`${rest}/overview`);
      return o && Number(o.taskmanagers) > 0 && Number(o['slots-total']) > 0
        ? `${String(o['slots-available'])}/${String(o['slots-total'])} slots free`
        : undefined;
    };
  }
  return async () => {
    const fresh = (await taskmanagers(rest))?.find((t) => !known.has(t.id) && t.slotsNumber > 0);
    return fresh && `${fresh.freeSlots}/${fresh.slotsNumber} slots free on new TaskManager ${fresh.id}`;
  };
}

interface TaskManagerInfo {
  id: string;
  slotsNumber: number;
  freeSlots: number;
}

/** The TaskManagers Flink's REST API lists (GET /taskmanagers), or undefined when it does not answer. */
async function taskmanagers(rest: string): Promise<TaskManagerInfo[] | undefined> {
  const o = await getJson(`${rest}/taskmanagers`);
  if (!o || !Array.isArray(o.taskmanagers)) return undefined;
  return (o.taskmanagers as Record<string, unknown>[])
    .filter((t) => typeof t?.id === 'string')
    .map((t) => ({ id: t.id as string, slotsNumber: Number(t.slotsNumber) || 0, freeSlots: Number(t.freeSlots) || 0 }));
}

/**
 * The ids of the TaskManagers the JobManager at `rest` lists now, dead ones among them until
 * their heartbeat times out; an empty set when it does not answer.
 */
export async function taskmanagerIds(rest: string): Promise<Set<string>> {
  return new Set((await taskmanagers(rest))?.map((t) => t.id));
}

export function gatewayProbe(gateway: string): Probe {
  return async () => {
    const o = await getJson(`${gateway}/v1/info`);
    return o ? `${String(o.productName)} ${String(o.version)}` : undefined;
  };
}

/** PONG, or a Redis that asks for a password: either way a Redis is there. */
export async function redisAnswers(host: string, port: number, password?: string): Promise<'ok' | 'auth' | undefined> {
  const client = redisClient({ host, port, password }, 'probe');
  try {
    await client.connect();
    return (await client.ping()) === 'PONG' ? 'ok' : undefined;
  } catch (e) {
    return isRedisAuthError(e) ? 'auth' : undefined;
  } finally {
    client.disconnect();
  }
}

/** Probes until healthy or `timeoutMs` passes; `stillAlive` stops the wait early when the process died. */
export async function waitHealthy(probe: Probe, timeoutMs: number, stillAlive: () => boolean = () => true): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const note = await probe();
    if (note !== undefined) return note;
    if (!stillAlive() || Date.now() > deadline) return undefined;
    await sleep(250);
  }
}
