/**
 * The dashboard in real headless Chromium (Debian's, driven by playwright-core): known values in
 * Redis show on the page, and change on the page when Redis changes. Leaves a screenshot in
 * test-artifacts/.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startDashboard, type Dashboard } from '../../src/dashboard/server';
import { History, readSnapshot } from '../../src/dashboard/snapshot';
import { loadSpec } from '../../src/spec/load';
import { claimDatabase, type Namespace } from '../../src/verify/namespace';

const CASE = resolve(__dirname, '../cases/valid/every-redis-type');
const ARTIFACTS = resolve(__dirname, '../../test-artifacts');
const { spec } = loadSpec('pipeline.yaml', { env: {}, cwd: CASE });
const entry = (start: string, end: string, value: number) => JSON.stringify({ window_start: `2024-05-01T${start}`, window_end: `2024-05-01T${end}`, value });

let ns: Namespace;
let dashboard: Dashboard;
let browser: Browser;

beforeAll(async () => {
  ns = await claimDatabase('127.0.0.1', 6379, 'dashboard-test');
  const r = ns.redis;
  await r.sadd('uv:set', '1', '2', '3');
  await r.pfadd('uv:hll:2024-05-01T10:01:00', '1', '2');
  await r.pfadd('uv:hll:2024-05-01T10:02:00', '1', '2', '3');
  await r.set('uv:latest', '7');
  await r.rpush('pv:list', entry('09:59:00', '10:01:00', 2), entry('10:00:00', '10:02:00', 4)); // RPUSH: oldest first
  await r.hset('pv:by_window', '2024-05-01T10:01:00', '2', '2024-05-01T10:02:00', '5');
  await r.lpush('cr:list', entry('09:59:00', '10:01:00', 0.5), entry('10:00:00', '10:02:00', 0.25)); // LPUSH: newest first
  dashboard = await startDashboard({ spec, port: 0, database: ns.database, intervalMs: 250 });
  browser = await chromium.launch({
    executablePath: process.env.UVPV_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  await ns?.release(false);
});

test('the snapshot reads every Redis type, and key templates by the time in their name', async () => {
  const s = await readSnapshot(ns.redis, { ...spec, redis: { ...spec.redis, database: ns.database } }, new History());
  const byName = Object.fromEntries(s.metrics.map((m) => [m.name, m]));
  expect(byName.uv_set).toMatchObject({ current: 3, axis: 'sampled' });
  expect(byName.uv_hll).toMatchObject({ current: 3, axis: 'window end', series: [{ t: '2024-05-01T10:01:00', v: 2 }, { t: '2024-05-01T10:02:00', v: 3 }] });
  expect(byName.uv_string).toMatchObject({ current: 7 });
  expect(byName.pv_list).toMatchObject({ current: 4, series: [{ t: '2024-05-01T10:01:00', v: 2 }, { t: '2024-05-01T10:02:00', v: 4 }] });
  expect(byName.pv_hash).toMatchObject({ current: 5, series: [{ t: '2024-05-01T10:01:00', v: 2 }, { t: '2024-05-01T10:02:00', v: 5 }] });
  expect(byName.cr_list).toMatchObject({ current: 0.25, series: [{ t: '2024-05-01T10:01:00', v: 0.5 }, { t: '2024-05-01T10:02:00', v: 0.25 }] });
  expect(s.pipeline).toBe('every-redis-type');
  expect(s.redis).toBe(`127.0.0.1:6379/${ns.database}`);
});

test('an empty database shows "no data yet" rather than zeros', async () => {
  const empty = await claimDatabase('127.0.0.1', 6379, 'dashboard-empty');
  try {
    const s = await readSnapshot(empty.redis, { ...spec, redis: { ...spec.redis, database: empty.database } }, new History());
    expect(s.metrics.every((m) => m.current === null && m.series.length === 0)).toBe(true);
  } finally {
    await empty.release(false);
  }
});

test('the page shows the numbers, follows Redis live, and looks right', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(dashboard.url);
  const value = (metric: string) => page.locator(`[data-metric="${metric}"] [data-role=value]`);
  await expect_text(value('uv_set'), '3');
  await expect_text(value('uv_hll'), '3');
  await expect_text(value('uv_string'), '7');
  await expect_text(value('pv_list'), '4');
  await expect_text(value('pv_hash'), '5');
  await expect_text(value('cr_list'), '25.00%');
  expect(await page.locator('#pipeline').textContent()).toBe('every-redis-type');
  expect(await page.locator('#redis').textContent()).toBe(`127.0.0.1:6379/${ns.database}`);

  await ns.redis.sadd('uv:set', '4', '5');
  await ns.redis.hset('pv:by_window', '2024-05-01T10:03:00', '9');
  await ns.redis.lpush('cr:list', entry('10:01:00', '10:03:00', 0.125));
  await expect_text(value('uv_set'), '5');
  await expect_text(value('pv_hash'), '9');
  await expect_text(value('cr_list'), '12.50%');

  mkdirSync(ARTIFACTS, { recursive: true });
  const shot = join(ARTIFACTS, 'dashboard.png');
  await page.screenshot({ path: shot, fullPage: true });
  expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
  expect(statSync(shot).size).toBeGreaterThan(20_000);
});

/** Waits up to 5 s for a locator to show `text` (the page updates every 250 ms here). */
async function expect_text(locator: import('playwright-core').Locator, text: string): Promise<void> {
  const deadline = Date.now() + 5000;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = await locator.textContent();
    if (last === text) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last).toBe(text);
}
