/** The filter solver produce uses to give every event records: each construct a filter may use, and where no row can match. */
import { parseFilter, type FilterExpr } from '../../src/expressions/filter';
import type { Row } from '../../src/model/decode';
import { matches } from '../../src/model/evaluate';
import { parseSqlType, type SqlType } from '../../src/pipeline/sql-types';
import type { Column } from '../../src/pipeline/types';
import { FilterSolver } from '../../src/produce/solve';
import { prng } from '../../src/util/random';

const COLUMNS: Column[] = Object.entries({
  kind: 'INT',
  small: 'TINYINT',
  amount: 'DECIMAL(10, 2)',
  ratio: 'FLOAT',
  path: 'STRING',
  flag: 'BOOLEAN',
  tags: 'ARRAY<INT>',
  day: 'DATE',
  ts: 'TIMESTAMP(3)',
}).map(([name, text]) => {
  const type = parseSqlType(text);
  if (typeof type === 'string') throw new Error(type);
  return { name, type };
});
const TYPES = new Map<string, SqlType>(COLUMNS.map((c) => [c.name, c.type]));
/** A row as the generator drafts it: every column holds a value that matches none of the filters below. */
const ROW: Row = {
  kind: 50,
  small: 7,
  amount: 12.5,
  ratio: 0.5,
  path: 'home',
  flag: false,
  tags: '[]',
  day: '2024-01-01',
  ts: 1_700_000_000_000,
};

function filter(text: string): FilterExpr {
  const f = parseFilter(text, TYPES);
  if ('message' in f) throw new Error(`${text}: ${f.message}`);
  return f;
}

/** The row the solver makes of ROW, checked with the model; the event time never changes. */
function solved(text: string, row: Row = ROW): Row | undefined {
  const f = filter(text);
  const set = new FilterSolver(f, COLUMNS, new Set(['ts']), prng(1)).satisfy(row);
  if (!set) return undefined;
  const out = { ...row, ...set };
  expect(matches(f, out)).toBe(true);
  expect(out.ts).toBe(row.ts);
  return out;
}

test.each([
  '`kind` IN (1, 2, 3)',
  'kind NOT IN (50, 51)',
  'kind BETWEEN 100 AND 200',
  'kind NOT BETWEEN 0 AND 100',
  "path LIKE '/promo!_%' ESCAPE '!'",
  "path NOT LIKE 'ho%'",
  "path LIKE '_a_'",
  'kind = 7',
  'kind <> 50',
  'kind < -3',
  'kind >= 1000',
  "path > 'zz'",
  "path < 'home'",
  'flag',
  'NOT flag = FALSE',
  'kind + 3 = 10',
  '10 - kind = 4',
  'kind * 4 = 20',
  'kind / 3 = 5',
  'kind % 7 = 3',
  '-(kind) = 9',
  'amount * 2 > 1000',
  'ratio = 0.25',
  "kind = 1 AND path = 'a' AND flag",
  'kind = 1 OR kind = 2',
  "NOT (kind = 50 OR path = 'home')",
  "(kind IN (1, 2) AND path LIKE 'x%') OR flag IS NULL",
  'path IS NULL',
  'tags IS NULL AND kind IS NOT NULL',
  'small > 100',
  'kind + kind = 4',
])('%s', (text) => {
  expect(solved(text)).toBeDefined();
});

test('it changes only the columns the filter needs, and nothing when the row already matches', () => {
  const f = filter("`kind` IN (1, 2, 3) AND path LIKE '/promo!_%' ESCAPE '!'");
  const set = new FilterSolver(f, COLUMNS, new Set(['ts']), prng(1)).satisfy(ROW);
  expect(Object.keys(set ?? {}).sort()).toEqual(['kind', 'path']);
  expect([1, 2, 3]).toContain(set?.kind);
  expect(set?.path).toMatch(/^\/promo_/);
  expect(new FilterSolver(f, COLUMNS, new Set(['ts']), prng(1)).satisfy({ ...ROW, ...set })).toEqual({});
});

test('values fit their column: a TINYINT stays in range, a DECIMAL(10, 2) keeps two decimals, a FLOAT is exact in 32 bits', () => {
  expect(solved('small > 126')?.small).toBe(127);
  expect(solved('small > 127')).toBeUndefined();
  const amount = solved('amount > 1000.005')?.amount as number;
  expect(amount).toBeGreaterThan(1000.005);
  expect(Number(amount.toFixed(2))).toBe(amount);
  expect(solved('ratio = 0.1')).toBeUndefined();
});

test('a filter no row makes true gets no row: contradictions, NULL comparisons, the event time', () => {
  for (const text of ['kind = 1 AND kind = 2', 'kind = NULL', 'kind NOT IN (1, NULL)', 'kind > kind', 'ts IS NULL', "'a' LIKE 'b'"]) {
    expect([text, solved(text)]).toEqual([text, undefined]);
  }
});

test('the same seed makes the same choices; different rows get different members', () => {
  const f = filter('kind IN (1, 2, 3, 4, 5)');
  const run = () => {
    const s = new FilterSolver(f, COLUMNS, new Set(['ts']), prng(5));
    return Array.from({ length: 20 }, () => s.satisfy(ROW)?.kind);
  };
  expect(run()).toEqual(run());
  expect(new Set(run()).size).toBeGreaterThan(2);
});
