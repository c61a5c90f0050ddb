import type { Redactor } from '../util/redact';

/** What a command may touch of the outside world; tests pass their own. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** True when stderr is a terminal: progress may redraw in place. */
  interactive: boolean;
  /**
   * The secrets of this run, which its error report hides (`run()` sets one per call). Whatever
   * loads a spec hands it the secrets the spec resolved.
   */
  redactor?: Redactor;
}

export function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    interactive: Boolean(process.stderr.isTTY),
  };
}

/** An Io that records everything, for tests. */
export function memoryIo(env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): Io & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    env,
    cwd,
    interactive: false,
    stdout(t: string) {
      io.out += t;
    },
    stderr(t: string) {
      io.err += t;
    },
  };
  return io;
}

/** Writes to stdout with the run's secrets hidden: for text a service reports, which may quote them. */
export function redactedStdout(io: Io): (text: string) => void {
  return (text) => io.stdout(io.redactor ? io.redactor.redact(text) : text);
}
