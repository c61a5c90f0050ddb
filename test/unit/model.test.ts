/**
 * The reference model against every case's hand-written expected.yaml. With the real run in the
 * integration tests, the SQL on Flink, the model and the expectation are three opinions that
 * must agree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitLines } from '../../src/kafka/client';
import { referenceModel } from '../../src/model/reference';
import { loadSpec } from '../../src/pipeline/load';
import { compare } from '../../src/verify/compare';
import { readExpectation } from '../../src/verify/expect-file';
import { findCases } from '../support/cases';
import { required } from '../../src/util/required';

const cases = findCases().filter((c) => c.has('events.jsonl') && c.has('expected.yaml'));

test('there are verify cases for every window type and every Redis type', () => {
  const specs = cases.map((c) => c.read('pipeline.yaml')).join('\n');
  for (const w of ['hop', 'tumble', 'cumulate']) expect(specs).toContain(`type: ${w}`);
  for (const t of ['set', 'hll', 'string', 'list', 'hash']) expect(specs).toContain(`type: ${t},`);
  expect(cases.length).toBeGreaterThanOrEqual(6);
});

test.each(cases.map((c) => [c.name, c] as const))('%s: the reference model computes expected.yaml', (_name, c) => {
  const { spec } = loadSpec('pipeline.yaml', { env: c.env, cwd: c.dir, mode: 'lenient' });
  const model = referenceModel(spec, splitLines(readFileSync(join(c.dir, 'events.jsonl'))));
  const expected = readExpectation(join(c.dir, 'expected.yaml'));
  const results = compare(expected, model.expectation.redis);
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(results.length).toBe(expected.redis.size);
});

test('the model counts skipped and late rows', () => {
  const c = required(
    cases.find((x) => x.name === 'verify/bad-records'),
    'case verify/bad-records',
  );
  const { spec } = loadSpec('pipeline.yaml', { env: {}, cwd: c.dir, mode: 'lenient' });
  const model = referenceModel(spec, splitLines(readFileSync(join(c.dir, 'events.jsonl'))));
  expect(model.skipped).toBe(3); // not JSON, a JSON array, an empty line
  expect(model.dropped.lateRows).toBe(0); // 16:00:30 after 16:07 is within the 10-minute delay
  const late = referenceModel(spec, [
    Buffer.from('{"record_type":0,"create_time":"2021-09-06 16:30:00"}'),
    Buffer.from('{"record_type":0,"create_time":"2021-09-06 16:00:00"}'),
  ]);
  expect(late.dropped.lateRows).toBe(1);
});

test('a row is late for a window exactly when the watermark before it reached the window end - 1 ms', () => {
  const c = required(
    cases.find((x) => x.name === 'verify/bad-records'),
    'case verify/bad-records',
  );
  const { spec } = loadSpec('pipeline.yaml', { env: {}, cwd: c.dir, mode: 'lenient' });
  expect(spec.window).toMatchObject({ type: 'hop', size: { millis: 600_000 }, slide: { millis: 300_000 } });
  expect(spec.source.watermarkDelay.millis).toBe(600_000);
  const row = (t: string) => Buffer.from(JSON.stringify({ record_type: 0, create_time: t }));
  // [15:55, 16:05) fires at the watermark 16:04:59.999, carried by a row at 16:14:59.999; a row at
  // 16:04 then misses it, and still counts in [16:00, 16:10).
  const at = (carrier: string) => referenceModel(spec, [row(carrier), row('2021-09-06 16:04:00'), row('2021-09-06 16:04:30')]).dropped;
  expect(at('2021-09-06 16:14:59.998')).toEqual({ late: new Map(), lateRows: 0, noEventTime: 0 });
  expect(at('2021-09-06 16:14:59.999')).toEqual({ late: new Map([['2021-09-06T16:05:00', 2]]), lateRows: 2, noEventTime: 0 });
  // A row never makes itself late, and a row without an event time carries no watermark.
  const own = referenceModel(spec, [row('2021-09-06 17:00:00'), Buffer.from('{"record_type":0}')]).dropped;
  expect(own).toEqual({ late: new Map(), lateRows: 0, noEventTime: 1 });
});

test('a wrong expectation is reported key by key', () => {
  const c = required(
    cases.find((x) => x.name === 'reference'),
    'case reference',
  );
  const { spec } = loadSpec('pipeline.yaml', { env: {}, cwd: c.dir, mode: 'lenient' });
  const model = referenceModel(spec, splitLines(readFileSync(join(c.dir, 'events.jsonl'))));
  const expected = readExpectation(join(c.dir, 'expected.yaml'));
  expected.redis.set('userids', { set: ['1', '2', '3', '9'] });
  expected.redis.set('conversion_rate', { string: '0.5000' });
  const list = expected.redis.get('pagevisits') as { list: object[] };
  expected.redis.set('pagevisits', { list: [...list.list].reverse() as never });
  expected.redis.delete('extra-key-not-expected');
  const results = compare(expected, model.expectation.redis);
  expect(results.filter((r) => !r.ok).map((r) => [r.key, r.problems])).toEqual([
    ['userids', ['missing members: "9"', 'extra members: "4"']],
    ['pagevisits', [expect.stringMatching(/^wrong order: the entries match but not their order/)]],
    ['conversion_rate', ['value is "0.0000", expected "0.5000"']],
  ]);
});
