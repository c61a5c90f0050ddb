/**
 * The base Flink SQL compiler. It writes everything open-source Flink and Oceanus share;
 * a dialect overrides the protected hooks where it differs (today: the Redis sink's options)
 * and declares what it can do in `capabilities`, instead of `if (dialect === ...)` checks.
 */
import { posix } from 'node:path';
import type { ConnectorTraits } from '../ir/build';
import type { KafkaSecurity, Secret } from '../pipeline/types';
import {
  NO_EVENT_TIME_FIELD,
  type AggregationNode,
  type CountNode,
  type DroppedRowsSink,
  type MembersSink,
  type Plan,
  type RankedSink,
  type ScalarSink,
  type SinkBase,
  type SinkNode,
  type ValueNode,
  type WindowNode,
} from '../ir/nodes';
import { redisType, type ColumnSlot, type RedisCommand } from '../redis-types';
import { intervalLiteral, type Duration } from '../expressions/duration';
import { renderFilter, type FilterExpr } from '../expressions/filter';
import { keyText, placeholderTexts, type KeyPart } from '../expressions/key-template';
import { required } from '../util/required';
import { windowType } from '../windows';
import { REDIS_OPTIONS } from './dialects/redis-options';
import { commentText, quoteIdent, quoteString } from './escape';
import { escapeJaas, indentSql, joinSql, renderSql, sql, stringLiteral, type RenderMode, type SqlText, type SqlValue } from './parts';

export type DialectName = 'flink' | 'oceanus';

/** Which Redis SQL connector the flink dialect writes for: jeff-zou's, or uvpv's own (the local stack's). */
export type RedisConnectorName = 'jeff-zou' | 'uvpv';

/** What the dialect's connector can do; ConnectorTraits are those the plan itself depends on. */
/** A step of exactly one of these units floors with FLOOR(... TO unit) alone. */
const ONE_UNIT_FLOORS: readonly (readonly [string, number])[] = [
  ['SECOND', 1000],
  ['MINUTE', 60_000],
  ['HOUR', 3_600_000],
  ['DAY', 86_400_000],
];

export interface Capabilities extends ConnectorTraits {
  /** The Redis commands the connector's sink can run. */
  readonly commands: ReadonlySet<RedisCommand>;
  /**
   * Commands whose key the connector takes from a fixed option (Oceanus's `additional-key` for
   * HSET and ZADD), not from the first column: their key cannot change per window or value.
   */
  readonly keyOptionCommands: ReadonlySet<RedisCommand>;
  /**
   * The Redis connector can skip a list entry for a window the list already holds (uvpv's
   * 'list.push-if-newer-field'), so a window replayed after a restore is not pushed twice.
   */
  readonly idempotentListPush: boolean;
  /**
   * The sink's SADD and PFADD take an integral (TINYINT, SMALLINT, INT, BIGINT) member column as it
   * is and write its decimal text, the same as CAST(... AS STRING) (uvpv's connector, which reads it
   * as a number): such a member is selected and declared with its own type, with no cast per row.
   */
  readonly integralMembers: boolean;
  /**
   * A write Redis does not take may be dropped without failing the job, so a restart from the
   * last checkpoint cannot make up for it (jeff-zou's connector sends each write asynchronously
   * and does not look at the answer: measured with verify --fault redis-outage).
   */
  readonly dropsFailedWrites: boolean;
  /**
   * The platform sets the checkpoint interval from the job's configuration and restarts failed
   * jobs itself (Oceanus): no checkpoint or recovery options in the SQL, where they may not take effect.
   */
  readonly managesCheckpoints: boolean;
  /**
   * The Kafka source can emit its watermark after every row ('scan.watermark.emit.strategy',
   * Flink 1.18 and later), so which rows are late does not depend on processing speed.
   */
  readonly onEventWatermarks: boolean;
}

/**
 * A problem a dialect has with a plan, and why: with `metric`, at `field` of that metric; without,
 * at `field` from the spec's top (a connection setting, such as `redis.tls`).
 */
export interface DialectProblem {
  readonly metric?: string;
  readonly field: string;
  readonly message: string;
}

export interface Column {
  readonly name: string;
  readonly type: string;
}

/** A sink column after the key: its name, the slot it carries, its SQL type. */
export interface SlotColumn extends Column {
  readonly slot: ColumnSlot;
}

/**
 * One statement of the generated script: what it does (`set` a job option, `create` a table or
 * view, or one `insert` of the job's inserts), the comment printed above it, and its SQL
 * without the closing `;`, as parts that keep its secrets apart (see parts.ts). The script is
 * rendered from these; tools that submit or plan statements one at a time take them as they
 * are, never by splitting the text again.
 */
export interface SqlStatement {
  readonly kind: 'set' | 'create' | 'insert';
  /** Comment lines (each starting `-- `), or '' for none. */
  readonly comment: string;
  readonly parts: SqlText;
}

/**
 * The WITH options that may hold a secret. The compiler writes secrets under these keys only;
 * SQL read back from a target, which is text, has these options' values masked (read-back.ts).
 */
