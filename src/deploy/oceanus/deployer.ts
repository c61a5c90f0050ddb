/**
 * The Oceanus target (Tencent Cloud's managed Flink, API 2019-04-22). `deploy` is idempotent by
 * pipeline name and means what it means on every target (../semantics.ts): it reads the job
 * (DescribeJobs by Name) and the built-in connectors, decides its list of actions once (see
 * actions.ts) and carries it out; `--dry-run` prints the same list. A running job whose
 * configuration version is the one this deploy would upload (same SQL and settings) is left
 * alone; a changed one is refused without `--replace`. With it, the job is paused (Oceanus takes
 * a savepoint) and the new version started from that savepoint (RunType 1 with SavepointPath and
 * SavepointId, as the API documents); if that does not run, the previous version is started again
 * from it (rollback.ts). `plan` compares the SQL of the version the job runs (DescribeJobConfigs)
 * with the new SQL, by statement and per metric.
 *
 * Settings from the environment (read by io/settings): UVPV_OCEANUS_ENDPOINT (overrides the
 * target's endpoint), UVPV_OCEANUS_POLL_MS, UVPV_OCEANUS_TIMEOUT_MS, UVPV_OCEANUS_RETRY_MS,
 * UVPV_OCEANUS_ATTEMPTS, UVPV_OCEANUS_REQUEST_TIMEOUT_MS.
 */
import { RuntimeFailure, UsageError } from '../../errors';
import { jobStatements, uncommentedScript } from '../../sql/compiler';
import { maskSecretOptions } from '../../sql/read-back';
import { splitStatements } from '../../sql/split';
import type { OceanusTarget, Spec } from '../../pipeline/types';
import { diffStatements, metricChanges } from '../upgrade/diff';
import type { UpgradePlan } from '../upgrade/upgrade-plan';
import type { Deployer, DeployerContext, DeployRequest, DeployResult, JobState, StopOptions } from '../deployer';
import { configInput, deployActions, describeAction, type ReferencedResources } from './actions';
import {
  CHECKPOINT_SECONDS,
  JobStatus,
  jobState,
  MAX_CONFIG_VERSIONS,
  OCEANUS_VERSION,
  PATH_UNAVAILABLE,
  publishedVersion,
  savepointState,
  SavepointStatus,
  REFERENCED_JAR,
  SQL_JOB,
  sqlFromProgramArgs,
  StopType,
  type JobV1,
  type Savepoint,
  USER_PROVIDED,
  type SystemResourceItem,
} from './api';
import { explain } from './errors';
import {
  builtinConnectors,
  configParams,
  findParams,
  sameConfig,
  systemResourcesParams,
  toJobState,
  USED_CONNECTORS,
  usesBuiltins,
  type ConfigInput,
  type OceanusJobs,
  type StartFrom,
} from './jobs';
import { oceanusHealth } from './health';
import type { PipelineHealth } from '../health';
import { rollBack } from './rollback';
import { savepointKept, stateDropped, unchangedLine } from '../semantics';
import { oceanusSession, type OceanusSession } from './session';

/** The spec's checkpoint interval as Oceanus takes it: whole seconds within its range. */
function checkpointSeconds(spec: Spec): number {
  const { millis, text } = spec.job.checkpointInterval;
  const seconds = millis / 1000;
  if (!Number.isInteger(seconds) || seconds < CHECKPOINT_SECONDS.min || seconds > CHECKPOINT_SECONDS.max) {
    throw new UsageError(
      `job.checkpointInterval is ${text}; an Oceanus SQL job checkpoints every ${CHECKPOINT_SECONDS.min} to ${CHECKPOINT_SECONDS.max} seconds, in whole seconds`,
    );
  }
  return seconds;
}

const json = (value: unknown) => JSON.stringify(value);

/** Oceanus states in which `deploy` restarts (or resumes) the job rather than starting it anew. */
const LIVE: ReadonlySet<number> = new Set([JobStatus.Running, JobStatus.Operating, JobStatus.Paused]);
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** A savepoint a job can start from: active, with a path that is still there. */
function usable(s: Savepoint | undefined): s is Savepoint & { Path: string } {
  return Boolean(s?.Path) && s?.Status === SavepointStatus.Active && s.PathStatus !== PATH_UNAVAILABLE;
}

/** A job or version an action needs: the list puts the action that makes it first. */
function need<T>(value: T | undefined, at: string): T {
  if (value === undefined) throw new Error(`an Oceanus deploy reached ${at} without the job or version an earlier action makes`);
  return value;
}

