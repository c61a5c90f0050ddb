/**
 * The spec as a JSON Schema, for editors (YAML language servers complete keys and flag mistakes
 * as the user types). Made from the same zod schemas that validate a spec (schema.ts), so the two
 * cannot drift: what the schema rejects is what `validate` rejects as structure (unknown keys,
 * wrong types, unknown enum values). Meaning (durations, SQL types, filters, references) is
 * checked by `validate` alone.
 */
import { z } from 'zod';
import { TARGET_TYPES, TARGETS } from '../deploy/targets';
import { METRIC_TYPE_NAMES, METRIC_TYPES, type MetricShape } from '../metrics';
import { WINDOW_TYPE_NAMES, WINDOW_TYPES } from '../windows';
import { DEFERRED, metricSchemas, schemas } from './schema';

/** Each target type's keys (deploy/targets.ts). */
const [firstTarget, ...otherTargets] = TARGET_TYPES.map((type) => TARGETS[type].schema);

/** The whole spec, structure only: what schema.ts checks section by section. */
export const structuralSpec = z.strictObject({
  version: z.literal(1),
  name: schemas.name,
  source: schemas.source,
  events: schemas.events,
  window: schemas.window,
  redis: schemas.redis,
  metrics: z.array(z.discriminatedUnion('type', metricSchemas)).min(1),
  job: schemas.job.optional(),
  targets: z.record(z.string(), z.discriminatedUnion('type', [firstTarget, ...otherTargets])).optional(),
});

/** `a, b or c` (`word`: or, and). */
function series(items: readonly string[], word: string): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} ${word} ${items[items.length - 1]}` : items.join('');
}

/** Whether a metric type may be broken down `by` a column without having to be (topn must name one). */
function byIsOptional(schema: z.ZodObject<MetricShape>): boolean {
  const by: z.ZodType | undefined = schema.shape.by;
  return by?.safeParse(undefined).success ?? false;
}

/** What an editor shows for each top-level key. */
const DESCRIPTIONS: Record<string, string> = {
  version: 'The spec format version: 1.',
  name: "The pipeline's name: the Flink job's name. Letters, digits, '-', '_', '.'.",
  source:
    'The Kafka topic of JSON records: its columns (name: Flink SQL type), the event-time column and the watermark delay; `security` for SASL and TLS.',
  events: 'Named kinds of record: event name to a boolean SQL expression over the columns (e.g. record_type = 0).',
  window: `The windows metrics are computed over: type ${series(
    WINDOW_TYPE_NAMES.map((t) => `${t} (${WINDOW_TYPES[t].durations.join(', ')})`),
    'or',
  )}; durations like '10 minutes'.`,
  redis:
    "Where results go: a standalone host and port, or mode cluster or sentinel with nodes (sentinel: masterName, and sentinelPassword when the sentinels' password differs); username, password (use ${VAR}), database, tls.",
  metrics:
    `What to compute and where to write it: ${series(
      METRIC_TYPE_NAMES.map((t) => `${t} (${METRIC_TYPES[t].summary})`),
      'or',
    )}, each with its Redis type and key; ` +
    `${series(
      METRIC_TYPE_NAMES.filter((t) => byIsOptional(METRIC_TYPES[t].schema)),
      'and',
    )} may be broken down \`by\` a column.`,
  job: 'Flink job options: parallelism, checkpointInterval, stateTtl.',
  targets: 'Where `uvpv deploy` sends the pipeline: name to a gateway (Flink SQL Gateway) or oceanus target.',
};

type Node = Record<string, unknown>;

/**
 * A whole-value `${VAR}` stands for a number wherever the spec takes one (validate reads it once
 * resolved: `precision: ${PRECISION:-4}`), so every number of the schema also takes that text.
 */
function numbersTakeTemplates(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(numbersTakeTemplates);
  if (typeof node !== 'object' || node === null) return node;
  const out: Node = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, numbersTakeTemplates(v)]));
  const type = out.type;
  if (type === 'number' || type === 'integer') {
    const { description, default: fallback, ...number } = out;
    return {
      ...(description === undefined ? {} : { description }),
      ...(fallback === undefined ? {} : { default: fallback }),
      anyOf: [number, { type: 'string', pattern: DEFERRED.source }],
    };
  }
  return out;
}

export function specJsonSchema(): Record<string, unknown> {
  const schema = numbersTakeTemplates(z.toJSONSchema(structuralSpec, { io: 'input', unrepresentable: 'any' })) as Node & {
    properties: Record<string, Node>;
  };
  for (const [key, description] of Object.entries(DESCRIPTIONS)) schema.properties[key] = { description, ...schema.properties[key] };
  return { ...schema, title: 'uvpv pipeline spec, version 1' };
}