export const SECRET_OPTIONS: ReadonlySet<string> = new Set([
  REDIS_OPTIONS.password,
  REDIS_OPTIONS.sentinelsPassword,
  'properties.sasl.jaas.config',
  'properties.ssl.key.password',
]);

/**
 * The inserts as one `EXECUTE STATEMENT SET`, so that the pipeline is one Flink job: its SQL
 * without the closing `;`, as the script shows it and a SQL Gateway runs it.
 */
function statementSet(inserts: readonly SqlStatement[]): SqlText {
  const body = joinSql(
    inserts.map((st) => indentSql(sql`${st.parts};`, '  ')),
    '\n\n',
  );
  return sql`EXECUTE STATEMENT SET\nBEGIN\n\n${body}\n\nEND`;
}

/** A compiled job's statements and how its inserts are written: what a target is sent. */
export interface JobSql {
  readonly statements: readonly SqlStatement[];
  /**
   * The inserts as one `EXECUTE STATEMENT SET` (true), or as plain `INSERT INTO` statements one
   * after another (false), which a service that submits the whole script as one job (Oceanus)
   * runs as one job too. The dialect decides (`SqlCompiler.statementSet`).
   */
  readonly statementSet: boolean;
}

/** The inserts as the job runs them: one statement set, or each on its own. */
function insertParts(job: JobSql): SqlText[] {
  const inserts = job.statements.filter((st) => st.kind === 'insert');
  return job.statementSet ? [statementSet(inserts)] : inserts.map((st) => st.parts);
}

/**
 * The job as a target runs it, one statement at a time (each without its closing `;` or its
 * comment): every SET and CREATE in order, then the inserts, as one statement set or plain.
 */
export function jobParts(job: JobSql): SqlText[] {
  return [...job.statements.filter((st) => st.kind !== 'insert').map((st) => st.parts), ...insertParts(job)];
}

/** `jobParts` rendered: the statements a target runs, as text. */
export function jobStatements(job: JobSql, mode: RenderMode): string[] {
  return jobParts(job).map((st) => renderSql(st, mode));
}

/**
 * The job as one script without comments: what a service that takes a whole file but no comments
 * (Oceanus: its SET statement takes none) is sent. Built from the statements, never by removing
 * comments from text, where `--` may stand inside a string.
 */
export function uncommentedScript(job: JobSql, mode: RenderMode): string {
  return `${jobStatements(job, mode)
    .map((st) => `${st};`)
    .join('\n\n')}\n`;
}

/**
 * The Kafka client settings of `security`, as the Kafka source's `properties.*` options. A PEM
 * truststore is read from its file (ssl.truststore.location). A client certificate and key are
 * two files, and Kafka reads a PEM keystore file only with both in one, so they are given as the
 * inline PEM options (ssl.keystore.certificate.chain, ssl.keystore.key), each read from its file
 * on the TaskManager by Kafka's DirectoryConfigProvider (`${dir:<folder>:<file>}`): the key never
 * stands in the SQL.
 */
export function kafkaSecurityOptions(k: KafkaSecurity): [string, SqlValue][] {
  const options: [string, SqlValue][] = [['properties.security.protocol', k.protocol]];
  if (k.sasl) {
    const { mechanism, username, password } = k.sasl;
    const module = mechanism === 'PLAIN' ? 'plain.PlainLoginModule' : 'scram.ScramLoginModule';
    const secret = { path: 'source.security.password', placeholder: password.placeholder, value: password.value };
    options.push(
      ['properties.sasl.mechanism', mechanism],
      [
        'properties.sasl.jaas.config',
        [
          `org.apache.kafka.common.security.${module} required username="${escapeJaas(username)}" password="`,
          { secret, within: 'jaas' },
          '";',
        ],
      ],
    );
  }
  if (k.truststore !== undefined) {
    options.push(['properties.ssl.truststore.type', 'PEM'], ['properties.ssl.truststore.location', k.truststore]);
  }
  if (k.keystore) {
    const inFile = (file: string) => `\${dir:${posix.dirname(file)}:${posix.basename(file)}}`;
    options.push(
      ['properties.config.providers', 'dir'],
      ['properties.config.providers.dir.class', 'org.apache.kafka.common.config.provider.DirectoryConfigProvider'],
      ['properties.ssl.keystore.type', 'PEM'],
      ['properties.ssl.keystore.certificate.chain', inFile(k.keystore.cert)],
      ['properties.ssl.keystore.key', inFile(k.keystore.key)],
    );
    const p = k.keystore.keyPassword;
    if (p) {
      const secret = { path: 'source.security.keystore.keyPassword', placeholder: p.placeholder, value: p.value };
      options.push(['properties.ssl.key.password', [{ secret }]]);
    }
  }
  return options;
}

/** The connector identifiers the generated tables use: the source's, and every Redis sink's. */
export const CONNECTORS = { source: 'kafka', sink: 'redis' } as const;

/** A Window Top-N bound that keeps every row of a window (ROW_NUMBER is a BIGINT). */
const ALL_ROWS = '9223372036854775807';

/** How window bounds are written in keys, hash fields and list entries. */
const WINDOW_TIME_FORMAT = "yyyy-MM-dd'T'HH:mm:ss";

