/**
 * The Oceanus target (Tencent Cloud's managed Flink, API 2019-04-22). `deploy` is idempotent by
 * pipeline name: it finds the job (DescribeJobs by Name) or creates it once (CreateJob), uploads a
 * configuration version holding exactly the Oceanus SQL (CreateJobConfig), starts it, restarting
 * a running job with the new version (StopJobs, RunJobs), and polls DescribeJobs until the job runs
 * or fails. The new version is uploaded before anything is stopped, so a rejected upload leaves the
 * running job alone. With `--replace` the running job is paused (Oceanus takes a savepoint) and
 * resumed with the new version; if that does not run, the previous version is started again from
 * the pause's savepoint (DescribeJobSavepoint, RunJobs). `plan` compares the SQL of the version the
 * job runs (DescribeJobConfigs) with the new SQL, by statement and per metric.
 *
 * Settings from the environment (read by io/settings): UVPV_OCEANUS_ENDPOINT (overrides the
 * target's endpoint), UVPV_OCEANUS_POLL_MS, UVPV_OCEANUS_TIMEOUT_MS, UVPV_OCEANUS_RETRY_MS,
 * UVPV_OCEANUS_ATTEMPTS, UVPV_OCEANUS_REQUEST_TIMEOUT_MS.
 */
import { RuntimeFailure, UsageError } from '../../errors';
import { jobStatements, uncommentedScript } from '../../sql/compiler';
import { maskSecretOptions } from '../../sql/read-back';
import { splitStatements } from '../../sql/split';
import type { OceanusTarget, Spec } from '../../spec/types';
import { diffStatements, metricChanges } from '../../upgrade/diff';
import type { UpgradePlan } from '../../upgrade/upgrade-plan';
import type { Deployer, DeployerContext, DeployRequest, DeployResult, JobState, StopOptions } from '../deployer';
import {
  CHECKPOINT_SECONDS,
  EMPTY_METADATA,
  JobStatus,
  jobState,
  MAX_CONFIG_VERSIONS,
  OCEANUS_VERSION,
  PATH_UNAVAILABLE,
  REFERENCED_JAR,
  RunType,
  savepointState,
  SavepointStatus,
  SQL_JOB,
  sqlFromProgramArgs,
  StopType,
  type JobV1,
  type ResourceRef,
  type SystemResourceItem,
} from './api';
import type { OceanusCredentials } from './client';
import { explain } from './errors';
import {
  builtinConnectors,
  configParams,
  createJobParams,
  findParams,
  runParams,
  stopParams,
  stopSavepointParams,
  systemResourcesParams,
  toJobState,
  USED_CONNECTORS,
  usesBuiltins,
  type OceanusJobs,
} from './jobs';
import { oceanusSession } from './session';

/** Stop first (restart with the new version), and how to start afterwards. */
function restartPlan(status: number | undefined, req: DeployRequest): { stop?: number; runType: number } {
  const running = status === JobStatus.Running;
  // --replace keeps the state: pause (Oceanus takes a savepoint), then resume with the new version.
  const pause = running && req.replace && !req.fromSavepoint;
  const resume = pause || (status === JobStatus.Paused && !req.fromSavepoint);
  return { stop: running ? (pause ? StopType.Pause : StopType.Stop) : undefined, runType: resume ? RunType.Resume : RunType.Start };
}

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

