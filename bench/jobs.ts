/**
 * The jobs the bench compares on the same topic: the ceiling (read and parse every record and
 * count the rows, nothing else), the pipeline as `uvpv generate` writes it, the hand-written
 * baseline, and two anchors that split the ceiling's budget: read-only (fetch the raw bytes and
 * count them, no JSON) and parse-only (fetch and decode the pipeline's columns, count nothing);
 * and, when the stack's Redis Cluster runs, the generated job writing there in cluster mode. Variants (`--variant FILE`, by default every
 * file in bench/variants/) are option files on top of the generated job, whole SQL jobs with
 * the baseline's {{placeholders}}, or metrics added to the bench's spec (a YAML file).
 */
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { compileSpec } from '../src/compile';
import type { PlanOverrides } from '../src/ir/build';
import { jobStatements } from '../src/sql/compiler';
import { quoteIdent, quoteString } from '../src/sql/escape';
import { renderSql } from '../src/sql/parts';
import { splitStatements } from '../src/sql/split';
import { loadSpecText, withParallelism, type Loaded, type LoadOptions } from '../src/pipeline/load';
import type { GatewayTarget, RedisSpec } from '../src/pipeline/types';
import type { RedisAddress } from '../src/util/redis';

type RedisConnector = GatewayTarget['redisConnector'];

export interface BenchContext {
  loaded: Loaded;
  topic: string;
  bootstrap: string;
  redisHost: string;
  redisPort: number;
  database: number;
  /** Unique per job run: names the Flink job and its consumer group. */
  runId: string;
  /** The Redis connector of the stack the bench runs on. */
  redisConnector: RedisConnector;
  /** The stack's Redis Cluster, for a job that writes there (`redis: 'cluster'`). */
  cluster?: RedisAddress;
}

export interface BenchJob {
  name: string;
  describe: string;
  /** The job's statements, each without its closing `;`, as the gateway runs them one at a time. */
  statements: (ctx: BenchContext) => string[];
  /**
   * The job's parallelism, when not 1. It reads a topic of as many partitions (one per source
   * task, as verify and `deploy --create-topic` make them), holding the same records.
   */
  parallelism?: number;
  /**
   * The spec the job is generated for, when not the bench's: `specFile` with what the job adds
   * (the run loads it once, before producing, so a bad variant stops the bench at once).
   */
  spec?: (specFile: string, opts: LoadOptions) => Loaded;
  /** The names of the metrics the job computes on top of the bench spec's own. */
  adds?: readonly string[];
  /**
   * The job whose Redis contents this one must reproduce exactly, on every key that job writes
   * (compared by digest in every run): the generated job, for its option and metrics variants.
   */
  sameOutputAs?: string;
  /**
   * Where the job writes, when not to a database of its own on the stack's standalone Redis: the
   * stack's Redis Cluster (the `cluster` extra), which the job has to itself (the run deletes
   * everything in it, master by master). Without a running cluster the job is skipped, with why.
   */
  redis?: 'cluster';
}

/** Where the ceiling job leaves its row count (INCRBY per window, so the sum of all windows). */
export const ROWS_KEY = 'bench:rows';

const jobName = (ctx: BenchContext, job: string) => `uvpv-bench-${job}-${ctx.runId}`;

function overrides(ctx: BenchContext, job: string): PlanOverrides {
  return {
    topic: ctx.topic,
    bootstrapServers: ctx.bootstrap,
    groupId: jobName(ctx, job),
    bounded: true,
    redis: { host: ctx.redisHost, port: ctx.redisPort, database: ctx.database, password: { placeholder: '', empty: true } },
    jobName: jobName(ctx, job),
  };
}

/** A statement without its leading comments (the generated script keeps them with the statement). */
function stripComments(statement: string): string {
  return statement.replace(/^(\s*--[^\n]*(\n|$))+/, '').trim();
}

/**
 * The generated job's statements: its SET options, and the rest in order (the inserts as one
 * statement set). `parallelism`: as generated for the spec with that `job.parallelism`.
 */
