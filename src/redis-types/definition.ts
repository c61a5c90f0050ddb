/**
 * What a Redis write type is, in one place: which metrics may write it, the command(s) its sink
 * runs, the sink table's columns, how the reference model writes it, how an expectation file
 * states it, how verify reads and compares it, and how the dashboard reads it. One file per type
 * (`set.ts`, `list.ts`, ...); `index.ts` lists them. Adding a type is one file and one line there
 * (and, for a command no type runs yet, that command in uvpv's connector: connector/).
 */
import type { RedisClient } from '../util/redis';
import type { MetricType } from '../metrics';
import type { RedisCommand, RedisType } from './index';

/**
 * What a sink column carries: a member (a UV member; a top-N's value of `by`), a metric's value,
 * a hash field (the window end; with `by`, the value of `by`), the list entry
 * `{"window_start":…,"window_end":…,"value":…}`, or a top-N's score (the value's row count).
 */
export type ColumnSlot = 'member' | 'value' | 'field' | 'window_entry' | 'score';

/**
 * How a type keeps the values of a metric's `by` column apart: in the key (`{product_id}` must be
 * in it), as the hash field, as a field of each list entry, or as the members of a top-N.
 */
export type Breakdown = 'key' | 'field' | 'entry' | 'member';

/** A column of the sink table after its key column, in the order the connector maps them. */
export interface SinkColumn {
  readonly name: string;
  readonly slot: ColumnSlot;
}

/** The parts of a sink's comment: the metric, its key as the spec writes it, the command, the member column. */
export interface WriteText {
  readonly metric: string;
  readonly key: string;
  readonly command: RedisCommand;
  readonly column?: string;
  /** The metric's `by` column, if any. */
  readonly by?: string;
}

/** The value of a metric's `by` column that a write belongs to. */
export interface ByValue {
  readonly column: string;
  /** As keys and hash fields show it: plain text. */
  readonly text: string;
  /** As a list entry shows it: a JSON number, string or boolean, as the column's type. */
  readonly json: number | string | boolean;
}

/** One window's value as the reference model writes it. */
export interface WindowValue {
  readonly start: string;
  readonly end: string;
  readonly value: number | string;
  readonly command: RedisCommand;
  /** With `by`: the value of `by` it is for. */
  readonly by?: ByValue;
}

/** One member of a window's top-N: a value of `by` and its row count. */
export interface Ranked {
  readonly member: string;
  readonly score: number;
}

/** A value at a window time, `yyyy-MM-ddTHH:mm:ss`. */
export interface Point {
  t: string;
  v: number;
}

/** The few Redis commands the dashboard reads with; the dashboard's `readerOf` adapts an ioredis client. */
export interface RedisReader {
  /** One SCAN step: [next cursor, keys]. */
  scan(cursor: string, pattern: string, count: number): Promise<[string, string[]]>;
  exists(key: string): Promise<number>;
  scard(key: string): Promise<number>;
  pfcount(key: string): Promise<number>;
  get(key: string): Promise<string | null>;
  lrange(key: string, start: number, stop: number): Promise<string[]>;
  hgetall(key: string): Promise<Record<string, string>>;
  /** One HSCAN step: [next cursor, [field, value, field, value, ...]]. */
  hscan(key: string, cursor: string, count: number): Promise<[string, string[]]>;
  /** ZRANGE key start stop REV WITHSCORES: [member, score, member, score, ...], highest score first. */
  zrevrangeWithScores(key: string, start: number, stop: number): Promise<string[]>;
}

/** How the dashboard reads a key of the type. */
export type DashboardRead =
  /** One number for the whole key (a count, a value): sampled over time. */
  | { readonly kind: 'number'; read(redis: RedisReader, key: string): Promise<number | null> }
  /**
   * Values per window inside the key. `recent`: only the newest entries the command left
   * (the dashboard's view of a fixed key); otherwise all of them.
   */
  | { readonly kind: 'windows'; read(redis: RedisReader, key: string, command: RedisCommand, recent: boolean): Promise<Point[]> }
  /** A ranking inside the key (a top-N): its members, highest score first; the first `limit` of them when given. */
  | { readonly kind: 'ranking'; read(redis: RedisReader, key: string, limit?: number): Promise<Ranked[]> };