export abstract class SqlCompiler {
  abstract readonly dialect: DialectName;
  /** What a person calls the target, for messages: e.g. "Oceanus's Redis connector". */
  abstract readonly describe: string;
  abstract readonly capabilities: Capabilities;
  /**
   * The inserts as one `EXECUTE STATEMENT SET` (the default: open-source Flink runs each plain
   * INSERT as a job of its own), or plain `INSERT INTO` statements, for a service that submits
   * the whole script as one job (see JobSql).
   */
  readonly statementSet: boolean = true;

  /** The Redis sink's WITH options, after the columns. */
  protected abstract redisOptions(sink: SinkBase): [string, SqlValue][];

  /** What the dialect cannot say of how the source and the sinks connect (a Redis mode, TLS); empty when it can say it all. */
  protected abstract connectionProblems(plan: Plan): DialectProblem[];

  /** Everything the dialect cannot do in this plan; empty when it compiles. */
  check(plan: Plan): DialectProblem[] {
    const problems: DialectProblem[] = this.connectionProblems(plan);
    const c = this.capabilities;
    for (const s of plan.sinks) {
      const type = redisType(s.redisType);
      if (!c.commands.has(s.command)) {
        const refusal = type.unsupported?.(s.command, this.describe) ?? {
          field: 'redis.type',
          message: `${this.describe} has no ${s.command.toUpperCase()} command`,
        };
        problems.push({ metric: s.metric, ...refusal });
      }
      const placeholders = placeholderTexts(s.key);
      if (!this.keyInColumn(s) && placeholders.length) {
        problems.push({
          metric: s.metric,
          field: 'redis.key',
          message: `${this.describe} takes ${type.article} key as a fixed option, so it cannot contain placeholders (this one has ${placeholders.join(' and ')})`,
        });
      }
    }
    return problems;
  }

  /** The script text of `statements`: header, then each statement, then the inserts as the dialect writes them. */
  render(plan: Plan, statements: readonly SqlStatement[], mode: RenderMode): string {
    const inserts = insertParts({ statements, statementSet: this.statementSet }).map((st) => `${renderSql(st, mode)};`);
    const blocks = [
      this.header(plan),
      ...statements.filter((st) => st.kind !== 'insert').map((st) => `${st.comment ? `${st.comment}\n` : ''}${renderSql(st.parts, mode)};`),
      `${this.insertsComment()}\n${inserts.join('\n\n')}`,
    ];
    return blocks.join('\n\n') + '\n';
  }

  /** The comment above the inserts: how they make one job. */
  protected insertsComment(): string {
    return this.statementSet
      ? '-- All inserts run as one Flink job.'
      : '-- Plain inserts: the whole script is submitted as one Flink job, these inserts included.';
  }

  /** Every statement of the job, in order: job options, tables and views, then the inserts. */
  statements(plan: Plan): SqlStatement[] {
    const dropped = plan.droppedRows;
    return [
      ...this.jobOptions(plan),
      this.sourceTable(plan),
      this.timedView(plan),
      ...plan.sinks.map((s) => this.sinkTable(s)),
      ...(dropped ? [this.droppedRowsTable(dropped), this.lateRowsView(plan, dropped)] : []),
      ...plan.aggregations.map((a) => this.aggregationView(plan, a)),
      ...plan.sinks.map((s) => this.insert(plan, s)),
      ...(dropped ? this.droppedRowsInserts(plan, dropped) : []),
    ];
  }

  protected header(plan: Plan): string {
    return [
      `-- Pipeline ${commentText(plan.pipelineName)}, generated by uvpv from ${commentText(plan.specFile)} for ${this.describe}.`,
      '-- Edit the spec and generate again rather than editing this file.',
    ].join('\n');
  }

  protected jobOptions(plan: Plan): SqlStatement[] {
    return plan.jobOptions
      .filter((o) => !(o.checkpointing && this.capabilities.managesCheckpoints))
      .map((o) => ({ kind: 'set', comment: `-- ${o.why}`, parts: [`SET ${this.optionKey(o.key)} = ${quoteString(o.value)}`] }));
  }

  /** A job option's key in a SET statement: quoted, as Flink's SQL client and gateway take it. */
  protected optionKey(key: string): string {
    return quoteString(key);
  }

