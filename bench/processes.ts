/**
 * What the stack's processes cost while a job runs: CPU time of the TaskManager, Kafka and Redis
 * from /proc/<pid>/stat (utime + stime, every thread), and the machine's load average.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export const MEASURED_PROCESSES = ['taskmanager', 'kafka', 'redis'] as const;
export type MeasuredProcess = (typeof MEASURED_PROCESSES)[number];

/** Clock ticks per second, the unit of /proc/<pid>/stat's times (100 on every common Linux). */
function clockTicks(): number {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
}

const TICKS = clockTicks();

/** utime + stime of a process, in seconds; undefined when it cannot be read (gone, or not Linux). */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: the fields after it start after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15, so 11 and 12 after the state (field 3).
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return undefined;
  }
}

/** Each measured process's pid; several for one that runs as several (a Redis Cluster's masters), whose CPU is summed. */
export type Pids = Partial<Record<MeasuredProcess, number | readonly number[]>>;

/** The CPU seconds of one process, or the sum over several; undefined when any cannot be read. */
export function cpuSecondsOf(pid: number | readonly number[] | undefined): number | undefined {
  if (pid === undefined) return undefined;
  let sum = 0;
  for (const one of typeof pid === 'number' ? [pid] : pid) {
    const s = cpuSeconds(one);
    if (s === undefined) return undefined;
    sum += s;
  }
  return sum;
}

/** CPU seconds each process used between `start` and `stop` (a process that could not be read is left out). */
export function cpuMeter(pids: Pids) {
  const before = new Map<MeasuredProcess, number>();
  for (const name of MEASURED_PROCESSES) {
    const s = cpuSecondsOf(pids[name]);
    if (s !== undefined) before.set(name, s);
  }
  return {
    stop(): Partial<Record<MeasuredProcess, number>> {
      const out: Partial<Record<MeasuredProcess, number>> = {};
      for (const [name, s] of before) {
        const now = cpuSecondsOf(pids[name]);
        if (now !== undefined) out[name] = now - s;
      }
      return out;
    },
  };
}

/** The 1-minute load average. */
export const loadAverage = (): number => loadavg()[0];

/** A run is flagged busy when the load before it exceeds this share of the cores (1.5 on 2 cores). */
export const BUSY_LOAD_PER_CORE = 0.75;

export const busyThreshold = (cores = cpus().length): number => BUSY_LOAD_PER_CORE * cores;
