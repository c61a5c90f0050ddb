/** Synthetic traffic: fits the spec, is deterministic, and looks like real activity. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { memoryIo } from '../../src/io/io';
import { run } from '../../src/cli/run';
import { splitLines } from '../../src/kafka/client';
import { decodeRecord, type Row } from '../../src/model/decode';
import { matches } from '../../src/model/evaluate';
import { referenceModel } from '../../src/model/reference';
import { DEFAULT_START, EXTRA_EVERY, NULL_SHARE, RecordGenerator } from '../../src/produce/generator';
import { loadSpec, loadSpecText } from '../../src/pipeline/load';
import { required } from '../../src/util/required';

const ROOT = resolve(__dirname, '..', '..');
const { spec } = loadSpec('pipelines/uvpv.yaml', { env: {}, cwd: ROOT });
const base = { users: 1000, seed: 42, badRatio: 0, lateRatio: 0, conversion: 0.05 };

function records(n: number, opts = {}, of = spec) {
  const g = new RecordGenerator(of, { ...base, ...opts });
  return Array.from({ length: n }, (_, i) => g.next(DEFAULT_START + i * 100));
}
const decode = (b: Buffer) => decodeRecord(b, spec.source.columns, spec.source);
/** A record the test knows is good, decoded. */
const decodeGood = (b: Buffer) => required(decode(b), 'a good record, decoded');

test('the same seed gives the same records; another seed other records', () => {
  expect(Buffer.concat(records(500))).toEqual(Buffer.concat(records(500)));
  expect(Buffer.concat(records(500, { seed: 43 }))).not.toEqual(Buffer.concat(records(500)));
});

test("every good record decodes into the spec's columns with no NULL", () => {
  const rows = records(2000).map(decode);
  for (const row of rows) {
    expect(row).toBeDefined();
    for (const c of spec.source.columns) expect(row?.[c.name]).not.toBeNull();
  }
});

test("views and purchases come from the spec's events, near the set conversion rate", () => {
  const rows = records(100_000).map(decodeGood);
  const views = rows.filter((r) => r.record_type === 0).length;
  const purchases = rows.filter((r) => r.record_type === 1).length;
  expect(views + purchases).toBe(rows.length);
  expect(purchases / views).toBeGreaterThan(0.045);
  expect(purchases / views).toBeLessThan(0.055);
});

test('a purchase follows an earlier view of the same user and product', () => {
  const rows = records(20_000).map(decodeGood);
  const seen = new Set<string>();
  for (const r of rows) {
    const key = `${r.user_id}/${r.product_id}`;
    if (r.record_type === 0) seen.add(key);
    else expect(seen.has(key)).toBe(true);
  }
});

test('popular products get far more views than the median one, and most events come from returning users', () => {
  const rows = records(50_000).map(decodeGood);
  const byProduct = new Map<number, number>();
  const byUser = new Map<number, number>();
  for (const r of rows) {
    byProduct.set(r.product_id as number, (byProduct.get(r.product_id as number) ?? 0) + 1);
    byUser.set(r.user_id as number, (byUser.get(r.user_id as number) ?? 0) + 1);
  }
  const counts = [...byProduct.values()].sort((a, b) => b - a);
  expect(counts[0]).toBeGreaterThan(20 * counts[Math.floor(counts.length / 2)]);
  const users = [...byUser.values()].sort((a, b) => b - a);
  const top20 = users.slice(0, Math.ceil(users.length * 0.2)).reduce((a, b) => a + b, 0);
  expect(top20 / rows.length).toBeGreaterThan(0.6);
});

test('bad and late records come at the requested shares', () => {
  const bad = records(20_000, { badRatio: 0.1 }).filter((b) => {
    const r = decode(b);
    return r === undefined || r.user_id === null || r.record_type === null;
  }).length;
  expect(bad / 20_000).toBeGreaterThan(0.08);
  expect(bad / 20_000).toBeLessThan(0.12);
  const times = records(20_000, { lateRatio: 0.05 }).map((b) => decodeGood(b).create_time as number);
  let newest = -Infinity;
  let late = 0;
  for (const t of times) {
    if (t < newest - spec.source.watermarkDelay.millis) late++;
    newest = Math.max(newest, t);
  }
  expect(late / 20_000).toBeGreaterThan(0.04);
  expect(late / 20_000).toBeLessThan(0.06);
});

test('uvpv produce --out writes JSON lines, and bad flags are usage errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-produce-'));
  const io = memoryIo({}, ROOT);
  expect(await run(['produce', 'pipelines/uvpv.yaml', '--events', '1234', '--seed', '9', '--out', join(dir, 'e.jsonl')], io)).toBe(0);
  expect(io.out).toMatch(/^produced 1234 records to .*e\.jsonl in/);
  const lines = splitLines(readFileSync(join(dir, 'e.jsonl')));
  expect(lines).toHaveLength(1234);
  expect(lines.every((l) => decode(l) !== undefined)).toBe(true);
  for (const [args, message] of [
    [['--events', 'lots'], "--events takes a whole number of at least 1, got 'lots'"],
    [['--bad-ratio', '1.5'], "--bad-ratio takes a share from 0 to 1, got '1.5'"],
    [['--duration', '10 m'], '--duration:'],
    [['--events', '5', '--duration', '1 s'], 'give --events or --duration, not both'],
  ] as const) {
    const bad = memoryIo({}, ROOT);
    expect(await run(['produce', 'pipelines/uvpv.yaml', ...args, '--out', join(dir, 'x.jsonl')], bad)).toBe(2);
    expect(bad.err).toContain(message);
  }
});

