/**
 * A smoke run of the bench, so it cannot rot: 20,000 records, one run of each job, through the
 * same runner and report as `npm run bench` (the report goes to a temp file, not bench/results.md).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { memoryIo } from '../../src/io/io';
import { JOBS, variantJob } from '../../bench/jobs';
import { resultsMarkdown } from '../../bench/report';
import { runBench } from '../../bench/run-bench';
import { decodeRecord } from '../../src/model/decode';
import { RecordGenerator } from '../../src/produce/generator';
import { loadSpec } from '../../src/pipeline/load';
import { required } from '../../src/util/required';

const ROOT = resolve(__dirname, '../..');
const EVENTS = 20_000;
const SEED = 3;

test('the bench runs the ceiling, the generated job, the baseline, parse-only and a variant adding metrics on the same records', async () => {
  const io = memoryIo({ ...process.env }, ROOT);
  const jobs = [...JOBS, variantJob(join(ROOT, 'bench/variants/by-product.yaml'))];
  const r = await runBench({ spec: 'pipelines/uvpv.yaml', events: EVENTS, seed: SEED, runs: 1, warmup: 0, uvUsers: EVENTS, jobs }, io);
  expect(r.jobs.map((j) => j.name)).toEqual(['ceiling', 'generated', 'baseline', 'parse-only', 'by-product']);
  for (const j of r.jobs) {
    expect(j.runSeconds).toBeGreaterThan(0);
    expect(j.runSeconds).toBeLessThanOrEqual(j.jobSeconds);
    expect(j.recordsPerSecond).toBeCloseTo(EVENTS / j.runSeconds);
    expect(j.vertices.length).toBeGreaterThan(0);
  }

  // What the bench produced, recomputed here: the same generator, the same options.
  const { spec } = loadSpec('pipelines/uvpv.yaml', { env: {}, cwd: ROOT });
  const gen = new RecordGenerator(spec, { users: 1000, seed: SEED, badRatio: 0, lateRatio: 0 });
  const rows = Array.from({ length: EVENTS }, (_, i) =>
    required(decodeRecord(gen.next(Date.UTC(2024, 0, 1) + i * 100), spec.source.columns, spec.source), 'a generated record, decoded'),
  );
  const browse = rows.filter((row) => row.record_type === 0);
  const browsers = new Set(browse.map((row) => row.user_id)).size;

  const [ceiling, generated, baseline, parseOnly, byProduct] = r.jobs;
  // Every record was read and parsed, all columns non-NULL.
  expect(ceiling.output.rows).toBe(EVENTS);
  expect(Object.keys(ceiling.redisByCommand)).toEqual(['incrby']);
  expect(parseOnly.redisCommands).toBe(0);
  // The generated job and the baseline compute the same UV and PV.
  for (const j of [generated, baseline]) {
    expect(j.output.sets.userids).toBe(browsers);
    expect(j.output.lists.pagevisits.reduce((a, b) => a + b, 0)).toBe(2 * browse.length); // each row in 2 hopping windows
  }
  expect(generated.output.lists.pagevisits).toEqual(baseline.output.lists.pagevisits);
  // Each member is added once by the generated job (the stack's connector, uvpv's, skips the members
  // it already wrote); the baseline adds one per browse row.
  expect(generated.redisByCommand.sadd).toBe(browsers);
  expect(baseline.redisByCommand.sadd).toBe(browse.length);
  expect(generated.redisByCommand.lpush).toBe(baseline.redisByCommand.lpush);
  // The per-window counts are computed once for both metrics that read them: one window aggregation.
  expect(generated.vertices.filter((v) => v.name.includes('GlobalWindowAggregate'))).toHaveLength(1);
  // No deduplication task in the job: the members go straight from the source's task to the sink.
  expect(generated.vertices.filter((v) => v.name.startsWith('Deduplicate'))).toEqual([]);
  expect(r.uvMemory.setBytes).toBeGreaterThan(r.uvMemory.hllBytes);
  // The variant computes the reference metrics as the generated job does, and its own on top: one
  // HSET per window and product (every browse row has a product here, so they add up to the PV
  // list), and a ZADD per member of each window's top 10.
  expect(byProduct.adds).toEqual(['pv_by_product', 'top_products']);
  expect(byProduct.output.sets).toEqual(generated.output.sets);
  expect(byProduct.output.lists).toEqual(generated.output.lists);
  const hashes = Object.values(byProduct.output.hashes);
  expect(hashes).toHaveLength(generated.output.lists.pagevisits.length);
  expect(hashes.reduce((a, h) => a + h.total, 0)).toBe(2 * browse.length);
  expect(byProduct.redisByCommand.hset).toBe(hashes.reduce((a, h) => a + h.fields, 0));
  const zsets = Object.values(byProduct.output.zsets);
  expect(zsets).toHaveLength(hashes.length);
  expect(Math.max(...zsets)).toBe(10);
  expect(byProduct.redisByCommand.zadd).toBe(zsets.reduce((a, b) => a + b, 0));

  const out = join(mkdtempSync(join(tmpdir(), 'uvpv-bench-')), 'results.md');
  writeFileSync(out, resultsMarkdown(r, 'test', new Date()));
  const md = readFileSync(out, 'utf8');
  expect(md).toContain(
    '| job | records/s | vs ceiling | run time: median (each run) | job time with start-up: records/s, vs ceiling | Redis write commands | peak TaskManager heap / RSS |',
  );
  for (const name of ['ceiling', 'generated', 'baseline', 'parse-only', 'by-product'])
    expect(md).toMatch(new RegExp(`^\\| ${name} \\| \\*\\*[\\d,]+\\*\\* \\| \\*\\*[\\d.]+×\\*\\* \\|`, 'm'));
  expect(md).toContain(`The ceiling counted **20,000** parsed rows of 20,000 produced.`);
  expect(md).toMatch(/^- \*\*by-product\*\* \(adds pv_by_product, top_products\): \*\*[\d.]+×\*\* the generated job's records\/s/m);
  expect(md).toContain('UV of 20,000 distinct users');
  expect(md).toMatch(/^Machine:\n- \d+ cores/m);
});