  protected sourceTable(plan: Plan): SqlStatement {
    const s = plan.source;
    const lines = s.columns.map((c) => `  ${quoteIdent(c.name)} ${c.type.sql}`);
    if (s.rowtime.computed) {
      lines.push(`  ${quoteIdent(s.rowtime.name)} AS CAST(${quoteIdent(s.eventTime)} AS TIMESTAMP(3))`);
    }
    if (s.proctime) lines.push(`  ${quoteIdent(s.proctime)} AS PROCTIME()`);
    const rt = quoteIdent(s.rowtime.name);
    const floorTo = this.watermarkFloor(plan);
    lines.push(`  WATERMARK FOR ${rt} AS ${this.watermarkExpr(rt, s.watermarkDelay, floorTo)}`);
    const comment = [
      `-- Kafka source: one JSON record per message. Event time is ${s.eventTime}; a row may arrive up to`,
      `-- ${s.watermarkDelay.text} late (out of order) and still count.`,
    ];
    if (s.watermarkOnEvent && this.capabilities.onEventWatermarks) {
      comment.push(
        '-- The watermark follows every row (on-event), so which rows are late depends only on the order of',
        '-- the records, not on how fast they are read (a backlog, a restart).',
      );
      if (floorTo) {
        comment.push(
          `-- It moves in steps of ${floorTo.text}, to 1 ms before each window end: every window fires on the same row`,
          '-- as with the exact watermark, and the operators pass on a new watermark per step instead of per row.',
        );
      }
    }
    if (s.rowtime.computed)
      comment.push(`-- ${s.rowtime.name} is ${s.eventTime} at millisecond precision, which Flink needs for a time attribute.`);
    if (s.rowtime.narrowed) {
      comment.push(
        `-- ${s.eventTime} is declared at millisecond precision, which Flink needs for a time attribute: only the`,
        '-- event time reads it, and declared so it needs no cast per row (the value is parsed the same way).',
      );
    }
    if (s.proctime) comment.push(`-- ${s.proctime} (processing time) orders the first-seen deduplication of UV members.`);
    if (s.unreadColumns.length) {
      comment.push(
        `-- Not declared, so not decoded, as nothing reads them: ${s.unreadColumns.join(', ')}. With parse errors`,
        '-- ignored and missing fields allowed (both NULL), no value of theirs could fail or drop a row.',
      );
    }
    return {
      kind: 'create',
      comment: comment.join('\n'),
      parts: sql`CREATE TABLE ${quoteIdent(s.table)} (\n${lines.join(',\n')}\n) ${this.withOptions(this.sourceOptions(plan))}`,
    };
  }

  protected sourceOptions(plan: Plan): [string, SqlValue][] {
    const s = plan.source;
    const options: [string, SqlValue][] = [
      ['connector', CONNECTORS.source],
      ['topic', s.topic],
      ['properties.bootstrap.servers', s.bootstrapServers],
    ];
    if (s.groupId) options.push(['properties.group.id', s.groupId]);
    if (s.security) options.push(...kafkaSecurityOptions(s.security));
    options.push(['scan.startup.mode', s.startupMode]);
    // Without it Flink's Kafka source fails on a group that has no committed offsets yet.
    if (s.offsetReset) options.push(['properties.auto.offset.reset', s.offsetReset]);
    if (s.stopAt) {
      options.push(
        ['scan.bounded.mode', 'specific-offsets'],
        ['scan.bounded.specific-offsets', s.stopAt.map((offset, p) => `partition:${p},offset:${offset}`).join(';')],
      );
    } else if (s.bounded) options.push(['scan.bounded.mode', 'latest-offset']);
    if (s.watermarkOnEvent && this.capabilities.onEventWatermarks) options.push(['scan.watermark.emit.strategy', 'on-event']);
    options.push(
      ['format', 'json'],
      ['json.ignore-parse-errors', String(s.ignoreParseErrors)],
      ['json.fail-on-missing-field', String(s.failOnMissingField)],
    );
    return options;
  }

  protected timedView(plan: Plan): SqlStatement {
    const s = plan.source;
    return {
      kind: 'create',
      comment: '-- Rows without an event time cannot be placed in a window: drop them here so they never fail the job.',
      parts: [
        `CREATE TEMPORARY VIEW ${quoteIdent(s.timedView)} AS\nSELECT * FROM ${quoteIdent(s.table)} WHERE ${quoteIdent(s.rowtime.name)} IS NOT NULL`,
      ],
    };
  }

  protected aggregationView(plan: Plan, a: AggregationNode): SqlStatement {
    const columns = a.counts.map((c) => `  ${this.countExpr(c)} AS ${quoteIdent(c.alias)}`);
    const groups = ['`window_start`', '`window_end`', ...(a.by === undefined ? [] : [quoteIdent(a.by)])];
    return {
      kind: 'create',
      comment:
        a.by === undefined
          ? '-- Per-window counts, computed once and shared by every metric below.'
          : `-- Counts per window and ${a.by}, computed once and shared by every metric by ${a.by} below. Rows whose ${a.by} is NULL count for none of them.`,
      parts: [
        [
          `CREATE TEMPORARY VIEW ${quoteIdent(a.view)} AS`,
          'SELECT',
          ...groups.map((g) => `  ${g},`),
          columns.join(',\n'),
          `FROM ${this.windowTvf(plan, plan.window)}`,
          ...(a.by === undefined ? [] : [`WHERE ${quoteIdent(a.by)} IS NOT NULL`]),
          `GROUP BY ${groups.join(', ')}`,
        ].join('\n'),
      ],
    };
  }

  protected countExpr(c: CountNode): string {
    const where = this.filter(c.filter);
    return c.kind === 'rows' ? `COUNT(*) FILTER (WHERE ${where})` : `COUNT(DISTINCT ${quoteIdent(c.column)}) FILTER (WHERE ${where})`;
  }

