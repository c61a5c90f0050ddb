import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitStatements } from '../../src/sql/split';

test('splits on ; outside strings, identifiers and comments', () => {
  const sql = "SET 'a' = 'x;y';\n-- c; d\nCREATE TABLE `t;1` (a INT) WITH ('k' = 'it''s; fine');\n/* e; */ SELECT 1;";
  expect(splitStatements(sql)).toEqual([
    "SET 'a' = 'x;y'",
    "-- c; d\nCREATE TABLE `t;1` (a INT) WITH ('k' = 'it''s; fine')",
    '/* e; */ SELECT 1',
  ]);
});

test('a statement set is one statement', () => {
  const sql = 'SET x = 1;\nEXECUTE STATEMENT SET\nBEGIN\n  INSERT INTO a SELECT 1;\n  INSERT INTO b SELECT 2;\nEND;\n';
  expect(splitStatements(sql)).toEqual([
    'SET x = 1',
    'EXECUTE STATEMENT SET\nBEGIN\n  INSERT INTO a SELECT 1;\n  INSERT INTO b SELECT 2;\nEND',
  ]);
});

test('a trailing comment alone is not a statement', () => {
  expect(splitStatements('SELECT 1;\n-- the end\n')).toEqual(['SELECT 1']);
});

test('the generated scripts split into their statements', () => {
  const sql = readFileSync(join(__dirname, '../cases/valid/quoting/generate.flink.sql'), 'utf8');
  const parts = splitStatements(sql);
  expect(
    parts.map((p) =>
      p
        .replace(/^(\s*--[^\n]*\n)+/, '')
        .split(/\s+/)
        .slice(0, 3)
        .join(' '),
    ),
  ).toEqual([
    "SET 'pipeline.name' =",
    "SET 'parallelism.default' =",
    "SET 'pipeline.object-reuse' =",
    "SET 'execution.checkpointing.interval' =",
    "SET 'restart-strategy.type' =",
    "SET 'execution.checkpointing.externalized-checkpoint-retention' =",
    'CREATE TABLE `clicks`',
    'CREATE TEMPORARY VIEW',
    'CREATE TEMPORARY TABLE',
    'CREATE TEMPORARY VIEW',
    'EXECUTE STATEMENT SET',
  ]);
});
