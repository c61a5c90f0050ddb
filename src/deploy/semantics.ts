/**
 * What `deploy` and `stop` mean on every target, in the same words: a deploy of a running
 * pipeline whose SQL and settings are unchanged does nothing; a changed one is refused unless
 * `--replace`, which carries the running job's state over through a savepoint; a `stop` without a
 * savepoint says that the state is dropped. Each target's deployer decides; the words live here.
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

/** What a stop without a savepoint says: the state is gone, and how it could have been kept. */
export function stateDropped(keepWith: string): string {
  return `no savepoint taken: its state is dropped (${keepWith} keeps it)`;
}
