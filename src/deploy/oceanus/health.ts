/**
 * `uvpv status` on Oceanus: what DescribeJobs tells (state, how long this run has lasted); the
 * rest of a job's health lives in the Oceanus console and its Flink web UI, which uvpv does not
 * read, and says so.
 */
import type { OceanusTarget, Spec } from '../../pipeline/types';
import type { JobState } from '../deployer';
import { healthHeader, notAvailable, type PipelineHealth } from '../health';
import { JobStatus, type JobV1 } from './api';

export function oceanusHealth(target: OceanusTarget, spec: Spec, job: JobV1, state: JobState, now: number): PipelineHealth {
  const running = job.Status === JobStatus.Running && job.CurrentRunMillis !== undefined;
  const where = `see the job's monitoring in the Oceanus console${job.WebUIUrl ? ` or its Flink web UI (${job.WebUIUrl})` : ''}`;
  const na = (what: string) => notAvailable(`Oceanus's API (DescribeJobs) does not report ${what}: ${where}`);
  return {
    ...healthHeader(spec, target, now),
    job: {
      ...state,
      startedAt: running ? new Date(now - (job.CurrentRunMillis ?? 0)).toISOString() : null,
      uptimeSeconds: running ? (job.CurrentRunMillis ?? 0) / 1000 : null,
    },
    restarts: na('restarts'),
    checkpoints: na('checkpoints'),
    kafka: na("the source's offsets"),
    freshness: na('watermarks'),
    throughput: na('throughput'),
    tasks: na('task load'),
    redis: na("the Redis sink's writes"),
    droppedRows: na('dropped rows'),
  };
}
