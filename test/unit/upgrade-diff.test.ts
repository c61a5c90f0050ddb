/** Two versions of a job's SQL, compared by what each statement defines. */
import { changedLines, diffStatements, metricChanges } from '../../src/deploy/upgrade/diff';
import { difference } from '../../src/deploy/upgrade/state';
import { required } from '../../src/util/required';

const SET_OF = (...inserts: string[]) => `EXECUTE STATEMENT SET\nBEGIN\n\n${inserts.map((i) => `  ${i};\n\n`).join('')}END`;
const OLD = [
  "SET 'pipeline.name' = 'p'",
  "SET 'parallelism.default' = '1'",
  "CREATE TABLE `src` (`a` INT) WITH (\n  'connector' = 'kafka'\n)",
  "CREATE TEMPORARY TABLE `redis_uv` (`key` STRING) WITH (\n  'command' = 'sadd'\n)",
  "CREATE TEMPORARY TABLE `redis_cr` (`key` STRING) WITH (\n  'command' = 'set'\n)",
  SET_OF(
    "INSERT INTO `redis_uv`\n  SELECT 'a; b', `a`\n  FROM `src`",
    "INSERT INTO `redis_cr`\n  SELECT 'cr', CAST(1 AS DECIMAL(5, 4))\n  FROM `src`",
  ),
];

test('statements are matched by what they define, inserts one by one, and a moved statement is no change', () => {
  const next = [
    OLD[1],
    OLD[0],
    OLD[2],
    OLD[3],
    OLD[4],
    "CREATE TEMPORARY TABLE `redis_pv` (`key` STRING) WITH (\n  'command' = 'lpush'\n)",
    SET_OF(
      "INSERT INTO `redis_uv`\n  SELECT 'a; b', `a`\n  FROM `src`",
      "INSERT INTO `redis_cr`\n  SELECT 'cr', CAST(1 AS DECIMAL(6, 5))\n  FROM `src`",
      "INSERT INTO `redis_pv`\n  SELECT 'pv', `a`\n  FROM `src`",
    ),
  ];
  const changes = diffStatements(OLD, next);
  const by = Object.fromEntries(changes.map((c) => [c.subject, c.change]));
  expect(by).toEqual({
    "SET 'pipeline.name'": 'unchanged',
    "SET 'parallelism.default'": 'unchanged',
    'TABLE src': 'unchanged',
    'TABLE redis_uv': 'unchanged',
    'TABLE redis_cr': 'unchanged',
    'TABLE redis_pv': 'added',
    'INSERT INTO redis_uv': 'unchanged',
    'INSERT INTO redis_cr': 'changed',
    'INSERT INTO redis_pv': 'added',
  });
  const cr = required(
    changes.find((c) => c.subject === 'INSERT INTO redis_cr'),
    'the change of redis_cr',
  );
  expect(changedLines(required(cr.before, 'the statement before'), required(cr.after, 'the statement after'))).toEqual([
    "- SELECT 'cr', CAST(1 AS DECIMAL(5, 4))",
    "+ SELECT 'cr', CAST(1 AS DECIMAL(6, 5))",
  ]);
  const sinks = [
    { metric: 'uv', table: 'redis_uv' },
    { metric: 'conversion_rate', table: 'redis_cr' },
    { metric: 'pv', table: 'redis_pv' },
  ];
  expect(metricChanges(changes, sinks)).toEqual([
    { name: 'uv', change: 'unchanged' },
    { name: 'conversion_rate', change: 'changed' },
    { name: 'pv', change: 'added' },
  ]);
});

test('a metric only the running job has is reported by its sink table as removed', () => {
  const next = [OLD[0], OLD[1], OLD[2], OLD[3], SET_OF("INSERT INTO `redis_uv`\n  SELECT 'a; b', `a`\n  FROM `src`")];
  const changes = diffStatements(OLD, next);
  expect(changes.filter((c) => c.change === 'removed').map((c) => c.subject)).toEqual(['TABLE redis_cr', 'INSERT INTO redis_cr']);
  expect(metricChanges(changes, [{ metric: 'uv', table: 'redis_uv' }])).toEqual([
    { name: 'uv', change: 'unchanged' },
    { name: '(sink table redis_cr)', change: 'removed' },
  ]);
});

test('the part of two operator descriptions that differs, whole', () => {
  const a =
    'GlobalWindowAggregate(window=[HOP(slice_end=[$slice_end], size=[10 min], slide=[5 min])], select=[COUNT(count1$0) AS browse_rows])';
  expect(difference(a, a.replace('size=[10 min]', 'size=[15 min]'))).toEqual(['size=[10 min]', 'size=[15 min]']);
  expect(
    difference(
      'Deduplicate(keep=[FirstRow], key=[user_id], order=[PROCTIME])',
      'Deduplicate(keep=[FirstRow], key=[product_id], order=[PROCTIME])',
    ),
  ).toEqual(['key=[user_id]', 'key=[product_id]']);
});

test('a metric whose INSERT reads a table or view that changed is changed, however indirectly', () => {
  const view = 'CREATE TEMPORARY VIEW `counts` AS SELECT `a` FROM `src`';
  const before = [
    ...OLD.slice(0, 5),
    view,
    SET_OF("INSERT INTO `redis_uv`\n  SELECT 'a; b', `a`\n  FROM `counts`", "INSERT INTO `redis_cr`\n  SELECT 'cr', 1\n  FROM `other`"),
  ];
  const after = before.map((s) => s.replace("'connector' = 'kafka'", "'connector' = 'kafka', 'properties.group.id' = 'g'"));
  const changes = diffStatements(before, after);
  expect(changes.filter((c) => c.change !== 'unchanged').map((c) => c.subject)).toEqual(['TABLE src']);
  expect(
    metricChanges(changes, [
      { metric: 'uv', table: 'redis_uv' },
      { metric: 'conversion_rate', table: 'redis_cr' },
    ]),
  ).toEqual([
    { name: 'uv', change: 'changed' }, // through the view `counts`, which reads `src`
    { name: 'conversion_rate', change: 'unchanged' },
  ]);
});
