/**
 * Random pipeline specs within the schema, for the property test: names that are SQL keywords or
 * look like the names the compiler generates, every column type, nested filters with unary minus
 * and strings holding quotes, backslashes, newlines and `--`, durations from 1 s to 7 days, every
 * window type, metric and Redis type, breakdowns (`by` on uv, pv and ratio, with or without the by
 * column's placeholder in the key) and top-Ns (topn into a zset, n from 1 to 1000). Some are meant
 * to be refused; all must be handled.
 */
import { stringify } from 'yaml';
import { prng as rng } from '../../src/util/random';

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const chance = (r: Rand, p: number) => r() < p;

const NAMES = [
  'seen',
  'proctime',
  'rowtime',
  'value',
  'key',
  'member',
  'field',
  'count',
  'order',
  'select',
  'from',
  'where',
  'table',
  'user',
  'date',
  'year',
  'b_rows',
  'a_distinct_b',
  'browse_rows',
  'window_counts',
  'events_timed',
  'redis_uv',
  'x',
  'kind',
  'user_id',
  'item',
  'ts_rows',
  'Seen',
  'PROCTIME',
  'a',
  'b',
  'c',
  'entry_rank',
  'top_rank',
  'score',
];
const TABLES = [
  'events',
  'select',
  'window_counts',
  'values',
  'redis_uv',
  'events_timed',
  'order',
  't',
  'WINDOW_COUNTS',
  'window_counts_by_x',
  'window_counts_by_kind',
];
const EVENTS = ['a', 'a_distinct_b', 'browse', 'purchase', 'select', 'seen', 'value', 'b', 'window_counts', 'proctime'];
const METRICS = ['uv', 'pv', 'cr', 'a_timed', 'counts', 'select', 'seen', 'timed', 'x', 'top'];

type Family = 'number' | 'string' | 'boolean' | 'temporal' | 'other';
const TYPES: [string, Family][] = [
  ['INT', 'number'],
  ['BIGINT', 'number'],
  ['TINYINT', 'number'],
  ['SMALLINT', 'number'],
  ['DOUBLE', 'number'],
  ['FLOAT', 'number'],
  ['DECIMAL(10, 2)', 'number'],
  ['STRING', 'string'],
  ['VARCHAR', 'string'],
  ['VARCHAR(10)', 'string'],
  ['CHAR(3)', 'string'],
  ['BOOLEAN', 'boolean'],
  ['DATE', 'temporal'],
  ['TIMESTAMP(3)', 'temporal'],
  ['BYTES', 'other'],
  ['ARRAY<INT>', 'other'],
  ['MAP<STRING, INT>', 'other'],
];
/** Column types whose values have one plain text: those `by` (and a uv column) accept. */
const PLAIN = /^(TINYINT|SMALLINT|INT|BIGINT|STRING|VARCHAR(\(\d+\))?|CHAR\(\d+\)|BOOLEAN)$/;
/** The window part of a key: none, fixed text, or one or both window placeholders. */
const WINDOW_KEYS = ['', '{window_end}', '{window_start}:{window_end}', 'fixed', '{window_start}'];
const WINDOWED_KEYS = ['{window_end}', '{window_start}', '{window_start}:{window_end}', '{window_end}:latest'];
/** Redis types that hold one value (or one set of members) per key: with `by`, the key must name it. */
const KEYED_BY_COLUMN = new Set(['string', 'set', 'hll']);
const TRICKY = [
  "it''s",
  'C:\\temp',
  'A\\n1',
  'a\nb',
  '--',
  'x -- y',
  '/* z */',
  ';',
  '%',
  'a_b',
  'é',
  ':p',
  '"q"',
  '`',
  'OR TRUE',
  "'')) OR TRUE --",
  '',
];

const UNITS: [string, number][] = [
  ['s', 1],
  ['min', 60],
  ['hour', 3600],
  ['days', 86400],
];

/** A duration of `seconds`, in a unit that divides it. */
function durationText(r: Rand, seconds: number): string {
  const fits = UNITS.filter(([, u]) => seconds % u === 0);
  const [unit, u] = pick(r, fits);
  return `${seconds / u} ${unit}`;
}

function randomSeconds(r: Rand): number {
  return pick(r, [
    () => int(r, 1, 99),
    () => int(r, 100, 999),
    () => int(r, 1, 200) * 60,
    () => int(r, 1, 168) * 3600,
    () => int(r, 1, 7) * 86400,
    () => int(r, 1000, 604800),
  ])();
}