function generatedStatements(ctx: BenchContext, job: string, parallelism?: number) {
  const { plan, statements, statementSet } = compileSpec(withParallelism(ctx.loaded, parallelism), 'flink', overrides(ctx, job), {
    redisConnector: ctx.redisConnector,
  });
  return {
    plan,
    options: statements.filter((st) => st.kind === 'set').map((st) => renderSql(st.parts, 'reveal')),
    rest: jobStatements({ statements: statements.filter((st) => st.kind !== 'set'), statementSet }, 'reveal'),
  };
}

/**
 * The generated job's options and source table, as is, so that a job built on them pays the same
 * for reading and parsing, with the same job options (object reuse, parallelism, checkpoints).
 */
function generatedSource(ctx: BenchContext, job: string) {
  const { plan, options, rest } = generatedStatements(ctx, job);
  const source = rest.find((s) => /^CREATE TABLE/i.test(s));
  if (!source) throw new Error('the generated SQL has no CREATE TABLE for the source');
  // The columns the generated source table declares: what the pipeline pays to decode.
  const columns = plan.source.columns;
  // Every column must be non-NULL, so the planner cannot prune one: all of them are parsed.
  const allParsed = columns.map((c) => `${quoteIdent(c.name)} IS NOT NULL`).join(' AND ');
  return { options, source, plan, columns, allParsed };
}

function redisTable(ctx: BenchContext, name: string, columns: string, command: string): string {
  return (
    `CREATE TEMPORARY TABLE ${quoteIdent(name)} (${columns}) WITH ('connector' = 'redis', 'redis-mode' = 'single', ` +
    `'host' = ${quoteString(ctx.redisHost)}, 'port' = '${ctx.redisPort}', 'database' = '${ctx.database}', 'command' = ${quoteString(command)})`
  );
}

const CEILING: BenchJob = {
  name: 'ceiling',
  describe:
    'reads and parses every record (the columns the generated source table declares: those the pipeline reads) and counts the rows: per hour of event time, INCRBY into Redis; what the machine can do at all for this topic',
  statements: (ctx) => {
    const s = generatedSource(ctx, 'ceiling');
    const source = quoteIdent(s.plan.source.table);
    const rowtime = quoteIdent(s.plan.source.rowtime.name);
    return [
      ...s.options,
      s.source,
      `CREATE TEMPORARY VIEW \`bench_parsed\` AS SELECT * FROM ${source} WHERE ${s.allParsed} AND ${rowtime} IS NOT NULL`,
      redisTable(ctx, 'bench_rows', '`key` STRING, `increment` STRING', 'incrby'),
      `INSERT INTO \`bench_rows\` SELECT ${quoteString(ROWS_KEY)}, CAST(COUNT(*) AS STRING) ` +
        `FROM TABLE(TUMBLE(TABLE \`bench_parsed\`, DESCRIPTOR(${rowtime}), INTERVAL '1' HOUR)) GROUP BY \`window_start\`, \`window_end\``,
    ];
  },
};

const PARSE_ONLY: BenchJob = {
  name: 'parse-only',
  describe:
    'anchor: reads and parses the columns the generated source table declares into a `blackhole` sink, counting nothing (one chained task)',
  statements: (ctx) => {
    const s = generatedSource(ctx, 'parse-only');
    const columns = s.columns.map((c) => `${quoteIdent(c.name)} ${c.type.sql}`).join(', ');
    const names = s.columns.map((c) => quoteIdent(c.name)).join(', ');
    return [
      ...s.options,
      s.source,
      `CREATE TEMPORARY TABLE \`bench_blackhole\` (${columns}) WITH ('connector' = 'blackhole')`,
      `INSERT INTO \`bench_blackhole\` SELECT ${names} FROM ${quoteIdent(s.plan.source.table)}`,
    ];
  },
};

/**
 * The generated source table's connector options with the JSON format replaced by `raw`: the
 * same Kafka reads, no decoding.
 */