  /** `TABLE(HOP(TABLE t, DESCRIPTOR(ts), slide, size))` and friends: each window type names its function and arguments. */
  protected windowTvf(plan: Plan, w: WindowNode, table = plan.source.timedView): string {
    const data = `TABLE ${quoteIdent(table)}`;
    const time = `DESCRIPTOR(${quoteIdent(plan.source.rowtime.name)})`;
    const type = windowType(w.type);
    const args = type.tvfArguments(w).map((d) => this.interval(d));
    return `TABLE(${type.tvf}(${[data, time, ...args].join(', ')}))`;
  }

  /** The dropped rows' hash: an upsert table, one field per window (and no_event_time), overwritten as counts grow. */
  protected droppedRowsTable(d: DroppedRowsSink): SqlStatement {
    const names = [...(this.keyInColumn(d) ? ['key'] : []), ...redisType(d.redisType).columns.map((c) => c.name)];
    const key = names.filter((n) => n !== 'value').map(quoteIdent);
    const columns = [...names.map((n) => `  ${quoteIdent(n)} STRING`), `  PRIMARY KEY (${key.join(', ')}) NOT ENFORCED`];
    return {
      kind: 'create',
      comment: [
        `-- Dropped rows (job.droppedRows): HSET ${this.keyText(d.key)} <window_end> <rows that arrived after the watermark had passed`,
        `-- the window's end> per window, and HSET ${this.keyText(d.key)} ${NO_EVENT_TIME_FIELD} <rows without an event time>. Each field is`,
        '-- overwritten as its count grows.',
      ].join('\n'),
      parts: sql`CREATE TEMPORARY TABLE ${quoteIdent(d.table)} (\n${columns.join(',\n')}\n) ${this.withOptions(this.redisOptions(d))}`,
    };
  }

  /**
   * The rows late for at least one of their windows, with the watermark they met: a window
   * [start, end) fires when the watermark reaches end - 1 ms, so a row at or before the watermark
   * has missed its first window at least (rows are few: most rows are not late).
   */
  protected lateRowsView(plan: Plan, d: DroppedRowsSink): SqlStatement {
    const rt = quoteIdent(plan.source.rowtime.name);
    return {
      kind: 'create',
      comment: [
        '-- Rows that arrive when the watermark (CURRENT_WATERMARK: what the rows before them carried) has reached',
        '-- their event time: they missed at least one of their windows, which fired without them.',
      ].join('\n'),
      parts: [
        [
          `CREATE TEMPORARY VIEW ${quoteIdent(d.lateView)} AS`,
          `SELECT ${rt}, CURRENT_WATERMARK(${rt}) AS ${quoteIdent(d.watermark)}`,
          `FROM ${quoteIdent(plan.source.timedView)}`,
          `WHERE ${rt} <= CURRENT_WATERMARK(${rt})`,
        ].join('\n'),
      ],
    };
  }

  /**
   * Per window, the late rows whose watermark had reached its end - 1 ms (the window had fired),
   * counted by a regular GROUP BY (a window aggregation would drop them too); and the rows without
   * an event time, by a running COUNT.
   */
  protected droppedRowsInserts(plan: Plan, d: DroppedRowsSink): SqlStatement[] {
    const key = this.keyInColumn(d) ? [this.keyExpr(d.key)] : [];
    const field = this.windowTime('window_end');
    const late = [
      `INSERT INTO ${quoteIdent(d.table)}`,
      `SELECT ${[...key, field, 'CAST(COUNT(*) AS STRING)'].join(', ')}`,
      `FROM ${this.windowTvf(plan, plan.window, d.lateView)}`,
      `WHERE \`window_end\` <= ${quoteIdent(d.watermark)} + INTERVAL '0.001' SECOND`,
      `GROUP BY ${field}`,
    ].join('\n');
    const untimed = [
      `INSERT INTO ${quoteIdent(d.table)}`,
      `SELECT ${[...key, quoteString(NO_EVENT_TIME_FIELD), 'CAST(COUNT(*) AS STRING)'].join(', ')}`,
      `FROM ${quoteIdent(plan.source.table)}`,
      `WHERE ${quoteIdent(plan.source.rowtime.name)} IS NULL`,
    ].join('\n');
    return [
      { kind: 'insert', comment: '', parts: [late] },
      { kind: 'insert', comment: '', parts: [untimed] },
    ];
  }

  /** The key is the sink's first column, unless the dialect's connector takes this command's key as an option. */
  protected keyInColumn(sink: SinkBase): boolean {
    return !this.capabilities.keyOptionCommands.has(sink.command);
  }

  /**
   * The sink's columns after the key, in the connector's order, each with the slot it carries and
   * its SQL type: the Redis type's columns, all STRING but an integral set or hll member where the
   * connector takes one as it is (integralMembers). A dialect whose connector takes a command's
   * arguments in another order or type overrides this (Oceanus's ZADD: member, then a DOUBLE score).
   */
  protected slotColumns(sink: SinkNode): readonly SlotColumn[] {
    return redisType(sink.redisType).columns.map((c) => ({
      name: c.name,
      slot: c.slot,
      type: c.slot === 'member' && sink.kind === 'members' && this.integralMember(sink) ? sink.columnType.sql : 'STRING',
    }));
  }

