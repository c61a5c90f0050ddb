/** What the two member types (set, hll) share. */
import type { WriteText } from './definition';

/** `SADD key <each distinct column> per window`. */
export function describeMembers(w: WriteText): string {
  return `Metric ${w.metric}: ${w.command.toUpperCase()} ${w.key} <each distinct ${w.column}> per window${w.by ? ` and ${w.by}` : ''}.`;
}

/** Members of an expectation file's set: a list of scalars. */
export function isMemberList(v: unknown): v is (string | number)[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number');
}

/** A dashboard number: SCARD or PFCOUNT of a key, null when it is absent. */
export async function countIfExists(exists: Promise<number>, count: () => Promise<number>): Promise<number | null> {
  return (await exists) ? count() : null;
}
