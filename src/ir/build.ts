/** Spec → plan: decides what the job computes, once, for every dialect. */
import { membersOf, metricDefinition, rankingOf, type CountRequest } from '../metrics';
import { commandOf, pushesWindowEntries, REDIS_TYPES } from '../redis-types';
import { filterColumns } from '../expressions/filter';
import { namesOneWindow, namesWindow, parseKey } from '../expressions/key-template';
import { WINDOW_COLUMNS } from '../pipeline/names';
import type { Column, KafkaSecurity, Spec } from '../pipeline/types';
import { required } from '../util/required';
import type { CountNode, DroppedRowsSink, JobOption, Plan, RedisConnection, SinkNode, SourceNode } from './nodes';

/**
 * What the target's Redis connector does that changes what the job itself must compute (the
 * dialects' capabilities include these; a plan built without them assumes a connector without).
 */
export interface ConnectorTraits {
  /**
   * The sink skips members it has already written (uvpv's connector: a bounded cache of them),
   * so a fixed-key set or hll needs no deduplication in the job: SADD and PFADD ignore a repeat,
   * and a member the cache has forgotten (evicted, or after a restore) only costs a write.
   */
  readonly skipsWrittenMembers: boolean;
}

const PLAIN_CONNECTOR: ConnectorTraits = { skipsWrittenMembers: false };

/** What a run may change without touching the spec (verify and bench use these). */
export interface PlanOverrides {
  /** Read this topic instead of the spec's. */
  topic?: string;
  /** Read from these brokers instead of the spec's, with `security` (undefined: plaintext), not the spec's. */
  bootstrapServers?: string;
  security?: KafkaSecurity;
  groupId?: string;
  /**
   * Read from the earliest offset and stop: `true` at the latest offsets seen at start; a list,
   * at these offsets of partitions 0, 1, ... (for input still being written when the job starts).
   */
  bounded?: boolean | readonly number[];
  /** Checkpoint this often instead of the spec's job.checkpointInterval (verify's fault runs). */
  checkpointInterval?: { millis: number; text: string };
  /** Write to this standalone Redis (no user, no TLS) instead of the spec's, whatever mode the spec's has. */
  redis?: StandaloneRedis;
  /** Name the Flink job this instead of the pipeline name (a verify run must not look deployed). */
  jobName?: string;
  /** Emit watermarks every 200 ms of processing (Flink's default) instead of after every row: the bench measures what on-event costs. */
  periodicWatermarks?: boolean;
}

