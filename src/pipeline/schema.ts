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

/** Kafka's security.protocol values, SASL mechanisms uvpv writes a JAAS line for, and Redis deployments. */
export const KAFKA_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export const REDIS_MODES = ['standalone', 'cluster', 'sentinel'] as const;

/** How the source reaches a secured Kafka (docs/spec.md#connections); its rules are in check.ts. */
const kafkaSecurity = z.strictObject({
  protocol: z.enum(KAFKA_PROTOCOLS),
  mechanism: z.enum(SASL_MECHANISMS).optional(),
  username: text.optional(),
  password: text.optional(),
  truststore: text.optional(),
  keystore: z.strictObject({ cert: text, key: text, keyPassword: text.optional() }).optional(),
});

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
    security: kafkaSecurity.optional(),
  }),
  events: z.record(z.string(), text, { error: help('expected a map of event name to a boolean SQL expression') }),
  window: windowSection,
  redis: z.strictObject({
    mode: z.enum(REDIS_MODES).default('standalone'),
    host: text.optional(),
    port: int.optional(),
    nodes: z.array(text, { error: help('expected a list of host:port') }).optional(),
    masterName: text.optional(),
    username: text.optional(),
    password: text.optional(),
    sentinelPassword: text.optional(),
    database: int.default(0),
    tls: z
      .strictObject(
        { ca: text.optional(), verifyPeer: bool.default(true) },
        { error: help('expected a map (e.g. { ca: /etc/ssl/redis-ca.pem })') },
      )
      .optional(),
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

/** The spec's own secrets (a target's are found by their key's name below). */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'redis.password',
  'redis.sentinelPassword',
  'source.security.password',
  'source.security.keystore.keyPassword',
]);

/** Keys whose values are secrets: never printed, resolved only when a command must send them. */
export function isSecretPath(path: readonly (string | number)[]): boolean {
  if (SECRET_KEYS.has(path.join('.'))) return true;
  const last = String(path[path.length - 1]);
  return path[0] === 'targets' && /^(secretId|secretKey|token|password)$/.test(last);
}
