/** Durations as the spec writes them: `10 minutes`, `10 min`, `30 s`, `1 hour`, `2 days`. */

export type DurationUnit = 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY';

export interface Duration {
  readonly amount: number;
  readonly unit: DurationUnit;
  readonly millis: number;
  /** As written in the spec, for messages. */
  readonly text: string;
}

const UNIT_MILLIS: Record<DurationUnit, number> = {
  SECOND: 1_000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
};

const UNIT_WORDS: Record<string, DurationUnit> = {
  s: 'SECOND',
  sec: 'SECOND',
  secs: 'SECOND',
  second: 'SECOND',
  seconds: 'SECOND',
  min: 'MINUTE',
  mins: 'MINUTE',
  minute: 'MINUTE',
  minutes: 'MINUTE',
  h: 'HOUR',
  hr: 'HOUR',
  hrs: 'HOUR',
  hour: 'HOUR',
  hours: 'HOUR',
  d: 'DAY',
  day: 'DAY',
  days: 'DAY',
};

/** Flink's day-time intervals take at most three leading digits: 999 days is the longest. */
const MAX_MILLIS = 999 * UNIT_MILLIS.DAY;

const DURATION_HELP = "'<n> second(s)|minute(s)|hour(s)|day(s)' (also '10 min', '30 s')";

/** Returns the parsed duration, or an error message naming what is allowed. */
export function parseDuration(text: string): Duration | string {
  const m = /^\s*(\d+)\s*([A-Za-z]+)\s*$/.exec(text);
  if (!m) return `'${text}' is not a duration; expected ${DURATION_HELP}`;
  const amount = Number(m[1]);
  const unit = UNIT_WORDS[m[2].toLowerCase()];
  if (!unit) {
    const hint = m[2].toLowerCase() === 'm' ? " ('m' is ambiguous: write 'min')" : '';
    return `'${m[2]}' is not a time unit${hint}; expected ${DURATION_HELP}`;
  }
  if (amount <= 0) return `a duration must be positive, got '${text}'`;
  if (amount * UNIT_MILLIS[unit] > MAX_MILLIS) return `'${text}' is too long; at most 999 days`;
  return { amount, unit, millis: amount * UNIT_MILLIS[unit], text: text.trim() };
}

function durationFromMillis(millis: number): Duration {
  for (const unit of ['DAY', 'HOUR', 'MINUTE', 'SECOND'] as const) {
    if (millis % UNIT_MILLIS[unit] === 0) {
      const amount = millis / UNIT_MILLIS[unit];
      return { amount, unit, millis, text: `${amount} ${unit.toLowerCase()}${amount === 1 ? '' : 's'}` };
    }
  }
  throw new Error(`duration ${millis} ms is not a whole number of seconds`);
}

/**
 * A duration as a Flink SQL interval literal that Flink parses at any length up to 999 days.
 * A leading field has two digits unless a precision is given, and Flink takes at most three, so
 * `120 s` is `INTERVAL '120' SECOND(3)`, and a length no single unit holds in three digits is
 * written from days down to seconds: `INTERVAL '1 00:00:01' DAY TO SECOND`.
 */
export function intervalLiteral(d: Duration): string {
  if (d.amount < 100) return `INTERVAL '${d.amount}' ${d.unit}`;
  if (d.amount < 1000) return `INTERVAL '${d.amount}' ${d.unit}(3)`;
  const best = durationFromMillis(d.millis);
  if (best.amount < 1000) return intervalLiteral(best);
  const seconds = d.millis / 1000;
  const two = (n: number) => String(n).padStart(2, '0');
  const days = Math.floor(seconds / 86_400);
  const clock = `${two(Math.floor(seconds / 3600) % 24)}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  return `INTERVAL '${days} ${clock}' DAY${days < 100 ? '' : '(3)'} TO SECOND`;
}