export function buildPlan(spec: Spec, overrides: PlanOverrides = {}, connector: ConnectorTraits = PLAIN_CONNECTOR): Plan {
  // Every name the generated SQL adds is claimed here, against the spec's own names, so that
  // none can hide or collide with a user's table, column or another generated name.
  const tables = new Names([spec.source.table]);
  const columns = new Names([...spec.source.columns.map((c) => c.name), ...WINDOW_COLUMNS]);
  const source = sourceNode(spec, overrides, tables, columns);
  // One aggregation per `by` column (and one without), claimed in the order metrics first read them.
  // Each view's columns are a namespace of their own: the source's columns, the window's, its counts' and its rank's.
  const aggregations = new Map<
    string,
    { view: string; by?: string; counts: CountNode[]; aliases: Map<string, string>; columns: Names; readers: number }
  >();
  const aggregation = (by: string | undefined) => {
    const id = by ?? '';
    let a = aggregations.get(id);
    if (!a) {
      const view = tables.claim(by === undefined ? 'window_counts' : `window_counts_by_${by}`);
      a = { view, by, counts: [], aliases: new Map(), columns: columns.fork(), readers: 0 };
      aggregations.set(id, a);
    }
    return a;
  };
  const countAlias = (a: ReturnType<typeof aggregation>, count: CountRequest): string => {
    const identity = JSON.stringify([count.kind, count.event, count.kind === 'distinct' ? count.column : null]);
    let alias = a.aliases.get(identity);
    if (alias === undefined) {
      alias = a.columns.claim(count.kind === 'rows' ? `${count.event}_rows` : `${count.event}_distinct_${count.column}`);
      a.aliases.set(identity, alias);
      a.counts.push({ ...count, alias, filter: eventFilter(spec, count.event) });
    }
    return alias;
  };

  const redis: RedisConnection = overrides.redis ? standalone(overrides.redis) : spec.redis;
  const sinks: SinkNode[] = spec.metrics.map((m) => {
    const def = metricDefinition(m);
    const table = tables.claim(`redis_${m.name}`);
    const type = REDIS_TYPES[m.redis.type];
    const key = parseKey(m.redis.key, m.by);
    // What windows share (a key; a hash field, where the field is the value of `by`) keeps their last write.
    const shared = !namesOneWindow(key, spec.window.type) && (type.breakdown !== 'field' || m.by !== undefined);
    const ordered = type.order === 'pushes' || (type.order === 'overwrites' && shared);
    const base = { metric: m.name, table, key, redis, redisType: m.redis.type, command: commandOf(m.redis), by: m.by, ordered };
    if (type.writes === 'members') {
      const member = membersOf(m);
      const dedupe = namesWindow(key) ? 'per-window' : connector.skipsWrittenMembers ? 'sink' : 'first-seen';
      const remember = dedupe === 'first-seen' ? spec.job.stateTtl : undefined;
      const columnType = required(spec.source.columns.find((c) => c.name === member.column)?.type, `the type of column ${member.column}`);
      return { ...base, kind: 'members', dedupe, remember, filter: eventFilter(spec, member.event), column: member.column, columnType };
    }
    const a = aggregation(m.by);
    a.readers++;
    const countAliases = def.counts(m).map((c) => countAlias(a, c));
    const { value, presentWhen } = def.value(m, countAliases);
    if (type.writes === 'ranking') {
      const ranking = rankingOf(m);
      return {
        ...base,
        kind: 'ranked',
        from: a.view,
        by: ranking.by,
        score: countAliases[0],
        n: ranking.size,
        rank: a.columns.claim('top_rank'),
      };
    }
    const entryRank = m.by !== undefined && pushesWindowEntries(m.redis.type) ? a.columns.claim('entry_rank') : undefined;
    return { ...base, kind: 'scalar', from: a.view, value, presentWhen, entryRank };
  });

  const firstSeen = sinks.some((s) => s.kind === 'members' && s.dedupe === 'first-seen');
  const views = [...aggregations.values()];
  const firstSeenColumns = firstSeen ? { proctime: columns.claim('proctime'), firstSeenRank: columns.claim('seen') } : {};
  const dropped = spec.job.droppedRows;
  const droppedRows: DroppedRowsSink | undefined = dropped && {
    kind: 'dropped',
    metric: 'droppedRows',
    table: tables.claim('redis_dropped_rows'),
    key: parseKey(dropped.key),
    redis,
    redisType: dropped.type,
    command: 'hset',
    // Each window's count is overwritten as late rows arrive: one writer keeps the last.
    ordered: true,
    lateView: tables.claim('late_rows'),
    watermark: columns.fork().claim('watermark'),
  };
  return {
    pipelineName: spec.name,
    specFile: spec.file,
    jobOptions: jobOptions(spec, views, overrides, firstSeen),
    source: { ...source, ...declaredColumns(spec, columnsRead(views, sinks), source.rowtime), ...firstSeenColumns },
    window: spec.window,
    aggregations: views.map(({ view, by, counts }) => (by === undefined ? { view, counts } : { view, by, counts })),
    sinks,
    ...(droppedRows ? { droppedRows } : {}),
  };
}

/** The source columns the counts and sinks read (the event time only where one of them reads it). */
function columnsRead(views: readonly { by?: string; counts: readonly CountNode[] }[], sinks: readonly SinkNode[]): Set<string> {
  const read = new Set<string>();
  for (const v of views) {
    if (v.by !== undefined) read.add(v.by);
    for (const c of v.counts) {
      filterColumns(c.filter).forEach((name) => read.add(name));
      if (c.kind === 'distinct') read.add(c.column);
    }
  }
  for (const s of sinks) {
    if (s.by !== undefined) read.add(s.by);
    for (const part of s.key) if ('column' in part) read.add(part.column);
    if (s.kind === 'members') {
      filterColumns(s.filter).forEach((name) => read.add(name));
      read.add(s.column);
    }
  }
  return read;
}

