/**
 * A digest of what a job left in Redis, every key in full: sha256 over the sorted keys, each with
 * a digest of its type and canonical content (set members and object fields sorted; list entries
 * in their order, which is part of what a list holds). Two runs that wrote the same keys with the
 * same contents have the same digest; a digest over the keys one job writes compares a job that
 * writes more (a metrics variant) on those keys.
 */
import { createHash } from 'node:crypto';
import type { Expected } from '../src/redis-types';

/** JSON with object keys sorted at every level, so that equal contents print alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The key's content as a canonical string: its type, then its content (a set's members sorted). */
export function canonicalContent(content: Expected): string {
  const canonical = 'set' in content ? { set: [...content.set].map(String).sort() } : content;
  return canonicalJson(canonical);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Each key's digest. */
export function keyDigests(snapshot: ReadonlyMap<string, Expected>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, content] of snapshot) out[key] = sha256(canonicalContent(content));
  return out;
}

/** The digest of the given keys (default: all) of one run; a key missing from the run counts as absent. */
export function digestOf(keys: Readonly<Record<string, string>>, only?: Iterable<string>): string {
  const names = [...(only ?? Object.keys(keys))].sort();
  return sha256(names.map((k) => `${JSON.stringify(k)} ${keys[k] ?? 'absent'}`).join('\n'));
}
