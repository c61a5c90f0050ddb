/**
 * What `deploy` and `stop` mean on every target, in the same words: a deploy of a running
 * pipeline whose SQL and settings are unchanged does nothing; a changed one is refused unless
 * `--replace`, which carries the running job's state over through a savepoint; a `stop` without a
 * savepoint says that the state is dropped, one that leaves a savepoint says where the state is and
 * that a deploy starts from it only when told. Each target's deployer decides; the words live here.
 */
import { UsageError } from '../errors';

/** A running job as the messages name it: `Flink job 1a2b…`, `Oceanus job cql-…`, and its state. */
export interface RunningJob {
  what: string;
  state: string;
}

/** The line of a deploy that changes nothing: the pipeline runs with this SQL and these settings already. */
export function unchangedLine(pipeline: string, job: RunningJob): string {
  return `pipeline ${pipeline} already runs as ${job.what} (${job.state}) with this SQL and settings; nothing to do`;
}

/** Why a changed deploy of a running pipeline is refused without `--replace` (exit 2). */
export function alreadyRuns(pipeline: string, job: RunningJob): UsageError {
  return new UsageError(
    `pipeline ${pipeline} already runs as ${job.what} (${job.state}) with other SQL or settings; ` +
      `use --replace to stop it with a savepoint and start the new SQL from it, or 'uvpv stop' first`,
  );
}

/**
 * What a stop that leaves the job's state in a savepoint says after naming it: a deploy of a
 * stopped pipeline starts it anew, from the savepoint only when told (gateway: stop --savepoint;
 * Oceanus: a stop of a paused job, whose pause's savepoint stays listed).
 */
export function savepointKept(savepoint: string): string {
  return `the next deploy starts from it only with --from-savepoint ${savepoint}`;
}

/** What a stop without a savepoint says: the state is gone, and how it could have been kept. */
export function stateDropped(keepWith: string): string {
  return `no savepoint taken: its state is dropped (${keepWith} keeps it)`;
}