export function createOceanusDeployer(target: OceanusTarget, ctx: DeployerContext): Deployer {
  return new OceanusDeployer(target, oceanusSession(target, ctx.env, ctx.progress), ctx);
}

export class OceanusDeployer implements Deployer {
  constructor(
    private readonly target: OceanusTarget,
    private readonly session: OceanusSession,
    private readonly ctx: DeployerContext,
  ) {}

  deploy(req: DeployRequest): Promise<DeployResult> {
    const done: string[] = [];
    return this.guarded(req.spec, () => (req.dryRun ? this.dryRun(req) : this.apply(req, done)), done);
  }

  plan(req: DeployRequest): Promise<UpgradePlan> {
    return this.guarded(req.spec, () => this.compare(req));
  }

  status(spec: Spec): Promise<JobState | undefined> {
    return this.guarded(spec, async () => {
      const jobs = this.jobsOrFail();
      const job = await jobs.find(spec.name);
      return job && toJobState(job, await jobs.versionCount(job.JobId));
    });
  }

  health(spec: Spec): Promise<PipelineHealth | undefined> {
    return this.guarded(spec, async () => {
      const jobs = this.jobsOrFail();
      const job = await jobs.find(spec.name);
      return job && oceanusHealth(this.target, spec, job, toJobState(job, await jobs.versionCount(job.JobId)), Date.now());
    });
  }

  stop(spec: Spec, opts: StopOptions): Promise<{ lines: string[] }> {
    return this.guarded(spec, () => this.stopJob(spec, opts));
  }

  /**
   * Runs an operation for a pipeline; API and network errors become actionable failures, which
   * also tell what had been done (`done`) when they struck.
   */
  private async guarded<T>(spec: Spec, op: () => Promise<T>, done: readonly string[] = []): Promise<T> {
    this.session.hints.jobName = spec.name;
    try {
      return await op();
    } catch (e) {
      const failure = explain(e, this.session.hints);
      if (!(failure instanceof RuntimeFailure) || done.length === 0) throw failure;
      const detail = [failure.detail, 'done before this failure:', ...done.map((l) => `  ${l}`)].filter(Boolean).join('\n');
      throw new RuntimeFailure(failure.message, detail, failure.code);
    }
  }

  private jobsOrFail(): OceanusJobs {
    if (!this.session.credentials) throw this.session.missingCredentials();
    return this.session.jobs(this.session.credentials);
  }

  /**
   * The resources a configuration references: the target's `resourceRefs` when it names them, none
   * with `connectors: none`, else Oceanus's built-in connectors that the SQL uses (the console's
   * "built-in connector" boxes; without them a job fails with "Could not find any factory").
   */
  private referencedResources(resources: readonly SystemResourceItem[] | undefined): ReferencedResources {
    const target = this.target;
    if (target.resourceRefs) {
      const refs = target.resourceRefs.map((r) => ({ ResourceId: r.resourceId, Version: r.version, Type: r.type }));
      return {
        refs,
        line: `references ${refs.map((r) => `${r.ResourceId} (version ${r.Version})`).join(', ') || 'no resources'} (targets.${target.name}.resourceRefs)`,
      };
    }
    if (target.connectors === 'none') return { refs: [], line: `references no connectors (targets.${target.name}.connectors: none)` };
    const { found, missing } = builtinConnectors(resources ?? []);
    if (missing.length) {
      throw new RuntimeFailure(
        `Oceanus lists no built-in connector for ${missing.map((m) => `'${m}'`).join(' and ')} for ${target.flinkVersion} on cluster ${target.clusterId} (DescribeSystemResources)`,
        `upload the connector JAR as a resource and name it in targets.${target.name}.resourceRefs, or set targets.${target.name}.connectors: none if the cluster provides it`,
      );
    }
    const refs = found.map((r) => ({ ResourceId: r.ResourceId, Version: r.LatestResourceConfigVersion ?? -1, Type: REFERENCED_JAR }));
    const names = found.map(
      (r) =>
        `${r.Name} (${r.ResourceId}, version ${r.LatestResourceConfigVersion ?? 'latest'}${r.SystemProvide === USER_PROVIDED ? ', uploaded by a user' : ''})`,
    );
    return { refs, line: `references Oceanus's built-in connectors ${names.join(', ')}` };
  }

