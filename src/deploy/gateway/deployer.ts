/**
 * Deploying to a Flink session cluster through its SQL Gateway: one session, the statements of
 * the generated script in order, then wait until Flink says the job runs. A pipeline is one job,
 * found by its `pipeline.name`: a second deploy of a running pipeline with the same SQL does
 * nothing, one with other SQL is refused unless `--replace` (stop with a savepoint, start the new
 * SQL from it); see ../semantics.ts.
 */
import { RuntimeFailure, UsageError } from '../../errors';
import { settings } from '../../io/settings';
import { jobStatements } from '../../sql/compiler';
import { quoteString } from '../../sql/escape';
import { renderSql, secretsIn, type SqlText } from '../../sql/parts';
import type { GatewayTarget, Spec } from '../../pipeline/types';
import type { Deployer, DeployerContext, DeployRequest, DeployResult, JobRunner, JobState, StopOptions } from '../deployer';
import { kafka } from '../../kafka/client';
import { ensureTopic, topicReport } from '../../kafka/topics';
import { sleep } from '../../util/http';
import { DEFAULT_TIMING, GatewayClient, type FlinkJob } from './client';
import { restartLines } from './restarts';
import { gatewayHealth } from './health';
import type { PipelineHealth } from '../health';
import { keepSqlStatement, keptStatements, readJobSql, resolveKeptSecrets } from './job-sql';
import { planUpgrade, stateOfUpgrade } from './plan';
import { droppedParts, refusal } from '../upgrade/state';
import { alreadyRuns, savepointKept, stateDropped, unchangedLine } from '../semantics';
import type { UpgradePlan } from '../upgrade/upgrade-plan';

export interface SubmitOptions {
  /** Start from this savepoint (or retained checkpoint). */
  savepoint?: string;
  /** Start even where the savepoint holds state no operator claims (Flink's allow-non-restored-state). */
  dropUnclaimedState?: boolean;
  /** The statements to keep with the job, secrets masked (what `deploy` runs; verify and the bench keep nothing). */
  keep?: readonly SqlText[];
}

/** How long a replacing job must run without a failure, unless `deploy --settle` says otherwise. */
const DEFAULT_SETTLE_MS = 30_000;

/** Flink job states in which a job still runs (or is about to). */
export const ACTIVE = new Set(['RUNNING', 'CREATED', 'INITIALIZING', 'RESTARTING', 'RECONCILING', 'FAILING', 'CANCELLING', 'SUSPENDED']);

export function createGatewayDeployer(target: GatewayTarget, ctx: DeployerContext): Deployer {
  const read = settings(ctx.env);
  const timing = { intervalMs: read.pollMs(DEFAULT_TIMING.intervalMs), timeoutMs: read.timeoutMs(DEFAULT_TIMING.timeoutMs) };
  const client = new GatewayClient({ gateway: target.gateway, flinkRest: target.flinkRest }, timing);
  return new GatewayDeployer(target, client, ctx);
}

export class GatewayDeployer implements Deployer, JobRunner {
  constructor(
    private readonly target: GatewayTarget,
    private readonly client: GatewayClient,
    private readonly ctx: DeployerContext,
  ) {}

  async deploy(req: DeployRequest): Promise<DeployResult> {
    if (req.dryRun) return { lines: this.dryRun(req) };
    const reach = this.ctx.progress.step(`connecting to ${this.target.gateway}`);
    const info = await this.reachable();
    reach(`${info.productName} ${info.version}`);

    await this.checkTopic(req);
    let savepoint = req.fromSavepoint;
    const running = await this.activeJob(req.spec.name);
    const lines: string[] = [];
    const kept = keptStatements(req.job);
    if (running) {
      const job = { what: `Flink job ${running.jid}`, state: running.state };
      if (!req.fromSavepoint && (await this.runsUnchanged(req, running))) {
        return {
          lines: [unchangedLine(req.spec.name, job)],
          job: { jobId: running.jid, name: req.spec.name, state: running.state, details: [] },
        };
      }
      if (!req.replace) throw alreadyRuns(req.spec.name, job);
      return this.replace(req, running, kept);
    } else if (!savepoint) {
      // After a failure the last job's retained checkpoint holds its window state and offsets:
      // starting from it recounts nothing and loses nothing, where the offsets alone would not.
      const resume = await this.lastCheckpointOfFailedJob(req.spec.name);
      if (resume) {
        savepoint = resume.path;
        lines.push(`job ${resume.jid} of this pipeline FAILED; resuming from its last checkpoint ${resume.path}`);
      }
    }

    const jobId = await this.submit(req.spec, jobStatements(req.job, 'reveal'), { savepoint, keep: kept });
    lines.push(`submitted ${req.spec.name} as Flink job ${jobId}${savepoint ? ` from savepoint ${savepoint}` : ''}`);
    const wait = this.ctx.progress.step(`waiting for job ${jobId} to run`);
    const state = await this.client.waitForJob(jobId, ['RUNNING', 'FINISHED']);
    wait(state);
    lines.push(`job ${jobId} is ${state}: ${this.jobUrl(jobId)}`);
    return { lines, job: { jobId, name: req.spec.name, state, details: [] } };
  }

