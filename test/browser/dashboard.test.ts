/**
 * The dashboard in real headless Chromium (the one npm installs, see test/support/browser.ts,
 * driven by playwright-core): known values in Redis show on the page, and change on the page when
 * Redis changes; breakdowns (`by`) as bars and a topn as a ranked list, likewise. Leaves
 * screenshots in test-artifacts/dashboard.png and dashboard-breakdowns.png. Needs Redis on
 * 127.0.0.1:6379 (databases of the test's own are claimed).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startDashboard, type Dashboard } from '../../src/dashboard/server';
import { History, NOT_READ, readSnapshot, type Snapshot } from '../../src/dashboard/snapshot';
import type { PipelineHealth } from '../../src/deploy/health';
import { loadSpec } from '../../src/pipeline/load';
import { claimDatabase, type Namespace } from '../../src/verify/namespace';
import { headlessChromium } from '../support/browser';

const CASE = resolve(__dirname, '../cases/valid/every-redis-type');
const ARTIFACTS = resolve(__dirname, '../../test-artifacts');
const { spec } = loadSpec('pipeline.yaml', { env: {}, cwd: CASE });
const entry = (start: string, end: string, value: number) =>
  JSON.stringify({ window_start: `2024-05-01T${start}`, window_end: `2024-05-01T${end}`, value });
const clock = (minute: number) => `${String(9 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00`;

let ns: Namespace;
let dashboard: Dashboard;
let browser: BrowserContext;
let profile: string;
let page: Page;

beforeAll(async () => {
  ns = await claimDatabase('127.0.0.1', 6379, 'dashboard-test');
  const r = ns.redis;
  await r.sadd('uv:set', '1', '2', '3');
  await r.pfadd('uv:hll:2024-05-01T10:01:00', '1', '2');
  await r.pfadd('uv:hll:2024-05-01T10:02:00', '1', '2', '3');
  await r.pfadd('uv:hll:not-a-time', '1'); // fits the SCAN pattern, not the template
  // uv:latest (the string) is left unset: "no data yet" until the test writes it.
  // RPUSH, oldest first, more entries than the dashboard reads: the newest are at the tail.
  const pv = Array.from({ length: 250 }, (_, i) => entry(clock(i), clock(i + 2), i + 1));
  await r.rpush('pv:list', ...pv);
  await r.hset('pv:by_window', '2024-05-01T10:01:00', '2', '2024-05-01T10:02:00', '5');
  await r.lpush('cr:list', entry('09:59:00', '10:01:00', 0.5), entry('10:00:00', '10:02:00', 0.25)); // LPUSH: newest first
  dashboard = await startDashboard({ spec, port: 0, database: ns.database, intervalMs: 250 });
  profile = mkdtempSync(join(tmpdir(), 'uvpv-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    ...headlessChromium(),
    viewport: { width: 1280, height: 900 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  await ns?.release(false);
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test('the snapshot reads every Redis type from a real Redis, and key templates by the time in their name', async () => {
  const s = await readSnapshot(ns.redis, { ...spec, redis: { ...spec.redis, database: ns.database } }, new History());
  const byName = Object.fromEntries(s.metrics.map((m) => [m.name, m]));
  expect(byName.uv_set).toMatchObject({ current: 3, axis: 'sampled' });
  expect(byName.uv_hll).toMatchObject({
    current: 3,
    axis: 'window end',
    series: [
      { t: '2024-05-01T10:01:00', v: 2 },
      { t: '2024-05-01T10:02:00', v: 3 },
    ],
  });
  expect(byName.uv_string).toMatchObject({ current: null, series: [] });
  expect(byName.pv_list).toMatchObject({ current: 250, at: `2024-05-01T${clock(251)}` });
  expect(byName.pv_list.series).toHaveLength(60);
  expect(byName.pv_hash).toMatchObject({
    current: 5,
    series: [
      { t: '2024-05-01T10:01:00', v: 2 },
      { t: '2024-05-01T10:02:00', v: 5 },
    ],
  });
  expect(byName.cr_list).toMatchObject({
    current: 0.25,
    series: [
      { t: '2024-05-01T10:01:00', v: 0.5 },
      { t: '2024-05-01T10:02:00', v: 0.25 },
    ],
  });
  expect(s.metrics.every((m) => m.error === undefined)).toBe(true);
  expect(s.pipeline).toBe('every-redis-type');
  expect(s.redis).toBe(`127.0.0.1:6379/${ns.database}`);
});

test('an empty database shows "no data yet" rather than zeros', async () => {
  const empty = await claimDatabase('127.0.0.1', 6379, 'dashboard-empty');
  try {
    const s = await readSnapshot(empty.redis, { ...spec, redis: { ...spec.redis, database: empty.database } }, new History());
    expect(s.metrics.every((m) => m.current === null && m.series.length === 0 && m.error === undefined)).toBe(true);
  } finally {
    await empty.release(false);
  }
});

test('the JSON snapshot and the event stream', async () => {
  const snap = JSON.parse(await get(dashboard.url + 'api/snapshot')) as Snapshot;
  expect(snap.metrics.map((m) => m.name)).toEqual(['uv_set', 'uv_hll', 'uv_string', 'pv_list', 'pv_hash', 'cr_list']);
  const events = await get(dashboard.url + 'events', 1200);
  const frames = events.split('\n\n').filter((f) => f.includes('data: '));
  expect(frames.length).toBeGreaterThanOrEqual(3); // one at once, then one every 250 ms here
  expect((JSON.parse(frames[0].split('data: ')[1]) as Snapshot).pipeline).toBe('every-redis-type');
  await expect(get(dashboard.url + 'nothing-here')).rejects.toThrow('404');
  expect(await get(dashboard.url + 'chart.js')).toContain('Chart');
});

test('the page shows the numbers, follows Redis live, and looks right', async () => {
  await page.goto(dashboard.url);
  const value = (metric: string) => page.locator(`[data-metric="${metric}"] [data-role=value]`);
  await expectText(value('uv_set'), '3');
  await expectText(value('uv_hll'), '3');
  await expectText(value('uv_string'), 'no data yet');
  await expectText(value('pv_list'), '250');
  await expectText(value('pv_hash'), '5');
  await expectText(value('cr_list'), '25.00%');
  expect(await page.locator('#pipeline').textContent()).toBe('every-redis-type');
  expect(await page.locator('#redis').textContent()).toBe(`127.0.0.1:6379/${ns.database}`);
  expect(await page.locator('#updated').textContent()).toMatch(/^\d\d:\d\d:\d\d UTC$/);
  expect(await page.locator('[data-metric="pv_hash"] [data-role=at]').textContent()).toBe('window to 10:02:00');
  // The health strip: the newest window end shown (the list's), no dropped rows' hash in this
  // spec, and no source for lag and restarts: each says so rather than showing a number.
  const tile = (name: string, role: string) => page.locator(`[data-health="${name}"] [data-role=${role}]`);
  expect(await tile('freshness', 'detail').textContent()).toBe('newest window ends 2024-05-01 13:11:00 (UTC)');
  expect(await tile('freshness', 'value').textContent()).toMatch(/^\d+ d behind$/);
  expect(await tile('dropped', 'value').textContent()).toBe('not available');
  expect(await tile('dropped', 'detail').textContent()).toBe('the spec writes none (job.droppedRows)');
  for (const name of ['lag', 'restarts']) {
    expect(await tile(name, 'value').textContent()).toBe('not available');
    expect(await tile(name, 'detail').textContent()).toBe('not read by the dashboard: see uvpv status');
  }
  // The charts hold the series: 60 windows of the list, 2 of the hash.
  expect(await points(page, 'pv_list')).toBe(60);
  expect(await points(page, 'pv_hash')).toBe(2);

  await ns.redis.set('uv:latest', '7');
  await ns.redis.sadd('uv:set', '4', '5');
  await ns.redis.pfadd('uv:hll:2024-05-01T10:03:00', '1', '2', '3', '4');
  await ns.redis.hset('pv:by_window', '2024-05-01T10:03:00', '9');
  await ns.redis.lpush('cr:list', entry('10:01:00', '10:03:00', 0.125));
  await expectText(value('uv_string'), '7');
  await expectText(value('uv_set'), '5');
  await expectText(value('uv_hll'), '4');
  await expectText(value('pv_hash'), '9');
  await expectText(value('cr_list'), '12.50%');
  expect(await points(page, 'pv_hash')).toBe(3);
  expect(await page.locator('[data-metric="pv_hash"] [data-role=delta]').textContent()).toBe('▲ 4');
  expect(await page.locator('[data-metric="cr_list"] [data-role=delta]').textContent()).toBe('▼ 12.50 pt');

  mkdirSync(ARTIFACTS, { recursive: true });
  const shot = join(ARTIFACTS, 'dashboard.png');
  await page.screenshot({ path: shot, fullPage: true });
  expect(
    readFileSync(shot)
      .subarray(0, 8)
      .equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  ).toBe(true);
  expect(statSync(shot).size).toBeGreaterThan(20_000);
});

describe('the health strip with dropped rows', () => {
  // The same spec, writing its dropped rows to a hash, on a database of its own that holds only that hash.
  const withDropped = { ...spec, job: { ...spec.job, droppedRows: { key: 'dropped', type: 'hash' as const } } };
  const jobHealth = {
    restarts: { available: true, count: 1, last: { at: '2024-05-01T10:11:00.000Z', rootCause: 'java.io.IOException: Redis went away' } },
    kafka: { available: true, topic: 'clicks', from: 'job metrics', totalLag: 1500, partitions: [] },
  } as unknown as PipelineHealth;
  let own: Namespace;
  let board: Dashboard;
  let p: Page;

  beforeAll(async () => {
    own = await claimDatabase('127.0.0.1', 6379, 'dashboard-health');
    await own.redis.hset('dropped', '2024-05-01T10:05:00', '3', '2024-05-01T10:10:00', '2', 'no_event_time', '4');
    // Lag and restarts from a stand-in for the job's health on Flink (the reader `uvpv status` uses).
    const read = async () => jobHealth;
    board = await startDashboard({
      spec: withDropped,
      port: 0,
      database: own.database,
      intervalMs: 250,
      flink: { target: 'local', pipeline: spec.name, read },
    });
    p = await browser.newPage();
  });

  afterAll(async () => {
    await p?.close();
    await board?.close();
    await own?.release(false);
  });

  test('the snapshot reads the hash: late rows per window and rows without an event time', async () => {
    const now = new Date('2024-05-01T10:12:30Z');
    const s = await readSnapshot(own.redis, { ...withDropped, redis: { ...spec.redis, database: own.database } }, new History(), now);
    expect(s.health).toEqual({
      freshness: { newestWindowEnd: '2024-05-01T10:10:00', behindSeconds: 150 },
      dropped: { key: 'dropped', late: 5, lateWindows: 2, newest: { t: '2024-05-01T10:10:00', v: 2 }, noEventTime: 4 },
      lag: { available: false, reason: NOT_READ },
      restarts: { available: false, reason: NOT_READ },
    });
  });

  test('the page shows the dropped rows and follows them live', async () => {
    await p.goto(board.url);
    const tile = (name: string, role: string) => p.locator(`[data-health="${name}"] [data-role=${role}]`);
    await expectText(tile('dropped', 'value'), '9');
    expect(await tile('dropped', 'detail').textContent()).toBe('5 late in 2 windows (newest 10:10:00: 2) · 4 without event time');
    expect(await tile('freshness', 'detail').textContent()).toBe('newest window ends 2024-05-01 10:10:00 (UTC)');
    await own.redis.hset('dropped', '2024-05-01T10:15:00', '1');
    await expectText(tile('dropped', 'value'), '10');
    expect(await tile('dropped', 'detail').textContent()).toBe('6 late in 3 windows (newest 10:15:00: 1) · 4 without event time');
    await expectText(tile('freshness', 'detail'), 'newest window ends 2024-05-01 10:15:00 (UTC)');
    expect(await tile('lag', 'value').textContent()).toBe('1,500');
    expect(await tile('lag', 'detail').textContent()).toBe('records behind on clicks');
    expect(await tile('restarts', 'value').textContent()).toBe('1');
    expect(await tile('restarts', 'detail').textContent()).toBe('last at 10:11:00 UTC: java.io.IOException: Redis went away');
  });
});

describe('breakdowns and top-N', () => {
  // Its own spec, database and dashboard: a metric by an INT column into a {window_end} hash, one by
  // a STRING column into one set per value, a topn, and a plain number beside them.
  const SPEC = `version: 1
name: breakdowns
source:
  table: clicks
  topic: clicks
  bootstrapServers: 127.0.0.1:9092
  columns:
    kind: STRING
    user_id: BIGINT
    item: INT
    ts: TIMESTAMP(3)
  eventTime: ts
  watermarkDelay: 30 s
events:
  view: kind <> 'buy'
window:
  type: tumble
  size: 1 minute
redis:
  host: 127.0.0.1
  port: 6379
  database: 0
metrics:
  - name: pv_by_item
    type: pv
    event: view
    by: item
    redis: { type: hash, key: "pvb:{window_end}" }
  - name: uv_by_kind
    type: uv
    event: view
    column: user_id
    by: kind
    redis: { type: set, key: "uvb:{kind}:{window_end}" }
  - name: top_items
    type: topn
    event: view
    by: item
    n: 5
    redis: { type: zset, key: "top:{window_end}" }
  - name: pv_total
    type: pv
    event: view
    redis: { type: string, key: "pv:total" }
`;
  const T = (minute: number) => `2024-05-01T10:${String(minute).padStart(2, '0')}:00`;
  let bns: Namespace;
  let board: Dashboard;
  let p: Page;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'uvpv-breakdowns-'));
    writeFileSync(join(dir, 'pipeline.yaml'), SPEC);
    const loaded = loadSpec('pipeline.yaml', { env: {}, cwd: dir });
    bns = await claimDatabase('127.0.0.1', 6379, 'dashboard-breakdowns');
    const r = bns.redis;
    await r.hset(`pvb:${T(1)}`, '1', '50'); // an older window: not shown
    // 12 items in the newest window: 10 bars, ties by item as a number (9 before 10).
    await r.hset(`pvb:${T(2)}`, { 1: '4', 2: '30', 3: '1', 4: '8', 5: '8', 6: '2', 7: '3', 8: '5', 9: '12', 10: '12', 11: '6', 12: '7' });
    await r.sadd(`uvb:web:${T(2)}`, '1', '2', '3');
    await r.sadd(`uvb:app:ios:${T(2)}`, '1', '2', '3', '4', '5');
    await r.sadd(`uvb:web:${T(1)}`, '1', '2', '3', '4', '5', '6', '7');
    await r.zadd(`top:${T(1)}`, 99, '1');
    await r.zadd(`top:${T(2)}`, 7, '101', 5, '10', 5, '9', 5, '100', 2, '3');
    await r.set('pv:total', '42');
    board = await startDashboard({ spec: loaded.spec, port: 0, database: bns.database, intervalMs: 250 });
    p = await browser.newPage();
    await p.setViewportSize({ width: 1280, height: 1000 });
  });

  afterAll(async () => {
    await p?.close();
    await board?.close();
    await bns?.release(false);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const bars = (metric: string) => p.locator(`[data-metric="${metric}"] [data-role=bar]`);
  // Read in one go in the page: the rows are redrawn when a snapshot changes them.
  const barTexts = (metric: string) =>
    bars(metric).evaluateAll((rows) =>
      rows.map((row) => {
        const el = row as unknown as { querySelector(s: string): { textContent: string } };
        return `${el.querySelector('[data-role=label]').textContent}=${el.querySelector('[data-role=bar-value]').textContent}`;
      }),
    );
  const rankTexts = (metric: string) =>
    p
      .locator(`[data-metric="${metric}"] [data-role=rank]`)
      .evaluateAll((rows) =>
        rows.map((row) =>
          [...(row as unknown as { querySelectorAll(s: string): Iterable<{ textContent: string }> }).querySelectorAll('td')]
            .map((td) => td.textContent)
            .join(' '),
        ),
      );

  test('the snapshot: bars and a ranking from a real Redis', async () => {
    const s = JSON.parse(await get(board.url + 'api/snapshot')) as Snapshot;
    const byName = Object.fromEntries(s.metrics.map((m) => [m.name, m]));
    expect(byName.pv_by_item).toMatchObject({ view: 'bars', by: 'item', at: T(2), values: 12 });
    expect(byName.pv_by_item.bars?.slice(0, 3)).toEqual([
      { label: '2', v: 30 },
      { label: '9', v: 12 },
      { label: '10', v: 12 },
    ]);
    expect(byName.uv_by_kind).toMatchObject({
      view: 'bars',
      at: T(2),
      bars: [
        { label: 'app:ios', v: 5 },
        { label: 'web', v: 3 },
      ],
    });
    expect(byName.top_items).toMatchObject({
      view: 'ranking',
      at: T(2),
      ranking: [{ member: '101', score: 7 }, { member: '9' }, { member: '10' }, { member: '100' }, { member: '3' }],
    });
    expect(byName.pv_total).toMatchObject({ current: 42, axis: 'sampled' });
    expect(byName.pv_total.view).toBeUndefined();
    expect(s.metrics.every((m) => m.error === undefined)).toBe(true);
  });

  test('the page shows the bars and the ranked list, and follows Redis live', async () => {
    await p.goto(board.url);
    await expectValue(() => barTexts('pv_by_item'), ['2=30', '9=12', '10=12', '4=8', '5=8', '12=7', '11=6', '8=5', '1=4', '7=3']);
    await expectValue(() => barTexts('uv_by_kind'), ['app:ios=5', 'web=3']);
    await expectValue(() => rankTexts('top_items'), ['1 101 7', '2 9 5', '3 10 5', '4 100 5', '5 3 2']);
    expect(await p.locator('[data-metric="top_items"] th').allTextContents()).toEqual(['#', 'item', 'rows']);
    expect(await p.locator('[data-metric="pv_by_item"] [data-role=at]').textContent()).toBe('window to 10:02:00');
    expect(await p.locator('[data-metric="pv_by_item"] [data-role=caption]').textContent()).toBe('top 10 of 12 values of item');
    expect(await p.locator('[data-metric="top_items"] [data-role=at]').textContent()).toBe('window to 10:02:00');
    // A breakdown's card has bars instead of a number and a line chart; the plain metric keeps both.
    expect(await p.locator('[data-metric="pv_by_item"] .chart').isVisible()).toBe(false);
    expect(await p.locator('[data-metric="pv_by_item"] [data-role=value]').isVisible()).toBe(false);
    expect(await bars('pv_by_item').first().isVisible()).toBe(true);
    await expectText(p.locator('[data-metric="pv_total"] [data-role=value]'), '42');
    expect(await p.locator('[data-metric="pv_total"] .chart').isVisible()).toBe(true);
    // The longest bar is the largest value.
    const widths = await p
      .locator('[data-metric="pv_by_item"] .bar-fill')
      .evaluateAll((els) => els.map((e) => (e as unknown as { style: { width: string } }).style.width));
    expect(widths[0]).toBe('100%');
    expect(widths[1]).toBe('40%');

    // A newer window arrives: the page moves to it.
    await bns.redis.hset(`pvb:${T(3)}`, { 5: '3', 6: '9' });
    await bns.redis.sadd(`uvb:web:${T(3)}`, '1');
    await bns.redis.zadd(`top:${T(3)}`, 4, '6', 4, '5', 1, '7');
    await expectValue(() => barTexts('pv_by_item'), ['6=9', '5=3']);
    await expectValue(() => barTexts('uv_by_kind'), ['web=1']);
    await expectValue(() => rankTexts('top_items'), ['1 5 4', '2 6 4', '3 7 1']);
    await expectText(p.locator('[data-metric="pv_by_item"] [data-role=at]'), 'window to 10:03:00');
    expect(await p.locator('[data-metric="pv_by_item"] [data-role=caption]').textContent()).toBe('2 values of item');
    // And within the window, as it fills.
    await bns.redis.hset(`pvb:${T(3)}`, '7', '11');
    await bns.redis.zadd(`top:${T(3)}`, 6, '7');
    await expectValue(() => barTexts('pv_by_item'), ['7=11', '6=9', '5=3']);
    await expectValue(() => rankTexts('top_items'), ['1 7 6', '2 5 4', '3 6 4']);
    // A key of the wrong type: that card says so, the others go on.
    await bns.redis.set(`top:${T(4)}`, 'not a zset');
    await expectText(
      p.locator('[data-metric="top_items"] [data-role=error]'),
      `top:${T(4)}: WRONGTYPE Operation against a key holding the wrong kind of value`,
    );
    expect(await rankTexts('top_items')).toEqual([]);
    await bns.redis.set('pv:total', '43');
    await expectText(p.locator('[data-metric="pv_total"] [data-role=value]'), '43');
    expect(await barTexts('pv_by_item')).toEqual(['7=11', '6=9', '5=3']);

    mkdirSync(ARTIFACTS, { recursive: true });
    await bns.redis.del(`top:${T(4)}`);
    await expectValue(() => rankTexts('top_items'), ['1 7 6', '2 5 4', '3 6 4']);
    await p.screenshot({ path: join(ARTIFACTS, 'dashboard-breakdowns.png'), fullPage: true });
  });
});

/** Waits up to 5 s for `read` to give `want` (the page updates every 250 ms here). */
async function expectValue<T>(read: () => Promise<T>, want: T): Promise<void> {
  const deadline = Date.now() + 5000;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (JSON.stringify(last) === JSON.stringify(want)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last).toEqual(want);
}

/** Waits up to 5 s for a locator to show `text` (the page updates every 250 ms here). */
async function expectText(locator: import('playwright-core').Locator, text: string): Promise<void> {
  const deadline = Date.now() + 5000;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = await locator.textContent();
    if (last === text) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last).toBe(text);
}

/** How many points a card's chart draws, from Chart.js itself. */
function points(p: Page, metric: string): Promise<number> {
  return p.evaluate((m) => {
    // Runs in the page (this project's TypeScript has no DOM types, hence the shape spelled out).
    const page = globalThis as unknown as {
      document: { querySelector(selector: string): unknown };
      Chart: { getChart(canvas: unknown): { data: { datasets: { data: unknown[] }[] } } };
    };
    return page.Chart.getChart(page.document.querySelector(`[data-metric="${m}"] canvas`)).data.datasets[0].data.length;
  }, metric);
}

/** The body of a GET (for a stream: what came within `forMs`); rejects on a status other than 200. */
function get(url: string, forMs?: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${url}: ${res.statusCode}`));
        return;
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolvePromise(body));
      if (forMs) setTimeout(() => (req.destroy(), resolvePromise(body)), forMs);
    });
    req.on('error', reject);
    req.end();
  });
}