  /** Reads the job and the connectors, waits out an operation in progress, then carries out the actions decided from them. */
  private async apply(req: DeployRequest, lines: string[]): Promise<DeployResult> {
    const seconds = checkpointSeconds(req.spec);
    const jobs = this.jobsOrFail();
    const name = req.spec.name;
    let job = await jobs.find(name);
    const resources = this.referencedResources(usesBuiltins(this.target) ? await jobs.systemResources() : undefined);
    if (job) {
      if (job.JobType !== undefined && job.JobType !== SQL_JOB) {
        throw new RuntimeFailure(
          `Oceanus job ${job.JobId} is named '${name}' but is not a SQL job (JobType ${job.JobType}); rename the pipeline or delete that job`,
        );
      }
      lines.push(`found job ${job.JobId} (${name}): ${jobState(job.Status)}`);
      if (job.ClusterId && job.ClusterId !== this.target.clusterId) {
        lines.push(`note: job ${job.JobId} belongs to cluster ${job.ClusterId}, not ${this.target.clusterId}; it stays there`);
      }
      job = await jobs.settle(job);
    }
    const sql = uncommentedScript(req.job, 'reveal');
    const unchanged = await this.runsUnchanged(jobs, job, { sql, checkpointSeconds: seconds, resourceRefs: resources.refs });
    const decide = (from: JobV1 | undefined) => deployActions({ req, job: from, sql, checkpointSeconds: seconds, resources, unchanged });
    const pending = decide(job);
    if (job && pending.length === 0) {
      lines.push(unchangedLine(name, { what: `Oceanus job ${job.JobId}`, state: jobState(job.Status) }));
      return { lines, job: toJobState(job) };
    }
    let version: number | undefined;
    /** The newest savepoint of a stop or pause before this deploy paused the job: the pause's must be another. */
    let beforePause: Savepoint | undefined;
    for (let action = pending.shift(); action; action = pending.shift()) {
      switch (action.kind) {
        case 'create-job': {
          const made = await jobs.create(name);
          job = await jobs.settle(made.job);
          if (made.created) {
            lines.push(`created job ${job.JobId} (${name}) on cluster ${this.target.clusterId}`);
          } else {
            // The actions were decided for no job; another client made one meanwhile: decide them again for it.
            lines.push(`found job ${job.JobId} (${name}), created meanwhile by another client`);
            pending.splice(0, pending.length, ...decide(job));
          }
          break;
        }
        case 'upload-config': {
          const current = need(job, action.kind);
          const config = configInput(action);
          const full = current.Status !== JobStatus.Uninitialized && (await jobs.versionCount(current.JobId)) >= MAX_CONFIG_VERSIONS;
          version = await jobs.upload(current, config);
          lines.push(
            `uploaded configuration version ${version} (${bytes(config.sql)} bytes of SQL, parallelism ${this.target.parallelism}, checkpoints every ${seconds} s); ${resources.line}`,
          );
          if (full)
            lines.push(
              `the job had ${MAX_CONFIG_VERSIONS} configuration versions, Oceanus's limit: it deleted the oldest unused one to make room (AutoDelete)`,
            );
          break;
        }
        case 'stop-job': {
          const pause = action.stopType === StopType.Pause;
          const current = need(job, action.kind);
          if (pause) beforePause = await jobs.newestStopSavepoint(current.JobId);
          job = await jobs.stop(current, pause);
          const next = need(version, action.kind);
          lines.push(
            pause
              ? `paused job ${job.JobId} (Oceanus took a savepoint) to start version ${next} from it`
              : `stopped job ${job.JobId} to start version ${next} from savepoint ${req.fromSavepoint ?? ''}`,
          );
          break;
        }
        case 'run-job': {
          const current = need(job, action.kind);
          const next = need(version, action.kind);
          const from = action.fromPause ? await this.pauseSavepoint(jobs, current, beforePause) : action.from;
          if (action.fromPause && from) lines.push(`found the savepoint Oceanus took when job ${current.JobId} was paused: ${from.path}`);
          try {
            job = await jobs.run(current, action.runType, next, from);
          } catch (e) {
            // --replace: the job was paused for the new version, which does not run; the previous one may.
            if (action.rollBackTo && e instanceof RuntimeFailure && (e.code === 'job-terminal-state' || e.code === 'timed-out')) {
              return rollBack(
                jobs,
                current,
                { name, version: next, previous: action.rollBackTo.previous, failure: e, lines },
                this.session.hints,
              );
            }
            throw e;
          }
          lines.push(`started job ${job.JobId} with configuration version ${next}${from ? ` from savepoint ${from.path}` : ''}`);
          lines.push(`job ${job.JobId} is ${jobState(job.Status)}`);
          break;
        }
      }
    }
    return { lines, job: toJobState(need(job, 'the end')) };
  }