  async plan(req: DeployRequest): Promise<UpgradePlan> {
    await this.reachable();
    const step = this.ctx.progress.step('reading the running job and planning both jobs on Flink');
    const plan = await planUpgrade(this.client, await this.activeJob(req.spec.name), {
      statements: jobStatements(req.job, 'mask'),
      sinks: req.sinks ?? [],
    });
    step();
    return plan;
  }

  /**
   * Whether the running job runs exactly the new statements: its kept SQL (job-sql.ts) with its
   * secrets resolved as a rollback would, against the new job's. A job that kept no SQL, or whose
   * secrets this environment cannot resolve, counts as changed: nothing shows that it is the same.
   */
  private async runsUnchanged(req: DeployRequest, running: FlinkJob): Promise<boolean> {
    const previous = await readJobSql(this.client, running.jid);
    if (!previous) return false;
    const resolved = resolveKeptSecrets(
      previous,
      this.ctx.env,
      req.job.statements.flatMap((st) => secretsIn(st.parts)),
    );
    if ('missing' in resolved) return false;
    const next = jobStatements(req.job, 'reveal');
    return resolved.statements.length === next.length && resolved.statements.every((st, i) => st === next[i]);
  }

  private jobUrl(jobId: string): string {
    return `${this.target.flinkRest.replace(/\/$/, '')}/#/job/running/${jobId}/overview`;
  }

