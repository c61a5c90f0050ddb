/** The spec `uvpv init` writes: a proposal (infer.ts) as commented YAML that `uvpv validate` accepts. */
import { stringify } from 'yaml';
import { parseFilter } from '../expressions/filter';
import { parseSqlType } from '../pipeline/sql-types';
import { WINDOW_TYPE_NAMES } from '../windows';
import type { Proposal } from './infer';
import type { KafkaSecurity } from '../pipeline/types';

export interface Origin {
  /** Where the sample came from, for the header: `file events.jsonl`, `topic clicks on 127.0.0.1:9092`. */
  described: string;
  topic: string;
  bootstrap: string;
  /** How the sample's Kafka was reached (init's security flags); its password is written as `${KAFKA_PASSWORD}`. */
  security?: KafkaSecurity;
}

const scalar = (v: string | number) => stringify(v).trim();
/** `name: value` padded so that comments line up. */
const line = (indent: string, key: string, value: string, comment?: string) => {
  const text = `${indent}${key}: ${value}`;
  return comment ? `${text.padEnd(38)}# ${comment}` : text;
};

function literal(v: string | number | boolean): string {
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  return typeof v === 'boolean' ? String(v).toUpperCase() : String(v);
}

/** `column = value`, the column backquoted where the filter language would not take it bare. */
function filterText(column: string, value: string | number | boolean, columns: Proposal['columns']): string {
  const types = new Map(
    columns
      .map((c) => [c.name, parseSqlType(c.type)] as const)
      .filter((e): e is [string, Exclude<ReturnType<typeof parseSqlType>, string>] => typeof e[1] !== 'string'),
  );
  const bare = `${column} = ${literal(value)}`;
  return 'message' in parseFilter(bare, types) ? `\`${column}\` = ${literal(value)}` : bare;
}

const specName = (topic: string) =>
  topic
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 50) || 'pipeline';

const tableName = (topic: string) => `input_${topic.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'records'}`.slice(0, 60);

/** A value as the sample held it, cut short: one example of what did not fit. */
const example = (v: unknown) => {
  const text = JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
};
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const unfitText = (type: string, u: { count: number; of: number; example: unknown }) =>
  `${u.count} of ${plural(u.of, 'value', 'values')} ${u.count === 1 ? 'does' : 'do'} not read as ${type}, e.g. ${example(u.example)}: NULL there`;

/** The records whose rows the job drops for want of an event time: none missing, none unreadable, or how many. */
function withoutEventTime(p: Proposal): { count: number; missing: number; unfit: number } {
  const missing = p.eventTimeMissing?.count ?? 0;
  const unfit = p.columns.find((c) => c.name === p.eventTime)?.unfit?.count ?? 0;
  return { count: missing + unfit, missing, unfit };
}

function eventTimeComment(p: Proposal): string {
  const { count } = withoutEventTime(p);
  const base = 'the column that carries event time';
  return count ? `${base}; ${count} of ${p.records} records have none: their rows are dropped` : base;
}

/**
 * What `init` says beside the spec about the records that did not fit it: how many, and one
 * example of each kind (without the event time, a value a column's type does not read).
 */
export function sampleNotes(p: Proposal): string[] {
  const notes: string[] = [];
  const lost = withoutEventTime(p);
  const time = p.columns.find((c) => c.name === p.eventTime);
  if (lost.count) {
    const kinds = [
      ...(p.eventTimeMissing ? [`${p.eventTimeMissing.count} without it, e.g. ${example(p.eventTimeMissing.example)}`] : []),
      ...(time?.unfit ? [`${time.unfit.count} whose value does not read as ${time.type}, e.g. ${example(time.unfit.example)}`] : []),
    ];
    notes.push(
      `${p.eventTime}: ${lost.count} of ${p.records} records have no event time, and the job drops their rows: ${kinds.join('; ')}`,
    );
  }
  for (const c of p.columns) if (c.unfit && c.name !== p.eventTime) notes.push(`${c.name}: ${unfitText(c.type, c.unfit)}`);
  return notes;
}

