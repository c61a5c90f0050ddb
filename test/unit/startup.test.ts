/**
 * uvpv as a fresh node process: the help of the program and of every command (snapshotted, so
 * loading commands lazily cannot change a byte of it), the version from package.json, and that
 * `validate` loads none of the services' clients.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshBuild, ROOT, type FreshBuild } from '../support/fresh-build';

let build: FreshBuild;
beforeAll(() => {
  build = freshBuild();
});
afterAll(() => build?.remove());

/** Runs `script` in a new node process (stdout a pipe, so help is 80 columns wide); `build` is the package root. */
function node(script: string): string {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  const r = spawnSync(process.execPath, ['-e', script, build.dir], { cwd: ROOT, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const COMMANDS = [
  [],
  ['validate'],
  ['generate'],
  ['deploy'],
  ['status'],
  ['stop'],
  ['stack'],
  ['stack', 'up'],
  ['stack', 'down'],
  ['stack', 'status'],
  ['stack', 'logs'],
  ['verify'],
  ['doctor'],
  ['produce'],
  ['dashboard'],
  ['demo'],
];

test('the help of the program and of every command', () => {
  // One process runs them all, each through run() as bin/uvpv.js does.
  const script = `
    const { run } = require(require('node:path').join(process.argv[1], 'dist/cli/run'));
    (async () => {
      const out = {};
      for (const args of ${JSON.stringify(COMMANDS)}) {
        let text = '';
        const io = { stdout: (t) => (text += t), stderr: (t) => (text += '[stderr] ' + t), env: {}, cwd: process.cwd(), interactive: false };
        const code = await run([...args, '--help'], io);
        out[['uvpv', ...args, '--help'].join(' ')] = { code, text };
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const help = JSON.parse(node(script)) as Record<string, { code: number; text: string }>;
  for (const [command, { code, text }] of Object.entries(help)) {
    expect([command, code]).toEqual([command, 0]);
    expect(text).toMatchSnapshot(command);
  }
});

test('--version prints the version in package.json', () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = spawnSync(process.execPath, [join(build.dir, 'bin', 'uvpv.js'), '--version'], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(`${version}\n`);
});

test('validate loads neither Kafka nor Redis clients, nor the dashboard', () => {
  const script = `
    const { join } = require('node:path');
    const { run } = require(join(process.argv[1], 'dist/cli/run'));
    const io = { stdout: () => {}, stderr: (t) => process.stderr.write(t), env: {}, cwd: process.cwd(), interactive: false };
    run(['validate', 'pipelines/uvpv.yaml'], io).then((code) => {
      process.stdout.write(JSON.stringify({ code, loaded: Object.keys(require.cache) }));
    });`;
  const { code, loaded } = JSON.parse(node(script)) as { code: number; loaded: string[] };
  expect(code).toBe(0);
  expect(loaded.some((f) => f.endsWith(join('dist', 'pipeline', 'load.js')))).toBe(true); // the check sees what validate loads
  const heavy = loaded.filter((f) => /node_modules[\\/](kafkajs|ioredis|chart\.js)[\\/]|[\\/]dist[\\/]dashboard[\\/]/.test(f));
  expect([...new Set(heavy.map((f) => f.replace(/^.*[\\/](node_modules[\\/][^\\/]+|dist[\\/]dashboard)[\\/].*$/, '$1')))]).toEqual([]);
});

test('--help loads no command implementation: of the packages, only commander', () => {
  const script = `
    const { run } = require(require('node:path').join(process.argv[1], 'dist/cli/run'));
    const io = { stdout: () => {}, stderr: (t) => process.stderr.write(t), env: {}, cwd: process.cwd(), interactive: false };
    run(['--help'], io).then((code) => process.stdout.write(JSON.stringify({ code, loaded: Object.keys(require.cache) })));`;
  const { code, loaded } = JSON.parse(node(script)) as { code: number; loaded: string[] };
  expect(code).toBe(0);
  const packages = new Set(
    loaded.filter((f) => /node_modules[\\/]/.test(f)).map((f) => f.replace(/^.*node_modules[\\/]((@[^\\/]+[\\/])?[^\\/]+).*$/, '$1')),
  );
  expect([...packages]).toEqual(['commander']);
});
