/**
 * The typed plan a spec compiles to: small immutable nodes that say *what* the job does,
 * independent of SQL dialect. Dialects (`sql/dialects`) decide only *how* it is written.
 */
import type { RedisCommand } from '../redis-types';
import type { Duration } from '../expressions/duration';
import type { FilterExpr } from '../expressions/filter';
import type { KeyPart } from '../expressions/key-template';
import type { OffsetReset, RedisSpec, RedisType, SourceSpec, WindowSpec } from '../pipeline/types';
import type { SqlType } from '../pipeline/sql-types';

export interface Plan {
  readonly pipelineName: string;
  readonly specFile: string;
  readonly jobOptions: readonly JobOption[];
  readonly source: SourceNode;
  readonly window: WindowNode;
  /**
   * The window aggregations metrics read: the counts per window, and per window and value of a
   * `by` column, each computed once for every metric that reads it. Only those some metric reads.
   */
  readonly aggregations: readonly AggregationNode[];
  readonly sinks: readonly SinkNode[];
  /** The rows the job dropped, counted and written to Redis (spec job.droppedRows); absent: not counted. */
  readonly droppedRows?: DroppedRowsSink;
}

/** Counts per window (and per value of `by`), as one view, shared by the metrics that read them. */
export interface AggregationNode {
  readonly view: string;
  /** Grouped by this column beside the window; its NULL values are left out (they count for no metric with `by`). */
  readonly by?: string;
  readonly counts: readonly CountNode[];
}

export interface JobOption {
  readonly key: string;
  readonly value: string;
  /** Why it is set, printed above it. */
  readonly why: string;
  /** Checkpoints and recovery: left out where the platform manages them (Oceanus). */
  readonly checkpointing?: boolean;
}

/** The spec's source, as the job reads it (run overrides applied), plus the names the SQL adds. */
export interface SourceNode extends Omit<SourceSpec, 'format' | 'offsetReset'> {
  /**
   * The columns the source table declares: the spec's, in its order, less `unreadColumns`.
   * (What a record holds is still the spec's columns: init, produce and the model read those.)
   */
  readonly columns: SourceSpec['columns'];
  /**
   * The spec's columns nothing in the job reads, left undeclared (so not decoded) where the JSON
   * options make them irrelevant: parse errors ignored and missing fields allowed, so a column's
   * value can neither fail nor drop a row. Empty otherwise.
   */
  readonly unreadColumns: readonly string[];
  /** group-offsets only: where a group without committed offsets starts. */
  readonly offsetReset?: OffsetReset;
  /** Stop at the offsets that were latest when the job started (verify, bench)... */
  readonly bounded: boolean;
  /** ...or at these offsets of partitions 0, 1, ... (input still being written at the start). */
  readonly stopAt?: readonly number[];
  /**
   * The column the watermark is declared on. Flink needs TIMESTAMP(0..3) for a time attribute. A
   * TIMESTAMP(6) event time that nothing else reads is declared TIMESTAMP(3) (`narrowed`): the JSON
   * format parses a timestamp the same way at any precision, and the window reads milliseconds
   * either way, so only the per-row cast is saved. One that something else reads keeps its type
   * and gets a computed `CAST(... AS TIMESTAMP(3))` column (`computed`).
   */
  readonly rowtime: { readonly name: string; readonly computed: boolean; readonly narrowed: boolean };
  /** A processing-time column, when a first-seen deduplication needs one. */
  readonly proctime?: string;
  /** The first-seen deduplication's row number column, beside proctime. */
  readonly firstSeenRank?: string;
  /** A view of the source without rows whose event time is NULL: they must never fail the job. */
  readonly timedView: string;
  /**
   * Emit the watermark after every row rather than every 200 ms of processing (Flink's default),
   * so which rows are late depends on the order of the records alone, not on how fast they are read.
   */
  readonly watermarkOnEvent: boolean;
}

/** The spec's window: one variant per window type, each with its own durations (src/windows). */
export type WindowNode = WindowSpec;