/**
 * The columns the source table declares. Where a parse error is a NULL and a missing field too,
 * a column nothing reads can neither fail nor drop a row, so it is left out: Flink then does not
 * decode it (its Kafka table source cannot prune columns itself).
 */
function declaredColumns(
  spec: Spec,
  read: ReadonlySet<string>,
  rowtime: SourceNode['rowtime'],
): Pick<SourceNode, 'columns' | 'unreadColumns' | 'rowtime'> {
  const s = spec.source;
  const unreadIrrelevant = s.ignoreParseErrors && !s.failOnMissingField;
  const kept = unreadIrrelevant ? s.columns.filter((c) => c.name === s.eventTime || read.has(c.name)) : s.columns;
  const unreadColumns = s.columns.filter((c) => !kept.includes(c)).map((c) => c.name);
  if (!rowtime.computed || read.has(s.eventTime)) return { columns: kept, unreadColumns, rowtime };
  const millis = (c: Column): Column => (c.name === s.eventTime ? { ...c, type: { ...c.type, sql: 'TIMESTAMP(3)', precision: 3 } } : c);
  return { columns: kept.map(millis), unreadColumns, rowtime: { name: s.eventTime, computed: false, narrowed: true } };
}

/** A standalone Redis a run writes to instead of the spec's (the local stack's, a verify namespace). */
export type StandaloneRedis = Pick<RedisConnection, 'host' | 'port' | 'password' | 'database'>;

function standalone(r: StandaloneRedis): RedisConnection {
  return { ...r, mode: 'standalone', nodes: [`${r.host.includes(':') ? `[${r.host}]` : r.host}:${r.port}`] };
}

function sourceNode(spec: Spec, o: PlanOverrides, tables: Names, columns: Names): Omit<SourceNode, 'columns' | 'unreadColumns'> {
  const s = spec.source;
  const eventColumn = required(
    s.columns.find((c) => c.name === s.eventTime),
    `the event-time column ${s.eventTime}`,
  );
  const precision = eventColumn.type.precision ?? 6;
  const rowtime =
    precision <= 3
      ? { name: s.eventTime, computed: false, narrowed: false }
      : { name: columns.claim('rowtime'), computed: true, narrowed: false };
  const startupMode = o.bounded ? 'earliest-offset' : s.startupMode;
  return {
    table: s.table,
    topic: o.topic ?? s.topic,
    bootstrapServers: o.bootstrapServers ?? s.bootstrapServers,
    security: o.bootstrapServers === undefined ? s.security : o.security,
    groupId: o.groupId ?? s.groupId,
    startupMode,
    offsetReset: startupMode === 'group-offsets' ? s.offsetReset : undefined,
    bounded: o.bounded !== undefined && o.bounded !== false,
    stopAt: Array.isArray(o.bounded) ? (o.bounded as readonly number[]) : undefined,
    ignoreParseErrors: s.ignoreParseErrors,
    failOnMissingField: s.failOnMissingField,
    eventTime: s.eventTime,
    rowtime,
    watermarkDelay: s.watermarkDelay,
    timedView: tables.claim(`${s.table}_timed`),
    watermarkOnEvent: !o.periodicWatermarks,
  };
}

