import { formatRatio } from '../model/values';
import { metricSchemas } from '../spec/schema';
import type { RatioMetric } from '../spec/types';
import type { MetricDefinition } from './definition';

/** Ratio: numerator rows / denominator rows, fixed-point, only where the denominator is above 0. */
export const ratio: MetricDefinition<RatioMetric> = {
  type: 'ratio',
  schema: metricSchemas.ratio,
  allowedRedis: ['string', 'list', 'hash'],
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
