/**
 * The structural schema of a spec: which keys exist, their primitive types and enums.
 * Strict everywhere: an unknown key is an error. Meaning (durations, types, filters,
 * cross-references) is checked afterwards in `check.ts`, section by section.
 */
import { z } from 'zod';
import { REDIS_TYPE_NAMES, REDIS_TYPES } from '../redis-types';

/** A template left unresolved on purpose (a secret, or a variable the command does not need). */
export const DEFERRED = /^\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$/;

export const text = z.union([z.string(), z.number()], { error: 'expected a string' }).transform(String);
export const int = z.union([z.number().int(), z.string().regex(DEFERRED)], { error: 'expected a whole number' });
const bool = z.boolean({ error: 'expected true or false' });
const name = z.string({ error: 'expected a name' });

export const schemas = {
  version: z.number({ error: 'expected the number 1' }),
  name: text,
  source: z.strictObject({
    table: name,
    topic: text,
    bootstrapServers: text,
    groupId: text.optional(),
    startupMode: z.enum(['earliest-offset', 'latest-offset', 'group-offsets']).default('earliest-offset'),
    offsetReset: z.enum(['earliest', 'latest', 'none']).optional(),
    format: z.enum(['json']).default('json'),
    ignoreParseErrors: bool.default(true),
    failOnMissingField: bool.default(false),
    columns: z.record(z.string(), text, { error: 'expected a map of column name to Flink SQL type' }),
    eventTime: name,
    watermarkDelay: text,
  }),
  events: z.record(z.string(), text, { error: 'expected a map of event name to a boolean SQL expression' }),
  window: z.strictObject({
    type: z.enum(['hop', 'tumble', 'cumulate']),
    size: text,
    slide: text.optional(),
    step: text.optional(),
  }),
  redis: z.strictObject({
    host: text,
    port: int.default(6379),
    password: text.optional(),
    database: int.default(0),
  }),
  metrics: z.array(z.unknown(), { error: 'expected a list of metrics' }).min(1, { error: 'declare at least one metric' }),
  job: z
    .strictObject({
      parallelism: int.default(1),
      checkpointInterval: text.default('1 minute'),
      stateTtl: text.default('1 day'),
    })
    .default({ parallelism: 1, checkpointInterval: '1 minute', stateTtl: '1 day' }),
  targets: z.record(z.string(), z.unknown(), { error: 'expected a map of target name to target' }),
};

/** Commands a spec may choose: those of the types that have more than one. */
const CHOSEN_COMMANDS = [...new Set(REDIS_TYPE_NAMES.flatMap((t) => (REDIS_TYPES[t].commands.length > 1 ? REDIS_TYPES[t].commands : [])))];

const redisSink = z.strictObject({
  type: z.enum(REDIS_TYPE_NAMES),
  key: text,
  command: z.enum(CHOSEN_COMMANDS as ['lpush', 'rpush']).optional(),
});

const metricBase = { name, redis: redisSink };
/** What `by` adds to the metric types that accept it. */
const by = { by: name.optional() };

/** How many values a top-N may rank per window. */
export const MAX_TOPN = 1000;
const TOPN_HELP = `expected a whole number from 1 to ${MAX_TOPN} (how many values to rank per window)`;

/**
 * Digits after the point a ratio may have. The generated SQL rounds exactly once, in DECIMAL
 * arithmetic that stays exact for any two BIGINT counts up to 9 digits (see SqlCompiler.valueExpr).
 */
const MAX_RATIO_PRECISION = 9;
const PRECISION_HELP = `expected a whole number from 0 to ${MAX_RATIO_PRECISION} (digits after the point; more would not be exact in Flink's DECIMAL arithmetic)`;

/** One schema per metric type; adding a metric type adds one entry here and one in `metrics/`. */
export const metricSchemas = {
  uv: z.strictObject({ ...metricBase, type: z.literal('uv'), event: name, column: name, ...by }),
  pv: z.strictObject({ ...metricBase, type: z.literal('pv'), event: name, ...by }),
  ratio: z.strictObject({
    ...metricBase,
    type: z.literal('ratio'),
    numerator: name,
    denominator: name,
    ...by,
    precision: z.number({ error: PRECISION_HELP }).int({ error: PRECISION_HELP }).min(0, { error: PRECISION_HELP }).max(MAX_RATIO_PRECISION, { error: PRECISION_HELP }).default(4),
  }),
  topn: z.strictObject({
    ...metricBase,
    type: z.literal('topn'),
    event: name,
    by: name,
    n: z.number({ error: TOPN_HELP }).int({ error: TOPN_HELP }).min(1, { error: TOPN_HELP }).max(MAX_TOPN, { error: TOPN_HELP }),
  }),
};

export const TOP_LEVEL_KEYS = ['version', 'name', 'source', 'events', 'window', 'redis', 'metrics', 'job', 'targets'] as const;
export const REQUIRED_TOP_LEVEL = ['version', 'name', 'source', 'events', 'window', 'redis', 'metrics'] as const;

/** Keys whose values are secrets: never printed, resolved only when a command must send them. */
export function isSecretPath(path: readonly (string | number)[]): boolean {
  const last = String(path[path.length - 1]);
  if (path[0] === 'redis' && last === 'password') return true;
  return path[0] === 'targets' && /^(secretId|secretKey|token|password)$/.test(last);
}
