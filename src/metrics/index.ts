/** The metric types a spec may use. A new type is one file here and one schema entry. */
import type { Metric } from '../spec/types';
import type { MetricDefinition } from './definition';
import { pv } from './pv';
import { ratio } from './ratio';
import { topn } from './topn';
import { uv } from './uv';

export const METRIC_TYPES: Readonly<Record<Metric['type'], MetricDefinition>> = {
  uv: uv as MetricDefinition,
  pv: pv as MetricDefinition,
  ratio: ratio as MetricDefinition,
  topn: topn as MetricDefinition,
};

export function metricDefinition(m: Metric): MetricDefinition {
  return METRIC_TYPES[m.type];
}

export type { MetricDefinition } from './definition';
