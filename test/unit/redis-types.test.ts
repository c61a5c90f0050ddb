/**
 * The Redis-type registry's promises, for every type it lists: so a new type (one file in
 * src/redis-types/) is held to the same rules as the five it joins.
 */
import { METRIC_TYPES } from '../../src/metrics';
import { REDIS_TYPE_NAMES, REDIS_TYPES, redisType, redisTypesFor } from '../../src/redis-types';
import { DIALECTS } from '../../src/sql/dialects';
import type { MetricType } from '../../src/pipeline/types';

/** One window's value, as the model writes it, for the value types. */
const WINDOW = { start: '2026-01-01T00:00:00', end: '2026-01-01T00:05:00', value: 7 };

describe.each(REDIS_TYPE_NAMES)('Redis type %s', (name) => {
  const type = redisType(name);

  test('is registered under its own name, with at least one command and unique column names', () => {
    expect(type.name).toBe(name);
    expect(type.commands.length).toBeGreaterThan(0);
    const columns = type.columns.map((c) => c.name);
    expect(new Set(columns).size).toBe(columns.length);
    expect(columns).not.toContain('key');
  });

  test('is written by metrics that can produce what it holds', () => {
    expect(type.metrics.length).toBeGreaterThan(0);
    for (const metric of type.metrics) {
      // A members type needs the metric to name its member column.
      if (type.writes === 'members') expect(METRIC_TYPES[metric].gives).toBe('members');
      // A ranking needs the metric to say which column it ranks and how many values.
      if (type.writes === 'ranking') expect(METRIC_TYPES[metric].gives).toBe('ranking');
    }
  });

  test('what the model writes is a valid expectation, reads back as itself, and compares equal to itself only', () => {
    const content =
      type.writes === 'members'
        ? type.fromMembers(new Set(['1', '2', '3']))
        : type.writes === 'ranking'
          ? type.fromRanking([
              { member: '101', score: 7 },
              { member: '103', score: 5 },
              { member: '102', score: 5 },
            ])
          : type.addWindow(type.addWindow(undefined, { ...WINDOW, command: type.commands[0] }), {
              ...WINDOW,
              end: '2026-01-01T00:10:00',
              value: 9,
              command: type.commands[0],
            });
    const asFile = JSON.parse(JSON.stringify(content)) as unknown;
    expect(type.checkExpected(asFile)).toBeUndefined();
    expect(type.expected(asFile)).toEqual(content);
    expect(type.diff(content, content)).toEqual([]);
    const other =
      type.writes === 'members'
        ? type.fromMembers(new Set(['1', '2', '3', '4', '5']))
        : type.writes === 'ranking'
          ? type.fromRanking([{ member: '101', score: 6 }])
          : type.addWindow(undefined, { ...WINDOW, command: type.commands[0] });
    expect(type.diff(content, other).length).toBeGreaterThan(0);
    expect(type.describe(content)).toMatch(new RegExp(`^(${type.article}|the ${name}) `));
  });

  test('a value of the wrong shape is refused with a message', () => {
    expect(type.checkExpected({ not: ['a', { shape: true }] })).toMatch(/\w/);
  });

  test("the flink dialect with uvpv's connector runs every command it may be written with", () => {
    for (const command of type.commands) expect(DIALECTS.flink({ redisConnector: 'uvpv' }).capabilities.commands.has(command)).toBe(true);
  });
});

test('every metric type may be written to at least one Redis type', () => {
  for (const metric of Object.keys(METRIC_TYPES) as MetricType[]) expect(redisTypesFor(metric).length).toBeGreaterThan(0);
});

test('verify tells the types stored as a Redis string apart: hll (a string that starts HYLL) is tried before string', () => {
  const strings = REDIS_TYPE_NAMES.filter((t) => REDIS_TYPES[t].storedAs === 'string');
  expect(strings).toEqual(['hll', 'string']);
});
