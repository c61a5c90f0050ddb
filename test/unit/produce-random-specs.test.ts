/**
 * Property: `uvpv produce` feeds every event and every metric of the random specs `validate`
 * accepts (the planner property test's generator, test/support/random-spec.ts, same seed): among
 * a few hundred records, checked with the reference model (decoded as Flink decodes them, filters
 * evaluated as the model does), each event matches some rows that have an event time, and each
 * metric has rows to count (its event's, with its uv column and `by` not NULL).
 *
 * Where no record matches, the test looks for a row itself, by its own random search over the
 * filter's literals and values near them: if it finds one, produce missed a row it should have
 * made, and the test fails; if not, the filter is counted as one no row makes true (`x = NULL`,
 * `1 > 2`, ...) and produce must have said so (`unfed`, the warning `produce` prints).
 *
 *   UVPV_PROPERTY_SEED=7 UVPV_PROPERTY_COUNT=2000 npx jest --selectProjects unit -- test/unit/produce-random-specs
 */
import { filterColumns, type FilterExpr } from '../../src/expressions/filter';
import { metricDefinition } from '../../src/metrics';
import { decodeRecord, type Row, type Value } from '../../src/model/decode';
import { matches } from '../../src/model/evaluate';
import { SpecError } from '../../src/errors';
import { loadSpecText } from '../../src/pipeline/load';
import type { Column, Metric, Spec } from '../../src/pipeline/types';
import { DEFAULT_START, RecordGenerator } from '../../src/produce/generator';
import { prng } from '../../src/util/random';
import { randomSpec, specYaml } from '../support/random-spec';

const SEED = Number(process.env.UVPV_PROPERTY_SEED ?? 20261130);
const COUNT = Number(process.env.UVPV_PROPERTY_COUNT ?? 300);
/** Records per spec: what a verify run sends, about. */
const RECORDS = 300;

/** What a metric needs of a row to count it: its event's filter true, its uv column and `by` not NULL. */
function needs(spec: Spec, m: Metric): FilterExpr {
  const def = metricDefinition(m);
  // A ratio is counted once its denominator has rows (a numerator without them has no ratio).
  const events = def.events(m).filter((e) => m.type !== 'ratio' || e.event === m.denominator);
  const parts: FilterExpr[] = events.map((e) => {
    const filter = spec.events.find((x) => x.name === e.event)?.filter;
    if (!filter) throw new Error(`event ${e.event}`);
    return filter;
  });
  for (const column of [m.type === 'uv' ? m.column : undefined, m.by]) {
    if (column !== undefined) parts.push({ kind: 'isNull', expr: { kind: 'column', name: column }, negated: true });
  }
  return parts.reduce((left, right) => ({ kind: 'logic', op: 'AND', left, right }));
}

/** Values the test's search tries for a column: the filter's literals and their neighbours, of the column's type. */
function pool(c: Column, literals: readonly (string | number | boolean)[]): Value[] {
  const numbers = literals.filter((l): l is number => typeof l === 'number');
  const texts = literals.filter((l): l is string => typeof l === 'string');
  const t = c.type;
  switch (t.family) {
    case 'integer': {
      const limit = 2 ** ((t.precision ?? 32) - 1);
      const near = numbers.flatMap((n) => [
        n,
        n + 1,
        n - 1,
        -n,
        n * 2,
        n * 3,
        n * 4,
        n * 7,
        Math.round(n / 2),
        Math.floor(n),
        Math.ceil(n),
      ]);
      return [null, 0, 1, -1, 2, 3, ...near].filter((n) => n === null || (Number.isInteger(n) && n >= -limit && n < limit));
    }
    case 'float':
    case 'decimal': {
      const scale = t.family === 'decimal' ? (t.scale ?? 0) : 20;
      const near = numbers.flatMap((n) => [n, n + 1, n - 1, -n, n * 2, n / 2, n + 0.5, n - 0.5, n * 4]);
      return [null, 0, 1, -1, 0.5, ...near].filter(
        (n) => n === null || (Number(n.toFixed(Math.min(scale, 20))) === n && (t.sql !== 'FLOAT' || Math.fround(n) === n)),
      );
    }
    case 'boolean':
      return [null, true, false];
    case 'string': {
      // A LIKE pattern's texts: its escapes taken away, `%` as nothing, `_` as one letter.
      const like = texts.flatMap((s) => [s.replace(/!([%_!])/g, '$1').replace(/%/g, ''), s.replace(/[%]/g, '').replace(/_/g, 'q')]);
      return [null, '', 'x', ...texts, ...texts.map((s) => `${s}z`), ...like];
    }
    case 'timestamp':
      return [null, Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1, 0, 0, 1)];
    case 'date':
      return [null, '2024-01-01', '2024-01-02'];
    default:
      return [null, 'v'];
  }
}