interface Col {
  name: string;
  type: string;
  family: Family;
}

class Filters {
  constructor(
    private readonly r: Rand,
    private readonly cols: Col[],
  ) {}

  private col(f: Family): Col | undefined {
    const of = this.cols.filter((c) => c.family === f);
    return of.length ? pick(this.r, of) : undefined;
  }

  /** A column as a user would write it: mostly backquoted, sometimes bare (a keyword then fails to parse). */
  ref(c: Col): string {
    return chance(this.r, 0.8) ? `\`${c.name}\`` : c.name;
  }

  number(depth: number): string {
    const r = this.r;
    const c = this.col('number');
    const choice = int(r, 0, depth > 0 ? 4 : 1);
    if (choice === 0 && c) return this.ref(c);
    if (choice <= 1) return pick(r, ['0', '1', '-1', '2.5', '-0.5', '100', '-(-1)', '- 3', '0.25']);
    if (choice === 2) return `-(${this.number(depth - 1)})`;
    const op = pick(r, ['+', '-', '*', '/', '%']);
    const right = op === '/' || op === '%' ? pick(r, ['2', '3', '-7', '0.5', chance(r, 0.1) ? '0' : '4']) : this.number(depth - 1);
    return `(${this.number(depth - 1)} ${op} ${right})`;
  }

  string(): string {
    const c = this.col('string');
    return c && chance(this.r, 0.5) ? this.ref(c) : `'${pick(this.r, TRICKY)}'`;
  }

  boolean(depth: number): string {
    const r = this.r;
    const kinds = ['cmpNum', 'cmpStr', 'in', 'between', 'like', 'isnull', 'bool', chance(r, 0.3) ? 'mismatch' : 'cmpNum'];
    if (depth > 0) kinds.push('not', 'and', 'or', 'and', 'or');
    switch (pick(r, kinds)) {
      case 'cmpNum':
        return `${this.number(depth)} ${pick(r, ['=', '<>', '!=', '<', '<=', '>', '>='])} ${this.number(depth)}`;
      case 'cmpStr':
        return `${this.string()} ${pick(r, ['=', '<>', '<', '>='])} ${this.string()}`;
      case 'in':
        return `${this.number(0)} ${pick(r, ['IN', 'NOT IN'])} (${[this.number(0), this.number(0), chance(r, 0.2) ? 'NULL' : '5'].join(', ')})`;
      case 'between':
        return `${this.number(0)} ${pick(r, ['BETWEEN', 'NOT BETWEEN'])} ${this.number(0)} AND ${this.number(0)}`;
      case 'like': {
        const col = this.col('string');
        const c = col ? this.ref(col) : `'${pick(r, TRICKY)}'`;
        if (chance(r, 0.3)) return `${c} LIKE '${pick(r, ['a!%', '!_x%', '%!!', 'a!b'])}' ESCAPE '!'`;
        return `${c} ${pick(r, ['LIKE', 'NOT LIKE'])} '${pick(r, TRICKY)}${pick(r, ['%', '_', ''])}'`;
      }
      case 'isnull':
        return `${this.ref(pick(r, this.cols))} ${pick(r, ['IS NULL', 'IS NOT NULL'])}`;
      case 'bool': {
        const c = this.col('boolean');
        return c ? pick(r, [this.ref(c), `${this.ref(c)} = TRUE`, `NOT ${this.ref(c)}`]) : 'TRUE';
      }
      case 'mismatch':
        return `${this.ref(pick(r, this.cols))} = ${pick(r, ['1', "'1'", 'TRUE', 'NULL'])}`;
      case 'not':
        return `NOT (${this.boolean(depth - 1)})`;
      default: {
        const op = chance(r, 0.5) ? 'AND' : 'OR';
        const side = () => (chance(r, 0.85) ? `(${this.boolean(depth - 1)})` : this.boolean(depth - 1));
        return `${side()} ${op} ${side()}`;
      }
    }
  }
}

/** A metric as YAML holds it: loose where the generator writes values the spec refuses. */
export interface MetricTree {
  name: string;
  type: string;
  event?: string;
  numerator?: string;
  denominator?: string;
  precision?: number;
  column?: string;
  by?: string;
  n?: number;
  redis: Record<string, string>;
}

