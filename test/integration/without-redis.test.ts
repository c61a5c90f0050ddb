/**
 * A newcomer's machine runs no Redis. In a network namespace of its own (`unshare -n`: a loopback
 * where nothing listens), the stack must start its own redis-server, and a verify must pass on it.
 * The stack here is a second one with a home of its own; it shares the jar cache with the main
 * stack's, since a namespace without a network cannot download anything.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackLayout } from '../../src/stack/layout';
import { freshBuild, ROOT, type FreshBuild } from '../support/fresh-build';

let build: FreshBuild;
let home: string;

beforeAll(() => {
  build = freshBuild();
  // The stack reads its templates and builds the connector from the package's own files.
  for (const dir of ['templates', 'connector']) symlinkSync(join(ROOT, dir), join(build.dir, dir), 'dir');
  home = mkdtempSync(join(tmpdir(), 'uvpv-home-'));
  const main = stackLayout(process.env);
  mkdirSync(main.libDir, { recursive: true });
  mkdirSync(main.buildDir, { recursive: true });
  symlinkSync(main.libDir, join(home, 'lib'), 'dir');
  symlinkSync(main.buildDir, join(home, 'build'), 'dir');
});

afterAll(() => {
  build.remove();
  rmSync(home, { recursive: true, force: true });
});

/**
 * Runs shell lines in a fresh network namespace whose only interface is a loopback brought up.
 * Whatever happens, the stack is stopped at the end (and `cleanup` runs), so no process is left.
 */
function inEmptyNetwork(script: string, cleanup = '') {
  const uvpv = `node ${join(build.dir, 'bin', 'uvpv.js')}`;
  const r = spawnSync(
    'unshare',
    [
      '-n',
      'bash',
      '-c',
      `set -u; ip link set lo up || exit 90; uvpv() { ${uvpv} "$@"; }; trap 'uvpv stack down >/dev/null 2>&1; ${cleanup}' EXIT; ${script}`,
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, UVPV_HOME: home, UVPV_STACK_REDIS: '' },
      timeout: 420_000,
    },
  );
  if (r.error) throw new Error(`cannot run unshare -n (it needs root or user namespaces): ${r.error.message}`);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function stackRedisProcesses(): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return (
          readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('uvpv-stack-redis') &&
          readFileSync(`/proc/${p}/environ`, 'utf8').includes(`UVPV_HOME=${home}`)
        );
      } catch {
        return false;
      }
    });
}

test('with no Redis on 127.0.0.1:6379 the stack starts its own, verify passes on it, and down stops it', () => {
  const r = inEmptyNetwork(
    [
      // Nothing answers on 6379 here: this is the machine the test stands for.
      `(exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && { echo 'a Redis answers on 6379' >&2; exit 91; }`,
      'uvpv stack up || exit 92',
      'uvpv stack status; echo "status exit $?"',
      'uvpv verify pipelines/uvpv.yaml --events test/cases/reference/events.jsonl --expect test/cases/reference/expected.yaml; echo "verify exit $?"',
      'uvpv stack down; echo "down exit $?"',
    ].join('\n'),
  );
  expect(r.err).not.toContain('FATAL CONFIG FILE ERROR');
  expect({ code: r.code, err: r.code === 0 ? '' : r.err }).toEqual({ code: 0, err: '' });
  expect(r.out).toMatch(/Redis 127\.0\.0\.1:6390 \(own\)/);
  expect(r.out).toMatch(/^redis\s+up\s+127\.0\.0\.1:6390 \(own redis-server\)/m);
  expect(r.out).toMatch(/^verify: PASS: (\d+) of \1 keys match/m);
  expect(r.out).toContain('verify exit 0');
  expect(r.out).toContain('down exit 0');
  expect(stackRedisProcesses()).toEqual([]);
});

test('UVPV_STACK_REDIS=own: the stack runs its own Redis even when one answers on 6379, and leaves that one untouched', () => {
  const r = inEmptyNetwork(
    [
      'redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no --daemonize yes --dir "$UVPV_HOME" >/dev/null || exit 93',
      'for i in $(seq 50); do redis-cli -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done',
      'export UVPV_STACK_REDIS=own',
      'uvpv stack up || exit 92',
      'uvpv verify pipelines/uvpv.yaml --events test/cases/reference/events.jsonl --expect test/cases/reference/expected.yaml; echo "verify exit $?"',
      'echo "keys on 6379: $(redis-cli -p 6379 --scan | wc -l)"',
      'uvpv stack down; echo "down exit $?"',
    ].join('\n'),
    'redis-cli -p 6379 shutdown nosave >/dev/null 2>&1',
  );
  expect({ code: r.code, err: r.code === 0 ? '' : r.err }).toEqual({ code: 0, err: '' });
  expect(r.out).toMatch(/Redis 127\.0\.0\.1:6390 \(own\)/);
  expect(r.out).toMatch(/^verify: PASS: (\d+) of \1 keys match/m);
  expect(r.out).toContain('verify exit 0');
  expect(r.out).toContain('keys on 6379: 0');
  expect(r.out).toContain('down exit 0');
  expect(stackRedisProcesses()).toEqual([]);
});
