/**
 * The TaskManager's memory while a job runs, sampled every 100 ms without touching the JVM:
 * heap used from its hsperfdata file (the counters `jstat -gc` reads: eden, survivors, old
 * generation) and the process's resident memory from /proc. Flink's REST metric for the heap is
 * only refreshed every 10 s by default (`metrics.fetcher.update-interval`), too seldom for jobs
 * of a few seconds; it is the fallback where neither file can be read.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** Named 64-bit counters of a HotSpot JVM's hsperfdata file (`/tmp/hsperfdata_<user>/<pid>`). */
function readPerfCounters(bytes: Buffer): Map<string, number> {
  const out = new Map<string, number>();
  if (bytes.length < 32 || bytes.readUInt32BE(0) !== 0xcafec0c0) return out;
  const le = bytes[4] === 1;
  const i32 = (o: number) => (le ? bytes.readInt32LE(o) : bytes.readInt32BE(o));
  const i64 = (o: number) => Number(le ? bytes.readBigInt64LE(o) : bytes.readBigInt64BE(o));
  const entries = i32(28);
  let at = i32(24);
  for (let i = 0; i < entries && at + 20 <= bytes.length; i++) {
    const length = i32(at);
    if (length <= 0) break;
    const nameAt = at + i32(at + 4);
    const vectorLength = i32(at + 8);
    const type = String.fromCharCode(bytes[at + 12]);
    const dataAt = at + i32(at + 16);
    if (type === 'J' && vectorLength === 0 && dataAt + 8 <= bytes.length) {
      const end = bytes.indexOf(0, nameAt);
      out.set(bytes.toString('latin1', nameAt, end < 0 ? nameAt : end), i64(dataAt));
    }
    at += length;
  }
  return out;
}

/** Heap used: every space of the young and the old generation (as `jstat -gc` adds them up). */
function heapUsed(counters: Map<string, number>): number | undefined {
  let sum = 0;
  let found = false;
  for (const [name, value] of counters) {
    if (/^sun\.gc\.generation\.[01]\.space\.\d+\.used$/.test(name)) {
      sum += value;
      found = true;
    }
  }
  return found ? sum : undefined;
}

function perfDataFile(pid: number): string {
  return join(tmpdir(), `hsperfdata_${userInfo().username}`, String(pid));
}

function rssBytes(pid: number): number | undefined {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

function heapFromPerf(pid: number): number | undefined {
  try {
    return heapUsed(readPerfCounters(readFileSync(perfDataFile(pid))));
  } catch {
    return undefined;
  }
}

/** A GET on Flink's REST API (the bench passes its GatewayClient's). */
export type FlinkRest = <T>(path: string) => Promise<T>;

async function heapFromRest(rest: FlinkRest): Promise<number | undefined> {
  try {
    const tms = await rest<{ taskmanagers: { id: string }[] }>('/taskmanagers');
    let sum = 0;
    for (const tm of tms.taskmanagers) {
      const m = await rest<{ value: string }[]>(`/taskmanagers/${tm.id}/metrics?get=Status.JVM.Memory.Heap.Used`);
      sum += Number(m[0]?.value ?? 0);
    }
    return sum;
  } catch {
    return undefined;
  }
}

export interface MemoryPeak {
  /** Peak heap used, MB. */
  heapMb: number;
  /** Peak resident memory of the TaskManager process, MB (undefined off Linux). */
  rssMb?: number;
  /** Where the heap figure came from. */
  heapSource: 'hsperfdata' | 'rest';
}

/** Samples every 100 ms until `stop`, which returns the peaks. */
export function memorySampler(pid: number | undefined, rest: FlinkRest) {
  let heap = 0;
  let rss = 0;
  let source: MemoryPeak['heapSource'] = 'hsperfdata';
  let running = true;
  const loop = (async () => {
    while (running) {
      let h = pid === undefined ? undefined : heapFromPerf(pid);
      if (h === undefined) {
        source = 'rest';
        h = await heapFromRest(rest);
      }
      heap = Math.max(heap, h ?? 0);
      if (pid !== undefined) rss = Math.max(rss, rssBytes(pid) ?? 0);
      await new Promise((r) => setTimeout(r, source === 'rest' ? 250 : 100));
    }
  })();
  return {
    async stop(): Promise<MemoryPeak> {
      running = false;
      await loop;
      const mb = (b: number) => Math.round(b / 2 ** 20);
      return { heapMb: mb(heap), rssMb: rss ? mb(rss) : undefined, heapSource: source };
    },
  };
}

/**
 * Asks the JVM for a full GC (`jcmd <pid> GC.run`), so that every job starts from the same clean
 * heap, and garbage of the job before does not land in its time or its peak. False where no jcmd.
 */
export function collectGarbage(pid: number | undefined, jcmd = 'jcmd'): boolean {
  if (pid === undefined) return false;
  const r = spawnSync(jcmd, [String(pid), 'GC.run'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0;
}