  /**
   * `--replace`: stop the running job with a savepoint and start the new SQL from it. The new job
   * must then run for `settleMs` without a failure or restart; if it does not, it is cancelled and
   * the previous SQL (kept with the old job, see job-sql.ts) starts again from the same savepoint.
   */
  private async replace(req: DeployRequest, running: FlinkJob, kept: SqlText[]): Promise<DeployResult> {
    const lines: string[] = [];
    const previous = await readJobSql(this.client, running.jid);
    const secrets = req.job.statements.flatMap((st) => secretsIn(st.parts));
    const rollback = previous && resolveKeptSecrets(previous, this.ctx.env, secrets);
    if (!rollback) {
      this.ctx.progress.info(
        `note: job ${running.jid} carries no SQL uvpv kept with it (deployed otherwise, or by an older uvpv): if the new job fails, it cannot be rolled back`,
      );
    } else if ('missing' in rollback) {
      this.ctx.progress.info(
        `note: the running job's SQL needs ${rollback.missing.join(', ')}, which this environment does not set: if the new job fails, it cannot be rolled back`,
      );
    }
    let dropping = '';
    if (previous) {
      // Whether the running job's state fits the new job, before anything is stopped.
      const check = this.ctx.progress.step("checking on Flink's execution plans that the running job's state fits the new job");
      const state = await stateOfUpgrade(
        this.client,
        previous.map((st) => renderSql(st, 'mask')),
        kept.map((st) => renderSql(st, 'mask')),
      );
      const refused = refusal(state, Boolean(req.allowNonRestoredState));
      dropping = refused ? '' : droppedParts(state);
      check(
        refused ? 'it does not' : dropping ? `it does, leaving the state of ${dropping} behind (--allow-non-restored-state)` : 'it does',
      );
      if (refused) throw new RuntimeFailure(`${refused}; job ${running.jid} runs on, untouched`, undefined, 'upgrade-refused');
    }
    const stop = this.ctx.progress.step(`stopping job ${running.jid} with a savepoint`);
    const savepoint = await this.client.stopWithSavepoint(running.jid);
    stop(savepoint);
    lines.push(`stopped job ${running.jid} with savepoint ${savepoint}`);

    // From here on the old job is stopped: whatever fails, the user learns where its state is.
    const settleMs = req.settleMs ?? DEFAULT_SETTLE_MS;
    let jobId: string | undefined;
    let failure: { message: string; detail?: string };
    try {
      jobId = await this.submit(req.spec, jobStatements(req.job, 'reveal'), {
        savepoint,
        keep: kept,
        dropUnclaimedState: req.allowNonRestoredState,
      });
      lines.push(`submitted ${req.spec.name} as Flink job ${jobId} from savepoint ${savepoint}`);
      const unsettled = await this.settle(jobId, settleMs);
      if (!unsettled) {
        if (dropping) lines.push(`dropped the state of ${dropping} (--allow-non-restored-state)`);
        lines.push(`job ${jobId} restored its state and ran ${settleMs / 1000} s without a failure: ${this.jobUrl(jobId)}`);
        return { lines, job: { jobId, name: req.spec.name, state: 'RUNNING', details: [] } };
      }
      failure = unsettled;
    } catch (e) {
      if (!(e instanceof RuntimeFailure)) throw e;
      failure = { message: e.message, detail: e.detail };
    }
    const what = jobId ? `the new job ${jobId} failed: ${failure.message}` : `the new SQL could not be submitted: ${failure.message}`;
    const redeploy = `its state is in savepoint ${savepoint}: deploy with --from-savepoint ${savepoint}`;

    if (jobId) {
      const cancel = this.ctx.progress.step(`cancelling the new job ${jobId}`);
      await this.client.cancel(jobId).catch(() => undefined);
      // The previous SQL may start from the savepoint only once the new job no longer writes.
      const ended = await this.client.waitForJob(jobId, ['CANCELED', 'FAILED'], undefined, true).then(
        () => true,
        () => false,
      );
      cancel(ended ? 'CANCELED' : 'still running');
      if (!ended)
        throw new RuntimeFailure(
          `${what}; it did not end when cancelled, so nothing was rolled back: stop job ${jobId}, then ${redeploy}`,
          failure.detail,
          'upgrade-failed',
        );
    }
    if (!rollback || 'missing' in rollback) {
      throw new RuntimeFailure(
        `${what}; no previous SQL to roll back to, so nothing of ${req.spec.name} runs now: ${redeploy}`,
        failure.detail,
        'upgrade-failed',
      );
    }
    let back: string | undefined;
    try {
      back = await this.submit(req.spec, rollback.statements, { savepoint, keep: previous });
      const wait = this.ctx.progress.step(`rolling back: previous SQL as job ${back}, from savepoint ${savepoint}`);
      wait(await this.client.waitForJob(back, ['RUNNING', 'FINISHED']));
    } catch (e) {
      if (!(e instanceof RuntimeFailure)) throw e;
      const left = back ? ` (job ${back} is left as it is: stop it with 'uvpv stop')` : '';
      throw new RuntimeFailure(
        `${what}; the rollback failed too: ${e.message}${left}; ${redeploy}`,
        [failure.detail, e.detail].filter(Boolean).join('\n'),
        'upgrade-failed',
      );
    }
    throw new RuntimeFailure(
      `${what}; rolled back: the previous version of ${req.spec.name} runs again as job ${back}, from savepoint ${savepoint} (${this.jobUrl(back)})`,
      failure.detail,
      'rolled-back',
    );
  }