export function createOceanusDeployer(target: OceanusTarget, ctx: DeployerContext): Deployer {
  const session = oceanusSession(target, ctx.env, ctx.progress);
  const { settings, hints } = session;
  const connect = (credentials: OceanusCredentials) => session.jobs(credentials);
  const credentialsOf = () => session.credentials;
  const jobsOrFail = () => {
    if (!session.credentials) throw session.missingCredentials();
    return connect(session.credentials);
  };
  /**
   * Runs an operation for a pipeline; API and network errors become actionable failures, which
   * also tell what had been done (`done`) when they struck.
   */
  const guarded = async <T>(spec: Spec, op: () => Promise<T>, done: readonly string[] = []): Promise<T> => {
    hints.jobName = spec.name;
    try {
      return await op();
    } catch (e) {
      const failure = explain(e, hints);
      if (!(failure instanceof RuntimeFailure) || done.length === 0) throw failure;
      const detail = [failure.detail, 'done before this failure:', ...done.map((l) => `  ${l}`)].filter(Boolean).join('\n');
      throw new RuntimeFailure(failure.message, detail, failure.code);
    }
  };

  /**
   * The resources a configuration references: the target's `resourceRefs` when it names them, none
   * with `connectors: none`, else Oceanus's built-in connectors that the SQL uses (the console's
   * "built-in connector" boxes; without them a job fails with "Could not find any factory").
   */
  function referencedResources(resources: readonly SystemResourceItem[] | undefined): { refs: ResourceRef[]; line: string } {
    if (target.resourceRefs) {
      const refs = target.resourceRefs.map((r) => ({ ResourceId: r.resourceId, Version: r.version, Type: r.type }));
      return { refs, line: `references ${refs.map((r) => `${r.ResourceId} (version ${r.Version})`).join(', ') || 'no resources'} (targets.${target.name}.resourceRefs)` };
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
    const names = found.map((r) => `${r.Name} (${r.ResourceId}, version ${r.LatestResourceConfigVersion ?? 'latest'})`);
    return { refs, line: `references Oceanus's built-in connectors ${names.join(', ')}` };
  }

  const needsBuiltins = () => usesBuiltins(target);

  async function deploy(req: DeployRequest, lines: string[]): Promise<DeployResult> {
    const seconds = checkpointSeconds(req.spec);
    const jobs = jobsOrFail();
    const name = req.spec.name;
    let job = await jobs.find(name);
    const resources = referencedResources(needsBuiltins() ? await jobs.systemResources() : undefined);
    if (job) {
      if (job.JobType !== undefined && job.JobType !== SQL_JOB) {
        throw new RuntimeFailure(`Oceanus job ${job.JobId} is named '${name}' but is not a SQL job (JobType ${job.JobType}); rename the pipeline or delete that job`);
      }
      lines.push(`found job ${job.JobId} (${name}): ${jobState(job.Status)}`);
      if (job.ClusterId && job.ClusterId !== target.clusterId) {
        lines.push(`note: job ${job.JobId} belongs to cluster ${job.ClusterId}, not ${target.clusterId}; it stays there`);
      }
    } else {
      const made = await jobs.create(name);
      job = made.job;
      lines.push(made.created ? `created job ${job.JobId} (${name}) on cluster ${target.clusterId}` : `found job ${job.JobId} (${name}), created meanwhile by another client`);
    }
    job = await jobs.settle(job);
    // The version the job runs (or last ran), before the upload: what a failed replacement goes back to.
    const previous = job.PublishedJobConfigVersion || undefined;
    const sql = uncommentedScript(req.job.statements, 'reveal');
    const full = job.Status !== JobStatus.Uninitialized && (await jobs.versionCount(job.JobId)) >= MAX_CONFIG_VERSIONS;
    const version = await jobs.upload(job, { sql, checkpointSeconds: seconds, resourceRefs: resources.refs });
    lines.push(`uploaded configuration version ${version} (${bytes(sql)} bytes of SQL, parallelism ${target.parallelism}, checkpoints every ${seconds} s); ${resources.line}`);
    if (full) lines.push(`the job had ${MAX_CONFIG_VERSIONS} configuration versions, Oceanus's limit: it deleted the oldest unused one to make room (AutoDelete)`);

    const plan = restartPlan(job.Status, req);
    const pause = plan.stop === StopType.Pause;
    if (plan.stop !== undefined) {
      job = await jobs.stop(job, pause);
      lines.push(
        pause ? `paused job ${job.JobId} (Oceanus took a savepoint) to resume it with version ${version}` : `stopped job ${job.JobId} to restart it with version ${version}`,
      );
    }
    try {
      job = await jobs.run(job, plan.runType, version, req.fromSavepoint ? { path: req.fromSavepoint } : undefined);
    } catch (e) {
      // --replace: the job was paused for the new version, which does not run; the previous one may.
      if (pause && e instanceof RuntimeFailure && (e.code === 'job-terminal-state' || e.code === 'timed-out')) {
        return rollBack(jobs, job, { name, version, previous, failure: e, lines });
      }
      throw e;
    }
    const how = plan.runType === RunType.Resume ? 'resumed' : 'started';
    lines.push(`${how} job ${job.JobId} with configuration version ${version}${req.fromSavepoint ? ` from savepoint ${req.fromSavepoint}` : ''}`);
    lines.push(`job ${job.JobId} is ${jobState(job.Status)}`);
    return { lines, job: toJobState(job) };
  }

  /**
   * `--replace` after the paused job did not run with the new version: find the savepoint Oceanus
   * took at the pause (DescribeJobSavepoint, RecordType 3, the newest), stop the job if it came up
   * late, and start the previous version from that savepoint (RunJobs, RunType 1: a failed job is started, not
   * resumed). Always throws: `rolled-back` when the previous version runs, else `upgrade-failed`.
   */
  async function rollBack(
    jobs: OceanusJobs,
    job: JobV1,
    at: { name: string; version: number; previous: number | undefined; failure: RuntimeFailure; lines: string[] },
  ): Promise<never> {
    const { name, version, previous, failure, lines } = at;
    const id = job.JobId;
    const what = `configuration version ${version} of ${name} did not run: ${failure.message}`;
    const why = failure.detail && [`version ${version}, when it did not run:`, ...failure.detail.split('\n').map((l) => `  ${l}`)].join('\n');
    const fail = (reason: string, more?: string): RuntimeFailure => new RuntimeFailure(`${what}; ${reason}`, [why, more].filter(Boolean).join('\n') || undefined, 'upgrade-failed');
    const recover = (path?: string) =>
      path
        ? `its state is in savepoint ${path}: fix the pipeline and deploy with --from-savepoint ${path}`
        : `find the savepoint Oceanus took when pausing it in the console (job ${id}, savepoints), then fix the pipeline and deploy with --from-savepoint <its path>`;
    if (!previous) {
      throw fail(`nothing was rolled back: Oceanus did not say which configuration version job ${id} ran before (PublishedJobConfigVersion); ${recover()}`);
    }
    let path: string | undefined;
    let now = job;
    try {
      now = await jobs.settle(await jobs.get(id));
      const found = await jobs.newestStopSavepoint(id);
      const usable = found?.Path && found.Status === SavepointStatus.Active && found.PathStatus !== PATH_UNAVAILABLE;
      if (!found || !usable) {
        const listed = !found
          ? `Oceanus lists no savepoint taken when job ${id} was paused (DescribeJobSavepoint, RecordType 3)`
          : `the savepoint Oceanus took when job ${id} was last paused${found.SerialId ? ` (${found.SerialId})` : ''} is ${found.PathStatus === PATH_UNAVAILABLE ? 'no longer available' : found.Path ? savepointState(found.Status) : 'without a path'}`;
        throw fail(`nothing was rolled back: ${listed}; job ${id} is ${jobState(now.Status)}; ${recover()}`);
      }
      path = found.Path!;
      lines.push(`found the savepoint Oceanus took when pausing job ${id}: ${path}${found.SerialId ? ` (${found.SerialId})` : ''}`);
      if (now.Status === JobStatus.Running) {
        // It came up after all, too late. Stopped only now, after the pause's savepoint was found (a
        // stop may take one of the same record type); the previous version may start once it no longer writes.
        now = await jobs.stop(now, false);
        lines.push(`stopped job ${id}, which ran version ${version} only after the wait`);
      }
      now = await jobs.run(now, RunType.Start, previous, { path, id: found.SerialId });
    } catch (e) {
      if (e instanceof RuntimeFailure && e.code === 'upgrade-failed') throw e;
      const cause = explain(e, hints);
      if (!(cause instanceof RuntimeFailure)) throw cause;
      throw fail(`the rollback to configuration version ${previous} failed too: ${cause.message}; ${recover(path)}`, cause.detail);
    }
    lines.push(`started job ${id} with configuration version ${previous} from savepoint ${path}`, `job ${id} is ${jobState(now.Status)}`);
    throw new RuntimeFailure(
      `${what}; rolled back: the previous version (configuration version ${previous}) of ${name} runs again as job ${id}, from the savepoint Oceanus took when pausing it (${path})`,
      why || undefined,
      'rolled-back',
    );
  }

  /**
   * What deploy would change, changing nothing: the SQL of the configuration version the job runs
   * (DescribeJobConfigs) against the new SQL, with secrets as placeholders on both sides. Oceanus
   * gives no execution plan, so what becomes of the state is not told (`state` undefined).
   */
  async function plan(req: DeployRequest): Promise<UpgradePlan> {
    const jobs = jobsOrFail();
    const next = jobStatements(req.job.statements, 'mask');
    const sinks = req.sinks ?? [];
    const found = await jobs.find(req.spec.name);
    const live = found && LIVE.has(found.Status) ? found : undefined;
    const running = live && { jid: live.JobId, name: live.Name, state: jobState(live.Status) };
    const version = live?.PublishedJobConfigVersion;
    const config = live && version ? await jobs.config(live.JobId, version) : undefined;
    const sql = sqlFromProgramArgs(config?.ProgramArgs);
    // The SQL on Oceanus holds the resolved secrets, which a plan must never show.
    const kept = sql === undefined ? undefined : maskSecretOptions(splitStatements(sql), next);
    const statements = diffStatements(kept ?? [], next);
    if (live) {
      ctx.progress.info(
        kept
          ? `compared with configuration version ${version}, which job ${live.JobId} runs; Oceanus gives no execution plan, so whether its state fits the new job is not checked`
          : `job ${live.JobId} runs configuration version ${version ?? '(unknown)'}, whose SQL Oceanus does not give back`,
      );
    }
    return { running, sqlKept: kept !== undefined, statements, metrics: metricChanges(statements, sinks), state: undefined };
  }

  /** What deploy would call, with the parameters it would send; only DescribeJobs is made. */
  async function dryRun(req: DeployRequest): Promise<DeployResult> {
    const seconds = checkpointSeconds(req.spec);
    const name = req.spec.name;
    const credentials = credentialsOf();
    const lines = [
      'dry run: nothing is changed on Oceanus',
      `target ${target.name}: region ${target.region}, cluster ${target.clusterId}, endpoint ${settings.endpoint}`,
      `every call: POST ${settings.endpoint}/ with headers X-TC-Action, X-TC-Version: ${OCEANUS_VERSION}, ` +
        `X-TC-Region: ${target.region}, X-TC-Timestamp, Authorization: TC3-HMAC-SHA256 Credential=****** ` +
        `(SecretId from ${hints.secretIdSource}, signed with the SecretKey from ${hints.secretKeySource}; neither is shown)`,
    ];
    let job: JobV1 | undefined;
    const describe = `DescribeJobs ${json(findParams(target, name))}`;
    if (credentials) {
      job = await connect(credentials).find(name);
      lines.push(`${describe} → ${job ? `job ${job.JobId} exists: ${jobState(job.Status)}` : `no job named ${name}`}`);
    } else {
      lines.push(`${describe} → not called: no credentials (set ${hints.secretIdSource} and ${hints.secretKeySource})`);
    }
    const jobId = job?.JobId ?? '<new job id>';
    if (!job) lines.push(`would call CreateJob ${json(createJobParams(target, name))}`);
    if (job?.Status === JobStatus.Operating) lines.push(`would wait for job ${jobId} to finish its operation in progress`);
    let resources: { refs: ResourceRef[]; line: string };
    if (!needsBuiltins()) resources = referencedResources(undefined);
    else if (credentials) {
      const listed = `DescribeSystemResources ${json(systemResourcesParams(target))}`;
      resources = referencedResources(await connect(credentials).systemResources());
      lines.push(`${listed} → ${resources.line}`);
    } else {
      lines.push(
        `DescribeSystemResources ${json(systemResourcesParams(target))} → not called: no credentials; the built-in ${USED_CONNECTORS.join(' and ')} connectors it lists would be referenced`,
      );
      resources = { refs: [], line: '' };
    }
    const sql = uncommentedScript(req.job.statements, 'placeholder');
    const body = configParams(target, jobId, { sql, checkpointSeconds: seconds, resourceRefs: resources.refs });
    const unknownRefs = needsBuiltins() && !credentials;
    lines.push(`would call CreateJobConfig ${json(unknownRefs ? { ...body, ResourceRefs: '<the built-in connectors DescribeSystemResources lists>' } : body)}`);
    lines.push(`  (ProgramArgs.SqlCode is the base64 of the SQL below; ProgramArgs.Metadata of ${EMPTY_METADATA})`);
    const plan = restartPlan(job?.Status, req);
    if (plan.stop !== undefined) {
      const until = plan.stop === StopType.Pause ? 'PAUSED' : 'STOPPED';
      lines.push(`would call StopJobs ${json(stopParams(target, jobId, plan.stop))} and poll until it is ${until}`);
    }
    const run = runParams(target, jobId, plan.runType, 0, req.fromSavepoint ? { path: req.fromSavepoint } : undefined);
    const shown = { ...run, RunJobDescriptions: run.RunJobDescriptions.map((d) => ({ ...d, JobConfigVersion: '<new version>' })) };
    lines.push(`would call RunJobs ${json(shown)}`);
    lines.push(`would poll DescribeJobs ${json({ JobIds: [jobId] })} every ${settings.pollMs / 1000}s until RUNNING or FAILED (at most ${settings.timeoutMs / 1000}s)`);
    if (plan.stop === StopType.Pause) {
      const back = runParams(target, jobId, RunType.Start, job?.PublishedJobConfigVersion ?? 0, { path: '<its Path>', id: '<its SerialId>' });
      lines.push(
        `if the job does not run with the new version: would call DescribeJobSavepoint ${json(stopSavepointParams(target, jobId))} for the savepoint the pause took, ` +
          `then RunJobs ${json(back)} to start the previous version from it (a rollback; deploy exits 1)`,
      );
    }
    lines.push('', `SQL to upload, without comments (${bytes(sql)} bytes; secrets as placeholders):`, ...sql.trimEnd().split('\n'));
    return { lines, job: job && toJobState(job) };
  }

  async function status(spec: Spec): Promise<JobState | undefined> {
    const jobs = jobsOrFail();
    const job = await jobs.find(spec.name);
    return job && toJobState(job, await jobs.versionCount(job.JobId));
  }

  async function stop(spec: Spec, opts: StopOptions): Promise<{ lines: string[] }> {
    if (opts.savepointDir) {
      throw new UsageError('--savepoint is for gateway targets; on Oceanus use --pause, which takes a savepoint that the next deploy resumes from');
    }
    const jobs = jobsOrFail();
    const found = await jobs.find(spec.name);
    if (!found) throw new RuntimeFailure(`${spec.name}: no job on target ${target.name}; nothing to stop`);
    const job = await jobs.settle(found);
    if (job.Status !== JobStatus.Running) {
      return { lines: [`job ${job.JobId} (${spec.name}) is ${jobState(job.Status)}; nothing to ${opts.pause ? 'pause' : 'stop'}`] };
    }
    const stopped = await jobs.stop(job, Boolean(opts.pause));
    return { lines: [`${opts.pause ? 'paused' : 'stopped'} job ${stopped.JobId} (${spec.name})`, `job ${stopped.JobId} is ${jobState(stopped.Status)}`] };
  }

  return {
    deploy: (req) => {
      const done: string[] = [];
      return guarded(req.spec, () => (req.dryRun ? dryRun(req) : deploy(req, done)), done);
    },
    plan: (req) => guarded(req.spec, () => plan(req)),
    status: (spec) => guarded(spec, () => status(spec)),
    stop: (spec, opts) => guarded(spec, () => stop(spec, opts)),
  };
}