/** A problem a dialect has with a sink of this type, e.g. a command its connector lacks. */
export interface Unsupported {
  readonly field: 'redis.type' | 'redis.command' | 'redis.key';
  readonly message: string;
}

/** What every Redis type says; `RedisTypeDefinition` adds what depends on how it writes and keeps `by` apart. */
interface RedisTypeBase<C, Cmd extends string> {
  readonly name: RedisType;
  /** As prose: "a set", "an hll". */
  readonly article: string;
  /** Metric types that may write it. */
  readonly metrics: readonly MetricType[];
  /** The commands a spec may choose with `redis.command`, the default first; one: not a choice. */
  readonly commands: readonly [Cmd, ...Cmd[]];
  /** The sink's columns after the key (or all of them, where a dialect takes the key as an option). */
  readonly columns: readonly SinkColumn[];
  /**
   * How the order of writes shows in what Redis holds: `pushes`, entries stay in the order they
   * come (a list); `overwrites`, a later write replaces an earlier one (a string; a hash field),
   * which matters where windows share what they write; `none`: it never shows.
   */
  readonly order: 'pushes' | 'overwrites' | 'none';
  /** The comment above the sink table: what it writes per window. */
  describeWrite(w: WriteText): string;
  /** How a dialect without `command` refuses this type (the default names the command). */
  unsupported?(command: RedisCommand, dialect: string): Unsupported;

  /** An expectation file's value for this type: what is wrong with it, or undefined. */
  checkExpected(v: unknown): string | undefined;
  /** An expectation file's value, checked, as content. */
  expected(v: unknown): C;
  /** The Redis TYPE a key of this type has (one of TYPE's replies). */
  readonly storedAs: 'set' | 'list' | 'hash' | 'string' | 'zset' | 'stream';
  /** Verify: a key's content, or undefined when the key is not this type (e.g. a string that is no HyperLogLog). */
  snapshot(redis: RedisClient, key: string): Promise<C | undefined>;
  /** Verify: differences of `got` from `want`, one line each; empty when they match. */
  diff(want: C, got: C): string[];
  /** Verify: the content in a few words, e.g. "a set of 3". */
  describe(c: C): string;
  readonly dashboard: DashboardRead;
}

/** What a type writes per window, and how the reference model writes it. */
type Writes<C> =
  /** Each distinct member of a window (UV). */
  | { readonly writes: 'members'; fromMembers(members: ReadonlySet<string>): C }
  /** One value per window (per value of `by`): the content of a key after one more window's value. */
  | { readonly writes: 'value'; addWindow(previous: C | undefined, w: WindowValue): C }
  /**
   * A window's top-N values of `by` with their row counts: the content of a key from it. A key
   * holds one window's ranking, so it must name its window, for the reason given.
   */
  | { readonly writes: 'ranking'; fromRanking(ranked: readonly Ranked[]): C; readonly windowKeyReason: string };

/** How the values of a metric's `by` column are kept apart in it. */
type BreakdownOf =
  | { readonly breakdown: Exclude<Breakdown, 'entry'> }
  /** In JSON entries (a list), whose own fields a `by` column's name must not take. */
  | { readonly breakdown: 'entry'; readonly entryFields: readonly string[] };

/** A Redis write type: `C` is a key's content as verify reads it, `Cmd` the commands it runs. */
export type RedisTypeDefinition<C = unknown, Cmd extends string = RedisCommand> = RedisTypeBase<C, Cmd> & Writes<C> & BreakdownOf;

export function quote(s: string): string {
  return JSON.stringify(s);
}