/** One aggregate in the shared per-window counts. */
export type CountNode =
  | { readonly kind: 'rows'; readonly alias: string; readonly event: string; readonly filter: FilterExpr }
  | {
      readonly kind: 'distinct';
      readonly alias: string;
      readonly event: string;
      readonly filter: FilterExpr;
      readonly column: string;
    };

/** The value a scalar metric writes per window, in terms of count aliases. */
export type ValueNode =
  | { readonly kind: 'count'; readonly count: string }
  | { readonly kind: 'ratio'; readonly numerator: string; readonly denominator: string; readonly precision: number };

/** Where the sinks write: the spec's `redis` (its mode, nodes, user, TLS), or the one a run put in its place. */
export type RedisConnection = RedisSpec;

export interface SinkBase {
  readonly metric: string;
  /** The sink table's name in the generated SQL. */
  readonly table: string;
  /** Literal text and window placeholders, rendered `yyyy-MM-ddTHH:mm:ss`. */
  readonly key: readonly KeyPart[];
  readonly redis: RedisConnection;
  readonly redisType: RedisType;
  /** The Redis command the sink runs (the spec's redis.command, or the type's own). */
  readonly command: RedisCommand;
  /** The metric's `by` column: its value is computed per window and per non-NULL value of it. */
  readonly by?: string;
  /**
   * What Redis holds depends on the order of the writes (a list; a string, or a hash field, that
   * windows share and overwrite), so one sink task writes them, in the order they are computed.
   */
  readonly ordered: boolean;
}

/** Adds each distinct non-NULL value of a column as a member (set, hll), per window. */
export interface MembersSink extends SinkBase {
  readonly kind: 'members';
  /**
   * How members are deduplicated before they are written. `per-window`: the distinct members of
   * each window (the key names the window). `first-seen`: the key has no window placeholder, so
   * all windows' members land in one Redis key; each member is then written once, the first time
   * it is seen, which gives the same set with far fewer writes, at once rather than when a
   * window closes. `sink`: the same key, but the connector skips the members it has already
   * written (ConnectorTraits.skipsWrittenMembers), so every matching row's member goes to it, with
   * no state and no shuffle in the job.
   */
  readonly dedupe: 'per-window' | 'first-seen' | 'sink';
  /** First-seen only: how long a written member is remembered (spec job.stateTtl); null: forever. */
  readonly remember?: Duration | null;
  readonly filter: FilterExpr;
  readonly column: string;
  /** The member column's type in the source (a connector may take an integral one as it is). */
  readonly columnType: SqlType;
}

/** One value per window (per value of `by`), written as its Redis type says (string, list, hash). */
export interface ScalarSink extends SinkBase {
  readonly kind: 'scalar';
  /** The aggregation view it reads. */
  readonly from: string;
  readonly value: ValueNode;
  /** The count that must be above 0 for the window to exist for this metric. */
  readonly presentWhen: string;
  /**
   * With `by` into a list: a window's entries go out in `by` order, numbered by this column of a
   * rank over the window (a window's groups otherwise leave the aggregation in no set order).
   */
  readonly entryRank?: string;
}

/** A top-N: per window, the `n` values of `by` with the highest score, the count `score`. */
export interface RankedSink extends SinkBase {
  readonly kind: 'ranked';
  readonly from: string;
  readonly by: string;
  readonly score: string;
  readonly n: number;
  /** The column that numbers a window's values, highest score first. */
  readonly rank: string;
}

export type SinkNode = MembersSink | ScalarSink | RankedSink;

/**
 * The dropped rows' hash (docs/spec.md, Dropped rows): per window, the rows that arrived after the
 * watermark had passed its end, and the rows without an event time, as a running total.
 */
export interface DroppedRowsSink extends SinkBase {
  readonly kind: 'dropped';
  /** The timed rows that are late for at least one of their windows, with the watermark they met. */
  readonly lateView: string;
  /** That view's column holding the watermark the row met (CURRENT_WATERMARK when it was read). */
  readonly watermark: string;
}

/** The hash field that holds the rows without an event time (window ends are `yyyy-MM-ddTHH:mm:ss`, so it is never one). */
export const NO_EVENT_TIME_FIELD = 'no_event_time';
