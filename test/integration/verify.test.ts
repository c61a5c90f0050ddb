/** `uvpv verify` on the real local stack: every case, a wrong expectation, a job that cannot start. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { memoryIo } from '../../src/io/io';
import { run } from '../../src/cli/run';
import { findCases } from '../support/cases';

const ROOT = resolve(__dirname, '..', '..');
const cases = findCases().filter((c) => c.has('events.jsonl') && c.has('expected.yaml'));

async function uvpv(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const io = memoryIo({ ...process.env, ...env }, cwd);
  const code = await run(args, io);
  return { code, out: io.out, err: io.err };
}

// Cases whose late rows are worked out for one partition: with two, which rows are late depends on
// how the partitions interleave (docs/spec.md, Dropped rows), so they run at parallelism 1 only.
const ONE_PARTITION = new Set(['verify/late-rows']);

// Every other case at parallelism 1 and 2: what Redis holds must not depend on it.
test.each(cases.flatMap((c) => (ONE_PARTITION.has(c.name) ? [1] : [1, 2]).map((p) => [c.name, p, c] as const)))(
  '%s at parallelism %d: Flink writes what expected.yaml says',
  async (_name, parallelism, c) => {
    const r = await uvpv(
      ['verify', 'pipeline.yaml', '--events', 'events.jsonl', '--expect', 'expected.yaml', '--parallelism', String(parallelism)],
      c.dir,
      c.env,
    );
    expect(r.err).not.toMatch(/error:/);
    expect(r.out).toMatch(/^verify: PASS: (\d+) of \1 keys match/m);
    expect(r.code).toBe(0);
  },
);

test('without --expect the reference model is the expectation, and JUnit XML is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-verify-'));
  const r = await uvpv(
    [
      'verify',
      join(ROOT, 'pipelines/uvpv.yaml'),
      '--events',
      join(ROOT, 'test/cases/reference/events.jsonl'),
      '--junit',
      join(dir, 'junit.xml'),
    ],
    dir,
  );
  expect(r.err).toContain('expected: computed by the reference model');
  expect(r.code).toBe(0);
  const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
  expect(xml).toContain('<testsuite name="uvpv verify uvpv-demo" tests="3" failures="0"');
});

test('a deliberately wrong expectation fails with exit 1 and a diff per key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-verify-'));
  const wrong = readFileSync(join(ROOT, 'test/cases/reference/expected.yaml'), 'utf8')
    .replace('set: ["1", "2", "3", "4"]', 'set: ["1", "2", "3", "5"]')
    .replace('string: "0.0000"', 'string: "0.5000"');
  writeFileSync(join(dir, 'wrong.yaml'), wrong);
  const r = await uvpv(
    ['verify', join(ROOT, 'pipelines/uvpv.yaml'), '--events', join(ROOT, 'test/cases/reference/events.jsonl'), '--expect', 'wrong.yaml'],
    dir,
  );
  expect(r.code).toBe(1);
  expect(r.out).toContain('✗ userids');
  expect(r.out).toContain('missing members: "5"');
  expect(r.out).toContain('extra members: "4"');
  expect(r.out).toContain('value is "0.0000", expected "0.5000"');
  expect(r.out).toMatch(/^verify: FAIL: 1 of 3 keys match/m);
});

test("a job that cannot start fails with exit 1 and Flink's own error", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-verify-'));
  // Valid for uvpv, but Flink's JSON format cannot decode a map with INT keys. Parse errors are not
  // ignored, so the source declares every column, the unread map too.
  const spec = readFileSync(join(ROOT, 'pipelines/uvpv.yaml'), 'utf8')
    .replace('    product_id: INT\n', '    product_id: INT\n    attrs: MAP<INT, STRING>\n')
    .replace('  ignoreParseErrors: true\n', '  ignoreParseErrors: false\n');
  writeFileSync(join(dir, 'pipeline.yaml'), spec);
  const r = await uvpv(
    ['verify', 'pipeline.yaml', '--events', join(ROOT, 'test/cases/reference/events.jsonl'), '--junit', 'junit.xml'],
    dir,
  );
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/JSON format doesn't support non-string as key type of map/);
  expect(r.err).not.toMatch(/\n\s+at /);
  expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('failures="1"');
});

test('events that match no event compare nothing: exit 1 with what to check, unless --allow-empty', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-verify-'));
  // The reference events as a record_type no event of the spec tests (0 browse, 1 purchase).
  const events = readFileSync(join(ROOT, 'test/cases/reference/events.jsonl'), 'utf8').replace(/"record_type":\s*\d/g, '"record_type": 7');
  writeFileSync(join(dir, 'none.jsonl'), events);
  const spec = join(ROOT, 'pipelines/uvpv.yaml');
  const r = await uvpv(['verify', spec, '--events', 'none.jsonl', '--junit', 'junit.xml'], dir);
  expect(r.err).toMatch(/^warning: event browse matched no row of the \d+ messages; uv, pv, conversion_rate have nothing of it to check$/m);
  expect(r.out).toMatch(/^verify: FAIL: nothing to compare: the expectation holds no key and the pipeline wrote none; .*--allow-empty/m);
  expect(r.code).toBe(1);
  expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('failures="1"');
  const allowed = await uvpv(['verify', spec, '--events', 'none.jsonl', '--allow-empty'], dir);
  expect(allowed.out).toMatch(/^verify: PASS: no key expected and none compared \(--allow-empty\)/m);
  expect(allowed.code).toBe(0);
});

test('bad usage: a missing events file is exit 2', async () => {
  const r = await uvpv(['verify', join(ROOT, 'pipelines/uvpv.yaml'), '--events', 'nope.jsonl'], ROOT);
  expect(r.code).toBe(2);
  expect(r.err).toContain('cannot read events file nope.jsonl: ENOENT');
});

test('a bad expectation file is exit 2 with its line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-verify-'));
  writeFileSync(join(dir, 'bad.yaml'), 'redis:\n  userids:\n    sett: ["1"]\nexact: yes\n');
  const r = await uvpv(
    ['verify', join(ROOT, 'pipelines/uvpv.yaml'), '--events', join(ROOT, 'test/cases/reference/events.jsonl'), '--expect', 'bad.yaml'],
    dir,
  );
  expect(r.code).toBe(2);
  expect(r.err).toContain('bad.yaml:3:5: redis.userids: expected exactly one of set | hll | string | list | hash');
  expect(r.err).toContain('bad.yaml:4:8: exact: got "yes"; expected true or false');
});
