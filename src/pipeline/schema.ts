/**
 * The structural schema of a spec: which keys exist, their primitive types and enums.
 * Strict everywhere: an unknown key is an error. Meaning (durations, types, filters,
 * cross-references) is checked afterwards in `check.ts`, section by section.
 */
import { z } from 'zod';
import { METRIC_TYPE_NAMES, METRIC_TYPES, type MetricDefinition } from '../metrics';
import { WINDOW_DURATIONS, WINDOW_TYPE_NAMES, type WindowType } from '../windows';
import { bool, help, int, name, text } from './schema-primitives';

export { DEFERRED } from './schema-primitives';

/** A window section as its structure reads it: the type, and the text of each duration given. */
export interface WindowTexts {
  readonly type: WindowType;
  readonly [duration: string]: string | undefined;
}

/** The window's type, and each duration some window type has (src/windows): required where every type has it. */
const windowSection: z.ZodType<WindowTexts> = z.strictObject({
  type: z.enum(WINDOW_TYPE_NAMES),
  ...Object.fromEntries(WINDOW_DURATIONS.map((d) => [d.key, d.everyType ? text : text.optional()])),
});

export const schemas = {
  version: z.number({ error: help('expected the number 1') }),
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
    columns: z.record(z.string(), text, { error: help('expected a map of column name to Flink SQL type') }),
    eventTime: name,
    watermarkDelay: text,
  }),
  events: z.record(z.string(), text, { error: help('expected a map of event name to a boolean SQL expression') }),
  window: windowSection,
  redis: z.strictObject({
    host: text,
    port: int.default(6379),
    password: text.optional(),
    database: int.default(0),
  }),
  metrics: z.array(z.unknown(), { error: help('expected a list of metrics') }).min(1, { error: help('declare at least one metric') }),
  job: z
    .strictObject({
      parallelism: int.default(1),
      checkpointInterval: text.default('1 minute'),
      stateTtl: text.default('1 day'),
      droppedRows: z.strictObject({ key: text, type: z.enum(['hash']).default('hash') }).optional(),
    })
    .default({ parallelism: 1, checkpointInterval: '1 minute', stateTtl: '1 day' }),
  targets: z.record(z.string(), z.unknown(), { error: help('expected a map of target name to target') }),
};

type MetricSchema = MetricDefinition['schema'];

/** One schema per metric type, each its type's own (src/metrics), in the registry's order. */
export const metricSchemas = METRIC_TYPE_NAMES.map((t): MetricSchema => METRIC_TYPES[t].schema) as [MetricSchema, ...MetricSchema[]];

export const TOP_LEVEL_KEYS = ['version', 'name', 'source', 'events', 'window', 'redis', 'metrics', 'job', 'targets'] as const;
export const REQUIRED_TOP_LEVEL = ['version', 'name', 'source', 'events', 'window', 'redis', 'metrics'] as const;

/** Keys whose values are secrets: never printed, resolved only when a command must send them. */
export function isSecretPath(path: readonly (string | number)[]): boolean {
  const last = String(path[path.length - 1]);
  if (path[0] === 'redis' && last === 'password') return true;
  return path[0] === 'targets' && /^(secretId|secretKey|token|password)$/.test(last);
}
