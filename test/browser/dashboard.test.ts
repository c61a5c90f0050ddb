/**
 * The dashboard in real headless Chromium (the one npm installs, see test/support/browser.ts,
 * driven by playwright-core): known values in Redis show on the page, and change on the page when
 * Redis changes. Leaves a screenshot in test-artifacts/dashboard.png. Needs Redis on
 * 127.0.0.1:6379 (a database of the test's own is claimed).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startDashboard, type Dashboard } from '../../src/dashboard/server';
import { History, readSnapshot, type Snapshot } from '../../src/dashboard/snapshot';
import { loadSpec } from '../../src/spec/load';
import { claimDatabase, type Namespace } from '../../src/verify/namespace';
import { headlessChromium } from '../support/browser';

const CASE = resolve(__dirname, '../cases/valid/every-redis-type');
const ARTIFACTS = resolve(__dirname, '../../test-artifacts');
const { spec } = loadSpec('pipeline.yaml', { env: {}, cwd: CASE });
const entry = (start: string, end: string, value: number) => JSON.stringify({ window_start: `2024-05-01T${start}`, window_end: `2024-05-01T${end}`, value });
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
