/**
 * A client for Flink's SQL Gateway REST API (v1 paths, Flink 1.20) and the JobManager's REST
 * API, with only the calls uvpv needs. Errors carry Flink's own message, not a generic one.
 */
import { RuntimeFailure } from '../../errors';
import { HttpError, requestJson, sleep } from '../../util/http';
import { deepestCause, restartsOf, type ExceptionEntry, type Restarts } from './restarts';

export interface GatewayEndpoints {
  gateway: string;
  flinkRest: string;
}

export interface FlinkJob {
  jid: string;
  name: string;
  state: string;
  'start-time': number;
}

interface ResultPage {
  resultType: 'NOT_READY' | 'PAYLOAD' | 'EOS';
  jobID?: string;
  results?: { columns?: { name: string }[]; data?: { kind: string; fields: unknown[] }[] };
  nextResultUri?: string;
}

export interface PollTiming {
  /** How often to ask while waiting; short, since the first answers come within ~100 ms. */
  intervalMs: number;
  timeoutMs: number;
}

export const DEFAULT_TIMING: PollTiming = { intervalMs: 100, timeoutMs: 120_000 };

export class GatewayClient {
  private readonly gatewayName: string;
  private readonly restName: string;

  constructor(
    private readonly endpoints: GatewayEndpoints,
    private readonly timing: PollTiming = DEFAULT_TIMING,
    /** How long one HTTP call may take. */
    private readonly requestTimeoutMs = 30_000,
  ) {
    this.gatewayName = `Flink SQL Gateway at ${endpoints.gateway}`;
    this.restName = `Flink REST API at ${endpoints.flinkRest}`;
  }

  private gw<T>(path: string, body?: unknown, method?: string): Promise<T> {
    return this.call(this.gatewayName, `${this.endpoints.gateway.replace(/\/$/, '')}${path}`, body, method);
  }

  /** A call to Flink's REST API (the bench reads job details and metrics through it). */
  rest<T>(path: string, body?: unknown, method?: string): Promise<T> {
    return this.call(this.restName, `${this.endpoints.flinkRest.replace(/\/$/, '')}${path}`, body, method);
  }

  private async call<T>(service: string, url: string, body?: unknown, method?: string): Promise<T> {
    try {
      return await requestJson<T>(service, url, { body, method, timeoutMs: this.requestTimeoutMs });
    } catch (e) {
      if (e instanceof HttpError) throw new RuntimeFailure(`${e.message}: ${flinkMessage(e.body)}`, flinkDetail(e.body), 'service-error');
      throw e;
    }
  }

  info(): Promise<{ productName: string; version: string }> {
    return this.gw('/v1/info');
  }

  flinkConfig(): Promise<{ 'flink-version': string }> {
    return this.rest('/config');
  }

  async openSession(name: string, properties: Record<string, string> = {}): Promise<string> {
    const r = await this.gw<{ sessionHandle: string }>('/v1/sessions', { sessionName: name, properties });
    return r.sessionHandle;
  }

  async closeSession(session: string): Promise<void> {
    await this.gw(`/v1/sessions/${session}`, undefined, 'DELETE').catch(() => undefined);
  }

  /** Runs one statement and returns its rows once it has finished; a failure carries Flink's cause. */
  async execute(session: string, statement: string): Promise<{ jobId?: string; rows: unknown[][] }> {
    const { operationHandle } = await this.gw<{ operationHandle: string }>(`/v1/sessions/${session}/statements`, { statement });
    const rows: unknown[][] = [];
    let jobId: string | undefined;
    let uri = `/v1/sessions/${session}/operations/${operationHandle}/result/0?rowFormat=JSON`;
    const deadline = Date.now() + this.timing.timeoutMs;
    for (;;) {
      const page = await this.gw<ResultPage>(uri);
      jobId = page.jobID ?? jobId;
      for (const row of page.results?.data ?? []) rows.push(row.fields);
      if (page.resultType === 'EOS' || (page.resultType === 'PAYLOAD' && !page.nextResultUri)) break;
      if (page.nextResultUri) uri = page.nextResultUri.replace(/^\/?(v\d+\/)?/, '/v1/');
      if (page.resultType === 'NOT_READY') {
        if (Date.now() > deadline)
          throw new RuntimeFailure(`the statement did not finish within ${this.timing.timeoutMs / 1000}s`, undefined, 'timed-out');
        await sleep(this.timing.intervalMs);
      }
      if (jobId && page.resultType === 'PAYLOAD' && rows.length) break; // an INSERT answers with its job id
    }
    jobId ??= rows.map((r) => r[0]).find((first): first is string => typeof first === 'string' && /^[0-9a-f]{32}$/.test(first));
    return { jobId, rows };
  }

  async jobs(): Promise<FlinkJob[]> {
    const r = await this.rest<{ jobs: FlinkJob[] }>('/jobs/overview');
    return r.jobs;
  }

  async job(jobId: string): Promise<{ jid: string; name: string; state: string; vertices?: { status: string }[] }> {
    return this.rest(`/jobs/${jobId}`);
  }

  /** Flink's root-cause exception text for a failed job, or undefined. */
  async rootCause(jobId: string): Promise<string | undefined> {
    const r = await this.rest<{
      'root-exception'?: string;
      exceptionHistory?: { entries?: { stacktrace?: string; exceptionName?: string }[] };
    }>(`/jobs/${jobId}/exceptions?maxExceptions=1`).catch(() => undefined);
    return r?.['root-exception'] ?? r?.exceptionHistory?.entries?.[0]?.stacktrace;
  }