  /** The connector takes this set or hll member column as it is (capabilities.integralMembers). */
  protected integralMember(sink: MembersSink): boolean {
    return this.capabilities.integralMembers && sink.columnType.family === 'integer';
  }

  /** The member as the sink's member column declares it: the column itself, or its text. */
  protected memberExpr(sink: MembersSink): string {
    const column = quoteIdent(sink.column);
    return this.integralMember(sink) ? column : `CAST(${column} AS STRING)`;
  }

  protected sinkColumns(sink: SinkNode): Column[] {
    const slots = this.slotColumns(sink).map(({ name, type }) => ({ name, type }));
    return [...(this.keyInColumn(sink) ? [{ name: 'key', type: 'STRING' }] : []), ...slots];
  }

  protected sinkTable(sink: SinkNode): SqlStatement {
    const columns = this.sinkColumns(sink).map((c) => `  ${quoteIdent(c.name)} ${c.type}`);
    return {
      kind: 'create',
      comment: `-- ${this.sinkComment(sink)}`,
      parts: sql`CREATE TEMPORARY TABLE ${quoteIdent(sink.table)} (\n${columns.join(',\n')}\n) ${this.withOptions(this.redisOptions(sink))}`,
    };
  }

  protected sinkComment(sink: SinkNode): string {
    const write = this.writeComment(sink);
    if (sink.kind !== 'members' || !this.integralMember(sink)) return write;
    return [
      write,
      `-- ${sink.column} is declared and selected as it is (${sink.columnType.sql}), with no cast per row: the connector writes`,
      '-- its decimal text, the same members as CAST(... AS STRING) would give.',
    ].join('\n');
  }

  /** What the sink writes to Redis, and how often. */
  protected writeComment(sink: SinkNode): string {
    const key = this.keyText(sink.key);
    const column = sink.kind === 'members' ? sink.column : undefined;
    const perWindow = redisType(sink.redisType).describeWrite({ metric: sink.metric, key, command: sink.command, column, by: sink.by });
    if (sink.kind !== 'members' || sink.dedupe === 'per-window') return perWindow;
    const write = `Metric ${sink.metric}: ${sink.command.toUpperCase()} ${key} <each distinct ${sink.column}${sink.by ? ` per ${sink.by}` : ''}>.`;
    if (sink.dedupe === 'sink') {
      return [
        write,
        "-- One key for all windows: every matching row's member goes to the sink at once, which skips the",
        `-- members it has already written. ${sink.command.toUpperCase()} ignores a repeat, so a member written again (forgotten by the`,
        "-- sink's bounded cache, or replayed after a restore) changes nothing: the job keeps no state for it.",
      ].join('\n');
    }
    return [
      write,
      '-- One key for all windows: each member is written once, the first time it is seen, which is',
      "-- the same set as adding every window's members, with far fewer writes and without waiting for",
      '-- windows to close.',
      sink.remember === null
        ? '-- Every member is remembered for as long as the job runs (job.stateTtl: none): its state grows with them.'
        : `-- A member is remembered for ${sink.remember?.text ?? 'the state TTL'} after it is written (job.stateTtl), then written again the next time it is seen.`,
    ].join('\n');
  }

  protected insert(plan: Plan, sink: SinkNode): SqlStatement {
    const text =
      sink.kind === 'members' ? this.membersInsert(plan, sink) : sink.kind === 'ranked' ? this.rankedInsert(sink) : this.scalarInsert(sink);
    return { kind: 'insert', comment: '', parts: [text] };
  }

  protected membersInsert(plan: Plan, sink: MembersSink): string {
    const column = quoteIdent(sink.column);
    const by = sink.by === undefined || sink.by === sink.column ? [] : [quoteIdent(sink.by)];
    const where = `WHERE (${this.filter(sink.filter)}) AND ${[column, ...by].map((c) => `${c} IS NOT NULL`).join(' AND ')}`;
    if (sink.dedupe === 'sink') {
      // The connector skips members it already wrote: no state, no shuffle, chained to the source.
      const from = `FROM ${quoteIdent(plan.source.timedView)}`;
      return [`INSERT INTO ${quoteIdent(sink.table)}`, `SELECT ${this.keyExpr(sink.key)}, ${this.memberExpr(sink)}`, from, where].join(
        '\n',
      );
    }
    if (sink.dedupe === 'first-seen') {
      // Flink's keep-first-row deduplication: insert-only, one row per member (per value of `by`).
      const rank = quoteIdent(required(plan.source.firstSeenRank, "the source's first-seen rank column"));
      const proctime = quoteIdent(required(plan.source.proctime, "the source's proctime column"));
      return [
        `INSERT INTO ${quoteIdent(sink.table)}`,
        `SELECT ${this.keyExpr(sink.key)}, ${this.memberExpr(sink)}`,
        'FROM (',
        `  SELECT ${[...by, column].join(', ')}, ROW_NUMBER() OVER (PARTITION BY ${[...by, column].join(', ')} ORDER BY ${proctime}) AS ${rank}`,
        `  FROM ${quoteIdent(plan.source.timedView)}`,
        `  ${where}`,
        ')',
        `WHERE ${rank} = 1`,
      ].join('\n');
    }
    return [
      `INSERT INTO ${quoteIdent(sink.table)}`,
      `SELECT ${this.keyExpr(sink.key)}, ${this.memberExpr(sink)}`,
      `FROM ${this.windowTvf(plan, plan.window)}`,
      where,
      `GROUP BY ${['`window_start`', '`window_end`', ...by, column].join(', ')}`,
    ].join('\n');
  }

