/** `uvpv init`'s guesses where the golden cases (test/cases/init) do not reach, and its refusals. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/run';
import { infer } from '../../src/init/infer';
import { memoryIo } from '../../src/io/io';

const at = (seconds: number) => new Date(Date.UTC(2024, 0, 1) + seconds * 1000).toISOString().replace('T', ' ').replace('Z', '');

test('INT while the values fit in 32 bits, BIGINT beyond', () => {
  const p = infer([{ t: at(0), small: 2147483647, big: 2147483648, neg: -2147483648 }], 0);
  if (typeof p === 'string') throw new Error(p);
  expect(Object.fromEntries(p.columns.map((c) => [c.name, c.type]))).toEqual({
    t: 'TIMESTAMP(3)',
    small: 'INT',
    big: 'BIGINT',
    neg: 'INT',
  });
});

test('the watermark delay covers how far event time went backwards (99.9th percentile), rounded up', () => {
  // 1,000 records a second apart; three arrive late: 3, 39 and 199 s behind the largest before them.
  const times = Array.from({ length: 1000 }, (_, i) => i);
  times[500] = 497;
  times[600] = 560;
  times[700] = 500;
  const p = infer(
    times.map((s) => ({ t: at(s) })),
    0,
  );
  if (typeof p === 'string') throw new Error(p);
  // The 999th of the 1,000 distances is 39 s (the 199 s one is the 0.1% left out): 1 minute.
  expect(p.watermarkDelay).toEqual({
    text: '1 minute',
    why: '3 of 1000 records came after a later one, up to 39 s behind at the 99.9th percentile: rounded up',
  });
});

test('negative values and values that make one name still give events of their own names', () => {
  const numbers = infer(
    [-1, -1, 1, 1].map((kind, i) => ({ t: at(i), kind })),
    0,
  );
  if (typeof numbers === 'string') throw new Error(numbers);
  expect(numbers.events.map((e) => e.name).sort()).toEqual(['kind_1', 'kind_minus_1']);
  const texts = infer(
    ['a-b', 'a-b', 'a_b', 'a_b', 'a_b'].map((kind, i) => ({ t: at(i), kind })),
    0,
  );
  if (typeof texts === 'string') throw new Error(texts);
  expect(texts.events.map((e) => [e.name, e.value])).toEqual([
    ['kind_a_b', 'a_b'],
    ['kind_a_b_2', 'a-b'],
  ]);
});

test('records without a time as text cannot give an event time: a usage error that says what is needed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-init-'));
  writeFileSync(join(dir, 's.jsonl'), '{"a": 1, "ts": 1700000000000}\n{"a": 2, "ts": 1700000001000}\n');
  const io = memoryIo({}, dir);
  expect(await run(['init', '--from-file', 's.jsonl'], io)).toBe(2);
  expect(io.err).toBe(
    "error: s.jsonl: no field of the 2 records holds times as 'yyyy-MM-dd HH:mm:ss[.SSS]' text in at least 90% of the records that hold it, so none can be the event-time column; the spec needs one (source.eventTime)\n",
  );
  expect(io.out).toBe('');
});

test('init needs exactly one source of records', async () => {
  const io = memoryIo({}, tmpdir());
  expect(await run(['init'], io)).toBe(2);
  expect(io.err).toBe('error: init needs one of --from-file FILE or --from-topic TOPIC\n');
});

test("time text with an ISO 'T' is no timestamp (Flink's JSON format would read NULL); empty text counts as no value", () => {
  const p = infer(
    [
      { iso: '2024-01-01T00:00:00', t: at(0), maybe: '' },
      { iso: '2024-01-01T00:00:01', t: at(1), maybe: at(1) },
    ],
    0,
  );
  if (typeof p === 'string') throw new Error(p);
  expect(Object.fromEntries(p.columns.map((c) => [c.name, c.type]))).toEqual({ iso: 'VARCHAR', t: 'TIMESTAMP(3)', maybe: 'TIMESTAMP(3)' });
  expect(p.eventTime).toBe('t');
});

test('disorder is measured per Kafka partition, as Flink keeps a watermark per partition', () => {
  // Two partitions read one after the other: partition 1 starts an hour behind partition 0's last record.
  const rows = [3600, 3601, 3602, 0, 1, 2].map((s) => ({ t: at(s) }));
  const p = infer(rows, 0, [0, 0, 0, 1, 1, 1]);
  if (typeof p === 'string') throw new Error(p);
  expect(p.watermarkDelay.text).toBe('1 second');
  // Taken as one stream, it would look an hour late.
  const one = infer(rows.slice(), 0);
  if (typeof one === 'string') throw new Error(one);
  expect(one.watermarkDelay.text).toBe('6 hours');
});

test('a number written with a point (1.0) makes the field DOUBLE, though JSON.parse reads an integer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-init-'));
  const lines = [0, 1, 2, 3].map((i) => `{"t": "${at(i)}", "price": ${i}.0, "qty": ${i}, "nested": {"x": 1.5}, "big": 2e3}`);
  writeFileSync(join(dir, 's.jsonl'), `${lines.join('\n')}\n`);
  const io = memoryIo({}, dir);
  expect(await run(['init', '--from-file', 's.jsonl'], io)).toBe(0);
  expect(io.out).toMatch(/^ {4}price: DOUBLE$/m);
  expect(io.out).toMatch(/^ {4}qty: INT$/m);
  expect(io.out).toMatch(/^ {4}big: DOUBLE$/m);
});

test('the 85-record sample with 2 bad create_time values (one missing, one "yesterday") proposes create_time and reports both', async () => {
  const sample = join(__dirname, '..', 'cases', 'init', 'bad-records', 'init.sample.jsonl');
  const records = readFileSync(sample, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(records).toHaveLength(85);
  expect(records.filter((r) => !('create_time' in r))).toHaveLength(1);
  expect(records.filter((r) => r.create_time === 'yesterday')).toHaveLength(1);
  const p = infer(records, 0);
  if (typeof p === 'string') throw new Error(p);
  expect(p.eventTime).toBe('create_time');
  expect(p.columns.find((c) => c.name === 'create_time')).toEqual({
    name: 'create_time',
    type: 'TIMESTAMP(3)',
    unfit: { count: 1, of: 84, example: 'yesterday' },
  });
  expect(p.eventTimeMissing).toEqual({ count: 1, example: records.find((r) => !('create_time' in r)) });

  const io = memoryIo({}, tmpdir());
  expect(await run(['init', '--from-file', sample], io)).toBe(0);
  expect(io.out).toMatch(
    /^ {2}eventTime: create_time +# the column that carries event time; 2 of 85 records have none: their rows are dropped$/m,
  );
  expect(io.err).toMatch(
    /^note: create_time: 2 of 85 records have no event time, and the job drops their rows: 1 without it, e\.g\. \{"record_type":0,.*\}; 1 whose value does not read as TIMESTAMP\(3\), e\.g\. "yesterday"$/m,
  );
});

test('a type is chosen when at least 90% of the values held fit it; below, the field is text and cannot be the event time', () => {
  // 9 times and 1 "soon" of 10 values (and a record without the field, which does not count): 90%.
  const nine = [...Array.from({ length: 9 }, (_, i) => ({ t: at(i) })), { t: 'soon' }, {}];
  const p = infer(nine, 0);
  if (typeof p === 'string') throw new Error(p);
  expect(p.columns).toEqual([{ name: 't', type: 'TIMESTAMP(3)', unfit: { count: 1, of: 10, example: 'soon' } }]);
  expect(p.eventTimeMissing).toEqual({ count: 1, example: {} });
  // 8 of 10: 80% is no clear majority.
  const eight = [...Array.from({ length: 8 }, (_, i) => ({ t: at(i) })), { t: 'soon' }, { t: 'later' }];
  expect(infer(eight, 0)).toMatch(/in at least 90% of the records that hold it, .*; closest: t, times in 8 of 10$/);
});

test('a number column with a stray text value stays a number, and its events leave the stray value out', () => {
  const rows = Array.from({ length: 20 }, (_, i) => ({ t: at(i), kind: i === 7 ? 'n/a' : i % 2, user: 2 ** 40 + i }));
  const p = infer(rows, 0);
  if (typeof p === 'string') throw new Error(p);
  expect(p.columns.map((c) => [c.name, c.type, c.unfit])).toEqual([
    ['t', 'TIMESTAMP(3)', undefined],
    ['kind', 'INT', { count: 1, of: 20, example: 'n/a' }],
    ['user', 'BIGINT', undefined],
  ]);
  expect(p.events.map((e) => e.value)).toEqual([0, 1]);
});