  /**
   * Whether a running job runs the configuration version this deploy would upload: the published
   * version's fingerprint (in its Remark, see jobs.ts) against the new one's. A version uvpv did
   * not upload, or one Oceanus does not give back, counts as changed.
   */
  private async runsUnchanged(jobs: OceanusJobs, job: JobV1 | undefined, input: ConfigInput): Promise<boolean> {
    const version = publishedVersion(job);
    if (!job || job.Status !== JobStatus.Running || version === undefined) return false;
    return sameConfig(await jobs.config(job.JobId, version), configParams(this.target, job.JobId, input));
  }

  /** The savepoint Oceanus took when the job was paused (newer than `before`), to start from; a RuntimeFailure when there is none to use. */
  private async pauseSavepoint(jobs: OceanusJobs, job: JobV1, before: Savepoint | undefined): Promise<StartFrom> {
    const found = await jobs.newestStopSavepoint(job.JobId);
    const fresh = found && (!before || found.Id !== before.Id || found.SerialId !== before.SerialId) ? found : undefined;
    if (usable(fresh)) return { path: fresh.Path, ...(fresh.SerialId ? { id: fresh.SerialId } : {}) };
    const why = !fresh
      ? 'Oceanus lists no savepoint taken when it was paused (DescribeJobSavepoint, RecordType 3)'
      : `the savepoint Oceanus took when it was paused is ${fresh.PathStatus === PATH_UNAVAILABLE ? 'no longer available' : fresh.Path ? savepointState(fresh.Status) : 'without a path'}`;
    throw new RuntimeFailure(
      `job ${job.JobId} (${job.Name}) is PAUSED, but ${why}; nothing was started`,
      `find its savepoint in the console (job ${job.JobId}, savepoints) and deploy with --from-savepoint <its path>`,
      'upgrade-failed',
    );
  }

  /** The actions deploy would carry out, with the parameters it would send; only the read-only calls are made. */
  private async dryRun(req: DeployRequest): Promise<DeployResult> {
    const seconds = checkpointSeconds(req.spec);
    const { target } = this;
    const { settings, hints, credentials } = this.session;
    const name = req.spec.name;
    const lines = [
      'dry run: nothing is changed on Oceanus',
      `target ${target.name}: region ${target.region}, cluster ${target.clusterId}, endpoint ${settings.endpoint}`,
      `every call: POST ${settings.endpoint}/ with headers X-TC-Action, X-TC-Version: ${OCEANUS_VERSION}, ` +
        `X-TC-Region: ${target.region}, X-TC-Timestamp, Authorization: TC3-HMAC-SHA256 Credential=****** ` +
        `(SecretId from ${hints.secretIdSource}, signed with the SecretKey from ${hints.secretKeySource}; neither is shown)`,
    ];
    const jobs = credentials && this.session.jobs(credentials);
    let job: JobV1 | undefined;
    const describe = `DescribeJobs ${json(findParams(target, name))}`;
    if (jobs) {
      job = await jobs.find(name);
      lines.push(`${describe} → ${job ? `job ${job.JobId} exists: ${jobState(job.Status)}` : `no job named ${name}`}`);
    } else {
      lines.push(`${describe} → not called: no credentials (set ${hints.secretIdSource} and ${hints.secretKeySource})`);
    }
    // Deploy waits for an operation in progress to end before it decides; a dry run does not wait.
    if (job?.Status === JobStatus.Operating) lines.push(`would wait for job ${job.JobId} to finish its operation in progress`);
    let resources: ReferencedResources | undefined;
    if (!usesBuiltins(target)) resources = this.referencedResources(undefined);
    else if (jobs) {
      resources = this.referencedResources(await jobs.systemResources());
      lines.push(`DescribeSystemResources ${json(systemResourcesParams(target))} → ${resources.line}`);
    } else {
      lines.push(
        `DescribeSystemResources ${json(systemResourcesParams(target))} → not called: no credentials; the built-in ${USED_CONNECTORS.join(' and ')} connectors it lists would be referenced`,
      );
    }
    const sql = uncommentedScript(req.job, 'placeholder');
    // Whether the job runs this very version is told by the SQL as it would be sent, secrets and all; never printed.
    const unchanged =
      jobs && resources
        ? await this.runsUnchanged(jobs, job, {
            sql: uncommentedScript(req.job, 'reveal'),
            checkpointSeconds: seconds,
            resourceRefs: resources.refs,
          })
        : false;
    const actions = deployActions({ req, job, sql, checkpointSeconds: seconds, resources, unchanged });
    if (job && actions.length === 0) {
      lines.push(`would do nothing: ${unchangedLine(name, { what: `Oceanus job ${job.JobId}`, state: jobState(job.Status) })}`);
      return { lines, job: toJobState(job) };
    }
    for (const action of actions) lines.push(...describeAction(action, { target, name, job, settings }));
    lines.push('', `SQL to upload, without comments (${bytes(sql)} bytes; secrets as placeholders):`, ...sql.trimEnd().split('\n'));
    return { lines, job: job && toJobState(job) };
  }

