/**
 * The restarts of a Flink job, read from its exception history (`/jobs/:id/exceptions`) and its
 * `numRestarts` metric once, so every reader (verify, status, deploy --replace) counts them the
 * same way, whenever it asks.
 */

/** One entry of Flink's exception history (newest first in the REST answer). */
export interface ExceptionEntry {
  exceptionName?: string;
  stacktrace?: string;
  timestamp?: number;
  taskName?: string | null;
  endpoint?: string | null;
}

export interface Restart {
  /** When the failure that caused the restart happened (epoch ms). */
  at: number;
  /** The deepest cause of the failure, one line. */
  rootCause: string;
  /** The task that failed, where Flink names one. */
  task?: string;
}

export interface Restarts {
  /** How many times Flink restarted the job. */
  count: number;
  /** The restarts the history still holds, oldest first (Flink keeps the last 16 by default). */
  listed: Restart[];
}

/**
 * The restarts of a job in `state`, from its exception history and its numRestarts metric (either
 * may be missing). Each failure Flink recovered from is one entry and counts as one restart; a job
 * that FAILED ended with one more failure it did not recover from, which is no restart.
 *
 * The history decides, because it is always there: Flink drops a job's metrics soon after it ends.
 * The metric may count fewer (with the exponential-delay strategy, failures during one restart's
 * backoff share that restart); it counts only when the history was cut short (Flink keeps the last
 * 16 failures) and it says more.
 */
export function restartsOf(state: string, history: readonly ExceptionEntry[] | undefined, numRestarts: number | undefined): Restarts {
  const entries = [...(history ?? [])].sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0));
  const recovered = state === 'FAILED' || state === 'FAILING' ? entries.slice(1) : entries;
  const listed = recovered.reverse().map((e): Restart => ({
    at: e.timestamp ?? 0,
    rootCause: (e.stacktrace && deepestCause(e.stacktrace)) ?? e.exceptionName ?? 'no cause recorded',
    ...(e.taskName ? { task: e.taskName } : {}),
  }));
  return { count: Math.max(listed.length, numRestarts ?? 0), listed };
}

/** The last "Caused by:" line of a Java stack trace: the reason a person can act on. */
export function deepestCause(trace: string): string | undefined {
  const causes = [...trace.matchAll(/^Caused by: (.+)$/gm)].map((m) => m[1].trim());
  if (causes.length) return causes[causes.length - 1];
  const first = trace.split('\n').find((l) => /Exception|Error/.test(l) && !/^\s+at /.test(l));
  return first?.trim();
}

/** "none", or "2 (last at …: cause)". */
export function restartsLine(r: Restarts): string {
  if (r.count === 0) return 'none';
  const last = r.listed[r.listed.length - 1];
  return last ? `${r.count} (last at ${new Date(last.at).toISOString()}: ${last.rootCause})` : `${r.count}`;
}

/** One line per restart, for reports: "restart 1 at 2024-…Z: cause (in task)". */
export function restartLines(r: Restarts): string[] {
  const first = r.count - r.listed.length + 1;
  const lines = r.listed.map(
    (x, i) => `restart ${first + i} at ${new Date(x.at).toISOString()}: ${x.rootCause}${x.task ? ` (in ${x.task})` : ''}`,
  );
  if (first > 1) lines.unshift(`(Flink's exception history keeps the last ${r.listed.length}; ${first - 1} earlier restart(s) not shown)`);
  return lines;
}
