/**
 * The Redis-type registry's promises, for every type it lists: so a new type (one file in
 * src/redis-types/) is held to the same rules as the five it joins.
 */
import { METRIC_TYPES } from '../../src/metrics';
import { REDIS_TYPE_NAMES, REDIS_TYPES, redisType, redisTypesFor, type Ranked, type RedisTypeDefinition, type WindowValue } from '../../src/redis-types';
import { DIALECTS } from '../../src/sql/dialects';
import type { MetricType } from '../../src/spec/types';

/** One window's value, as the model writes it, for the value types. */
const WINDOW = { start: '2026-01-01T00:00:00', end: '2026-01-01T00:05:00', value: 7 };

/** What the reference model writes to a key of `type` from the sample of the kind the type writes. */
function modelWrite(type: RedisTypeDefinition, sample: { members: string[]; ranked: Ranked[]; windows: WindowValue[] }): unknown {
  switch (type.writes) {
    case 'members':
      if (!type.fromMembers) throw new Error(`${type.name} writes members but has no fromMembers`);
      return type.fromMembers(new Set(sample.members));
    case 'ranking':
      if (!type.fromRanking) throw new Error(`${type.name} writes a ranking but has no fromRanking`);
      return type.fromRanking(sample.ranked);
    default: {
      if (!type.addWindow) throw new Error(`${type.name} writes each window's value but has no addWindow`);
      let content: unknown;
      for (const w of sample.windows) content = type.addWindow(content, w);
      return content;
    }
  }
}

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
      if (type.writes === 'members') expect(typeof METRIC_TYPES[metric].memberColumn).toBe('function');
      // A ranking needs the metric to say how many values it ranks.
      if (type.writes === 'ranking') expect(typeof METRIC_TYPES[metric].rankSize).toBe('function');
    }
    const modelWrite = { members: typeof type.fromMembers, value: typeof type.addWindow, ranking: typeof type.fromRanking }[type.writes];
    expect(modelWrite).toBe('function');
  });

  test('what the model writes is a valid expectation, reads back as itself, and compares equal to itself only', () => {
    const command = type.commands[0];
    const content = modelWrite(type, {
      members: ['1', '2', '3'],
      ranked: [
        { member: '101', score: 7 },
        { member: '103', score: 5 },
        { member: '102', score: 5 },
      ],
      windows: [
        { ...WINDOW, command },
        { ...WINDOW, end: '2026-01-01T00:10:00', value: 9, command },
      ],
    });
    const asFile = JSON.parse(JSON.stringify(content)) as unknown;
    expect(type.checkExpected(asFile)).toBeUndefined();
    expect(type.expected(asFile)).toEqual(content);
    expect(type.diff(content, content)).toEqual([]);
    const other = modelWrite(type, { members: ['1', '2', '3', '4', '5'], ranked: [{ member: '101', score: 6 }], windows: [{ ...WINDOW, command }] });
    expect(type.diff(content, other).length).toBeGreaterThan(0);
    expect(type.describe(content)).toMatch(new RegExp(`^(${type.article}|the ${name}) `));
  });

  test('a value of the wrong shape is refused with a message', () => {
    expect(type.checkExpected({ not: ['a', { shape: true }] })).toMatch(/\w/);
  });

  test('the flink dialect runs every command it may be written with', () => {
    for (const command of type.commands) expect(DIALECTS.flink().capabilities.commands.has(command)).toBe(true);
  });
});

test('every metric type may be written to at least one Redis type', () => {
  for (const metric of Object.keys(METRIC_TYPES) as MetricType[]) expect(redisTypesFor(metric).length).toBeGreaterThan(0);
});

test('verify tells the types stored as a Redis string apart: hll (a string that starts HYLL) is tried before string', () => {
  const strings = REDIS_TYPE_NAMES.filter((t) => REDIS_TYPES[t].storedAs === 'string');
  expect(strings).toEqual(['hll', 'string']);
});
