import { z } from 'zod';
import { name, rangeHelp } from '../pipeline/schema-primitives';
import type { MetricBase } from '../pipeline/types';
import type { MetricDefinition } from './definition';
import { metricFields, optionalBy } from './fields';

export interface RatioMetric extends MetricBase {
  readonly type: 'ratio';
  readonly numerator: string;
  readonly denominator: string;
  /** Digits after the decimal point, default 4. */
  readonly precision: number;
}

/**
 * Digits after the point a ratio may have. The generated SQL rounds exactly once, in DECIMAL
 * arithmetic that stays exact for any two BIGINT counts up to 9 digits (see SqlCompiler.valueExpr).
 */
const MAX_RATIO_PRECISION = 9;
const PRECISION_HELP = rangeHelp(
  `a whole number from 0 to ${MAX_RATIO_PRECISION} (digits after the point; more would not be exact in Flink's DECIMAL arithmetic)`,
);

/** Ratio: numerator rows / denominator rows, fixed-point, only where the denominator is above 0. */
export const ratio: MetricDefinition<RatioMetric> = {
  type: 'ratio',
  summary: 'numerator rows / denominator rows',
  gives: 'value',
  schema: z.strictObject({
    ...metricFields,
    type: z.literal('ratio'),
    numerator: name,
    denominator: name,
    ...optionalBy,
    precision: z
      .number({ error: PRECISION_HELP })
      .int({ error: PRECISION_HELP })
      .min(0, { error: PRECISION_HELP })
      .max(MAX_RATIO_PRECISION, { error: PRECISION_HELP })
      .default(4),
  }),
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
