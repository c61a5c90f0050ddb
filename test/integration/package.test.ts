/**
 * uvpv as users get it: `npm pack`, the tarball installed into an empty folder outside the
 * repository, and its own `uvpv` binary run: --version, generate, a stack of its own (its own
 * UVPV_HOME and ports, so the Redis connector is built from the package's copy of connector/),
 * verify on the reference case the package ships, and stack down.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { required } from '../../src/util/required';

const ROOT = resolve(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'uvpv-package-'));
const app = join(work, 'app');
// A home at a fixed place, so that a run killed before its stack down leaves nothing the next
// run cannot stop; its jars are removed first, so the connector is built from the package.
const HOME = join(tmpdir(), 'uvpv-package-test-home');
const env = {
  ...process.env,
  UVPV_HOME: HOME,
  // Ports of its own: the test suite's stack keeps running beside it.
  UVPV_KAFKA_PORT: '19092',
  UVPV_KAFKA_CONTROLLER_PORT: '19093',
  UVPV_FLINK_RPC_PORT: '16123',
  UVPV_FLINK_BLOB_PORT: '16124',
  UVPV_FLINK_REST_PORT: '18081',
  UVPV_GATEWAY_PORT: '18083',
  UVPV_REDIS_PORT: '16390',
};
const bin = join(app, 'node_modules', '.bin', 'uvpv');
const shipped = join(app, 'node_modules', 'uvpv', 'pipelines');

function uvpv(args: string[]) {
  const r = spawnSync(bin, args, { cwd: app, env, encoding: 'utf8', timeout: 15 * 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  const packOutput = execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: ROOT, encoding: 'utf8' });
  // npm pack prints the file it wrote last.
  const packed = required(packOutput.trim().split('\n').at(-1), 'the file npm pack wrote');
  mkdirSync(app);
  execFileSync('npm', ['init', '-y'], { cwd: app, stdio: 'ignore' });
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, packed)], { cwd: app, stdio: 'inherit' });
  uvpv(['stack', 'down']); // what an earlier, killed run may have left
  rmSync(HOME, { recursive: true, force: true });
}, 600_000);

afterAll(() => {
  if (existsSync(bin)) uvpv(['stack', 'down']);
  rmSync(work, { recursive: true, force: true });
  rmSync(HOME, { recursive: true, force: true });
});

test('the package holds what the installed CLI needs, and nothing of the repository it does not', () => {
  const pkg = join(app, 'node_modules', 'uvpv');
  for (const f of [
    'dist/cli/run.js',
    'bin/uvpv.js',
    'templates/stack/pom.xml',
    'pipelines/uvpv.yaml',
    'pipelines/uvpv.events.jsonl',
    'schema/uvpv-spec.schema.json',
    'connector/pom.xml',
  ]) {
    expect(existsSync(join(pkg, f))).toBe(true);
  }
  expect(readdirSync(join(pkg, 'connector', 'src'))).toEqual(['main']);
  for (const f of ['test', 'src', '.ci', 'connector/target']) expect(existsSync(join(pkg, f))).toBe(false);
});

test('the installed uvpv runs: --version, generate, stack up, verify on the shipped reference case, stack down', () => {
  const version = uvpv(['--version']);
  expect(version.code).toBe(0);
  expect(version.out.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);

  const generated = uvpv(['generate', join(shipped, 'uvpv.yaml')]);
  expect(generated.code).toBe(0);
  expect(generated.out).toContain('EXECUTE STATEMENT SET');

  const up = uvpv(['stack', 'up']);
  expect(up.err).not.toMatch(/error:/);
  expect(up.code).toBe(0);
  // Its own home: the connector was built from the package's sources, not found ready.
  expect(up.out + up.err).toMatch(/building the Redis SQL connector \(connector\/\) with Maven/);
  expect(up.out + up.err).toMatch(/Flink http:\/\/127\.0\.0\.1:18081/);

  const verified = uvpv([
    'verify',
    join(shipped, 'uvpv.yaml'),
    '--events',
    join(shipped, 'uvpv.events.jsonl'),
    '--expect',
    join(shipped, 'uvpv.expected.yaml'),
  ]);
  expect(verified.err).not.toMatch(/error:/);
  expect(verified.out).toMatch(/^verify: PASS: (\d+) of \1 keys match/m);
  expect(verified.code).toBe(0);

  const down = uvpv(['stack', 'down']);
  expect(down.code).toBe(0);
}, 1_200_000);
