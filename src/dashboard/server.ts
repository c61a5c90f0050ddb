/**
 * The dashboard's web server: the page, Chart.js from node_modules (no build step), a JSON
 * snapshot, and server-sent events with a fresh snapshot about once a second. 127.0.0.1 only.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { Spec } from '../spec/types';
import { redisClient } from '../util/redis';
import { History, readSnapshot, type Snapshot } from './snapshot';

export interface DashboardOptions {
  spec: Spec;
  port: number;
  /** How often to read Redis and push to the page. */
  intervalMs?: number;
  /** Read this Redis database instead of the spec's (tests). */
  database?: number;
}

export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

const TEMPLATES = join(__dirname, '..', '..', 'templates', 'dashboard');

/** Chart.js's browser build; its package exports hide the file, so find it from the main entry. */
function chartJsFile(): string {
  return join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}

export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  // Everything that can fail without side effects first: nothing to undo if it does.
  const files: Record<string, [string, string]> = {
    '/': [join(TEMPLATES, 'index.html'), 'text/html; charset=utf-8'],
    '/app.js': [join(TEMPLATES, 'app.js'), 'text/javascript; charset=utf-8'],
    '/chart.js': [chartJsFile(), 'text/javascript; charset=utf-8'],
  };
  for (const [file] of Object.values(files)) readFileSync(file);
  const r = opts.spec.redis;
  const redis = redisClient({ host: r.host, port: r.port, db: opts.database ?? r.database, password: r.password.value }, 'session');
  await redis.connect();
  const history = new History();
  const clients = new Set<ServerResponse>();
  const spec = opts.database === undefined ? opts.spec : { ...opts.spec, redis: { ...r, database: opts.database } };
  let latest: Snapshot | { error: string } = { error: 'not read yet' };

  const refresh = async () => {
    try {
      latest = await readSnapshot(redis, spec, history);
    } catch (e) {
      latest = { error: `cannot read Redis at ${r.host}:${r.port}: ${(e as Error).message}` };
    }
    const data = `data: ${JSON.stringify(latest)}\n\n`;
    for (const c of clients) c.write(data);
  };
  await refresh();
  const timer = setInterval(refresh, opts.intervalMs ?? 1000);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write(`data: ${JSON.stringify(latest)}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (path === '/api/snapshot') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(latest));
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    const file = files[path];
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': file[1] });
    res.end(readFileSync(file[0]));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, '127.0.0.1', resolve);
    });
  } catch (e) {
    clearInterval(timer);
    redis.disconnect();
    throw e;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      clearInterval(timer);
      for (const c of clients) c.end();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      redis.disconnect();
    },
  };
}