  protected scalarInsert(sink: ScalarSink): string {
    const value = this.valueExpr(sink.value);
    const by = sink.by === undefined ? undefined : quoteIdent(sink.by);
    const byEntry = by === undefined ? '' : `"${sink.by}":', JSON_STRING(${by}), ',`;
    const slots: Record<Exclude<ColumnSlot, 'member' | 'score'>, () => string> = {
      value: () => value,
      field: () => (by === undefined ? this.windowTime('window_end') : `CAST(${by} AS STRING)`),
      window_entry: () =>
        `CONCAT('{"window_start":"', ${this.windowTime('window_start')}, '","window_end":"', ${this.windowTime('window_end')}, '",${byEntry}"value":', ${value}, '}')`,
    };
    const select = this.sinkSelect(sink, (slot) => slots[slot as keyof typeof slots]());
    const present = `${quoteIdent(sink.presentWhen)} > 0`;
    const into = `INSERT INTO ${quoteIdent(sink.table)}`;
    if (sink.entryRank === undefined)
      return [into, `SELECT ${select.join(', ')}`, `FROM ${quoteIdent(sink.from)}`, `WHERE ${present}`].join('\n');
    // Over all of a window's rows, ordered by `by`: one task emits each window's entries in that order.
    return [into, `SELECT ${select.join(', ')}`, ...this.windowRank(sink.from, present, `${by} ASC`, sink.entryRank, ALL_ROWS)].join('\n');
  }

  /** The expressions of the sink's columns, in its table's order: the key (where it is a column), then each slot's, of the column's type. */
  protected sinkSelect(sink: SinkNode, slot: (s: ColumnSlot, type: string) => string): string[] {
    return [...(this.keyInColumn(sink) ? [this.keyExpr(sink.key)] : []), ...this.slotColumns(sink).map((c) => slot(c.slot, c.type))];
  }

  /**
   * `FROM (…) WHERE rank <= bound`: Flink's Window Top-N over an aggregation view's rows, numbered
   * per window in `order`. Its only key is the window, so it runs as one task, and it emits each
   * window's rows in that order, once, when the window closes: final, append-only, windows in order.
   */
  protected windowRank(from: string, where: string, order: string, rank: string, bound: string | number): string[] {
    const r = quoteIdent(rank);
    return [
      'FROM (',
      `  SELECT *, ROW_NUMBER() OVER (PARTITION BY \`window_start\`, \`window_end\` ORDER BY ${order}) AS ${r}`,
      `  FROM ${quoteIdent(from)}`,
      `  WHERE ${where}`,
      ')',
      `WHERE ${r} <= ${bound}`,
    ];
  }

  /** ZADD key <score> <value of by> for each of a window's top `n`: Flink's Window Top-N, final when the window closes. */
  protected rankedInsert(sink: RankedSink): string {
    const by = quoteIdent(sink.by);
    const score = quoteIdent(sink.score);
    const slots: Record<'score' | 'member', string> = { score, member: by };
    const select = this.sinkSelect(sink, (slot, type) => `CAST(${slots[slot as keyof typeof slots]} AS ${type})`);
    return [
      `INSERT INTO ${quoteIdent(sink.table)}`,
      `SELECT ${select.join(', ')}`,
      ...this.windowRank(sink.from, `${score} > 0`, `${score} DESC, ${by} ASC`, sink.rank, sink.n),
    ].join('\n');
  }

  protected valueExpr(v: ValueNode): string {
    if (v.kind === 'count') return `CAST(${quoteIdent(v.count)} AS STRING)`;
    return `CAST(${this.ratioExpr(quoteIdent(v.numerator), quoteIdent(v.denominator), v.precision)} AS STRING)`;
  }

  /**
   * n / d with `p` digits after the point, rounded half-up exactly once. Flink's DECIMAL division
   * rounds its quotient (at 19 digits here, after a 34-digit step), and a second rounding to `p`
   * digits can then round up what is below one half. So the rounded result is computed in whole
   * numbers: q = (2·n·10^p + d) DIV (2·d), the DIV done exactly as (a - MOD(a, b)) / b, and then
   * scaled by 10^-p, a multiplication, which is exact while its type needs no adjusting: Flink types
   * DECIMAL(a, 0) × DECIMAL(p, p) as DECIMAL(a + p + 1, p), so a = 37 - p keeps all p digits (one
   * more and the scale drops to fit 38 digits, rounding again). DECIMAL(37 - p, 0) holds q for any
   * BIGINT counts while p <= 9. Flink prints a DECIMAL in plain notation with all p digits: 0.3333.
   */
  protected ratioExpr(n: string, d: string, p: number): string {
    const a = `(CAST(${n} AS DECIMAL(38, 0)) * ${2n * 10n ** BigInt(p)} + ${d})`;
    const b = `(CAST(NULLIF(${d}, 0) AS DECIMAL(20, 0)) * 2)`;
    const q = `CAST((${a} - MOD(${a}, ${b})) / ${b} AS DECIMAL(${37 - p}, 0))`;
    return p === 0 ? q : `${q} * CAST(0.${'0'.repeat(p - 1)}1 AS DECIMAL(${p}, ${p}))`;
  }

