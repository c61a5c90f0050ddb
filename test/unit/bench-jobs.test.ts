/** The bench's variants: what an options or metrics file turns into, and how the report shows them, without running anything. */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { VARIANT_FILE, variantJob, type BenchContext } from '../../bench/jobs';
import { VARIANTS_DIR } from '../../bench/main';
import { resultsMarkdown } from '../../bench/report';
import type { BenchResult, JobResult } from '../../bench/run-bench';
import { loadSpec } from '../../src/pipeline/load';

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

function variant(text: string, name = 'v.sql') {
  const file = join(mkdtempSync(join(tmpdir(), 'uvpv-variant-')), name);
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
  const job = variant("-- no object reuse\nRESET 'pipeline.object-reuse';\n");
  expect(job.parallelism).toBeUndefined();
  const statements = job.statements(ctx);
  expect(statements).toContain("SET 'parallelism.default' = '1'");
  expect(statements).toContain("SET 'pipeline.object-reuse' = 'true'");
  expect(statements.indexOf("RESET 'pipeline.object-reuse'")).toBeGreaterThan(statements.indexOf("SET 'pipeline.object-reuse' = 'true'"));
  expect(job.describe).toBe("no object reuse (the generated job, then RESET 'pipeline.object-reuse')");
});

describe('by-product: the reference pipeline plus pv by product_id into a hash and a top-10 zset', () => {
  const job = variantJob(join(ROOT, 'bench/variants/by-product.yaml'));
  if (!job.spec) throw new Error('a YAML variant brings a spec of its own');
  const loaded = job.spec('pipelines/uvpv.yaml', { env: {}, cwd: ROOT, mode: 'lenient' });

  test('is a default variant, named after its file, adding two metrics to the bench spec', () => {
    expect(readdirSync(VARIANTS_DIR).filter((f) => VARIANT_FILE.test(f))).toContain('by-product.yaml');
    expect(job.name).toBe('by-product');
    expect(job.parallelism).toBeUndefined();
    expect(job.adds).toEqual(['pv_by_product', 'top_products']);
    expect(job.describe).toMatch(/^the reference pipeline plus a breakdown and a top-N: .* \(the generated job for the bench's spec with pv_by_product and top_products added\)$/);
    expect(loaded.spec.metrics.map((m) => m.name)).toEqual(['uv', 'pv', 'conversion_rate', 'pv_by_product', 'top_products']);
    expect(loaded.spec.metrics.slice(3)).toMatchObject([
      { type: 'pv', event: 'browse', by: 'product_id', redis: { type: 'hash', key: 'pv_by_product:{window_end}' } },
      { type: 'topn', event: 'browse', by: 'product_id', n: 10, redis: { type: 'zset', key: 'top_products:{window_end}' } },
    ]);
  });

  test('its job is the generated one for that spec: the same options and reference metrics, plus an HSET and a ZADD sink', () => {
    const statements = job.statements({ ...ctx, loaded });
    expect(statements).toContain("SET 'pipeline.name' = 'uvpv-bench-by-product-abc'");
    expect(statements).toContain("SET 'table.optimizer.reuse-optimize-block-with-digest-enabled' = 'true'");
    for (const table of ['redis_uv', 'redis_pv', 'redis_conversion_rate']) expect(statements.some((s) => s.startsWith(`CREATE TEMPORARY TABLE \`${table}\``))).toBe(true);
    const sink = (name: string) => statements.find((s) => s.startsWith(`CREATE TEMPORARY TABLE \`${name}\``)) ?? '';
    expect(sink('redis_pv_by_product')).toContain("'command' = 'hset'");
    expect(sink('redis_top_products')).toContain("'command' = 'zadd'");
    const inserts = statements[statements.length - 1];
    expect(inserts).toMatch(/^EXECUTE STATEMENT SET/);
    expect(inserts).toContain('INSERT INTO `redis_pv_by_product`');
    expect(inserts).toMatch(/INSERT INTO `redis_top_products`[\s\S]*ORDER BY `browse_rows` DESC, `product_id` ASC[\s\S]*`top_rank` <= 10;/);
    // On the topic and in the database the bench gives it.
    expect(statements.join('\n')).toContain("'topic' = 'bench-topic'");
    expect(sink('redis_top_products')).toContain("'database' = '3'");
    // Given the bench spec without its metrics, it refuses rather than bench the reference job under its name.
    expect(() => job.statements(ctx)).toThrow('the spec given has no metric pv_by_product, top_products');
  });

  test('a YAML variant holds metrics only', () => {
    expect(() => variant('metrics: []\n', 'empty.yaml')).toThrow("holds only `metrics:`, a list of the metrics to add to the bench's spec");
    expect(() => variant('name: other\nmetrics:\n  - name: x\n', 'extra.yaml')).toThrow('holds only `metrics:`');
    const bad = variant('metrics:\n  - name: pv_by_nothing\n    type: pv\n    event: browse\n    by: nothing\n    redis: { type: hash, key: k }\n', 'bad.yaml');
    expect(() => bad.spec?.('pipelines/uvpv.yaml', { env: {}, cwd: ROOT, mode: 'lenient' })).toThrow();
  });
});

describe('the report', () => {
  const run = (name: string, seconds: number, byCommand: Record<string, number>, output: Partial<JobResult['output']> = {}, extra: Partial<JobResult> = {}): JobResult => ({
    name,
    describe: `the ${name} job`,
    parallelism: 1,
    jobId: name,
    jobSeconds: seconds + 0.2,
    runSeconds: seconds,
    allRunSeconds: [seconds],
    recordsPerSecond: 1_000_000 / seconds,
    recordsPerJobSecond: 1_000_000 / (seconds + 0.2),
    redisCommands: Object.values(byCommand).reduce((a, b) => a + b, 0),
    redisByCommand: byCommand,
    peakHeapMb: 700,
    vertices: [],
    output: { sets: {}, hashes: {}, zsets: {}, lists: {}, strings: {}, ...output },
    ...extra,
  });
  const pv = { lists: { pagevisits: [30, 70] } };
  const result: BenchResult = {
    events: 1_000_000,
    produceRate: 80_000,
    produceSeconds: 12.5,
    partitionCounts: [1],
    runs: 1,
    warmup: 0,
    jobs: [
      run('ceiling', 2, { incrby: 29 }, { rows: 1_000_000 }),
      run('generated', 4, { sadd: 10, lpush: 2 }, pv),
      run('no-ttl', 3.2, { sadd: 10, lpush: 2 }, pv),
      run(
        'by-product',
        5,
        { sadd: 10, lpush: 2, hset: 7, zadd: 4 },
        {
          ...pv,
          hashes: { 'pv_by_product:2024-01-01T00:05:00': { fields: 3, total: 30 }, 'pv_by_product:2024-01-01T00:10:00': { fields: 4, total: 70 } },
          zsets: { 'top_products:2024-01-01T00:05:00': 2, 'top_products:2024-01-01T00:10:00': 2 },
        },
        { adds: ['pv_by_product', 'top_products'] },
      ),
    ],
    uvMemory: { distinct: 1000, setBytes: 40_000, hllBytes: 14_000 },
    machine: ['2 cores'],
    heapSource: 'hsperfdata',
    gcBetweenJobs: true,
  };
  const md = resultsMarkdown(result, 'test', new Date('2026-11-30T12:00:00Z'));

  test("shows a metrics variant against the generated job, with both jobs' Redis commands, and not as an option left out", () => {
    expect(md).toContain('- vs **no-ttl**: 0.80×');
    expect(md).not.toContain('- vs **by-product**');
    expect(md).toContain(
      "- **by-product** (adds pv_by_product, top_products): **0.80×** the generated job's records/s (200,000 against 250,000); " +
        'Redis write commands 23 (sadd 10, lpush 2, hset 7, zadd 4) against 12 (sadd 10, lpush 2).',
    );
    expect(md).toMatch(/^\| by-product \| \*\*200,000\*\* \| \*\*0\.40×\*\* \|.*\| 23 \(sadd 10, lpush 2, hset 7, zadd 4\) \|/m);
  });

  test('checks what the breakdowns wrote: the hash fields add up to the PV list, a zset per window', () => {
    expect(md).toContain('- Hash `pv_by_product:…` (by-product): 2 keys, 7 fields, 100 in all (as many as the PV list `pagevisits` holds).');
    expect(md).toContain('- Zset `top_products:…` (by-product): 2 keys of 2 members each.');
  });
});
