import { metricSchemas } from '../spec/schema';
import type { TopnMetric } from '../spec/types';
import type { MetricDefinition } from './definition';

/** Top-N: per window, the `n` values of `by` with the most rows of the event, ranked by that count. */
export const topn: MetricDefinition<TopnMetric> = {
  type: 'topn',
  schema: metricSchemas.topn,
  events: (m) => [{ field: 'event', event: m.event }],
  counts: (m) => [{ kind: 'rows', event: m.event }],
  value: (_m, [rows]) => ({ value: { kind: 'count', count: rows }, presentWhen: rows }),
  rankSize: (m) => m.n,
  evaluate(m, tally) {
    const n = tally.rows(m.event);
    return n > 0 ? n : undefined;
  },
};