describe('a spec with breakdowns: NULL `by` values and ties where a top-N cuts, at small rates', () => {
  // pv by product_id, uv and pv by channel (VARCHAR), ratio by product_id, top 3 by product_id; 5-minute tumbling windows.
  const { spec: shop } = loadSpec('test/cases/verify/breakdowns/pipeline.yaml', { env: {}, cwd: ROOT });
  const decodeShop = (b: Buffer) => required(decodeRecord(b, shop.source.columns, shop.source), 'a good record, decoded');
  const window = (row: Row) => Math.floor((row.ts as number) / (5 * 60_000));

  test('each `by` column is NULL in about NULL_SHARE of records, as JSON null and as a missing field; nothing else is', () => {
    expect(NULL_SHARE).toBe(0.02);
    const raw = records(20_000, {}, shop);
    expect(Buffer.concat(raw).equals(Buffer.concat(records(20_000, {}, shop)))).toBe(true); // the same seed, the same NULLs
    const rows = raw.map(decodeShop);
    const text = raw.map(String);
    for (const column of ['product_id', 'channel']) {
      const nulls = rows.filter((r) => r[column] === null).length;
      expect(nulls / rows.length).toBeGreaterThan(0.016);
      expect(nulls / rows.length).toBeLessThan(0.024);
      const asNull = text.filter((t) => t.includes(`"${column}":null`)).length;
      const missing = text.filter((t) => !t.includes(`"${column}":`)).length;
      expect(asNull + missing).toBe(nulls);
      expect(asNull).toBeGreaterThan(nulls / 4);
      expect(missing).toBeGreaterThan(nulls / 4);
    }
    // The columns an event's filter, the uv and the event time read are never NULL: a row without
    // a product still counts for every metric not broken down by product.
    expect(rows.filter((row) => ['record_type', 'user_id', 'ts'].some((c) => row[c] === null))).toEqual([]);
    const views = rows.filter((r) => r.record_type === 0);
    expect(views.filter((r) => r.product_id === null).length).toBeGreaterThan(0.016 * views.length);
  });

  test('a view without a product leads to no purchase: a purchase with a product follows a view of it by the same user', () => {
    const rows = records(20_000, {}, shop).map(decodeShop);
    const seen = new Set<string>();
    for (const r of rows) {
      const key = `${r.user_id}/${r.product_id}`;
      if (r.record_type === 0 && r.product_id !== null) seen.add(key);
      else if (r.record_type === 1 && r.product_id !== null) expect(seen.has(key)).toBe(true);
    }
  });

  test('the top 3 ties where it cuts: product 104 (Zipf rank 4) is only viewed as the twin of 103, in about 5.3% of views', () => {
    const rows = records(100_000, { badRatio: 0.05 }, shop)
      .map((b) => decodeRecord(b, shop.source.columns, shop.source))
      .filter((r): r is Row => r !== undefined);
    // Each view of 104 is the record right after a view of 103, with the same user and event time.
    const alone = rows.filter((r, i) => {
      const before = rows[i - 1];
      return (
        r.product_id === 104 &&
        !(
          r.record_type === 0 &&
          before.record_type === 0 &&
          before.product_id === 103 &&
          before.user_id === r.user_id &&
          before.ts === r.ts
        )
      );
    });
    expect(alone).toEqual([]);
    const views = rows.filter((r) => r.record_type === 0);
    const twins = views.filter((r) => r.product_id === 104).length;
    expect(twins / views.length).toBeGreaterThan(0.045);
    expect(twins / views.length).toBeLessThan(0.06);
    // So the two have the same count of views in every window, malformed records (5%) or not.
    const counts = new Map<number, Map<unknown, number>>();
    for (const r of views) {
      const c = counts.get(window(r)) ?? new Map<unknown, number>();
      counts.set(window(r), c.set(r.product_id, (c.get(r.product_id) ?? 0) + 1));
    }
    for (const c of counts.values()) expect(c.get(103) ?? 0).toBe(c.get(104) ?? 0);
    // And in most windows (3,000 records each) the 3rd and 4th counts are that tie.
    const cutTies = (of: Iterable<Map<unknown, number>>) =>
      [...of].filter((c) => {
        const sorted = [...c.entries()]
          .filter(([p]) => p !== null)
          .map(([, k]) => k)
          .sort((a, b) => b - a);
        return sorted[2] === sorted[3];
      }).length;
    expect(cutTies(counts.values()) / counts.size).toBeGreaterThan(0.8);
    // Without a top-N (the reference pipeline), the Zipf tail alone ties the 3rd and 4th in few of them.
    const plain = new Map<number, Map<unknown, number>>();
    for (const r of records(100_000).map(decodeGood)) {
      if (r.record_type !== 0) continue;
      const w = Math.floor((r.create_time as number) / (5 * 60_000));
      const c = plain.get(w) ?? new Map<unknown, number>();
      plain.set(w, c.set(r.product_id, (c.get(r.product_id) ?? 0) + 1));
    }
    expect(cutTies(plain.values()) / plain.size).toBeLessThan(0.15);
  });
});

