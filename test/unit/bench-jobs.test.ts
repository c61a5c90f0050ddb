/** The bench's variants: what an options file turns into, without running anything. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { variantJob, type BenchContext } from '../../src/bench/jobs';
import { loadSpec } from '../../src/spec/load';

const ROOT = resolve(__dirname, '../..');
const ctx: BenchContext = {
  loaded: loadSpec('pipelines/uvpv.yaml', { env: {}, cwd: ROOT, mode: 'lenient' }),
  topic: 'bench-topic',
  bootstrap: '127.0.0.1:9092',
  redisHost: '127.0.0.1',
  redisPort: 6379,
  database: 3,
  runId: 'abc',
  redisConnector: 'uvpv',
};

function variant(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'uvpv-variant-')), 'v.sql');
  writeFileSync(file, text);
  return variantJob(file);
}

test('a variant that sets parallelism.default is the job generated for that job.parallelism, on a topic of as many partitions', () => {
  const job = variantJob(join(ROOT, 'bench/variants/parallelism-2.sql'));
  expect(job.parallelism).toBe(2);
  const statements = job.statements(ctx);
  expect(statements).toContain("SET 'parallelism.default' = '2'");
  // What the generator adds above parallelism 1 is there, and the file's SET is not repeated.
  expect(statements).toContain("SET 'table.exec.source.idle-timeout' = '1 min'");
  expect(statements.filter((s) => /parallelism\.default/.test(s))).toHaveLength(1);
  expect(job.describe).toMatch(/the generated job for job\.parallelism: 2\)$/);
});

test('other options go on top of the generated job at its own parallelism', () => {
  const job = variant("-- no TTL\nRESET 'table.exec.state.ttl';\n");
  expect(job.parallelism).toBeUndefined();
  const statements = job.statements(ctx);
  expect(statements).toContain("SET 'parallelism.default' = '1'");
  expect(statements.indexOf("RESET 'table.exec.state.ttl'")).toBeGreaterThan(statements.indexOf("SET 'table.exec.state.ttl' = '1 d'"));
  expect(job.describe).toBe("no TTL (the generated job, then RESET 'table.exec.state.ttl')");
});
