/**
 * Typed errors. Commands throw these; `cli/run.ts` is the one place that turns them into
 * exit codes and messages, so no stack trace ever reaches a user for a bad input.
 */

/** One problem in a spec or expectation file, located at file:line:col. */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  /** Dotted path of the key, e.g. `metrics[0].redis.type`. Empty for the document itself. */
  path: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.col}`;
  return d.path ? `${where}: ${d.path}: ${d.message}` : `${where}: ${d.message}`;
}

export abstract class UvpvError extends Error {
  abstract readonly exitCode: number;
}

/** Bad command-line usage (unknown flag, missing argument, unreadable file). Exit 2. */
export class UsageError extends UvpvError {
  readonly exitCode = 2;
  constructor(
    message: string,
    /** What the user can do about it, shown on a line of its own (callers read this, never the message). */
    readonly fix?: string,
  ) {
    super(message);
  }
}

/** A spec or expectation file that does not validate. Every problem at once. Exit 2. */
export class SpecError extends UvpvError {
  readonly exitCode = 2;
  constructor(readonly diagnostics: Diagnostic[]) {
    super(`${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'} in the spec`);
  }
}

/**
 * What happened, for callers that act on a failure: they match the code, never the message.
 * - `service-unreachable`: a service (the SQL Gateway, Flink's REST API) did not answer at all;
 * - `service-error`: it answered with an HTTP error;
 * - `timed-out`: a statement, a savepoint or a job did not get where it was waited for in time;
 * - `job-terminal-state`: a Flink job waited for went FAILED, FAILING or CANCELED instead;
 * - `job-restarting`: a Flink job failed and its restart strategy keeps restarting it;
 * - `savepoint-failed`: Flink could not take a savepoint;
 * - `upgrade-refused`: `deploy --replace` found the running job's state would not fit the new job, and stopped nothing;
 * - `upgrade-failed`: `deploy --replace` stopped the old job, the new one failed, and no rollback ran (or it failed);
 * - `rolled-back`: the new job failed, and the previous version runs again from the savepoint.
 */
export type FailureCode =
  | 'service-unreachable'
  | 'service-error'
  | 'timed-out'
  | 'job-terminal-state'
  | 'job-restarting'
  | 'savepoint-failed'
  | 'upgrade-refused'
  | 'upgrade-failed'
  | 'rolled-back';

/** Something failed at run time: a service down, a job that failed, a mismatch. Exit 1. */
export class RuntimeFailure extends UvpvError {
  readonly exitCode = 1;
  constructor(
    message: string,
    readonly detail?: string,
    /** What happened, when a caller may act on it. */
    readonly code?: FailureCode,
    /** What the user can do about it, shown on a line of its own (callers read this, never the message). */
    readonly fix?: string,
  ) {
    super(message);
  }
}

/** The user stopped a command (Ctrl-C, SIGTERM) and it undid what it had started. Exit 130 (SIGINT) or 143 (SIGTERM), as shells do. */
export class Interrupted extends UvpvError {
  readonly exitCode: number;
  constructor(
    message: string,
    readonly signal: 'SIGINT' | 'SIGTERM' = 'SIGINT',
  ) {
    super(message);
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}
