/**
 * What a metric type is, in one place: its schema, which events
 * and columns it reads, how it becomes plan nodes, and how the reference model computes it.
 * (Which Redis types may hold it is said by each Redis type: src/redis-types.)
 */
import type { z } from 'zod';
import type { CountNode, ValueNode } from '../ir/nodes';
import type { MetricBase } from '../pipeline/types';

export interface CountRequest {
  readonly kind: CountNode['kind'];
  readonly event: string;
  readonly column?: string;
}

/** The counts of one window (with `by`: of one value of it) for one metric, as the reference model computes them. */
export interface WindowTally {
  /** Rows matching `event`. */
  rows(event: string): number;
  /** Distinct non-NULL values of `column` among rows matching `event`. */
  distinct(event: string, column: string): number;
}

export interface MetricDefinition<M extends MetricBase & { readonly type: string } = MetricBase & { readonly type: string }> {
  readonly type: M['type'];
  /** What it computes, in a few words, for the JSON schema's description: "row count". */
  readonly summary: string;
  /** Its section of a spec, structure only (check.ts checks meaning); it reads as an `M`. */
  readonly schema: z.ZodObject & z.ZodType<M>;
  /** Spec fields (and values) naming events, for reference checks. */
  events(m: M): { field: string; event: string }[];
  /** The column a `set`/`hll` write adds as members (uv only). */
  memberColumn?(m: M): { event: string; column: string };
  /** The counts the metric's value needs, in order. */
  counts(m: M): CountRequest[];
  /** The value in terms of the aliases given for `counts(m)`, and which one says "present". */
  value(m: M, aliases: string[]): { value: ValueNode; presentWhen: string };
  /** A top-N's size: how many values of `by` it ranks per window, by its value (the score). */
  rankSize?(m: M): number;
  /** Reference model: the value for one window (and value of `by`), or undefined when there is none. */
  evaluate(m: M, tally: WindowTally): number | string | undefined;
}
