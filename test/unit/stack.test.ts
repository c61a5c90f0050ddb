/** The stack's process and port handling, without starting Kafka or Flink. */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIo } from '../../src/io/io';
import { progress } from '../../src/io/progress';
import { run } from '../../src/cli/run';
import { PORT_VARIABLES } from '../../src/io/settings';
import { stackLayout } from '../../src/stack/layout';
import { closedPort, startFakeHttp } from '../support/fake-http';
import { alive, killProcess, pidFile, portInUse, runningPid, startDetached, stopProcess } from '../../src/stack/processes';
import { taskmanagerIds, taskmanagerProbe } from '../../src/stack/health';
import { components } from '../../src/stack/components';
import { LocalStack } from '../../src/stack/stack';
import { required } from '../../src/util/required';

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
  await started(runDir, 'sleeper', marker);
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
    expect(io.err).toContain(
      `error: port ${port} (Flink JobManager, REST on 127.0.0.1:${port}) is already in use by a process the stack did not start`,
    );
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

/** Waits (up to 5 s, for a loaded machine) until the just-started process has exec'd and carries its marker. */
async function started(runDir: string, name: string, marker: string): Promise<void> {
  for (let i = 0; i < 250 && runningPid(runDir, name, marker) === undefined; i++) await new Promise((r) => setTimeout(r, 20));
}

test('kill SIGKILLs our process, waits until it is gone and leaves the pid file, as a crash would', async () => {
  const runDir = mkdtempSync(join(tmpdir(), 'uvpv-run-'));
  const marker = 'sleep 30.25';
  // A process that ignores SIGTERM still goes. The shell's own command line must not carry the
  // marker: matched before its exec, the pid can read as 'not running' while the exec swaps it.
  const pid = startDetached(runDir, {
    name: 'sleeper',
    command: 'sh',
    args: ['-c', `trap '' TERM; exec sleep "$0"`, '30.25'],
    marker,
    logFile: join(runDir, 'out.log'),
  });
  await started(runDir, 'sleeper', marker);
  expect(runningPid(runDir, 'sleeper', marker)).toBe(pid);
  expect(await killProcess(runDir, 'sleeper', marker)).toBe('killed');
  expect(alive(pid)).toBe(false);
  expect(existsSync(pidFile(runDir, 'sleeper'))).toBe(true);
  expect(runningPid(runDir, 'sleeper', marker)).toBeUndefined();
  expect(await killProcess(runDir, 'sleeper', marker)).toBe('not running');
});

test('kill never signals a process the stack did not start, whatever its pid file says', async () => {
  const runDir = mkdtempSync(join(tmpdir(), 'uvpv-run-'));
  writeFileSync(pidFile(runDir, 'taskmanager'), `${process.pid}\n`);
  expect(await killProcess(runDir, 'taskmanager', '-Duvpv.stack=')).toBe('not running');
  expect(alive(process.pid)).toBe(true);
});

test('LocalStack.kill finds a component by its marker, and then it no longer runs', async () => {
  const layout = stackLayout({ UVPV_HOME: mkdtempSync(join(tmpdir(), 'uvpv-home-')) });
  mkdirSync(layout.runDir, { recursive: true });
  const tm = required(
    components(layout).find((c) => c.name === 'taskmanager'),
    'the taskmanager component',
  );
  // A stand-in for the TaskManager's JVM: a process with the component's marker on its command line
  // (after `--`: node would take the marker, `-Duvpv.stack=...`, for an option of its own and exit).
  const pid = startDetached(layout.runDir, {
    name: tm.name,
    command: process.execPath,
    args: ['-e', 'setTimeout(() => {}, 30000)', '--', tm.marker],
    marker: tm.marker,
    logFile: join(layout.runDir, 'tm.out'),
  });
  await started(layout.runDir, tm.name, tm.marker);
  const stack = new LocalStack(layout, progress(memoryIo(), true));
  expect(stack.pid('taskmanager')).toBe(pid);
  expect(await stack.kill('jobmanager')).toBe('not running');
  expect(alive(pid)).toBe(true);
  expect(await stack.kill('taskmanager')).toBe('killed');
  expect(alive(pid)).toBe(false);
  expect(stack.pid('taskmanager')).toBeUndefined();
});

test('the TaskManager probe: any TaskManager with slots on a fresh start; only one Flink did not list before after a restart', async () => {
  const fake = await startFakeHttp();
  try {
    const dead = { id: '127.0.0.1:40001-aaaaaa', slotsNumber: 4, freeSlots: 4 };
    let listed: object[] = [dead];
    fake.route('GET', /^\/taskmanagers$/, () => ({ body: { taskmanagers: listed } }));
    fake.route('GET', /^\/overview$/, () => ({
      body: { taskmanagers: listed.length, 'slots-total': 4 * listed.length, 'slots-available': 4 * listed.length },
    }));

    // Fresh: /overview, unchanged; the dead TaskManager's slots still count there.
    expect(await taskmanagerProbe(fake.url)()).toBe('4/4 slots free');

    // Restart: the ids listed before the new TaskManager starts do not count.
    const known = await taskmanagerIds(fake.url);
    expect([...known]).toEqual([dead.id]);
    const probe = taskmanagerProbe(fake.url, known);
    expect(await probe()).toBeUndefined();
    listed = [dead, { id: '127.0.0.1:40002-bbbbbb', slotsNumber: 0, freeSlots: 0 }];
    expect(await probe()).toBeUndefined(); // registered, no slots yet
    listed = [dead, { id: '127.0.0.1:40002-bbbbbb', slotsNumber: 4, freeSlots: 3 }];
    expect(await probe()).toBe('3/4 slots free on new TaskManager 127.0.0.1:40002-bbbbbb');
    listed = [{ id: '127.0.0.1:40002-bbbbbb', slotsNumber: 4, freeSlots: 4 }]; // the dead one timed out
    expect(await probe()).toBe('4/4 slots free on new TaskManager 127.0.0.1:40002-bbbbbb');
    expect(fake.calls.filter((c) => c.path === '/overview')).toHaveLength(1);
  } finally {
    await fake.close();
  }
});

test('with Flink not answering, no TaskManager counts as up, and none is known', async () => {
  const rest = `http://127.0.0.1:${await closedPort()}`;
  expect(await taskmanagerProbe(rest)()).toBeUndefined();
  expect(await taskmanagerProbe(rest, new Set())()).toBeUndefined();
  expect(await taskmanagerIds(rest)).toEqual(new Set());
});

test.each([
  [
    'Java',
    { JAVA_HOME: '/nonexistent/jdk' },
    "error: Java 17 not found ('/nonexistent/jdk/bin/java')",
    'fix: install a JDK 17 (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME',
  ],
  [
    'Maven',
    { UVPV_MVN: '/nonexistent/mvn' },
    "error: cannot run Maven ('/nonexistent/mvn'): ENOENT",
    'fix: install Maven (Debian/Ubuntu: apt-get install maven) or set UVPV_MVN',
  ],
])('stack up without %s says what is missing and how to install it', async (_what, env, error, fix) => {
  const free: Record<string, string> = {};
  for (const [variable] of Object.values(PORT_VARIABLES)) free[variable] = String(await closedPort());
  const io = memoryIo({ ...process.env, ...free, ...env, UVPV_HOME: mkdtempSync(join(tmpdir(), 'uvpv-home-')) });
  expect(await run(['stack', 'up'], io)).toBe(1);
  expect(io.err).toContain(`${error}\n`);
  expect(io.err).toContain(`${fix}\n`);
});