/** A random spec as YAML holds it (pipeline/types.ts has the loaded form). */
export interface SpecTree {
  version: number;
  name: string;
  source: {
    table: string;
    topic: string;
    bootstrapServers: string;
    startupMode: string;
    columns: Record<string, string>;
    eventTime: string;
    watermarkDelay: string;
    groupId?: string;
    offsetReset?: string;
    ignoreParseErrors?: boolean;
    failOnMissingField?: boolean;
  };
  events: Record<string, string>;
  window: Record<string, string>;
  redis: { host: string; port: number; database: number };
  metrics: MetricTree[];
  job?: { parallelism: number; stateTtl: string };
}

/** The YAML text a user would write for a spec tree. */
export function specYaml(spec: SpecTree): string {
  return stringify(spec, { lineWidth: 0 });
}

/** One random spec tree. */
export function randomSpec(seed: number): SpecTree {
  const r = rng(seed);
  const names = [...NAMES].sort(() => r() - 0.5);
  const cols: Col[] = names.slice(0, int(r, 1, 5)).map((name) => {
    const [type, family] = pick(r, TYPES);
    return { name, type, family };
  });
  const eventTime = {
    name: pick(r, ['ts', 'create_time', 'time_rows']),
    type: pick(r, ['TIMESTAMP', 'TIMESTAMP(3)', 'TIMESTAMP(6)', 'TIMESTAMP(0)']),
    family: 'temporal' as Family,
  };
  cols.push(eventTime);
  const filters = new Filters(r, cols);
  const eventNames = [...EVENTS].sort(() => r() - 0.5).slice(0, int(r, 1, 4));
  const events = Object.fromEntries(eventNames.map((e) => [e, filters.boolean(int(r, 0, 3))]));

  const windowType = pick(r, ['hop', 'tumble', 'cumulate'] as const);
  const inner = randomSeconds(r);
  const window: Record<string, string> = {
    type: windowType,
    size: durationText(r, windowType === 'tumble' ? inner : inner * int(r, 1, 4)),
  };
  if (windowType === 'hop') window.slide = durationText(r, inner);
  if (windowType === 'cumulate') window.step = durationText(r, inner);

  const metricNames = [...METRICS].sort(() => r() - 0.5).slice(0, int(r, 1, 4));
  const usedKeys = new Set<string>();
  const plain = cols.filter((c) => PLAIN.test(c.type));
  const metrics = metricNames.map((name, i): MetricTree => {
    const type = pick(r, ['uv', 'pv', 'ratio', 'uv', 'pv', 'ratio', 'topn'] as const);
    // Mostly a column `by` takes; sometimes any column (a DOUBLE, the event time: refused).
    const byColumn = () => pick(r, plain.length && chance(r, 0.93) ? plain : cols).name;
    const by =
      type === 'topn' ? (chance(r, 0.95) ? byColumn() : undefined) : chance(r, plain.length ? 0.35 : 0.05) ? byColumn() : undefined;
    let redisType: string;
    if (type === 'topn') redisType = chance(r, 0.92) ? 'zset' : pick(r, ['hash', 'list', 'string', 'set']);
    else if (chance(r, 0.03)) redisType = 'zset';
    else if (type === 'uv') redisType = pick(r, ['set', 'hll', 'string', 'list', 'hash']);
    else redisType = pick(r, ['string', 'list', 'hash', 'list', chance(r, 0.1) ? 'set' : 'string']);
    // A top-N's key must name its window; string, set and hll by a column must name the column.
    const windowPart = type === 'topn' && chance(r, 0.92) ? pick(r, WINDOWED_KEYS) : pick(r, WINDOW_KEYS);
    const parts = [windowPart];
    const needsColumn = KEYED_BY_COLUMN.has(redisType);
    if (by !== undefined && chance(r, needsColumn ? 0.9 : redisType === 'zset' ? 0.05 : 0.25)) {
      parts.splice(int(r, 0, 1), 0, `{${by}}`);
    } else if (by === undefined && chance(r, 0.03)) {
      parts.push(`{${pick(r, cols).name}}`); // a column's placeholder without `by`: refused
    }
    let key = `${name}:${parts.filter(Boolean).join(':')}`;
    while (usedKeys.has(key)) key += `_${i}`;
    usedKeys.add(key);
    const redis: Record<string, string> = { type: redisType, key };
    if (redisType === 'list' && chance(r, 0.3)) redis.command = pick(r, ['lpush', 'rpush']);
    const m: Omit<MetricTree, 'redis'> = { name, type };
    if (type === 'ratio') {
      m.numerator = pick(r, eventNames);
      m.denominator = pick(r, eventNames);
      if (chance(r, 0.5)) m.precision = int(r, 0, chance(r, 0.8) ? 9 : 12);
    } else m.event = pick(r, eventNames);
    if (type === 'uv') m.column = pick(r, plain.length && chance(r, 0.85) ? plain : cols).name;
    if (by !== undefined) m.by = by;
    if (type === 'topn') {
      m.n = chance(r, 0.06) ? pick(r, [0, 1001, 2.5]) : pick(r, [1, int(r, 2, 10), int(r, 11, 1000), 1000]);
    }
    return { ...m, redis };
  });

  const startupMode = pick(r, ['earliest-offset', 'latest-offset', 'group-offsets']);
  const source: SpecTree['source'] = {
    table: pick(r, TABLES),
    topic: 'topic-a',
    bootstrapServers: '127.0.0.1:9092',
    startupMode,
    columns: Object.fromEntries(cols.map((c) => [c.name, c.type])),
    eventTime: eventTime.name,
    watermarkDelay: durationText(r, randomSeconds(r)),
  };
  if (startupMode === 'group-offsets' ? chance(r, 0.9) : chance(r, 0.3)) source.groupId = 'group-a';
  if (chance(r, startupMode === 'group-offsets' ? 0.5 : 0.05)) source.offsetReset = pick(r, ['earliest', 'latest', 'none']);
  if (chance(r, 0.3)) source.ignoreParseErrors = chance(r, 0.5);
  if (chance(r, 0.15)) source.failOnMissingField = chance(r, 0.5);

  const spec: SpecTree = {
    version: 1,
    name: `random-${seed}`,
    source,
    events,
    window,
    redis: { host: '127.0.0.1', port: 6379, database: int(r, 0, 15) },
    metrics,
    job: { parallelism: int(r, 1, 4), stateTtl: chance(r, 0.2) ? 'none' : durationText(r, randomSeconds(r)) },
  };
  return spec;
}