describe('every event gets records, whatever its filter (issue: 3,000 records of which none matched)', () => {
  const specOf = (events: string, columns: string, metrics: string) =>
    loadSpecText(
      'pipeline.yaml',
      `version: 1
name: fed
source: { table: t, topic: t, bootstrapServers: 127.0.0.1:9092, columns: ${columns}, eventTime: ts, watermarkDelay: 5 s }
events: ${events}
window: { type: tumble, size: 1 minute }
redis: { host: 127.0.0.1 }
metrics: ${metrics}
`,
      { env: {}, cwd: ROOT },
    ).spec;
  /** Per event, the rows of 3,000 records that match it (decoded and evaluated by the model); and the keys the model expects. */
  function fed(s: ReturnType<typeof specOf>) {
    const messages = records(3000, {}, s);
    const rows = messages.map((b) => decodeRecord(b, s.source.columns, s.source)).filter((r): r is Row => r !== undefined);
    const matched = Object.fromEntries(s.events.map((e) => [e.name, rows.filter((r) => matches(e.filter, r))]));
    return { matched, keys: [...referenceModel(s, messages).expectation.redis.keys()] };
  }

  test('`type` IN (1, 2, 3): every view holds one of the three', () => {
    const s = specOf(
      '{ hit: "`type` IN (1, 2, 3)" }',
      '{ type: INT, user_id: BIGINT, ts: TIMESTAMP(3) }',
      "[{ name: uv, type: uv, event: hit, column: user_id, redis: { type: set, key: 'uv:{window_end}' } }, { name: pv, type: pv, event: hit, redis: { type: hash, key: pv } }]",
    );
    const { matched, keys } = fed(s);
    expect(matched.hit.length).toBeGreaterThan(2700); // all but the "purchases" of a spec with one event
    expect(new Set(matched.hit.map((r) => r.type))).toEqual(new Set([1, 2, 3]));
    expect(keys.filter((k) => k.startsWith('uv:')).length).toBeGreaterThan(1);
    expect(keys).toContain('pv');
  });

  test("LIKE '/promo!_%' ESCAPE '!' AND more: views, purchases and a third event each get rows, and every metric keys", () => {
    const s = specOf(
      `{ promo_view: "path LIKE '/promo!_%' ESCAPE '!' AND amount BETWEEN 10 AND 20", ` +
        `promo_buy: "path LIKE '/promo!_%' ESCAPE '!' AND NOT (amount <= 100) AND user_id % 7 = 3", ` +
        `other: "path = 'detail' OR (amount * 2 + 1 > 500 AND path IS NOT NULL)" }`,
      '{ path: STRING, user_id: BIGINT, amount: DOUBLE, ts: TIMESTAMP(3) }',
      "[{ name: uv, type: uv, event: promo_view, column: user_id, redis: { type: set, key: 'uv:{window_end}' } }, " +
        "{ name: cr, type: ratio, numerator: promo_buy, denominator: promo_view, redis: { type: string, key: 'cr:{window_end}' } }, " +
        '{ name: pv, type: pv, event: other, redis: { type: hash, key: pv } }]',
    );
    const { matched, keys } = fed(s);
    expect(matched.promo_view.length).toBeGreaterThan(2000);
    expect(matched.promo_buy.length).toBeGreaterThan(50);
    // The third event gets one record in EXTRA_EVERY.
    expect(matched.other.length).toBeGreaterThanOrEqual(3000 / EXTRA_EVERY);
    for (const r of matched.promo_view) expect(r.path).toMatch(/^\/promo_/);
    for (const prefix of ['uv:', 'cr:', 'pv']) expect(keys.some((k) => k.startsWith(prefix))).toBe(true);
    // The purchase/view rate is still the one asked for.
    expect(matched.promo_buy.length / matched.promo_view.length).toBeGreaterThan(0.035);
  });

  test('an event no record can match is named in a warning, with the metrics that will stay empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'uvpv-produce-'));
    writeFileSync(
      join(dir, 'never.yaml'),
      readFileSync(join(ROOT, 'pipelines/uvpv.yaml'), 'utf8').replace('purchase: record_type = 1', 'purchase: record_type = NULL'),
    );
    const io = memoryIo({}, dir);
    expect(await run(['produce', 'never.yaml', '--events', '500', '--out', 'e.jsonl'], io)).toBe(0);
    expect(io.err).toMatch(
      /^warning: event purchase: no record could be made to match its filter, which may never be true \(as `x = NULL` never is\); conversion_rate over it will stay empty$/m,
    );
  });
});
