/**
 * A smoke run of the bench, so it cannot rot: 20,000 records, one round of each job, through the
 * same runner and report as `npm run bench` (the report goes to a temp file, not bench/results.md),
 * and a short freshness run.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { memoryIo } from '../../src/io/io';
import { freshnessMarkdown, runFreshness } from '../../bench/freshness';
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

test('the bench runs the ceiling, the generated job, the baseline, the anchors and a variant adding metrics on the same records', async () => {
  const io = memoryIo({ ...process.env }, ROOT);
  const jobs = [...JOBS, variantJob(join(ROOT, 'bench/variants/by-product.yaml'))];
  const r = await runBench({ spec: 'pipelines/uvpv.yaml', sizes: [EVENTS], seed: SEED, rounds: 1, warmup: 0, uvUsers: EVENTS, jobs }, io);
  expect(r.jobs.map((j) => j.name)).toEqual(['ceiling', 'generated', 'baseline', 'parse-only', 'read-only', 'by-product']);
  for (const j of r.jobs) {
    expect(j.runs).toHaveLength(1);
    expect(j.median.runSeconds).toBeGreaterThan(0);
    expect(j.median.runSeconds).toBeLessThanOrEqual(j.median.jobSeconds);
    expect(j.recordsPerSecond).toBeCloseTo(EVENTS / j.median.runSeconds);
    expect(j.median.vertices.length).toBeGreaterThan(0);
    expect(j.median.loadBefore).toBeGreaterThanOrEqual(0);
    // The other work during the run is measured (this is Linux), and judges whether it was busy.
    expect(j.median.otherWork?.cores).toBeGreaterThanOrEqual(0);
    expect(j.median.busy).toBe((j.median.otherWork?.cores ?? NaN) > r.busyOtherCores);
    expect(j.median.cpuSeconds.taskmanager).toBeGreaterThan(0);
    if (j.name !== 'ceiling') expect(j.vsCeiling?.median).toBeCloseTo(j.recordsPerSecond / r.jobs[0].recordsPerSecond);
  }
  // Every run wrote what it must: by-product the generated job's contents on its keys, digest for digest.
  expect(r.digestMismatches).toEqual([]);
  expect(r.rowMismatches).toEqual([]);

  // What the bench produced, recomputed here: the same generator, the same options.
  const { spec } = loadSpec('pipelines/uvpv.yaml', { env: {}, cwd: ROOT });
  const gen = new RecordGenerator(spec, { users: 1000, seed: SEED, badRatio: 0, lateRatio: 0 });
  const rows = Array.from({ length: EVENTS }, (_, i) =>
    required(decodeRecord(gen.next(Date.UTC(2024, 0, 1) + i * 100), spec.source.columns, spec.source), 'a generated record, decoded'),
  );
  const browse = rows.filter((row) => row.record_type === 0);
  const browsers = new Set(browse.map((row) => row.user_id)).size;

  const [ceiling, generated, baseline, parseOnly, readOnly, byProduct] = r.jobs.map((j) => ({
    ...j,
    ...j.median,
    redisByCommand: j.redisByCommand,
    redisCommands: j.redisCommands,
  }));
  // Every record was read and parsed, all columns non-NULL; the read-only anchor counted every record's bytes.
  expect(ceiling.output.rows).toBe(EVENTS);
  expect(readOnly.output.rows).toBe(EVENTS);
  expect(byProduct.sameOutputAs).toBe('generated');
  expect(Object.keys(generated.keyDigests).sort()).toEqual(
    Object.keys(generated.output.lists).concat(Object.keys(generated.output.sets), Object.keys(generated.output.strings)).sort(),
  );
  expect(Object.keys(ceiling.redisByCommand)).toEqual(['incrby']);
  expect(parseOnly.redisCommands).toBe(0);
  // The generated job and the baseline compute the same UV and PV.
  for (const j of [generated, baseline]) {
    expect(j.output.sets.userids).toBe(browsers);
    expect(j.output.lists.pagevisits.reduce((a, b) => a + b, 0)).toBe(2 * browse.length); // each row in 2 hopping windows
  }
  expect(generated.output.lists.pagevisits).toEqual(baseline.output.lists.pagevisits);
  // The members reach the set in fewer SADDs than there are members: the stack's connector, uvpv's,
  // skips members it already wrote and sends a batch's members of one key as one variadic SADD, for
  // the generated job and for the baseline's row per browse record alike.
  for (const j of [generated, baseline]) {
    expect(j.redisByCommand.sadd).toBeGreaterThan(0);
    expect(j.redisByCommand.sadd).toBeLessThan(browsers);
  }
  expect(generated.redisByCommand.lpush).toBe(baseline.redisByCommand.lpush);
  // The per-window counts are computed once for both metrics that read them: one window aggregation.
  expect(generated.vertices.filter((v) => v.name.includes('GlobalWindowAggregate'))).toHaveLength(1);
  // No deduplication task in the job: the members go straight from the source's task to the sink.
  expect(generated.vertices.filter((v) => v.name.startsWith('Deduplicate'))).toEqual([]);
  expect(r.uvMemory.setBytes).toBeGreaterThan(r.uvMemory.hllBytes);
  // The variant computes the reference metrics as the generated job does, and its own on top: a
  // field per window and product (every browse row has a product here, so they add up to the PV
  // list), and each window's top 10; the connector sends a batch's fields (members) of one key as
  // one variadic HSET (ZADD), so each key takes at least one command and fewer than its fields.
  expect(byProduct.adds).toEqual(['pv_by_product', 'top_products']);
  expect(byProduct.output.sets).toEqual(generated.output.sets);
  expect(byProduct.output.lists).toEqual(generated.output.lists);
  const hashes = Object.values(byProduct.output.hashes);
  expect(hashes).toHaveLength(generated.output.lists.pagevisits.length);
  expect(hashes.reduce((a, h) => a + h.total, 0)).toBe(2 * browse.length);
  expect(byProduct.redisByCommand.hset).toBeGreaterThanOrEqual(hashes.length);
  expect(byProduct.redisByCommand.hset).toBeLessThan(hashes.reduce((a, h) => a + h.fields, 0));
  const zsets = Object.values(byProduct.output.zsets);
  expect(zsets).toHaveLength(hashes.length);
  expect(Math.max(...zsets)).toBe(10);
  expect(byProduct.redisByCommand.zadd).toBeGreaterThanOrEqual(zsets.length);
  expect(byProduct.redisByCommand.zadd).toBeLessThan(zsets.reduce((a, b) => a + b, 0));

  const out = join(mkdtempSync(join(tmpdir(), 'uvpv-bench-')), 'results.md');
  writeFileSync(out, resultsMarkdown(r, 'test', new Date()));
  const md = readFileSync(out, 'utf8');
  expect(md).toContain(
    '| job | vs ceiling: median [95% interval] (range) | records/s | run time at 20,000: median (each round) | CPU s per M records: TaskManager / Kafka / Redis |',
  );
  for (const name of ['ceiling', 'generated', 'baseline', 'parse-only', 'read-only', 'by-product'])
    expect(md).toMatch(new RegExp(`^\\| ${name} \\| \\*\\*[\\d.]+×\\*\\* \\| [\\d,]+ \\|`, 'm'));
  expect(md).toContain('- ceiling counted **20,000** rows of 20,000 produced in its median run.');
  expect(md).toContain('- read-only counted **20,000** rows of 20,000 produced in its median run.');
  expect(md).toContain(': **the same**; every job wrote the same contents in each of its runs.');
  expect(md).toMatch(/^- \*\*by-product\*\* \(adds pv_by_product, top_products\): [\d.]+×; Redis write commands/m);
  expect(md).toMatch(/^\| fetch \(read-only anchor: raw bytes from Kafka, counted\) \| /m);
  expect(md).toContain('UV of 20,000 distinct users');
  expect(md).toMatch(/^Machine:\n- \d+ cores/m);
});

test('the freshness run times each window of every Redis type into Redis', async () => {
  const io = memoryIo({ ...process.env }, ROOT);
  const r = await runFreshness({ seconds: 24, rate: 200, seed: SEED }, io);
  expect(r.sent).toBeGreaterThan(4000);
  expect(r.otherWork?.cores).toBeGreaterThanOrEqual(0);
  expect(r.types.map((t) => t.type).sort()).toEqual(['hash', 'list', 'set', 'string']);
  for (const t of r.types) {
    expect(t.missing).toBe(0);
    expect(t.delays.length).toBeGreaterThanOrEqual(1);
    // Visible after the window's end (event time jitters by up to 0.5 s, so the watermark can pass the end up to 0.5 s early), and not at a checkpoint a minute later.
    for (const d of t.delays) expect(d.delayMs).toBeGreaterThan(-r.watermarkDelayMs);
    for (const d of t.delays) expect(d.delayMs).toBeLessThan(30_000);
  }
  const md = freshnessMarkdown(r, 'test', new Date());
  expect(md).toMatch(/^\| set \| `fresh:uv:\{window_end\}` \(uv\) \| \d+ \| -?[\d,]+ ms \| \*\*-?[\d,]+ ms\*\* \| -?[\d,]+ ms \|$/m);
});