/**
 * Smaller specs than `spec`, one step each: a metric, event, column or option fewer, a filter
 * made TRUE, the simplest window. The property test keeps the first that still fails.
 */
export function shrinkSteps(spec: SpecTree): SpecTree[] {
  const out: SpecTree[] = [];
  const copy = (): SpecTree => structuredClone(spec);
  spec.metrics.forEach((_m, i) => {
    if (spec.metrics.length < 2) return;
    const s = copy();
    s.metrics.splice(i, 1);
    out.push(s);
  });
  spec.metrics.forEach((m, i) => {
    // A breakdown fewer: the metric without `by` (and its key without the by column's placeholder).
    if (m.by !== undefined && m.type !== 'topn') {
      const s = copy();
      const sm = s.metrics[i];
      sm.redis.key = sm.redis.key.split(`{${m.by}}`).join('');
      delete sm.by;
      out.push(s);
    }
    if (m.type === 'topn' && m.n !== 1) {
      const s = copy();
      s.metrics[i].n = 1;
      out.push(s);
    }
  });
  const referenced = JSON.stringify(spec.metrics);
  for (const e of Object.keys(spec.events)) {
    if (Object.keys(spec.events).length > 1 && !referenced.includes(`"${e}"`)) {
      const s = copy();
      delete s.events[e];
      out.push(s);
    }
    if (spec.events[e] !== 'TRUE') {
      const s = copy();
      s.events[e] = 'TRUE';
      out.push(s);
    }
  }
  const used = JSON.stringify([spec.events, spec.metrics]);
  for (const c of Object.keys(spec.source.columns)) {
    if (c !== spec.source.eventTime && !new RegExp(`\\b${c}\\b`).test(used)) {
      const s = copy();
      delete s.source.columns[c];
      out.push(s);
    }
  }
  for (const k of ['groupId', 'offsetReset', 'ignoreParseErrors', 'failOnMissingField'] as const) {
    if (k in spec.source) {
      const s = copy();
      delete s.source[k];
      out.push(s);
    }
  }
  if (spec.window.type !== 'tumble' || spec.window.size !== '1 min') {
    const s = copy();
    s.window = { type: 'tumble', size: '1 min' };
    out.push(s);
  }
  if (spec.source.watermarkDelay !== '1 s') {
    const s = copy();
    s.source.watermarkDelay = '1 s';
    out.push(s);
  }
  if ('job' in spec) {
    const s = copy();
    delete s.job;
    out.push(s);
  }
  return out;
}
