/**
 * A tiny RESP server on 127.0.0.1 that plays a Redis or a sentinel, for tests of what uvpv's own
 * clients send (which password reaches which server) and how a refusal reads. It speaks only what
 * ioredis sends when it connects and what a test answers.
 */
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type Reply = { status: string } | { error: string } | { bulk: string | null } | { array: (string | null)[] };

export interface FakeRedisOptions {
  /** Its `requirepass`: until AUTH gives it, every other command gets NOAUTH. */
  password?: string;
  /** The answer to a command (its words, the name upper-cased); undefined: the defaults below, else an unknown command. */
  answer?: (command: string[]) => Reply | undefined;
}

export interface FakeRedis {
  port: number;
  /** Every command received, AUTH's arguments included, in order. */
  commands: string[][];
  close(): Promise<void>;
}

/** What ioredis asks on every connection: its client name, the ready check, a database, a ping. */
const DEFAULTS: Record<string, Reply> = {
  CLIENT: { status: 'OK' },
  SELECT: { status: 'OK' },
  PING: { status: 'PONG' },
  INFO: { bulk: '# Replication\r\nrole:master\r\n' },
};

export async function startFakeRedis(options: FakeRedisOptions = {}): Promise<FakeRedis> {
  const commands: string[][] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let authed = options.password === undefined;
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (let parsed = parseCommand(buffer); parsed; parsed = parseCommand(buffer)) {
        buffer = buffer.subarray(parsed.length);
        const command = [parsed.words[0].toUpperCase(), ...parsed.words.slice(1)];
        commands.push(command);
        let reply: Reply;
        if (command[0] === 'AUTH') {
          const given = command[command.length - 1];
          if (options.password === undefined)
            reply = { error: 'ERR AUTH <password> called without any password configured for the default user.' };
          else if (given === options.password && command.length === 2) {
            authed = true;
            reply = { status: 'OK' };
          } else reply = { error: 'WRONGPASS invalid username-password pair or user is disabled.' };
        } else if (!authed) reply = { error: 'NOAUTH Authentication required.' };
        else reply = options.answer?.(command) ?? DEFAULTS[command[0]] ?? { error: `ERR unknown command '${command[0]}'` };
        socket.write(encode(reply));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    commands,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** One command as ioredis sends it (an array of bulk strings), or undefined until it has all arrived. */
function parseCommand(buffer: Buffer): { words: string[]; length: number } | undefined {
  const line = (from: number) => {
    const end = buffer.indexOf('\r\n', from);
    return end < 0 ? undefined : { text: buffer.toString('utf8', from, end), next: end + 2 };
  };
  const head = line(0);
  if (!head) return undefined;
  if (!head.text.startsWith('*')) throw new Error(`the fake Redis reads arrays only, got ${JSON.stringify(head.text)}`);
  const words: string[] = [];
  let at = head.next;
  for (let i = 0; i < Number(head.text.slice(1)); i++) {
    const size = line(at);
    if (!size) return undefined;
    const length = Number(size.text.slice(1));
    if (buffer.length < size.next + length + 2) return undefined;
    words.push(buffer.toString('utf8', size.next, size.next + length));
    at = size.next + length + 2;
  }
  return { words, length: at };
}

function encode(reply: Reply): string {
  const bulk = (s: string | null) => (s === null ? '$-1\r\n' : `$${Buffer.byteLength(s)}\r\n${s}\r\n`);
  if ('status' in reply) return `+${reply.status}\r\n`;
  if ('error' in reply) return `-${reply.error}\r\n`;
  if ('bulk' in reply) return bulk(reply.bulk);
  return `*${reply.array.length}\r\n${reply.array.map(bulk).join('')}`;
}