  /**
   * Waits until the job runs, then watches it for `settleMs`: undefined when it ran that long with
   * no restart; else why it did not (it failed, it restarted, or it never reached RUNNING).
   */
  private async settle(jobId: string, settleMs: number): Promise<{ message: string; detail?: string } | undefined> {
    const wait = this.ctx.progress.step(`waiting for job ${jobId} to restore and run ${settleMs / 1000} s without a failure`);
    const done = (state: string) => {
      wait(state);
      return undefined;
    };
    try {
      // A bounded job may finish within the time: that is no failure.
      if ((await this.client.waitForJob(jobId, ['RUNNING', 'FINISHED'])) === 'FINISHED') return done('FINISHED');
      const until = Date.now() + settleMs;
      while (Date.now() < until) {
        if ((await this.client.waitForJob(jobId, ['RUNNING', 'FINISHED'])) === 'FINISHED') return done('FINISHED');
        const restarts = await this.client.restartHistory(jobId, 'RUNNING');
        if (restarts.count > 0) {
          throw new RuntimeFailure(
            `Flink job ${jobId} failed and restarted ${restarts.count} time(s)`,
            // The last failure's root cause first, as for a job that fails outright; then each restart.
            [`root cause: ${restarts.listed[restarts.listed.length - 1]?.rootCause ?? 'not recorded'}`, ...restartLines(restarts)].join(
              '\n',
            ),
            'job-restarting',
          );
        }
        await sleep(Math.min(1000, Math.max(0, until - Date.now())));
      }
      return done('RUNNING');
    } catch (e) {
      if (!(e instanceof RuntimeFailure)) throw e;
      wait('failed');
      return { message: e.message, detail: e.detail };
    }
  }

  submitJob(spec: Spec, statements: readonly string[]): Promise<string> {
    return this.submit(spec, statements);
  }

  async waitUntilFinished(jobId: string, opts: { timeoutMs?: number; tolerateRestarts?: boolean } = {}): Promise<void> {
    await this.client.waitForJob(jobId, ['FINISHED'], opts.timeoutMs, opts.tolerateRestarts ?? false);
  }

  /**
   * Submits a job's statements (each without its closing `;`; see `jobStatements`) in order, in
   * one session, closed afterwards; returns the job id.
   */
  private async submit(spec: Spec, statements: readonly string[], from: SubmitOptions = {}): Promise<string> {
    const step = this.ctx.progress.step(`submitting ${statements.length} statements`);
    const session = await this.client.openSession(`uvpv-${spec.name}`);
    try {
      if (from.savepoint) await this.client.execute(session, `SET 'execution.savepoint.path' = ${quoteString(from.savepoint)}`);
      if (from.savepoint && from.dropUnclaimedState)
        await this.client.execute(session, "SET 'execution.state-recovery.ignore-unclaimed-state' = 'true'");
      if (from.keep) await this.client.execute(session, keepSqlStatement(from.keep));
      let jobId: string | undefined;
      for (const statement of statements) {
        const r = await this.client.execute(session, statement);
        jobId = r.jobId ?? jobId;
      }
      if (!jobId) throw new RuntimeFailure('the SQL Gateway accepted the script but reported no job id');
      step(`job ${jobId}`);
      return jobId;
    } finally {
      await this.client.closeSession(session);
    }
  }

  /** The cluster's jobs of this name, newest first. */
  private async jobsNamed(name: string): Promise<FlinkJob[]> {
    return (await this.client.jobs()).filter((j) => j.name === name).sort((a, b) => b['start-time'] - a['start-time']);
  }

  /** The newest job of this name, when it FAILED and retained a completed checkpoint. */
  private async lastCheckpointOfFailedJob(name: string): Promise<{ jid: string; path: string } | undefined> {
    const [last] = await this.jobsNamed(name);
    if (last?.state !== 'FAILED') return undefined;
    const r = await this.client
      .rest<{ latest?: { completed?: { external_path?: string } | null } }>(`/jobs/${last.jid}/checkpoints`)
      .catch(() => undefined);
    const path = r?.latest?.completed?.external_path;
    return path && path !== '<checkpoint-not-externally-addressable>' ? { jid: last.jid, path } : undefined;
  }

  async status(spec: Spec): Promise<JobState | undefined> {
    const found = await this.pipelineJob(spec);
    return found && { jobId: found.job.jid, name: found.job.name, state: found.job.state, details: found.details };
  }

  async health(spec: Spec): Promise<PipelineHealth | undefined> {
    const found = await this.pipelineJob(spec);
    return found && gatewayHealth(this.client, this.target, spec, found.job, found.details);
  }

  /** The pipeline's running job, else its newest; with the lines worth showing about it. */
  private async pipelineJob(spec: Spec): Promise<{ job: FlinkJob; details: string[] } | undefined> {
    await this.reachable();
    const jobs = await this.jobsNamed(spec.name);
    const job = jobs.find((j) => ACTIVE.has(j.state)) ?? jobs[0];
    if (!job) return undefined;
    const details: string[] = [`started ${new Date(job['start-time']).toISOString()}`];
    if (job.state === 'FAILED') {
      const cause = await this.client.rootCause(job.jid);
      if (cause)
        details.push(
          ...cause
            .split('\n')
            .filter((l) => !/^\s+at /.test(l))
            .slice(0, 5),
        );
    }
    return { job, details };
  }

