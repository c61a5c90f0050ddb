import { z } from 'zod';
import { name } from '../pipeline/schema-primitives';
import type { MetricBase } from '../pipeline/types';
import type { MetricDefinition } from './definition';
import { metricFields, optionalBy } from './fields';

export interface PvMetric extends MetricBase {
  readonly type: 'pv';
  readonly event: string;
}

/** PV: the number of the event's rows. */
export const pv: MetricDefinition<PvMetric> = {
  type: 'pv',
  summary: 'row count',
  gives: 'value',
  schema: z.strictObject({ ...metricFields, type: z.literal('pv'), event: name, ...optionalBy }),
  events: (m) => [{ field: 'event', event: m.event }],
  counts: (m) => [{ kind: 'rows', event: m.event }],
  value: (_m, [rows]) => ({ value: { kind: 'count', count: rows }, presentWhen: rows }),
  evaluate(m, tally) {
    const n = tally.rows(m.event);
    return n > 0 ? n : undefined;
  },
};
