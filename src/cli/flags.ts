/** Flag values that several commands take, read one way. */
import { UsageError } from '../errors';
import { parseDuration } from '../expressions/duration';

/** A time flag ('30 s', '2 min', '100 ms') in milliseconds; a usage error that names the flag otherwise. */
export function durationFlag(value: string, flag: string): number {
  const d = parseDuration(value);
  if (typeof d === 'string') throw new UsageError(`${flag}: ${d}`);
  return d.millis;
}

/** A whole-number flag of at least `min`; a usage error that names the flag otherwise. */
export function wholeNumberFlag(value: string, flag: string, min: number): number {
  const n = Number(value);
  // Digits only: no sign, point or exponent ('1e3' is not how anyone writes a count).
  if (!/^\d+$/.test(value.trim()) || n < min) throw new UsageError(`${flag} takes a whole number of at least ${min}, got '${value}'`);
  return n;
}