function jobOptions(
  spec: Spec,
  views: readonly { by?: string; counts: readonly CountNode[]; readers: number }[],
  o: PlanOverrides,
  firstSeen: boolean,
): JobOption[] {
  const checkpoint = o.checkpointInterval ?? spec.job.checkpointInterval;
  const options: JobOption[] = [
    {
      key: 'pipeline.name',
      value: o.jobName ?? spec.name,
      why: 'Names the Flink job after the pipeline, so that deploy, status and stop can find it.',
    },
    {
      key: 'parallelism.default',
      value: String(spec.job.parallelism),
      why:
        spec.job.parallelism === 1
          ? 'One task per operator: windows then reach Redis in window_end order (newest list entry first).'
          : 'Parallel tasks per operator (spec job.parallelism). The window counts have no key, so they run as one task and emit windows in window_end order' +
            (views.some((v) => v.by !== undefined)
              ? '; counts by a column are keyed by its value, so all windows of one value come from one task, in window_end order.'
              : '.'),
    },
    {
      key: 'pipeline.object-reuse',
      value: 'true',
      why: "Passes rows between chained operators without copying them, for throughput: Flink's SQL operators do not hold on to a row they pass on, so sharing it is safe.",
    },
    {
      key: 'execution.checkpointing.interval',
      value: `${checkpoint.millis / 1000} s`,
      why: 'Checkpoints Kafka offsets and window state, so a restart resumes from them instead of from nothing.',
      checkpointing: true,
    },
    {
      key: 'restart-strategy.type',
      value: 'exponential-delay',
      why: "A failed job (a lost TaskManager, Redis or Kafka away for a while) restarts from its last checkpoint, waiting longer between attempts (Flink's defaults: 1 s, growing 1.5 times, at most 1 min).",
      checkpointing: true,
    },
    {
      key: 'execution.checkpointing.externalized-checkpoint-retention',
      value: 'RETAIN_ON_CANCELLATION',
      why: 'Keeps the last checkpoint when the job fails or is cancelled, so that the next deploy resumes from its state and offsets.',
      checkpointing: true,
    },
  ];
  if (spec.job.parallelism > 1) {
    options.push({
      key: 'table.exec.source.idle-timeout',
      value: '1 min',
      why:
        'With parallel sources, a partition without new records for a minute no longer holds back the watermark, so windows still close. ' +
        'Not sooner: a partition that is only slow (a broker restarting, a consumer catching up) would fall behind the watermark and its rows be dropped as late.',
    });
  }
  const ttl = spec.job.stateTtl;
  if (firstSeen && ttl) {
    options.push({
      key: 'table.exec.state.ttl',
      value: flinkDuration(ttl.millis),
      why:
        `Forgets a UV member ${ttl.text} after writing it (Flink's state TTL counts from the write, not from the last sighting; seen again, it is written again: SADD/PFADD ignore repeats), so deduplication state stays bounded (spec job.stateTtl; 'none' keeps it forever, ` +
        'which saves the TTL bookkeeping but lets this state grow with every member ever seen). Window state is not affected.',
    });
  }
  if (views.some((v) => v.readers > 1)) {
    options.push({
      key: 'table.optimizer.reuse-optimize-block-with-digest-enabled',
      value: 'true',
      why:
        'Computes the shared window counts once for all the metrics that read them. Without it the planner optimizes each INSERT on its own, ' +
        'prunes the counts each one does not use, and runs one window aggregation per metric, each with its own copy of the window state.',
    });
  }
  // At parallelism 1 there is no task to spread a hot window or user over: the second level only costs.
  if (spec.job.parallelism > 1 && views.some((v) => v.counts.some((c) => c.kind === 'distinct'))) {
    options.push({
      key: 'table.optimizer.distinct-agg.split.enabled',
      value: 'true',
      why: 'Splits COUNT(DISTINCT) for UV into two aggregation levels, so one hot window or user cannot overload a task.',
    });
  }
  return options;
}

/** A duration in Flink's option syntax, in the largest unit that divides it. */
function flinkDuration(millis: number): string {
  for (const [unit, ms] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1_000],
  ] as const) {
    if (millis % ms === 0) return `${millis / ms} ${unit}`;
  }
  return `${millis} ms`;
}

function eventFilter(spec: Spec, name: string) {
  return required(
    spec.events.find((e) => e.name === name),
    `event ${name}`,
  ).filter;
}

/** One namespace of generated SQL: names compare without case, as a reader would confuse them. */
class Names {
  private readonly taken = new Set<string>();

  constructor(reserved: Iterable<string>) {
    for (const name of reserved) this.taken.add(name.toLowerCase());
  }

  /** A namespace that starts with every name this one has taken. */
  fork(): Names {
    return new Names(this.taken);
  }

  /** `wanted`, or else `wanted_2`, `wanted_3`, ...: the first that nothing else has. */
  claim(wanted: string): string {
    let name = wanted;
    for (let i = 2; this.taken.has(name.toLowerCase()); i++) name = `${wanted}_${i}`;
    this.taken.add(name.toLowerCase());
    return name;
  }
}
