/** The metric types a spec may use. A new type is one file here (its schema, plan and model) and one line below. */
import type { MemberColumn, MetricDefinition, Ranking } from './definition';
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

/**
 * The members a metric gives a Redis type that writes members (set, hll). The Redis types list the
 * metric types that may write them, and the spec's check holds each metric to that list.
 */
export function membersOf(m: Metric): MemberColumn {
  const def = metricDefinition(m);
  if (def.gives !== 'members') throw new Error(`a ${m.type} metric gives no members to write as a Redis ${m.redis.type}`);
  return def.members(m);
}

/** The ranking a metric gives a Redis type that writes a ranking (zset); as `membersOf`, held to the Redis types' lists. */
export function rankingOf(m: Metric): Ranking {
  const def = metricDefinition(m);
  if (def.gives !== 'ranking') throw new Error(`a ${m.type} metric gives no ranking to write as a Redis ${m.redis.type}`);
  return def.ranking(m);
}

export type { CountRequest, MemberColumn, MetricDefinition, MetricShape, Ranking } from './definition';
