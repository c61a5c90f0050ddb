/**
 * The Oceanus dialect's Redis sink tables where they differ from open-source Flink's: ZADD's
 * columns in the order Oceanus's connector page gives them (member as `value` STRING, then
 * `score` DOUBLE), where jeff-zou's connector takes (key, score, member), all STRING. A top-N is
 * refused for Oceanus today (its key names its window, and Oceanus takes ZADD's key as a fixed
 * option), so the plan is compiled here without the dialect's check: the day it is allowed, the
 * columns are already right.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPlan } from '../../src/ir/build';
import { loadSpecText } from '../../src/pipeline/load';
import { DIALECTS } from '../../src/sql/dialects';
import { renderSql } from '../../src/sql/parts';

const ROOT = join(__dirname, '..', '..');
const REFERENCE = readFileSync(join(ROOT, 'test/cases/reference/pipeline.yaml'), 'utf8');
const TOP_N =
  "metrics:\n  - { name: top_products, type: topn, event: browse, by: product_id, n: 10, redis: { type: zset, key: 'top_products:{window_end}' } }\n";

/** The top-N's sink table and insert, compiled for a dialect without its check. */
function topN(dialect: 'flink' | 'oceanus'): { table: string; insert: string } {
  const loaded = loadSpecText('pipeline.yaml', REFERENCE.replace(/\nmetrics:\n/, `\n${TOP_N}  # the reference's metrics follow\n`), {
    env: {},
    cwd: ROOT,
  });
  const compiler = DIALECTS[dialect]();
  const statements = compiler.statements(buildPlan(loaded.spec, {}, compiler.capabilities)).map((st) => renderSql(st.parts, 'mask'));
  const table = statements.find((s) => s.startsWith('CREATE TEMPORARY TABLE `redis_top_products`'));
  const insert = statements.find((s) => s.startsWith('INSERT INTO `redis_top_products`'));
  if (!table || !insert) throw new Error(`no top-N sink in:\n${statements.join('\n')}`);
  return { table, insert };
}

test("Oceanus's ZADD table is (value STRING, score DOUBLE): the member, then the score as a number", () => {
  const { table, insert } = topN('oceanus');
  expect(table).toMatch(/^CREATE TEMPORARY TABLE `redis_top_products` \(\n {2}`value` STRING,\n {2}`score` DOUBLE\n\) WITH/);
  expect(table).toContain("'command' = 'zadd'");
  expect(insert).toContain('SELECT CAST(`product_id` AS STRING), CAST(`browse_rows` AS DOUBLE)');
});

test("open-source Flink's (jeff-zou's) ZADD table stays (key, score, member), all STRING", () => {
  const { table, insert } = topN('flink');
  expect(table).toMatch(/^CREATE TEMPORARY TABLE `redis_top_products` \(\n {2}`key` STRING,\n {2}`score` STRING,\n {2}`member` STRING\n\)/);
  expect(insert).toMatch(/^INSERT INTO `redis_top_products`\nSELECT .+, CAST\(`browse_rows` AS STRING\), CAST\(`product_id` AS STRING\)\n/);
});

test('the dialect refuses the top-N itself, as before', () => {
  const loaded = loadSpecText('pipeline.yaml', REFERENCE.replace(/\nmetrics:\n/, `\n${TOP_N}  # the reference's metrics follow\n`), {
    env: {},
    cwd: ROOT,
  });
  const compiler = DIALECTS.oceanus();
  const problems = compiler.check(buildPlan(loaded.spec, {}, compiler.capabilities));
  expect(problems.map((p) => p.metric)).toContain('top_products');
});
