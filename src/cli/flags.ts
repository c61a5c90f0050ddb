/** Flag values that several commands take, read one way. */
import { UsageError } from '../errors';
import { parseDuration } from '../spec/duration';

/** A time flag ('30 s', '2 min', '100 ms') in milliseconds; a usage error that names the flag otherwise. */
export function durationFlag(value: string, flag: string): number {
  const d = parseDuration(value);
  if (typeof d === 'string') throw new UsageError(`${flag}: ${d}`);
  return d.millis;
}