  protected keyExpr(key: readonly KeyPart[]): string {
    const parts = key.map((k) =>
      'text' in k ? quoteString(k.text) : 'placeholder' in k ? this.windowTime(k.placeholder) : `CAST(${quoteIdent(k.column)} AS STRING)`,
    );
    return parts.length === 1 ? parts[0] : `CONCAT(${parts.join(', ')})`;
  }

  protected keyText(key: readonly KeyPart[]): string {
    return commentText(keyText(key));
  }

  protected windowTime(column: 'window_start' | 'window_end'): string {
    return `DATE_FORMAT(${quoteIdent(column)}, ${quoteString(WINDOW_TIME_FORMAT)})`;
  }

  protected filter(f: FilterExpr): string {
    return renderFilter(f, quoteIdent, quoteString);
  }

  /**
   * With on-event watermarks, the step every window end is a multiple of, when whole minutes or
   * seconds: the watermark can then be floored to it. Flink fires a window [start, end) once the
   * watermark reaches end - 1 ms, and wm >= k*step - 1 exactly when floor(wm + 1 ms) - 1 ms does, so
   * the same rows are late; only fewer watermarks are emitted (one per step, not one per row).
   */
  protected watermarkFloor(plan: Plan): Duration | undefined {
    if (!plan.source.watermarkOnEvent || !this.capabilities.onEventWatermarks) return undefined;
    const step = windowType(plan.window.type).endsEvery(plan.window);
    return step.millis % 1000 === 0 ? step : undefined;
  }

  /**
   * `rt - delay`, or floored as `watermarkFloor` says: whole steps since the epoch counted in
   * minutes where the step allows (seconds would overflow Flink's INT TIMESTAMPDIFF in 2038),
   * the remainder taken positive so that times before 1970 floor down too.
   */
  protected watermarkExpr(rt: string, delay: Duration, floorTo: Duration | undefined): string {
    const exact = `${rt} - ${this.interval(delay)}`;
    if (!floorTo) return exact;
    const next = `${exact} + INTERVAL '0.001' SECOND`;
    const oneUnit = ONE_UNIT_FLOORS.find(([, millis]) => millis === floorTo.millis);
    if (oneUnit) return `FLOOR(${next} TO ${oneUnit[0]}) - INTERVAL '0.001' SECOND`;
    const unit = floorTo.millis % 60_000 === 0 ? 'MINUTE' : 'SECOND';
    const steps = floorTo.millis / (unit === 'MINUTE' ? 60_000 : 1000);
    const floored = `FLOOR(${next} TO ${unit})`;
    const since = `TIMESTAMPDIFF(${unit}, TIMESTAMP '1970-01-01 00:00:00', ${floored})`;
    return `TIMESTAMPADD(${unit}, -MOD(MOD(${since}, ${steps}) + ${steps}, ${steps}), ${floored}) - INTERVAL '0.001' SECOND`;
  }

  protected interval(d: Duration): string {
    return intervalLiteral(d);
  }

  /** `WITH ('key' = 'value', ...)`; a secret stands only under one of SECRET_OPTIONS. */
  protected withOptions(options: [string, SqlValue][]): SqlText {
    const lines = options.map(([k, v]) => {
      if (typeof v !== 'string' && v.some((p) => typeof p !== 'string') && !SECRET_OPTIONS.has(k)) {
        throw new Error(`option '${k}' holds a secret but is not one of SECRET_OPTIONS`);
      }
      return sql`  ${quoteString(k)} = ${stringLiteral(v)}`;
    });
    return sql`WITH (\n${joinSql(lines, ',\n')}\n)`;
  }

  /** The Redis password option's value, a secret: none when the password is known to be empty. */
  protected password(sink: SinkBase): SqlValue | undefined {
    return secretOption('redis.password', sink.redis.password);
  }

  /** The sentinels' own password option's value, a secret: none without redis.sentinelPassword (or when it is empty). */
  protected sentinelPassword(sink: SinkBase): SqlValue | undefined {
    return secretOption('redis.sentinelPassword', sink.redis.sentinelPassword);
  }
}

/** A spec's secret as an option's whole value: none when it is absent or known to be empty. */
function secretOption(path: string, secret: Secret | undefined): SqlValue | undefined {
  if (!secret || secret.empty) return undefined;
  return [{ secret: { path, placeholder: secret.placeholder, value: secret.value } }];
}
