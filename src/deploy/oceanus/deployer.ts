/**
 * The Oceanus target (Tencent Cloud's managed Flink, API 2019-04-22). `deploy` is idempotent by
 * pipeline name: it finds the job (DescribeJobs by Name) or creates it once (CreateJob), uploads a
 * configuration version holding exactly the Oceanus SQL (CreateJobConfig), starts it, restarting
 * a running job with the new version (StopJobs, RunJobs), and polls DescribeJobs until the job runs
 * or fails. The new version is uploaded before anything is stopped, so a rejected upload leaves the
 * running job alone.
 *
 * Settings from the environment (read by io/settings): UVPV_OCEANUS_ENDPOINT (overrides the
 * target's endpoint), UVPV_OCEANUS_POLL_MS, UVPV_OCEANUS_TIMEOUT_MS, UVPV_OCEANUS_RETRY_MS,
 * UVPV_OCEANUS_ATTEMPTS, UVPV_OCEANUS_REQUEST_TIMEOUT_MS.
 */
import { RuntimeFailure, UsageError } from '../../errors';
import { uncommentedScript } from '../../sql/compiler';
import type { OceanusTarget, Spec } from '../../spec/types';
import type { Deployer, DeployerContext, DeployRequest, DeployResult, JobState, StopOptions } from '../deployer';
import {
  CHECKPOINT_SECONDS,
  EMPTY_METADATA,
  JobStatus,
  jobState,
  MAX_CONFIG_VERSIONS,
  OCEANUS_VERSION,
  REFERENCED_JAR,
  RunType,
  SQL_JOB,
  StopType,
  type JobV1,
  type ResourceRef,
  type SystemResourceItem,
} from './api';
import type { OceanusCredentials } from './client';
import { explain } from './errors';
import { builtinConnectors, configParams, createJobParams, findParams, runParams, stopParams, systemResourcesParams, toJobState, USED_CONNECTORS, usesBuiltins } from './jobs';
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
      throw new RuntimeFailure(failure.message, detail);
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
    const sql = uncommentedScript(req.statements);
    const full = job.Status !== JobStatus.Uninitialized && (await jobs.versionCount(job.JobId)) >= MAX_CONFIG_VERSIONS;
    const version = await jobs.upload(job, { sql, checkpointSeconds: seconds, resourceRefs: resources.refs });
    lines.push(`uploaded configuration version ${version} (${bytes(sql)} bytes of SQL, parallelism ${target.parallelism}, checkpoints every ${seconds} s); ${resources.line}`);
    if (full) lines.push(`the job had ${MAX_CONFIG_VERSIONS} configuration versions, Oceanus's limit: it deleted the oldest unused one to make room (AutoDelete)`);

    const plan = restartPlan(job.Status, req);
    if (plan.stop !== undefined) {
      const pause = plan.stop === StopType.Pause;
      job = await jobs.stop(job, pause);
      lines.push(
        pause ? `paused job ${job.JobId} (Oceanus took a savepoint) to resume it with version ${version}` : `stopped job ${job.JobId} to restart it with version ${version}`,
      );
    }
    job = await jobs.run(job, plan.runType, version, req.fromSavepoint);
    const how = plan.runType === RunType.Resume ? 'resumed' : 'started';
    lines.push(`${how} job ${job.JobId} with configuration version ${version}${req.fromSavepoint ? ` from savepoint ${req.fromSavepoint}` : ''}`);
    lines.push(`job ${job.JobId} is ${jobState(job.Status)}`);
    return { lines, job: toJobState(job) };
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
    const sql = uncommentedScript(req.dryRunStatements);
    const body = configParams(target, jobId, { sql, checkpointSeconds: seconds, resourceRefs: resources.refs });
    const unknownRefs = needsBuiltins() && !credentials;
    lines.push(`would call CreateJobConfig ${json(unknownRefs ? { ...body, ResourceRefs: '<the built-in connectors DescribeSystemResources lists>' } : body)}`);
    lines.push(`  (ProgramArgs.SqlCode is the base64 of the SQL below; ProgramArgs.Metadata of ${EMPTY_METADATA})`);
    const plan = restartPlan(job?.Status, req);
    if (plan.stop !== undefined) {
      const until = plan.stop === StopType.Pause ? 'PAUSED' : 'STOPPED';
      lines.push(`would call StopJobs ${json(stopParams(target, jobId, plan.stop))} and poll until it is ${until}`);
    }
    const run = runParams(target, jobId, plan.runType, 0, req.fromSavepoint);
    const shown = { ...run, RunJobDescriptions: run.RunJobDescriptions.map((d) => ({ ...d, JobConfigVersion: '<new version>' })) };
    lines.push(`would call RunJobs ${json(shown)}`);
    lines.push(`would poll DescribeJobs ${json({ JobIds: [jobId] })} every ${settings.pollMs / 1000}s until RUNNING or FAILED (at most ${settings.timeoutMs / 1000}s)`);
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
    status: (spec) => guarded(spec, () => status(spec)),
    stop: (spec, opts) => guarded(spec, () => stop(spec, opts)),
  };
}
