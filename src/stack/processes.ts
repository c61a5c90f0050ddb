/**
 * Detached processes with pid files. A pid file alone is not trusted: the process must still
 * carry the stack's marker on its command line, so `down` never signals someone else's process.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { RuntimeFailure } from '../errors';
import { sleep } from '../util/http';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Text that must appear on the process's command line for it to count as ours. */
  marker: string;
  logFile: string;
}

export function pidFile(runDir: string, name: string): string {
  return join(runDir, `${name}.pid`);
}

/** The pid of our running process `name`, or undefined. */
export function runningPid(runDir: string, name: string, marker: string): number | undefined {
  const file = pidFile(runDir, name);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return cmdline.includes(marker) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function startDetached(runDir: string, spec: ProcessSpec): number {
  const out = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, ...spec.env },
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    child.unref();
    writeFileSync(pidFile(runDir, spec.name), `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(
  runDir: string,
  name: string,
  marker: string,
  graceMs = 20_000,
): Promise<'stopped' | 'killed' | 'not running'> {
  const pid = runningPid(runDir, name, marker);
  rmSync(pidFile(runDir, name), { force: true });
  if (pid === undefined) return 'not running';
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return 'stopped';
    await sleep(100);
  }
  signal(pid, 'SIGKILL');
  while (alive(pid)) await sleep(50);
  return 'killed';
}

/**
 * SIGKILL, no grace: a crash. Resolves when the process is gone (a RuntimeFailure if it is still
 * there after `timeoutMs`); the pid file stays, as after a crash.
 */
export async function killProcess(runDir: string, name: string, marker: string, timeoutMs = 10_000): Promise<'killed' | 'not running'> {
  const pid = runningPid(runDir, name, marker);
  if (pid === undefined) return 'not running';
  signal(pid, 'SIGKILL');
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new RuntimeFailure(`${name} (pid ${pid}) is still there ${timeoutMs / 1000} s after SIGKILL`);
    await sleep(50);
  }
  return 'killed';
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped) still answers signal 0.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** True when something already listens on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}
