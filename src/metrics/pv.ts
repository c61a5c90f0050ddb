import { metricSchemas } from '../spec/schema';
import type { PvMetric } from '../spec/types';
import type { MetricDefinition } from './definition';

/** PV: the number of the event's rows. */
export const pv: MetricDefinition<PvMetric> = {
  type: 'pv',
  schema: metricSchemas.pv,
  events: (m) => [{ field: 'event', event: m.event }],
  counts: (m) => [{ kind: 'rows', event: m.event }],
  value: (_m, [rows]) => ({ value: { kind: 'count', count: rows }, presentWhen: rows }),
  evaluate(m, tally) {
    const n = tally.rows(m.event);
    return n > 0 ? n : undefined;
  },
};