  /** How many times Flink restarted the job, and why (see restarts.ts); the same answer every time it is asked. */
  async restartHistory(jobId: string, state?: string): Promise<Restarts> {
    const history = await this.rest<{ exceptionHistory?: { entries?: ExceptionEntry[] } }>(
      `/jobs/${jobId}/exceptions?maxExceptions=100`,
    ).catch(() => undefined);
    const metric = await this.rest<{ id: string; value: string }[]>(`/jobs/${jobId}/metrics?get=numRestarts`).catch(() => []);
    const value = metric.find((m) => m.id === 'numRestarts')?.value;
    const jobState = state ?? (await this.job(jobId).catch(() => undefined))?.state ?? 'RUNNING';
    return restartsOf(jobState, history?.exceptionHistory?.entries, value === undefined ? undefined : Number(value));
  }

  async cancel(jobId: string): Promise<void> {
    await this.rest(`/jobs/${jobId}?mode=cancel`, undefined, 'PATCH');
  }

  /** Stops a job with a savepoint and waits until it is FINISHED; returns the savepoint's location. */
  async stopWithSavepoint(jobId: string, targetDirectory?: string): Promise<string> {
    const body = targetDirectory ? { targetDirectory, drain: false } : { drain: false };
    const { 'request-id': trigger } = await this.rest<{ 'request-id': string }>(`/jobs/${jobId}/stop`, body);
    const deadline = Date.now() + this.timing.timeoutMs;
    for (;;) {
      const s = await this.rest<{
        status: { id: string };
        operation?: { location?: string; 'failure-cause'?: { 'stack-trace'?: string; class?: string } };
      }>(`/jobs/${jobId}/savepoints/${trigger}`);
      if (s.status.id === 'COMPLETED') {
        const cause = s.operation?.['failure-cause'];
        if (cause || !s.operation?.location) {
          throw new RuntimeFailure('the savepoint failed', cause?.['stack-trace'] ?? cause?.class, 'savepoint-failed');
        }
        // The savepoint completes a moment before the job is FINISHED: whoever looks next must not see it RUNNING.
        await this.waitForJob(jobId, ['FINISHED'], undefined, true).catch((e) => {
          if (!(e instanceof RuntimeFailure && e.code === 'timed-out')) throw e;
        });
        return s.operation.location;
      }
      if (Date.now() > deadline)
        throw new RuntimeFailure(`the savepoint did not complete within ${this.timing.timeoutMs / 1000}s`, undefined, 'timed-out');
      await sleep(this.timing.intervalMs * 2);
    }
  }

  /**
   * Waits until a job reaches one of `states`; fails with Flink's root cause if it fails, and when
   * it restarts unless `tolerateRestarts` (a fault run expects them).
   */
  async waitForJob(jobId: string, states: string[], timeoutMs = this.timing.timeoutMs, tolerateRestarts = false): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.job(jobId);
      const running = job.state === 'RUNNING' && (job.vertices ?? []).every((v) => v.status === 'RUNNING' || v.status === 'FINISHED');
      if (states.includes(job.state) && (job.state !== 'RUNNING' || running)) return job.state;
      if (job.state === 'FAILED' || job.state === 'FAILING' || job.state === 'CANCELED') {
        const cause = await this.rootCause(jobId);
        throw new RuntimeFailure(
          `Flink job ${jobId} (${job.name}) ${job.state}`,
          cause ? rootCauseSummary(cause) : undefined,
          'job-terminal-state',
        );
      }
      if (job.state === 'RESTARTING' && !tolerateRestarts) {
        // A cluster with a restart strategy retries a failing job instead of failing it.
        const cause = await this.rootCause(jobId);
        throw new RuntimeFailure(
          `Flink job ${jobId} (${job.name}) failed and is RESTARTING; it stays on the cluster until you stop it ('uvpv stop')`,
          cause ? rootCauseSummary(cause) : undefined,
          'job-restarting',
        );
      }
      if (Date.now() > deadline) {
        throw new RuntimeFailure(
          `Flink job ${jobId} is ${job.state}, not ${states.join(' or ')}, after ${timeoutMs / 1000}s`,
          undefined,
          'timed-out',
        );
      }
      await sleep(this.timing.intervalMs * 2);
    }
  }
}

/** The gateway's error body is `{"errors": ["Internal server error.", "<stack trace>"]}`. */
function flinkMessage(body: unknown): string {
  const errors = (body as { errors?: unknown[] } | undefined)?.errors;
  if (!Array.isArray(errors)) return typeof body === 'string' ? body.slice(0, 300) : 'no details';
  const trace = errors.map(String).join('\n');
  return deepestCause(trace) ?? String(errors[0]);
}

function flinkDetail(body: unknown): string | undefined {
  const errors = (body as { errors?: unknown[] } | undefined)?.errors;
  return Array.isArray(errors) && errors.length > 1 ? rootCauseSummary(errors.map(String).join('\n')) : undefined;
}

/** The root cause first, then the chain of causes, without the `at ...` frames. */
export function rootCauseSummary(trace: string): string {
  const lines = trace.split('\n').filter((l) => !/^\s+at /.test(l) && !/^\s+\.\.\. \d+ more/.test(l) && l.trim());
  const root = deepestCause(trace);
  const chain = lines.slice(0, 12).join('\n');
  return root ? `root cause: ${root}\n${chain}` : chain;
}
