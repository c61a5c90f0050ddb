import { z } from 'zod';
import { name, rangeHelp } from '../pipeline/schema-primitives';
import type { MetricBase } from '../pipeline/types';
import type { MetricDefinition } from './definition';
import { metricFields } from './fields';

/** The `n` values of `by` with the most `event` rows per window (ties: the smaller value first). */
export interface TopnMetric extends MetricBase {
  readonly type: 'topn';
  readonly event: string;
  readonly by: string;
  readonly n: number;
}

/** How many values a top-N may rank per window. */
export const MAX_TOPN = 1000;
const TOPN_HELP = rangeHelp(`a whole number from 1 to ${MAX_TOPN} (how many values to rank per window)`);

/** Top-N: per window, the `n` values of `by` with the most rows of the event, ranked by that count. */
export const topn: MetricDefinition<TopnMetric> = {
  type: 'topn',
  summary: 'the n values of `by` with the most rows',
  gives: 'ranking',
  schema: z.strictObject({
    ...metricFields,
    type: z.literal('topn'),
    event: name,
    by: name,
    n: z.number({ error: TOPN_HELP }).int({ error: TOPN_HELP }).min(1, { error: TOPN_HELP }).max(MAX_TOPN, { error: TOPN_HELP }),
  }),
  events: (m) => [{ field: 'event', event: m.event }],
  counts: (m) => [{ kind: 'rows', event: m.event }],
  value: (_m, [rows]) => ({ value: { kind: 'count', count: rows }, presentWhen: rows }),
  ranking: (m) => ({ by: m.by, size: m.n }),
  evaluate(m, tally) {
    const n = tally.rows(m.event);
    return n > 0 ? n : undefined;
  },
};