function rawSourceOptions(source: string): string[] {
  const withAt = source.search(/\)\s*WITH\s*\(/i);
  if (withAt < 0) throw new Error('the generated source table has no WITH options');
  const options = [...source.slice(withAt).matchAll(/'([^']+)'\s*=\s*('(?:[^']|'')*')/g)].map((m) => ({ key: m[1], value: m[2] }));
  const kept = options.filter((o) => o.key !== 'format' && !o.key.startsWith('json.'));
  return [...kept.map((o) => `${quoteString(o.key)} = ${o.value}`), `'format' = 'raw'`];
}

const READ_ONLY: BenchJob = {
  name: 'read-only',
  describe:
    "anchor: fetches every record's raw bytes (`raw` format, no JSON decoding) and counts them per hour of the Kafka timestamp, INCRBY into Redis as the ceiling does: the cost of fetching alone",
  statements: (ctx) => {
    const s = generatedSource(ctx, 'read-only');
    return [
      ...s.options,
      `CREATE TEMPORARY TABLE \`bench_raw\` (\`line\` BYTES, \`kafka_time\` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL, ` +
        `WATERMARK FOR \`kafka_time\` AS \`kafka_time\` - INTERVAL '1' MINUTE) WITH (${rawSourceOptions(s.source).join(', ')})`,
      'CREATE TEMPORARY VIEW `bench_raw_read` AS SELECT * FROM `bench_raw` WHERE `line` IS NOT NULL',
      redisTable(ctx, 'bench_rows', '`key` STRING, `increment` STRING', 'incrby'),
      `INSERT INTO \`bench_rows\` SELECT ${quoteString(ROWS_KEY)}, CAST(COUNT(*) AS STRING) ` +
        "FROM TABLE(TUMBLE(TABLE `bench_raw_read`, DESCRIPTOR(`kafka_time`), INTERVAL '1' HOUR)) GROUP BY `window_start`, `window_end`",
    ];
  },
};

const GENERATED: BenchJob = {
  name: 'generated',
  describe: 'the reference pipeline exactly as `uvpv generate` writes it',
  statements: (ctx) =>
    jobStatements(compileSpec(ctx.loaded, 'flink', overrides(ctx, 'generated'), { redisConnector: ctx.redisConnector }), 'reveal'),
};

/**
 * A SQL file with {{topic}}, {{bootstrap}}, {{group}}, {{redisHost}}, {{redisPort}}, {{database}},
 * {{jobName}}. A file is text someone wrote, so it is split into statements here.
 */
function fileJob(name: string, describe: string, file: string): BenchJob {
  return {
    name,
    describe,
    statements: (ctx) => {
      const vars: Record<string, string> = {
        topic: ctx.topic,
        bootstrap: ctx.bootstrap,
        group: jobName(ctx, name),
        redisHost: ctx.redisHost,
        redisPort: String(ctx.redisPort),
        database: String(ctx.database),
        jobName: jobName(ctx, name),
      };
      const filled = readFileSync(file, 'utf8').replace(/\{\{(\w+)\}\}/g, (whole, k: string) => {
        if (!(k in vars)) throw new Error(`${file}: unknown placeholder ${whole}`);
        return vars[k];
      });
      // The file may name the job itself; else it is named here, so the bench can tell runs apart.
      return splitStatements(
        /'pipeline\.name'/.test(filled) ? filled : `SET 'pipeline.name' = ${quoteString(jobName(ctx, name))};\n${filled}`,
      );
    },
  };
}

const BASELINE_FILE = join(__dirname, 'baseline.sql');

const BASELINE: BenchJob = fileJob(
  'baseline',
  'the common hand-written style (bench/baseline.sql): legacy `GROUP BY HOP(...)`, every browse row to the SADD sink, no tuning options',
  BASELINE_FILE,
);

/** Variant files: SQL (options on top of the generated job, or a whole job), or YAML (metrics added to the bench's spec). */
export const VARIANT_FILE = /\.(sql|ya?ml)$/;

