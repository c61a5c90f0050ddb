/** A tiny programmable HTTP server on 127.0.0.1 for client error-path tests. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, body: unknown) => { status?: number; body?: unknown; delayMs?: number } | undefined;

export interface FakeHttp {
  url: string;
  calls: { method: string; path: string; body: unknown }[];
  route(method: string, path: RegExp, handler: Handler): void;
  close(): Promise<void>;
}

export async function startFakeHttp(): Promise<FakeHttp> {
  const routes: { method: string; path: RegExp; handler: Handler }[] = [];
  const calls: FakeHttp['calls'] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body: unknown = raw ? JSON.parse(raw) : undefined;
      // A server's request always has both (the types share them with a client's response).
      const { method = '', url: path = '' } = req;
      calls.push({ method, path, body });
      const route = routes.find((r) => r.method === method && r.path.test(path));
      const answer = route?.handler(req, body) ?? { status: 404, body: { errors: [`Not found: ${path}`] } };
      const send = () => {
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body ?? {}));
      };
      if (answer.delayMs) timers.add(setTimeout(send, answer.delayMs));
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    route: (method, path, handler) => routes.unshift({ method, path, handler }),
    close: () =>
      new Promise((r) => {
        timers.forEach(clearTimeout);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
