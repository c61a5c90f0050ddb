/** Synthetic traffic: fits the spec, is deterministic, and looks like real activity. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { memoryIo } from '../../src/io/io';
import { run } from '../../src/cli/run';
import { splitLines } from '../../src/kafka/client';
import { decodeRecord, type Row } from '../../src/model/decode';
import { DEFAULT_START, RecordGenerator } from '../../src/produce/generator';
import { loadSpec } from '../../src/spec/load';

const ROOT = resolve(__dirname, '..', '..');
const { spec } = loadSpec('pipelines/uvpv.yaml', { env: {}, cwd: ROOT });
const base = { users: 1000, seed: 42, badRatio: 0, lateRatio: 0, conversion: 0.05 };

function records(n: number, opts = {}) {
  const g = new RecordGenerator(spec, { ...base, ...opts });
  return Array.from({ length: n }, (_, i) => g.next(DEFAULT_START + i * 100));
}
const decode = (b: Buffer) => decodeRecord(b, spec.source.columns, spec.source);

test('the same seed gives the same records; another seed other records', () => {
  expect(Buffer.concat(records(500))).toEqual(Buffer.concat(records(500)));
  expect(Buffer.concat(records(500, { seed: 43 }))).not.toEqual(Buffer.concat(records(500)));
});

test("every good record decodes into the spec's columns with no NULL", () => {
  const rows = records(2000).map(decode);
  for (const row of rows) {
    expect(row).toBeDefined();
    for (const c of spec.source.columns) expect((row as Row)[c.name]).not.toBeNull();
  }
});

test("views and purchases come from the spec's events, near the set conversion rate", () => {
  const rows = records(100_000).map((b) => decode(b)!);
  const views = rows.filter((r) => r.record_type === 0).length;
  const purchases = rows.filter((r) => r.record_type === 1).length;
  expect(views + purchases).toBe(rows.length);
  expect(purchases / views).toBeGreaterThan(0.045);
  expect(purchases / views).toBeLessThan(0.055);
});

test('a purchase follows an earlier view of the same user and product', () => {
  const rows = records(20_000).map((b) => decode(b)!);
  const seen = new Set<string>();
  for (const r of rows) {
    const key = `${r.user_id}/${r.product_id}`;
    if (r.record_type === 0) seen.add(key);
    else expect(seen.has(key)).toBe(true);
  }
});

test('popular products get far more views than the median one, and most events come from returning users', () => {
  const rows = records(50_000).map((b) => decode(b)!);
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
  const times = records(20_000, { lateRatio: 0.05 }).map((b) => decode(b)!.create_time as number);
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
