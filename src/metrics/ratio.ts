import { metricSchemas } from '../spec/schema';
import type { RatioMetric } from '../spec/types';
import type { MetricDefinition } from './definition';

/** Ratio: numerator rows / denominator rows, fixed-point, only where the denominator is above 0. */
export const ratio: MetricDefinition<RatioMetric> = {
  type: 'ratio',
  schema: metricSchemas.ratio,
  events: (m) => [
    { field: 'numerator', event: m.numerator },
    { field: 'denominator', event: m.denominator },
  ],
  counts: (m) => [
    { kind: 'rows', event: m.numerator },
    { kind: 'rows', event: m.denominator },
  ],
  value: (m, [numerator, denominator]) => ({
    value: { kind: 'ratio', numerator, denominator, precision: m.precision },
    presentWhen: denominator,
  }),
  evaluate(m, tally) {
    const d = tally.rows(m.denominator);
    return d > 0 ? formatRatio(tally.rows(m.numerator), d, m.precision) : undefined;
  },
};

/**
 * `numerator / denominator` as a fixed-point decimal with `precision` digits after the point,
 * rounded half-up: 1/3 → "0.3333", 1/1 → "1.0000", 1/20 → "0.0500".
 */
export function formatRatio(numerator: number, denominator: number, precision: number): string {
  if (denominator <= 0) throw new Error('ratio needs a denominator above 0');
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  const scale = 10n ** BigInt(precision);
  // floor((n * scale) / d + 1/2) = floor((2 * n * scale + d) / (2 * d)), exact for n, d >= 0.
  const scaled = (2n * n * scale + d) / (2n * d);
  const whole = scaled / scale;
  if (precision === 0) return whole.toString();
  const fraction = (scaled % scale).toString().padStart(precision, '0');
  return `${whole}.${fraction}`;
}
