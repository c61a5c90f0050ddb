/**
 * `deploy --replace` on Oceanus after the paused job did not run with the new version: find the
 * savepoint Oceanus took at the pause (DescribeJobSavepoint, RecordType 3, the newest), stop the
 * job if it came up late, and start the previous version from that savepoint (RunJobs, RunType 1:
 * a failed job is started, not resumed).
 */
import { RuntimeFailure } from '../../errors';
import { JobStatus, jobState, PATH_UNAVAILABLE, RunType, savepointState, SavepointStatus, type JobV1 } from './api';
import { explain, type ErrorHints } from './errors';
import type { OceanusJobs } from './jobs';

export interface FailedUpgrade {
  name: string;
  /** The configuration version that did not run. */
  version: number;
  /** The version the job ran before the pause (PublishedJobConfigVersion), if Oceanus said. */
  previous: number | undefined;
  failure: RuntimeFailure;
  /** The deploy's lines so far; the rollback's are added. */
  lines: string[];
}

/** Always throws: `rolled-back` when the previous version runs, else `upgrade-failed`. */
export async function rollBack(jobs: OceanusJobs, job: JobV1, at: FailedUpgrade, hints: ErrorHints): Promise<never> {
  const { name, version, previous, failure, lines } = at;
  const id = job.JobId;
  const what = `configuration version ${version} of ${name} did not run: ${failure.message}`;
  const why = failure.detail && [`version ${version}, when it did not run:`, ...failure.detail.split('\n').map((l) => `  ${l}`)].join('\n');
  const fail = (reason: string, more?: string): RuntimeFailure =>
    new RuntimeFailure(`${what}; ${reason}`, [why, more].filter(Boolean).join('\n') || undefined, 'upgrade-failed');
  const recover = (path?: string) =>
    path
      ? `its state is in savepoint ${path}: fix the pipeline and deploy with --from-savepoint ${path}`
      : `find the savepoint Oceanus took when pausing it in the console (job ${id}, savepoints), then fix the pipeline and deploy with --from-savepoint <its path>`;
  if (!previous) {
    throw fail(
      `nothing was rolled back: Oceanus did not say which configuration version job ${id} ran before (PublishedJobConfigVersion); ${recover()}`,
    );
  }
  let path: string | undefined;
  let now = job;
  try {
    now = await jobs.settle(await jobs.get(id));
    const found = await jobs.newestStopSavepoint(id);
    const usablePath = found?.Status === SavepointStatus.Active && found.PathStatus !== PATH_UNAVAILABLE ? found.Path : undefined;
    if (!found || !usablePath) {
      const listed = !found
        ? `Oceanus lists no savepoint taken when job ${id} was paused (DescribeJobSavepoint, RecordType 3)`
        : `the savepoint Oceanus took when job ${id} was last paused${found.SerialId ? ` (${found.SerialId})` : ''} is ${found.PathStatus === PATH_UNAVAILABLE ? 'no longer available' : found.Path ? savepointState(found.Status) : 'without a path'}`;
      throw fail(`nothing was rolled back: ${listed}; job ${id} is ${jobState(now.Status)}; ${recover()}`);
    }
    path = usablePath;
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
