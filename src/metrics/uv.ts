import { z } from 'zod';
import { name } from '../pipeline/schema-primitives';
import type { MetricBase } from '../pipeline/types';
import type { MetricDefinition } from './definition';
import { metricFields, optionalBy } from './fields';

export interface UvMetric extends MetricBase {
  readonly type: 'uv';
  readonly event: string;
  readonly column: string;
}

/** UV: distinct non-NULL values of `column` among the event's rows. */
export const uv: MetricDefinition<UvMetric> = {
  type: 'uv',
  summary: 'distinct column values',
  gives: 'members',
  schema: z.strictObject({ ...metricFields, type: z.literal('uv'), event: name, column: name, ...optionalBy }),
  events: (m) => [{ field: 'event', event: m.event }],
  members: (m) => ({ event: m.event, column: m.column }),
  counts: (m) => [{ kind: 'distinct', event: m.event, column: m.column }],
  value: (_m, [distinct]) => ({ value: { kind: 'count', count: distinct }, presentWhen: distinct }),
  evaluate(m, tally) {
    const n = tally.distinct(m.event, m.column);
    return n > 0 ? n : undefined;
  },
};