/**
 * A variant: `bench/variants/<name>.sql`, described by its first comment line (a `.yaml` file
 * adds metrics instead: see metricsJob). A file of only SET / RESET statements is the generated
 * job with those options applied after its own (so it follows the generator); any other file is
 * a whole job, with the baseline's placeholders.
 * `SET 'parallelism.default'` in an options file is taken as the spec's `job.parallelism`: the
 * job is generated for it (with what the generator adds at that parallelism, e.g. the idle timeout).
 */
export function variantJob(file: string): BenchJob {
  if (/\.ya?ml$/.test(file)) return metricsJob(file);
  const text = readFileSync(file, 'utf8');
  const describe = (text.match(/^--\s*(.*)$/m)?.[1] ?? file).replace(/\.$/, '');
  const name = basename(file).replace(/\.sql$/, '');
  const statements = splitStatements(text)
    .map(stripComments)
    .filter((s) => s !== '');
  if (statements.length === 0 || !statements.every((s) => /^(SET|RESET)\s/i.test(s))) return fileJob(name, describe, file);
  const setsParallelism = (st: string) => st.match(/^SET\s+'parallelism\.default'\s*=\s*'(\d+)'$/i)?.[1];
  const parallelism = Number(statements.map(setsParallelism).find((x) => x !== undefined) ?? 1);
  const options = statements.filter((st) => setsParallelism(st) === undefined);
  const generatedFor = parallelism > 1 ? `the generated job for job.parallelism: ${parallelism}` : 'the generated job';
  return {
    name,
    sameOutputAs: 'generated',
    ...(parallelism > 1 ? { parallelism } : {}),
    describe: `${describe} (${generatedFor}${options.length ? `, then ${options.join('; ')}` : ''})`,
    statements: (ctx) => {
      const generated = generatedStatements(ctx, name, parallelism > 1 ? parallelism : undefined);
      return [...generated.options, ...options, ...generated.rest];
    },
  };
}

/**
 * A variant: `bench/variants/<name>.yaml` (described by its first comment line) of what it adds
 * to the bench's spec: `metrics:` (added after the spec's own), `job:` (keys set in the spec's
 * job section, e.g. droppedRows), and `run:` (the run overrides verify and the bench set, e.g.
 * `periodicWatermarks: true`). The job is the one `uvpv generate` writes for the spec with them, on
 * the same records as the generated job: what the additions cost.
 */
