/**
 * What a metric type is, in one place: its schema, which events
 * and columns it reads, how it becomes plan nodes, and how the reference model computes it.
 * (Which Redis types may hold it is said by each Redis type: src/redis-types.)
 */
import type { z } from 'zod';
import type { ValueNode } from '../ir/nodes';
import type { MetricBase } from '../pipeline/types';

/** A count a metric's value needs: the rows of an event, or the distinct values of a column among them. */
export type CountRequest =
  { readonly kind: 'rows'; readonly event: string } | { readonly kind: 'distinct'; readonly event: string; readonly column: string };

/** The counts of one window (with `by`: of one value of it) for one metric, as the reference model computes them. */
export interface WindowTally {
  /** Rows matching `event`. */
  rows(event: string): number;
  /** Distinct non-NULL values of `column` among rows matching `event`. */
  distinct(event: string, column: string): number;
}

type AnyMetric = MetricBase & { readonly type: string };

/** The zod shape of a metric's section: its fields' schemas by name. */
export type MetricShape = Readonly<Record<string, z.ZodType>>;

/** What every metric type says. */
interface MetricDefinitionBase<M extends AnyMetric> {
  readonly type: M['type'];
  /** What it computes, in a few words, for the JSON schema's description: "row count". */
  readonly summary: string;
  /** Its section of a spec, structure only (check.ts checks meaning); it reads as an `M`. */
  readonly schema: z.ZodObject<MetricShape> & z.ZodType<M>;
  /** Spec fields (and values) naming events, for reference checks. */
  events(m: M): { field: string; event: string }[];
  /** The counts the metric's value needs, in order. */
  counts(m: M): CountRequest[];
  /** The value in terms of the aliases given for `counts(m)`, and which one says "present". */
  value(m: M, aliases: string[]): { value: ValueNode; presentWhen: string };
  /** Reference model: the value for one window (and value of `by`), or undefined when there is none. */
  evaluate(m: M, tally: WindowTally): number | string | undefined;
}

/**
 * What a metric gives the Redis types that hold more than its value per window. A Redis type that
 * writes members or a ranking (src/redis-types) lists only metric types that give it.
 */
type Gives<M extends AnyMetric> =
  /** Its value per window (and value of `by`) only: pv, ratio. */
  | { readonly gives: 'value' }
  /** A count of distinct values, whose members a set or an HyperLogLog can hold instead (uv). */
  | { readonly gives: 'members'; members(m: M): MemberColumn }
  /** A ranking of the values of `by` per window, by its value, the score (topn). */
  | { readonly gives: 'ranking'; ranking(m: M): Ranking };

/** The column whose distinct non-NULL values among an event's rows are written as members. */
export interface MemberColumn {
  readonly event: string;
  readonly column: string;
}

/** A top-N: the column whose values it ranks, and how many of them per window. */
export interface Ranking {
  readonly by: string;
  readonly size: number;
}

export type MetricDefinition<M extends AnyMetric = AnyMetric> = MetricDefinitionBase<M> & Gives<M>;
