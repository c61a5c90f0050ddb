/**
 * The dashboard's web server: the page, Chart.js from node_modules (no build step), a JSON
 * snapshot, and server-sent events with a fresh snapshot about once a second. 127.0.0.1 only.
 *
 *   GET /               the page (templates/dashboard/index.html)
 *   GET /app.js         the page's script
 *   GET /chart.js       Chart.js's UMD build, from the installed package
 *   GET /events         text/event-stream: one `data: <snapshot JSON>` per read
 *   GET /api/snapshot   the latest snapshot as JSON
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { RuntimeFailure } from '../errors';
import type { Spec } from '../pipeline/types';
import { describeRedis, redisAddressOf, connectRedis, redisClient, redisRefusal } from '../util/redis';
import { History, NOT_READ, readSnapshot, type Snapshot } from './snapshot';
import { FlinkReader, type FlinkSource } from './flink';

export interface DashboardOptions {
  spec: Spec;
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** How often to read Redis and push to the page (default 1000 ms). */
  intervalMs?: number;
  /** Read this Redis database instead of the spec's (tests). */
  database?: number;
  /** Where the health strip's lag and restarts come from (default: nowhere, and the tiles say so). */
  flink?: FlinkSource;
}

export interface Dashboard {
  url: string;
  port: number;
  /** The latest snapshot (or why Redis could not be read). */
  latest(): Snapshot | { error: string };
  close(): Promise<void>;
}

const TEMPLATES = join(__dirname, '..', '..', 'templates', 'dashboard');

/** Chart.js's browser build; its package exports hide the file, so find it from the main entry. */
function chartJsFile(): string {
  return join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}

export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  // Everything that can fail without side effects first: nothing to undo if it does.
  const files = new Map<string, { body: Buffer; type: string }>([
    ['/', { body: readFileSync(join(TEMPLATES, 'index.html')), type: 'text/html; charset=utf-8' }],
    ['/app.js', { body: readFileSync(join(TEMPLATES, 'app.js')), type: 'text/javascript; charset=utf-8' }],
    ['/chart.js', { body: readFileSync(chartJsFile()), type: 'text/javascript; charset=utf-8' }],
  ]);
  const r = opts.spec.redis;
  const database = opts.database ?? r.database;
  const spec: Spec = { ...opts.spec, redis: { ...r, database } };
  // In the spec's mode: a cluster's keys are found on every master (see readerOf).
  const at = redisAddressOf(r, database);
  const where = describeRedis(at);
  const redis = redisClient(at, 'session');
  try {
    await connectRedis(redis);
  } catch (e) {
    redis.disconnect();
    const refusal = redisRefusal(e, at);
    throw new RuntimeFailure(
      `cannot reach ${where}: ${refusal?.detail ?? (e as Error).message}`,
      undefined,
      'service-unreachable',
      refusal?.fix ?? "start it (e.g. 'uvpv stack up') or fix the spec's redis block",
    );
  }
  const history = new History();
  const flink = new FlinkReader(opts.flink ?? { reason: NOT_READ });
  const clients = new Set<ServerResponse>();
  let latest: Snapshot | { error: string } = { error: 'not read yet' };
  let reading = false;

  const refresh = async () => {
    if (reading) return; // a slow Redis: skip a tick rather than pile reads up
    reading = true;
    try {
      const [snapshot, tiles] = await Promise.all([readSnapshot(redis, spec, history), flink.tiles()]);
      latest = { ...snapshot, health: { ...snapshot.health, ...tiles } };
    } catch (e) {
      latest = { error: `cannot read ${where}: ${(e as Error).message}` };
    } finally {
      reading = false;
    }
    const data = `data: ${JSON.stringify(latest)}\n\n`;
    for (const c of clients) c.write(data);
  };
  await refresh();
  const timer = setInterval(() => void refresh(), opts.intervalMs ?? 1000);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
      res.end('method not allowed\n');
      return;
    }
    if (path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write(`retry: 2000\ndata: ${JSON.stringify(latest)}\n\n`);
      clients.add(res);
      const drop = () => clients.delete(res);
      req.on('close', drop);
      res.on('error', drop);
      return;
    }
    if (path === '/api/snapshot') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(JSON.stringify(latest));
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    const file = files.get(path);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, '127.0.0.1', resolve);
    });
  } catch (e) {
    clearInterval(timer);
    redis.disconnect();
    await flink.settled();
    throw e;
  }
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    latest: () => latest,
    close() {
      closed ??= (async () => {
        clearInterval(timer);
        for (const c of clients) c.end();
        clients.clear();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        redis.disconnect();
        await flink.settled();
      })();
      return closed;
    },
  };
}