  /**
   * What deploy would change, changing nothing: the SQL of the configuration version the job runs
   * (DescribeJobConfigs) against the new SQL, with secrets as placeholders on both sides. Oceanus
   * gives no execution plan, so what becomes of the state is not told (`state` undefined).
   */
  private async compare(req: DeployRequest): Promise<UpgradePlan> {
    const jobs = this.jobsOrFail();
    const next = jobStatements(req.job, 'mask');
    const sinks = req.sinks ?? [];
    const found = await jobs.find(req.spec.name);
    const live = found && LIVE.has(found.Status) ? found : undefined;
    const running = live && { jid: live.JobId, name: live.Name, state: jobState(live.Status) };
    const version = publishedVersion(live);
    const config = live && version ? await jobs.config(live.JobId, version) : undefined;
    const sql = sqlFromProgramArgs(config?.ProgramArgs);
    // The SQL on Oceanus holds the resolved secrets, which a plan must never show.
    const kept = sql === undefined ? undefined : maskSecretOptions(splitStatements(sql), next);
    const statements = diffStatements(kept ?? [], next);
    if (live) {
      this.ctx.progress.info(
        kept
          ? `compared with configuration version ${version}, which job ${live.JobId} runs; Oceanus gives no execution plan, so whether its state fits the new job is not checked`
          : `job ${live.JobId} runs configuration version ${version ?? '(unknown)'}, whose SQL Oceanus does not give back`,
      );
    }
    return { running, sqlKept: kept !== undefined, statements, metrics: metricChanges(statements, sinks), state: undefined };
  }

  private async stopJob(spec: Spec, opts: StopOptions): Promise<{ lines: string[] }> {
    if (opts.savepointDir) {
      throw new UsageError(
        '--savepoint is for gateway targets; on Oceanus use --pause, which takes a savepoint that the next deploy resumes from',
      );
    }
    const jobs = this.jobsOrFail();
    const found = await jobs.find(spec.name);
    if (!found) throw new RuntimeFailure(`${spec.name}: no job on target ${this.target.name}; nothing to stop`);
    const job = await jobs.settle(found);
    if (job.Status === JobStatus.Paused && !opts.pause) return this.stopPaused(jobs, job, spec);
    if (job.Status !== JobStatus.Running) {
      return { lines: [`job ${job.JobId} (${spec.name}) is ${jobState(job.Status)}; nothing to ${opts.pause ? 'pause' : 'stop'}`] };
    }
    const stopped = await jobs.stop(job, Boolean(opts.pause));
    return {
      lines: [
        opts.pause
          ? `paused job ${stopped.JobId} (${spec.name}); Oceanus took a savepoint, which the next deploy starts from`
          : `stopped job ${stopped.JobId} (${spec.name}); ${stateDropped('stop --pause')}`,
        `job ${stopped.JobId} is ${jobState(stopped.Status)}`,
      ],
    };
  }

  /**
   * Stops a paused job (StopType 1): a pause holds a savepoint and leaves the job to be resumed,
   * a stop ends that, as on a running job. The stop takes no savepoint; the pause's stays listed
   * (read again after the stop, to say so only when it is), but the next deploy starts the
   * stopped job anew unless told to start from it, as after a gateway's stop --savepoint.
   */
  private async stopPaused(jobs: OceanusJobs, job: JobV1, spec: Spec): Promise<{ lines: string[] }> {
    const stopped = await jobs.stop(job, false);
    const kept = await jobs.newestStopSavepoint(stopped.JobId);
    const what = `stopped job ${stopped.JobId} (${spec.name}), which was PAUSED`;
    return {
      lines: [
        usable(kept)
          ? `${what}; the savepoint its pause took is still listed, ${kept.Path}: ${savepointKept(kept.Path)}`
          : `${what}; Oceanus lists no usable savepoint of its pause (DescribeJobSavepoint, RecordType 3): its state is dropped`,
        `job ${stopped.JobId} is ${jobState(stopped.Status)}`,
      ],
    };
  }
}