function metricsJob(file: string): BenchJob {
  const text = readFileSync(file, 'utf8');
  const describe = (text.match(/^#\s*(.*)$/m)?.[1] ?? file).replace(/\.$/, '');
  const name = basename(file).replace(VARIANT_FILE, '');
  const { metrics: added, job, run } = additions(file, text);
  const names = added.map((m) => String((m as { name?: unknown }).name));
  const what = [
    ...(names.length ? [`${names.join(' and ')} added`] : []),
    ...Object.keys(job).map((k) => `job.${k}`),
    ...Object.entries(run).map(([k, v]) => `${k}: ${String(v)}`),
  ];
  return {
    name,
    describe: `${describe} (the generated job for the bench's spec with ${what.join(', ')})`,
    ...(names.length ? { adds: names } : {}),
    sameOutputAs: 'generated',
    spec: (specFile, opts) => {
      const doc = parseDocument(readFileSync(resolve(opts.cwd, specFile), 'utf8'));
      const metrics = doc.get('metrics');
      if (!isSeq(metrics)) throw new Error(`${specFile}: no list of metrics to add ${basename(file)}'s to`);
      for (const m of added) metrics.add(doc.createNode(m));
      for (const [k, v] of Object.entries(job)) doc.setIn(['job', k], doc.createNode(v));
      return loadSpecText(`${specFile} + ${basename(file)}`, doc.toString(), opts);
    },
    statements: (ctx) => {
      const missing = names.filter((n) => !ctx.loaded.spec.metrics.some((m) => m.name === n));
      if (missing.length)
        throw new Error(`variant ${name}: the spec given has no metric ${missing.join(', ')}; load it with the job's spec()`);
      return jobStatements(
        compileSpec(ctx.loaded, 'flink', { ...overrides(ctx, name), ...run }, { redisConnector: ctx.redisConnector }),
        'reveal',
      );
    },
  };
}

/** The run overrides a YAML variant may set. */
const RUN_KEYS = ['periodicWatermarks'] as const;

/** A YAML variant's additions, as plain values: `metrics` (a list), `job` (a map), `run` (a map of RUN_KEYS to true), at least one. */
function additions(file: string, text: string): { metrics: unknown[]; job: Record<string, unknown>; run: PlanOverrides } {
  const doc = parseDocument(text);
  const keys = isMap(doc.contents) ? doc.contents.items.map((p) => String(p.key)) : [];
  const js = (doc.toJS() ?? {}) as { metrics?: unknown; job?: unknown; run?: unknown };
  const isMapValue = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const metrics = js.metrics ?? [];
  const job = js.job ?? {};
  const run = js.run ?? {};
  const ok =
    !doc.errors.length &&
    keys.length > 0 &&
    keys.every((k) => ['metrics', 'job', 'run'].includes(k)) &&
    Array.isArray(metrics) &&
    isMapValue(job) &&
    isMapValue(run) &&
    Object.entries(run).every(([k, v]) => (RUN_KEYS as readonly string[]).includes(k) && v === true) &&
    (metrics as unknown[]).length + Object.keys(job).length + Object.keys(run).length > 0;
  if (!ok) {
    throw new Error(
      `${file}: a variant in YAML holds \`metrics:\` (a list of metrics to add to the bench's spec), \`job:\` (job keys to set) ` +
        `or \`run:\` (${RUN_KEYS.join(', ')}: true)${doc.errors.length ? ` (${doc.errors[0].message})` : ''}`,
    );
  }
  return { metrics, job, run };
}

/** The spec with its Redis replaced by the cluster at `at` (its password a secret the SQL reveals). */
function withClusterRedis(loaded: Loaded, at: RedisAddress): Loaded {
  const redis: RedisSpec = {
    mode: 'cluster',
    host: at.host,
    port: at.port,
    nodes: at.nodes ?? [`${at.host}:${at.port}`],
    password: at.password
      ? { placeholder: '${UVPV_STACK_REDIS_PASSWORD}', value: at.password, empty: false }
      : { placeholder: '', empty: true },
    database: 0,
  };
  return { ...loaded, spec: { ...loaded.spec, redis } };
}

const CLUSTER: BenchJob = {
  name: 'cluster',
  describe:
    "the generated job with its Redis sink in cluster mode (`'redis-mode' = 'cluster'`, the stack's connector), writing to the stack's Redis Cluster (3 masters, with a password; `uvpv stack up --with cluster`)",
  sameOutputAs: 'generated',
  redis: 'cluster',
  statements: (ctx) => {
    if (!ctx.cluster) throw new Error('bench job cluster: no Redis Cluster to write to');
    // Everything as for the generated job but the Redis: the spec's own (now the cluster), not the standalone override.
    const o: PlanOverrides = { ...overrides(ctx, 'cluster'), redis: undefined };
    return jobStatements(
      compileSpec(withClusterRedis(ctx.loaded, ctx.cluster), 'flink', o, { redisConnector: ctx.redisConnector }),
      'reveal',
    );
  },
};

export const JOBS: readonly BenchJob[] = [CEILING, GENERATED, BASELINE, PARSE_ONLY, READ_ONLY];

/**
 * Jobs that need one of the stack's extras: `npm run bench` (and `--only` naming them) runs them
 * when the extra runs, and skips them with the reason otherwise. Not in JOBS, which every stack can run.
 */
export const EXTRA_JOBS: readonly BenchJob[] = [CLUSTER];

/** The anchors, by name: what the report splits the budget with. */
export const ANCHORS = { readOnly: READ_ONLY.name, parseOnly: PARSE_ONLY.name } as const;
