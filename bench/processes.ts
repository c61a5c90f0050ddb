/**
 * What the stack's processes cost while a job runs: CPU time of the TaskManager, Kafka and Redis
 * from /proc/<pid>/stat (utime + stime, every thread); and what other work took from the machine
 * meanwhile (/proc/stat), which decides whether a run was busy.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { components } from '../src/stack/components';
import { extrasStatus } from '../src/stack/extras';
import type { StackLayout } from '../src/stack/layout';
import type { LocalStack } from '../src/stack/stack';
import { redisClient } from '../src/util/redis';

export const MEASURED_PROCESSES = ['taskmanager', 'kafka', 'redis'] as const;
export type MeasuredProcess = (typeof MEASURED_PROCESSES)[number];

/** Clock ticks per second, the unit of /proc/<pid>/stat's times (100 on every common Linux). */
function clockTicks(): number {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
}

const TICKS = clockTicks();

/**
 * utime + stime of a process, in seconds; with `children`, also those of its children that ended
 * and were waited for (a Redis save's fork). Undefined when it cannot be read (gone, or not Linux).
 */
export function cpuSeconds(pid: number, children = false): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: the fields after it start after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime and cstime are fields 14 to 17, so 11 to 14 after the state (field 3).
    const own = Number(fields[11]) + Number(fields[12]);
    return (children ? own + Number(fields[13]) + Number(fields[14]) : own) / TICKS;
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

/**
 * Where /proc/stat cannot be read (not Linux), a run is flagged busy when the load before it
 * exceeds this share of the cores (1.5 on 2 cores). The load average lags by a minute and counts
 * the bench's own previous job, so it is only the fallback.
 */
export const BUSY_LOAD_PER_CORE = 0.75;

export const busyThreshold = (cores = cpus().length): number => BUSY_LOAD_PER_CORE * cores;

/**
 * A run is busy when work other than the stack's and the bench's, plus the time the hypervisor
 * gave other guests (steal), took more than this many cores on average while it ran.
 */
export const BUSY_OTHER_CORES = 0.25;

/** The machine's CPU time since boot, in seconds: work (user + nice + system) and steal. */
export interface MachineCpu {
  workSeconds: number;
  stealSeconds: number;
}

/**
 * The first line of /proc/stat: `cpu user nice system idle iowait irq softirq steal ...` in clock
 * ticks. Work is user + nice + system + irq + softirq: without IRQ time accounting (a kernel
 * option, often off) the kernel charges interrupt time to the process it interrupted, so the
 * stack's processes' times hold their own network interrupts; with it on, those show as other work.
 */
export function parseProcStat(text: string, ticks = TICKS): MachineCpu | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 8 || f.some((x) => !Number.isFinite(x))) return undefined;
  return { workSeconds: (f[0] + f[1] + f[2] + f[5] + f[6]) / ticks, stealSeconds: f[7] / ticks };
}

function machineCpu(): MachineCpu | undefined {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Other work during a run: the cores it took on average, and steal's share of them. */
export interface OtherWork {
  cores: number;
  stealCores: number;
}

/** What made runs busy, in words: other work measured while they ran, or (where it could not be) the load before them. */
export function busyRuleText(measured: 'all' | 'some' | 'none', limits = { otherCores: BUSY_OTHER_CORES, load: busyThreshold() }): string {
  const other = `other work (not the stack's or the bench's, steal included) above ${limits.otherCores.toFixed(2)} of a core on average while it ran`;
  const load = `a 1-minute load average above ${limits.load.toFixed(2)} before it`;
  return measured === 'all' ? other : measured === 'none' ? load : `${other}, or where that could not be measured, ${load}`;
}

/** Whether a run was busy: by the other work measured during it, else by the load before it. */
export function isBusy(other: OtherWork | undefined, loadBefore: number, cores = cpus().length): boolean {
  return other ? other.cores > BUSY_OTHER_CORES : loadBefore > busyThreshold(cores);
}

/**
 * Measures the work done on the machine, between `start` and `stop`, by anything but `pids` (the
 * stack's processes and the bench itself): the machine's work from /proc/stat less theirs, plus
 * steal. A process that cannot be read at both ends is left out of theirs, so its work counts as
 * other; undefined when /proc/stat cannot be read.
 */
export function otherWorkMeter(pids: readonly number[]) {
  const startedAt = process.hrtime.bigint();
  const machineBefore = machineCpu();
  const before = new Map<number, number>();
  for (const pid of new Set(pids)) {
    const s = cpuSeconds(pid, true);
    if (s !== undefined) before.set(pid, s);
  }
  return {
    stop(): OtherWork | undefined {
      const machineAfter = machineCpu();
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      if (!machineBefore || !machineAfter || seconds <= 0) return undefined;
      let theirs = 0;
      for (const [pid, s] of before) {
        const now = cpuSeconds(pid, true);
        if (now !== undefined) theirs += now - s;
      }
      const steal = machineAfter.stealSeconds - machineBefore.stealSeconds;
      // Clock ticks are counted per process and per machine apart, so a quiet run can come out a little below 0.
      const other = Math.max(0, machineAfter.workSeconds - machineBefore.workSeconds - theirs);
      return { cores: (other + steal) / seconds, stealCores: steal / seconds };
    },
  };
}

/**
 * The pid of the Redis at host:port when it runs on this machine (from `INFO server`), else
 * undefined: also when that pid is not a redis-server here (a Redis in a container reports its
 * pid inside the container).
 */
export async function redisPid(host: string, port: number): Promise<number | undefined> {
  if (host !== '127.0.0.1' && host !== 'localhost') return undefined;
  const redis = redisClient({ host, port, db: 0 }, 'session');
  try {
    const m = /^process_id:(\d+)/m.exec(await redis.info('server'));
    const pid = m ? Number(m[1]) : undefined;
    return pid !== undefined && isRedisServer(pid) ? pid : undefined;
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

function isRedisServer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('redis-server');
  } catch {
    return false;
  }
}

/**
 * The processes whose work is not other work: the stack's (its components, the extras that run,
 * its Redis when its pid is known) and the bench's own.
 */
export async function ownProcesses(
  layout: StackLayout,
  stack: LocalStack,
  redis: number | readonly number[] | undefined,
): Promise<number[]> {
  const own = components(layout).flatMap((c) => stack.pid(c.name) ?? []);
  const extras = (await extrasStatus(layout)).flatMap((e) => e.pid ?? []);
  return [...own, ...extras, ...[redis ?? []].flat(), process.pid];
}