  async stop(spec: Spec, opts: StopOptions): Promise<{ lines: string[]; savepoint?: string }> {
    if (opts.pause) throw new UsageError('--pause applies to Oceanus targets; a Flink job is stopped, optionally with --savepoint');
    await this.reachable();
    const job = await this.activeJob(spec.name);
    if (!job) throw new RuntimeFailure(`pipeline ${spec.name} has no running job on target ${this.target.name}`);
    if (opts.savepointDir) {
      const step = this.ctx.progress.step(`stopping job ${job.jid} with a savepoint`);
      const savepoint = await this.client.stopWithSavepoint(job.jid, opts.savepointDir);
      step(savepoint);
      return { lines: [`stopped job ${job.jid} (${spec.name}) with savepoint ${savepoint}; ${savepointKept(savepoint)}`], savepoint };
    }
    const step = this.ctx.progress.step(`cancelling job ${job.jid}`);
    await this.client.cancel(job.jid);
    // A restarting job passes through RESTARTING on its way to CANCELED: that is no failure here.
    await this.client.waitForJob(job.jid, ['CANCELED'], undefined, true).catch((e) => {
      // A job still cancelling when the wait ends is taken as cancelled.
      if (!(e instanceof RuntimeFailure && e.code === 'timed-out')) throw e;
    });
    step();
    return { lines: [`cancelled job ${job.jid} (${spec.name}); ${stateDropped('--savepoint DIR')}`] };
  }

  /**
   * A missing source topic fails the job at start; say so before submitting, where Kafka answers.
   * `--create-topic` creates it with one partition per source task (the job's parallelism).
   */
  private async checkTopic(req: DeployRequest): Promise<void> {
    const { topic, bootstrapServers, security } = req.spec.source;
    let admin;
    try {
      admin = kafka(bootstrapServers, { clientId: 'uvpv-deploy', retries: 0, security }).admin();
    } catch (e) {
      // The truststore or key is a file on Flink's machines, which this one may not have.
      this.ctx.progress.info(`note: ${(e as Error).message} here; not checking that topic ${topic} exists`);
      return;
    }
    const state = await ensureTopic(admin, topic, req.createTopic ? req.spec.job.parallelism : undefined);
    if (state.kind === 'unreachable') {
      this.ctx.progress.info(`note: Kafka at ${bootstrapServers} does not answer from here; not checking that topic ${topic} exists`);
    } else if (state.kind === 'missing') {
      throw new RuntimeFailure(`Kafka topic ${topic} does not exist on ${bootstrapServers}; create it, or deploy with --create-topic`);
    } else {
      const report = topicReport(topic, state, req.spec.job.parallelism);
      this.ctx.progress.info(report.line);
      if (report.warning) this.ctx.progress.info(report.warning);
    }
  }

  private async activeJob(name: string): Promise<FlinkJob | undefined> {
    return (await this.client.jobs()).find((j) => j.name === name && ACTIVE.has(j.state));
  }

  private async reachable() {
    try {
      return await this.client.info();
    } catch (e) {
      if (e instanceof RuntimeFailure && e.code === 'service-unreachable') {
        const hint = this.target.name === 'local' ? "; start the local stack with 'uvpv stack up'" : '';
        throw new RuntimeFailure(`${e.message}${hint}`, e.detail, e.code);
      }
      throw e;
    }
  }

  /** The plan, then the script: its statements are the ones `deploy` runs, each under its comment. */
  private dryRun(req: DeployRequest): string[] {
    return [
      `-- would open a session on ${this.target.gateway} and run these ${jobStatements(req.job, 'placeholder').length} statements in order,`,
      `-- then wait for job '${req.spec.name}' to be RUNNING on ${this.target.flinkRest}` +
        (req.fromSavepoint ? `, starting from savepoint ${req.fromSavepoint}` : '') +
        (req.replace ? '; a running job of the same name would first be stopped with a savepoint' : ''),
      req.job.script('placeholder'),
    ];
  }
}
