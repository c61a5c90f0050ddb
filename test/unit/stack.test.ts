/** The stack's process and port handling, without starting Kafka or Flink. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIo } from '../../src/io/io';
import { run } from '../../src/cli/run';
import { PORT_VARIABLES } from '../../src/io/settings';
import { stackLayout } from '../../src/stack/layout';
import { closedPort } from '../support/fake-http';
import { alive, pidFile, portInUse, runningPid, startDetached, stopProcess } from '../../src/stack/processes';

test('ports come from UVPV_*_PORT variables, and a bad one is a clear usage error', () => {
  const layout = stackLayout({ UVPV_HOME: '/x', UVPV_KAFKA_PORT: '19092', UVPV_GATEWAY_PORT: '18083' });
  expect(layout.ports).toMatchObject({ kafka: 19092, gateway: 18083, flinkRest: 8081 });
  expect(layout.libDir).toBe('/x/lib');
  expect(() => stackLayout({ UVPV_FLINK_REST_PORT: 'eighty' })).toThrow('UVPV_FLINK_REST_PORT=eighty is not a port (1-65535)');
});

test('a detached process is found by its pid file and marker, and stopped', async () => {
  const runDir = mkdtempSync(join(tmpdir(), 'uvpv-run-'));
  // The marker is in sleep's own command line only: a shell in between would show it before its
  // exec, and for an instant during the exec none at all.
  const marker = 'sleep 30.5';
  const pid = startDetached(runDir, { name: 'sleeper', command: 'sleep', args: ['30.5'], marker, logFile: join(runDir, 'out.log') });
  // Until the child has exec'd, its command line is still the parent's: give it a moment.
  for (let i = 0; i < 50 && runningPid(runDir, 'sleeper', marker) === undefined; i++) await new Promise((r) => setTimeout(r, 20));
  expect(runningPid(runDir, 'sleeper', marker)).toBe(pid);
  expect(await stopProcess(runDir, 'sleeper', marker, 5000)).toBe('stopped');
  expect(alive(pid)).toBe(false);
  expect(runningPid(runDir, 'sleeper', marker)).toBeUndefined();
});

test("a pid file naming someone else's process is not trusted, so down never signals it", async () => {
  const runDir = mkdtempSync(join(tmpdir(), 'uvpv-run-'));
  writeFileSync(pidFile(runDir, 'kafka'), `${process.pid}\n`); // this test runner, not a stack process
  expect(runningPid(runDir, 'kafka', '-Duvpv.stack=')).toBeUndefined();
  expect(await stopProcess(runDir, 'kafka', '-Duvpv.stack=')).toBe('not running');
  expect(alive(process.pid)).toBe(true);
});

test('stack up refuses a port another process holds, before downloading anything', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    expect(await portInUse(port)).toBe(true);
    const home = mkdtempSync(join(tmpdir(), 'uvpv-home-'));
    // Every other port of the stack is moved to a free one, whatever else runs on this machine.
    const free: Record<string, string> = {};
    for (const [variable] of Object.values(PORT_VARIABLES)) free[variable] = String(await closedPort());
    const io = memoryIo({ ...process.env, ...free, UVPV_HOME: home, UVPV_FLINK_REST_PORT: String(port), UVPV_MVN: '/nonexistent/mvn' });
    const code = await run(['stack', 'up'], io);
    expect(code).toBe(1);
    expect(io.err).toContain(`error: port ${port} (Flink JobManager, REST on 127.0.0.1:${port}) is already in use by a process the stack did not start`);
    expect(io.err).not.toContain('Maven');
  } finally {
    server.close();
  }
});

test('stack down with nothing running says so', async () => {
  const io = memoryIo({ ...process.env, UVPV_HOME: mkdtempSync(join(tmpdir(), 'uvpv-home-')) });
  expect(await run(['stack', 'down'], io)).toBe(0);
  expect(io.out).toBe('stack was not running\n');
});
