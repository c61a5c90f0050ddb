/**
 * The bench's arithmetic, on the project's seeded random source (so a run's order and intervals
 * can be repeated): paired ratios over rounds, their median, range and a bootstrap 95% interval.
 */
import { prng } from '../src/util/random';

/** A copy of `items` in a random order (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The q-quantile (0..1) of sorted values, interpolated linearly between neighbours. */
function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export interface PairedRatio {
  /** One ratio per round in which both jobs ran (and gave a usable rate), in round order. */
  perRound: number[];
  median: number;
  min: number;
  max: number;
  /** Bootstrap 95% interval of the median: rounds resampled with replacement, seeded. */
  low: number;
  high: number;
}

export const BOOTSTRAP_RESAMPLES = 2000;

/**
 * The ratio a_i / b_i of each round (the job's records/s over the reference's in the same round,
 * so what slowed the machine in that round slows both), summarized. Rounds where either rate is
 * not a positive finite number are left out. Undefined when no round is left.
 */
export function pairedRatio(a: readonly number[], b: readonly number[], seed: number): PairedRatio | undefined {
  const perRound = a.flatMap((x, i) => {
    const y = b[i];
    return Number.isFinite(x) && Number.isFinite(y) && x > 0 && y > 0 ? [x / y] : [];
  });
  if (perRound.length === 0) return undefined;
  const random = prng(seed);
  const medians: number[] = [];
  for (let k = 0; k < BOOTSTRAP_RESAMPLES; k++) {
    medians.push(median(perRound.map(() => perRound[Math.floor(random() * perRound.length)])));
  }
  medians.sort((x, y) => x - y);
  return {
    perRound,
    median: median(perRound),
    min: Math.min(...perRound),
    max: Math.max(...perRound),
    low: quantile(medians, 0.025),
    high: quantile(medians, 0.975),
  };
}

/** p-th percentile (0..100) of values, nearest rank; NaN for none. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