/** The source's `security`, as the flags gave it: the password a variable, the files absolute. */
function securityLines(s: KafkaSecurity | undefined): string[] {
  if (!s) return [];
  return [
    line('  ', 'security', '', 'how the sample was read: see docs/spec.md#connections').trimEnd(),
    line('    ', 'protocol', s.protocol),
    ...(s.sasl
      ? [
          line('    ', 'mechanism', s.sasl.mechanism),
          line('    ', 'username', scalar(s.sasl.username)),
          line('    ', 'password', s.sasl.password.placeholder, 'set it in the environment'),
        ]
      : []),
    ...(s.truststore ? [line('    ', 'truststore', scalar(s.truststore))] : []),
    ...(s.keystore ? [line('    ', 'keystore', `{ cert: ${scalar(s.keystore.cert)}, key: ${scalar(s.keystore.key)} }`)] : []),
  ];
}

export function renderSpec(p: Proposal, origin: Origin): string {
  const out: string[] = [
    `# Written by \`uvpv init\` from ${p.records} records of ${origin.described}${p.unparsed ? ` (${p.unparsed} more ${p.unparsed === 1 ? 'was' : 'were'} not JSON objects)` : ''}.`,
    '# Read it through: the types, the event time and the metrics are guesses from that sample.',
    '# `uvpv validate` checks it; docs/spec.md describes every key.',
    'version: 1',
    line('', 'name', scalar(specName(origin.topic)), "the Flink job's name"),
    '',
    'source:',
    line('  ', 'table', tableName(origin.topic)),
    line('  ', 'topic', scalar(origin.topic)),
    line('  ', 'bootstrapServers', scalar(`\${KAFKA_BOOTSTRAP_SERVERS:-${origin.bootstrap}}`)),
    ...securityLines(origin.security),
    line('  ', 'startupMode', 'earliest-offset', 'earliest-offset | latest-offset | group-offsets'),
    '  format: json',
    line('  ', 'ignoreParseErrors', 'true', 'a record that is not JSON is skipped'),
    line('  ', 'failOnMissingField', 'false', 'a missing field is NULL'),
    line('  ', 'columns', '', 'name: Flink SQL type, as the sample showed them').trimEnd(),
    ...p.columns.map((c) => line('    ', c.name, c.type, c.note ?? (c.unfit && unfitText(c.type, c.unfit)))),
    ...(p.skipped.length
      ? [`    # left out, as their names are no SQL identifiers: ${p.skipped.map((s) => JSON.stringify(s)).join(', ')}`]
      : []),
    line('  ', 'eventTime', p.eventTime, eventTimeComment(p)),
    line('  ', 'watermarkDelay', p.watermarkDelay.text, p.watermarkDelay.why),
    '',
  ];
  const events = p.events.length
    ? p.events.map((e) => line('  ', e.name, scalar(filterText(e.column, e.value, p.columns)), `${e.rows} of ${p.records} records`))
    : [line('  ', 'all_records', scalar(`${p.eventTime} IS NOT NULL`), 'no column of few values to tell kinds of record apart')];
  out.push(
    line(
      '',
      'events',
      '',
      p.events.length ? `kinds of record, from the values of ${p.events[0].column}` : 'named filters over the columns',
    ).trimEnd(),
    ...events,
    '',
  );
  out.push('window:', line('  ', 'type', 'hop', WINDOW_TYPE_NAMES.join(' | ')), '  size: 10 minutes', '  slide: 5 minutes', '');
  out.push('redis:', `  host: \${REDIS_HOST:-127.0.0.1}`, '  port: 6379', `  password: \${REDIS_PASSWORD:-}`, '  database: 0', '');

  const first = p.events[0]?.name ?? 'all_records';
  const metrics: string[] = ['metrics:'];
  if (p.visitor) {
    metrics.push(
      `  - name: uv`,
      line('    ', 'type', 'uv', `distinct ${p.visitor} values of ${first} records`),
      `    event: ${first}`,
      `    column: ${p.visitor}`,
      '    redis: { type: set, key: uv }',
    );
  }
  metrics.push(
    `  - name: pv`,
    line('    ', 'type', 'pv', `${first} records per window`),
    `    event: ${first}`,
    '    redis: { type: list, key: pv }',
  );
  if (p.events.length >= 2) {
    const [denominator, numerator] = p.events;
    metrics.push(
      `  - name: ratio`,
      line('    ', 'type', 'ratio', `${numerator.name} records / ${denominator.name} records, per window`),
      `    numerator: ${numerator.name}`,
      `    denominator: ${denominator.name}`,
      '    redis: { type: string, key: ratio }',
    );
  }
  return [...out, ...metrics, ''].join('\n');
}
