/** The metric types a spec may use. A new type is one file here (its schema, plan and model) and one line below. */
import type { MetricDefinition } from './definition';
import { pv } from './pv';
import { ratio } from './ratio';
import { topn } from './topn';
import { uv } from './uv';

/** In the order messages and the JSON schema list them. */
export const METRIC_TYPES = { uv, pv, ratio, topn } as const;

export type MetricType = keyof typeof METRIC_TYPES;

/** A metric of the spec, one variant per type. */
export type Metric = { [K in MetricType]: (typeof METRIC_TYPES)[K] extends MetricDefinition<infer M> ? M : never }[MetricType];

export const METRIC_TYPE_NAMES = Object.keys(METRIC_TYPES) as [MetricType, ...MetricType[]];

export function metricDefinition(m: Metric): MetricDefinition<Metric> {
  return METRIC_TYPES[m.type];
}

export type { MetricDefinition } from './definition';
