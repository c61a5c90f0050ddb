/**
 * An Oceanus deploy as a list of actions, decided once from what was read (the job of this name,
 * the built-in connectors) before anything changes: `--dry-run` prints the list, a deploy carries
 * it out (as Terraform applies the plan it showed). Each action's request parameters come from
 * the same `…Params` functions whether printed or sent.
 */
import type { OceanusSettings } from '../../io/settings';
import type { OceanusTarget } from '../../pipeline/types';
import type { DeployRequest } from '../deployer';
import { alreadyRuns } from '../semantics';
import { EMPTY_METADATA, JobStatus, jobState, publishedVersion, RunType, StopType, type JobV1, type ResourceRef } from './api';
import { configParams, createJobParams, runParams, stopParams, stopSavepointParams, type ConfigInput, type StartFrom } from './jobs';

/** The resources a configuration version references, and the line that says which. */
export interface ReferencedResources {
  refs: ResourceRef[];
  line: string;
}

export type DeployAction =
  /** CreateJob: there is no job of this name yet. */
  | { kind: 'create-job' }
  /** CreateJobConfig: a new configuration version holding the SQL; `resources` undefined when not known (a dry run without credentials). */
  | { kind: 'upload-config'; sql: string; checkpointSeconds: number; resources: ReferencedResources | undefined }
  /** StopJobs: stop, or pause (Oceanus takes a savepoint), the running job before it starts with the new version. */
  | { kind: 'stop-job'; stopType: (typeof StopType)[keyof typeof StopType] }
  /**
   * RunJobs with the new version (always `RunType` 1, a start: the API documents starting from a
   * savepoint with SavepointPath and SavepointId, not whether a resume takes a new version), then
   * polling until the job runs or fails. `from`: a savepoint the user named; `fromPause`: the one
   * Oceanus took when the job was paused (looked up once it is). `rollBackTo`: the job was paused
   * for the new version; if that does not run, the previous version starts again from the pause's
   * savepoint.
   */
  | { kind: 'run-job'; runType: number; from?: StartFrom; fromPause?: boolean; rollBackTo?: { previous: number | undefined } };

/** What the list is decided from: the job as it was read (steady, unless a dry run saw it in an operation), and the connectors. */
export interface DeployInputs {
  req: DeployRequest;
  job: JobV1 | undefined;
  sql: string;
  checkpointSeconds: number;
  resources: ReferencedResources | undefined;
  /** The running job's configuration version is the one this deploy would upload (same SQL and settings). */
  unchanged: boolean;
}

/**
 * The actions, the same for every target (../semantics.ts): none for a running job whose SQL and
 * settings are unchanged; a refusal (exit 2) for a changed one without `--replace`; with it, a
 * pause (a savepoint) and a start of the new version from that savepoint.
 */
export function deployActions({ req, job, sql, checkpointSeconds, resources, unchanged }: DeployInputs): DeployAction[] {
  const running = job?.Status === JobStatus.Running;
  if (running && unchanged && !req.fromSavepoint) return [];
  if (running && !req.replace) throw alreadyRuns(req.spec.name, { what: `Oceanus job ${job.JobId}`, state: jobState(job.Status) });
  const actions: DeployAction[] = [];
  if (!job) actions.push({ kind: 'create-job' });
  // The new version is uploaded before anything is stopped: a rejected upload leaves the running job alone.
  actions.push({ kind: 'upload-config', sql, checkpointSeconds, resources });
  // --replace keeps the state: pause (Oceanus takes a savepoint), then start from it. A savepoint the user names instead: stop.
  const pause = running && !req.fromSavepoint;
  if (running) actions.push({ kind: 'stop-job', stopType: pause ? StopType.Pause : StopType.Stop });
  // A job paused before (stop --pause) starts from the savepoint of its pause too.
  const fromPause = pause || (job?.Status === JobStatus.Paused && !req.fromSavepoint);
  actions.push({
    kind: 'run-job',
    runType: RunType.Start,
    ...(req.fromSavepoint ? { from: { path: req.fromSavepoint } } : {}),
    ...(fromPause ? { fromPause } : {}),
    ...(pause ? { rollBackTo: { previous: publishedVersion(job) } } : {}),
  });
  return actions;
}

/** The configuration version an upload action sends (no resources when they are not known). */
export function configInput(action: Extract<DeployAction, { kind: 'upload-config' }>): ConfigInput {
  return { sql: action.sql, checkpointSeconds: action.checkpointSeconds, resourceRefs: action.resources?.refs ?? [] };
}

const json = (value: unknown) => JSON.stringify(value);

/** How `--dry-run` prints an action: the call it would make, with the parameters it would send. */
export function describeAction(
  action: DeployAction,
  at: { target: OceanusTarget; name: string; job: JobV1 | undefined; settings: Pick<OceanusSettings, 'pollMs' | 'timeoutMs'> },
): string[] {
  const { target, job, settings } = at;
  const jobId = job?.JobId ?? '<new job id>';
  switch (action.kind) {
    case 'create-job':
      return [`would call CreateJob ${json(createJobParams(target, at.name))}`];
    case 'upload-config': {
      const body = configParams(target, jobId, configInput(action));
      const shown = action.resources ? body : { ...body, ResourceRefs: '<the built-in connectors DescribeSystemResources lists>' };
      return [
        `would call CreateJobConfig ${json(shown)}`,
        `  (ProgramArgs.SqlCode is the base64 of the SQL below; ProgramArgs.Metadata of ${EMPTY_METADATA})`,
      ];
    }
    case 'stop-job': {
      const until = action.stopType === StopType.Pause ? 'PAUSED' : 'STOPPED';
      return [`would call StopJobs ${json(stopParams(target, jobId, action.stopType))} and poll until it is ${until}`];
    }
    case 'run-job': {
      const from = action.fromPause ? { path: '<its Path>', id: '<its SerialId>' } : action.from;
      const run = runParams(target, jobId, action.runType, 0, from);
      const shown = { ...run, RunJobDescriptions: run.RunJobDescriptions.map((d) => ({ ...d, JobConfigVersion: '<new version>' })) };
      const lines = [
        ...(action.fromPause
          ? [
              `would look up the savepoint Oceanus took when the job was paused: DescribeJobSavepoint ${json(stopSavepointParams(target, jobId))}, the newest, active and with a usable path`,
            ]
          : []),
        `would call RunJobs ${json(shown)}`,
        `would poll DescribeJobs ${json({ JobIds: [jobId] })} every ${settings.pollMs / 1000}s until RUNNING or FAILED (at most ${settings.timeoutMs / 1000}s)`,
      ];
      if (action.rollBackTo) {
        const back = runParams(target, jobId, RunType.Start, action.rollBackTo.previous ?? 0, { path: '<its Path>', id: '<its SerialId>' });
        lines.push(
          `if the job does not run with the new version: would call DescribeJobSavepoint ${json(stopSavepointParams(target, jobId))} for the savepoint the pause took, ` +
            `then RunJobs ${json(back)} to start the previous version from it (a rollback; deploy exits 1)`,
        );
      }
      return lines;
    }
  }
}
