/** Spec → plan: decides what the job computes, once, for every dialect. */
import { metricDefinition } from '../metrics';
import { commandOf, REDIS_TYPES } from '../redis-types';
import { parseKey } from '../spec/key-template';
import { WINDOW_COLUMNS } from '../spec/names';
import type { Spec } from '../spec/types';
import type { CountNode, JobOption, Plan, RedisConnection, SinkNode, SourceNode, WindowNode } from './nodes';

/** What a run may change without touching the spec (verify and bench use these). */
export interface PlanOverrides {
  /** Read this topic instead of the spec's. */
  topic?: string;
  bootstrapServers?: string;
  groupId?: string;
  /**
   * Read from the earliest offset and stop: `true` at the latest offsets seen at start; a list,
   * at these offsets of partitions 0, 1, ... (for input still being written when the job starts).
   */
  bounded?: boolean | readonly number[];
  /** Checkpoint this often instead of the spec's job.checkpointInterval (verify's fault runs). */
  checkpointInterval?: { millis: number; text: string };
  /** Write to this Redis instead of the spec's. */
  redis?: Partial<RedisConnection>;
  /** Name the Flink job this instead of the pipeline name (a verify run must not look deployed). */
  jobName?: string;
}

export function buildPlan(spec: Spec, overrides: PlanOverrides = {}): Plan {
  // Every name the generated SQL adds is claimed here, against the spec's own names, so that
  // none can hide or collide with a user's table, column or another generated name.
  const tables = new Names([spec.source.table]);
  const columns = new Names([...spec.source.columns.map((c) => c.name), ...WINDOW_COLUMNS]);
  const source = sourceNode(spec, overrides, tables, columns);
  const countsView = tables.claim('window_counts');
  const counts: CountNode[] = [];
  const aliases = new Map<string, string>();
  const countAlias = (kind: CountNode['kind'], event: string, column?: string): string => {
    const identity = JSON.stringify([kind, event, column ?? null]);
    let alias = aliases.get(identity);
    if (alias === undefined) {
      alias = columns.claim(kind === 'rows' ? `${event}_rows` : `${event}_distinct_${column}`);
      aliases.set(identity, alias);
      const filter = eventFilter(spec, event);
      counts.push(kind === 'rows' ? { kind, alias, event, filter } : { kind, alias, event, filter, column: column! });
    }
    return alias;
  };

  const redis: RedisConnection = { ...spec.redis, ...overrides.redis };
  const sinks: SinkNode[] = spec.metrics.map((m) => {
    const def = metricDefinition(m);
    const table = tables.claim(`redis_${m.name}`);
    const type = REDIS_TYPES[m.redis.type];
    const base = { metric: m.name, table, key: parseKey(m.redis.key), redis, redisType: m.redis.type, command: commandOf(m.redis) };
    if (type.writes === 'members') {
      const member = def.memberColumn!(m);
      const dedupe = base.key.every((k) => 'text' in k) ? 'first-seen' : 'per-window';
      const remember = dedupe === 'first-seen' ? spec.job.stateTtl : undefined;
      return { ...base, kind: 'members', dedupe, remember, filter: eventFilter(spec, member.event), column: member.column };
    }
    const countAliases = def.counts(m).map((c) => countAlias(c.kind, c.event, c.column));
    const { value, presentWhen } = def.value(m, countAliases);
    return { ...base, kind: 'scalar', value, presentWhen };
  });

  const firstSeen = sinks.some((s) => s.kind === 'members' && s.dedupe === 'first-seen');
  return {
    pipelineName: spec.name,
    specFile: spec.file,
    jobOptions: jobOptions(spec, counts, overrides, firstSeen, sinks.filter((s) => s.kind === 'scalar').length),
    source: firstSeen ? { ...source, proctime: columns.claim('proctime'), firstSeenRank: columns.claim('seen') } : source,
    window: specWindow(spec),
    countsView,
    counts,
    sinks,
  };
}

function sourceNode(spec: Spec, o: PlanOverrides, tables: Names, columns: Names): SourceNode {
  const s = spec.source;
  const eventColumn = s.columns.find((c) => c.name === s.eventTime)!;
  const precision = eventColumn.type.precision ?? 6;
  const rowtime = precision <= 3 ? { name: s.eventTime, computed: false } : { name: columns.claim('rowtime'), computed: true };
  const startupMode = o.bounded ? 'earliest-offset' : s.startupMode;
  return {
    table: s.table,
    topic: o.topic ?? s.topic,
    bootstrapServers: o.bootstrapServers ?? s.bootstrapServers,
    groupId: o.groupId ?? s.groupId,
    startupMode,
    offsetReset: startupMode === 'group-offsets' ? s.offsetReset : undefined,
    bounded: o.bounded !== undefined && o.bounded !== false,
    stopAt: Array.isArray(o.bounded) ? (o.bounded as readonly number[]) : undefined,
    ignoreParseErrors: s.ignoreParseErrors,
    failOnMissingField: s.failOnMissingField,
    columns: s.columns,
    eventTime: s.eventTime,
    rowtime,
    watermarkDelay: s.watermarkDelay,
    timedView: tables.claim(`${s.table}_timed`),
  };
}

function jobOptions(spec: Spec, counts: CountNode[], o: PlanOverrides, firstSeen: boolean, countReaders: number): JobOption[] {
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
          : 'Parallel tasks per operator (spec job.parallelism). The window counts have no key, so they run as one task and emit windows in window_end order.',
    },
    {
      key: 'pipeline.object-reuse',
      value: 'true',
      why: 'Passes rows between chained operators without copying them (the bench measures it: variant no-object-reuse).',
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
        'for more throughput: bench variant no-ttl). Window state is not affected.',
    });
  }
  if (countReaders > 1) {
    options.push({
      key: 'table.optimizer.reuse-optimize-block-with-digest-enabled',
      value: 'true',
      why:
        'Computes the shared window counts once for all the metrics that read them. Without it the planner optimizes each INSERT on its own, ' +
        'prunes the counts each one does not use, and runs one window aggregation per metric (the bench measures it: variant counts-per-metric).',
    });
  }
  if (counts.some((c) => c.kind === 'distinct')) {
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

function specWindow(spec: Spec): WindowNode {
  return { type: spec.window.type, size: spec.window.size, slide: spec.window.slide, step: spec.window.step };
}

function eventFilter(spec: Spec, name: string) {
  return spec.events.find((e) => e.name === name)!.filter;
}

/** One namespace of generated SQL: names compare without case, as a reader would confuse them. */
class Names {
  private readonly taken = new Set<string>();

  constructor(reserved: Iterable<string>) {
    for (const name of reserved) this.taken.add(name.toLowerCase());
  }

  /** `wanted`, or else `wanted_2`, `wanted_3`, ...: the first that nothing else has. */
  claim(wanted: string): string {
    let name = wanted;
    for (let i = 2; this.taken.has(name.toLowerCase()); i++) name = `${wanted}_${i}`;
    this.taken.add(name.toLowerCase());
    return name;
  }
}
