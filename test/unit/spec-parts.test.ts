import { parseDuration } from '../../src/expressions/duration';
import { parseTemplate, resolveTemplate } from '../../src/pipeline/interpolate';
import { parseSqlType } from '../../src/pipeline/sql-types';
import { quoteIdent, quoteString } from '../../src/sql/escape';

describe('durations', () => {
  test.each([
    ['10 minutes', 600_000, 'MINUTE'],
    ['10 min', 600_000, 'MINUTE'],
    ['1 minute', 60_000, 'MINUTE'],
    ['30 s', 30_000, 'SECOND'],
    ['2 hours', 7_200_000, 'HOUR'],
    ['1 day', 86_400_000, 'DAY'],
    ['45seconds', 45_000, 'SECOND'],
  ])('%s', (text, millis, unit) => {
    expect(parseDuration(text)).toMatchObject({ millis, unit });
  });

  test.each([
    ['10 m', /ambiguous/],
    ['ten minutes', /not a duration/],
    ['0 s', /positive/],
    ['5 fortnights', /not a time unit/],
    ['-1 s', /not a duration/],
  ])('%s is rejected', (text, why) => {
    expect(parseDuration(text)).toMatch(why);
  });
});

describe('interpolation', () => {
  const resolve = (t: string, env: Record<string, string>) => {
    const parts = parseTemplate(t);
    if (typeof parts === 'string') throw new Error(parts);
    return resolveTemplate(parts, env);
  };
  test('required, defaulted, empty default and literal $${', () => {
    expect(resolve('${A}', { A: 'x' })).toEqual({ value: 'x' });
    expect(resolve('${A}', {})).toEqual({ missing: ['A'] });
    expect(resolve('${A:-127.0.0.1:9092}', {})).toEqual({ value: '127.0.0.1:9092' });
    expect(resolve('${A:-}', {})).toEqual({ value: '' });
    expect(resolve('${A:-d}', { A: '' })).toEqual({ value: 'd' });
    expect(resolve('redis://${H}:${P:-6379}/0', { H: 'h' })).toEqual({ value: 'redis://h:6379/0' });
    expect(resolve('$${A}', {})).toEqual({ value: '${A}' });
  });
  test('malformed references are errors', () => {
    expect(parseTemplate('${A')).toMatch(/unclosed/);
    expect(parseTemplate('${A-B}')).toMatch(/not a variable reference/);
    expect(parseTemplate('${}')).toMatch(/not a variable reference/);
  });
});

describe('Flink SQL column types', () => {
  test.each([
    ['INT', 'INT', 'integer'],
    ['integer', 'INT', 'integer'],
    ['VARCHAR', 'VARCHAR', 'string'],
    ['varchar(20)', 'VARCHAR(20)', 'string'],
    ['STRING', 'STRING', 'string'],
    ['DOUBLE', 'DOUBLE', 'float'],
    ['double  precision', 'DOUBLE', 'float'],
    ['DECIMAL(10, 2)', 'DECIMAL(10, 2)', 'decimal'],
    ['TIMESTAMP', 'TIMESTAMP(6)', 'timestamp'],
    ['TIMESTAMP(3)', 'TIMESTAMP(3)', 'timestamp'],
    ['TIMESTAMP(3) WITHOUT TIME ZONE', 'TIMESTAMP(3)', 'timestamp'],
    ['TIMESTAMP_LTZ(3)', 'TIMESTAMP_LTZ(3)', 'timestamp_ltz'],
    ['ARRAY<INT>', 'ARRAY<INT>', 'array'],
    ['MAP<STRING, BIGINT>', 'MAP<STRING, BIGINT>', 'map'],
    ['ROW<a INT, b STRING>', 'ROW<`a` INT, `b` STRING>', 'row'],
  ])('%s', (text, sql, family) => {
    expect(parseSqlType(text)).toEqual(expect.objectContaining({ sql, family }));
  });
  test.each(['INTT', 'DECIMAL(40, 2)', 'TIMESTAMP(12)', 'VARCHAR(', 'INT; DROP TABLE x', ''])('%s is rejected', (text) => {
    expect(typeof parseSqlType(text)).toBe('string');
  });
});

describe('escaping', () => {
  test('identifiers and strings cannot be broken out of', () => {
    expect(quoteIdent('a`b')).toBe('`a``b`');
    expect(quoteString("it's")).toBe("'it''s'");
    expect(quoteString("'); DROP TABLE t; --")).toBe("'''); DROP TABLE t; --'");
  });
});
