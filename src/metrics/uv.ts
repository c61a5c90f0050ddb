import { metricSchemas } from '../spec/schema';
import type { UvMetric } from '../spec/types';
import type { MetricDefinition } from './definition';

/** UV: distinct non-NULL values of `column` among the event's rows. */
export const uv: MetricDefinition<UvMetric> = {
  type: 'uv',
  schema: metricSchemas.uv,
  events: (m) => [{ field: 'event', event: m.event }],
  memberColumn: (m) => ({ event: m.event, column: m.column }),
  counts: (m) => [{ kind: 'distinct', event: m.event, column: m.column }],
  value: (_m, [distinct]) => ({ value: { kind: 'count', count: distinct }, presentWhen: distinct }),
  evaluate(m, tally) {
    const n = tally.distinct(m.event, m.column);
    return n > 0 ? n : undefined;
  },
};
