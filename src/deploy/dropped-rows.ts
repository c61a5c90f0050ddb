/**
 * The rows a job dropped, as the generated job counts them into the spec's `job.droppedRows` hash
 * (docs/spec.md, "Dropped rows"): one field per window end holding the rows dropped as late, and
 * `no_event_time` holding the rows without an event time. Read here for `uvpv status`; the
 * dashboard sums the hash with `droppedRowsOf` too, so both say the same.
 */
import { NO_EVENT_TIME_FIELD } from '../ir/nodes';
import type { Spec } from '../pipeline/types';
import { hashPoints } from '../redis-types/hash';
import type { Point } from '../redis-types';
import { connectRedis, describeRedis, redisAddressOf, redisClient, redisRefusal } from '../util/redis';
import { notAvailable, type DroppedRowsSection, type Section } from './health';

/** How many of the newest windows that dropped rows `status` lists. */
export const NEWEST_WINDOWS = 5;

export interface DroppedRowsCount {
  /** Rows dropped as late, over every window the hash holds. */
  late: number;
  /** The windows that dropped rows, oldest first. */
  windows: Point[];
  /** Rows without an event time, in all. */
  withoutEventTime: number;
}

/** The hash's fields summed: window ends (field order is Redis's, so sorted here) and `no_event_time`. */
export function droppedRowsOf(hash: Readonly<Record<string, string>>): DroppedRowsCount {
  const windows = hashPoints(hash)
    .filter((p) => p.t !== NO_EVENT_TIME_FIELD)
    .sort((a, b) => a.t.localeCompare(b.t));
  const noEventTime = Number(hash[NO_EVENT_TIME_FIELD] ?? 0);
  return {
    late: windows.reduce((sum, p) => sum + p.v, 0),
    windows,
    withoutEventTime: Number.isFinite(noEventTime) ? noEventTime : 0,
  };
}

/** Reads one hash; a test passes its own. */
export type HashReader = (key: string) => Promise<Record<string, string>>;

/**
 * `status`'s droppedRows section: the spec's hash, or why there is none. Reads the spec's Redis
 * (its mode, TLS and login) once, with a client that gives up quickly when Redis does not answer.
 */
export async function droppedRowsSection(spec: Spec, read?: HashReader): Promise<Section<DroppedRowsSection>> {
  const key = spec.job.droppedRows?.key;
  if (key === undefined)
    return notAvailable('the spec does not count them: set job.droppedRows in the spec, see "Dropped rows" in docs/spec.md');
  const at = redisAddressOf(spec.redis);
  let hash: Record<string, string>;
  try {
    hash = await (read ?? redisHash(spec))(key);
  } catch (e) {
    const why = redisRefusal(e, at)?.detail ?? (e as Error).message;
    return notAvailable(`cannot read hash ${key} from ${describeRedis(at)}: ${why}`);
  }
  const count = droppedRowsOf(hash);
  return {
    available: true,
    key,
    late: count.late,
    withoutEventTime: count.withoutEventTime,
    lateWindows: count.windows.length,
    newestWindows: count.windows
      .slice(-NEWEST_WINDOWS)
      .reverse()
      .map((p) => ({ windowEnd: p.t, late: p.v })),
  };
}

function redisHash(spec: Spec): HashReader {
  return async (key) => {
    const client = redisClient(redisAddressOf(spec.redis), 'probe');
    try {
      await connectRedis(client, 5000);
      return await client.hgetall(key);
    } finally {
      client.disconnect();
    }
  };
}