function literalsOf(e: FilterExpr): (string | number | boolean)[] {
  if (e.kind === 'literal') return e.value === null ? [] : [e.value];
  return Object.values(e).flatMap((child: unknown) => {
    if (Array.isArray(child)) return (child as FilterExpr[]).flatMap(literalsOf);
    return typeof child === 'object' && child !== null && 'kind' in child ? literalsOf(child as FilterExpr) : [];
  });
}

/** A row that makes `filter` true with an event time, by random search; undefined when none is found. */
function searchRow(spec: Spec, filter: FilterExpr): Row | undefined {
  const random = prng(7);
  const literals = literalsOf(filter);
  const columns = filterColumns(filter).filter((n) => n !== spec.source.eventTime);
  const pools = columns.map((n) => {
    const c = spec.source.columns.find((x) => x.name === n);
    if (!c) throw new Error(`column ${n}`);
    return pool(c, literals);
  });
  for (let i = 0; i < 5_000; i++) {
    const row: Row = { [spec.source.eventTime]: DEFAULT_START };
    columns.forEach((n, k) => (row[n] = pools[k][Math.floor(random() * pools[k].length)]));
    if (matches(filter, row)) return row;
  }
  return undefined;
}

test(`produce feeds every event and metric of ${COUNT} random specs (seed ${SEED}) where a row can match`, () => {
  let accepted = 0;
  let events = 0;
  const impossible: string[] = [];
  const missed: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const tree = randomSpec(SEED + i);
    let spec: Spec;
    try {
      spec = loadSpecText('pipeline.yaml', specYaml(tree), { env: {}, cwd: '.' }).spec;
    } catch (e) {
      if (e instanceof SpecError) continue;
      throw e;
    }
    accepted++;
    const gen = new RecordGenerator(spec, { users: 100, seed: 1, badRatio: 0, lateRatio: 0 });
    const rows = Array.from({ length: RECORDS }, (_, k) => gen.next(DEFAULT_START + k * 1000))
      .map((b) => decodeRecord(b, spec.source.columns, spec.source))
      .filter((r): r is Row => r !== undefined && r[spec.source.eventTime] !== null);
    const check = (what: string, filter: FilterExpr, unfedEvent?: string) => {
      if (rows.some((r) => matches(filter, r))) return;
      const row = searchRow(spec, filter);
      if (row) missed.push(`seed ${SEED + i}: ${what} has no rows, yet this row matches: ${JSON.stringify(row)}\n${specYaml(tree)}`);
      else {
        impossible.push(`seed ${SEED + i}: ${what}`);
        // produce says so: the warning it prints names the event.
        if (unfedEvent !== undefined && !gen.unfed().includes(unfedEvent)) missed.push(`seed ${SEED + i}: ${what}: not reported as unfed`);
      }
    };
    for (const e of spec.events) {
      events++;
      check(`event ${e.name} (${tree.events[e.name]})`, e.filter, e.name);
    }
    for (const m of spec.metrics) check(`metric ${m.name}`, needs(spec, m));
  }
  expect(missed).toEqual([]);
  // Enough specs and events to say something: most filters some row can match (the rest are constant or contradictory).
  expect(accepted).toBeGreaterThan(COUNT * 0.2);
  expect(impossible.filter((x) => x.includes(': event ')).length).toBeLessThan(events * 0.5);
  console.log(
    `produce property: ${accepted} accepted specs of ${COUNT} (seed ${SEED}), ${events} events; no row can match ${impossible.length} events or metrics, e.g.:\n` +
      impossible.slice(0, 8).join('\n'),
  );
}, 600_000);
