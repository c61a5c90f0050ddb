/** The bench without running anything: what a variant file turns into, the paired ratios, the digest, the flags and how the report shows them. */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { digestOf, keyDigests } from '../../bench/digest';
import { EXTRA_JOBS, JOBS, VARIANT_FILE, variantJob, type BenchContext } from '../../bench/jobs';
import { benchJobs, parseArgs, VARIANTS_DIR } from '../../bench/main';
import { freshnessMarkdown, type FreshnessResult } from '../../bench/freshness';
import { BUSY_OTHER_CORES, cpuSecondsOf, isBusy, otherWorkMeter, parseProcStat } from '../../bench/processes';
import { eventTimeText, mergeSection, resultsMarkdown } from '../../bench/report';
import { digestMismatches, roundRate, type BenchResult, type JobResult, type JobRun } from '../../bench/run-bench';
import { median, pairedRatio, shuffled } from '../../bench/stats';
import { prng } from '../../src/util/random';
import type { Expected } from '../../src/redis-types';
import { loadSpec } from '../../src/pipeline/load';
import { runningCluster } from '../../src/stack/extras';
import { stackLayout } from '../../src/stack/layout';

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
    expect(job.describe).toMatch(
      /^the reference pipeline plus a breakdown and a top-N: .* \(the generated job for the bench's spec with pv_by_product and top_products added\)$/,
    );
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
    for (const table of ['redis_uv', 'redis_pv', 'redis_conversion_rate'])
      expect(statements.some((s) => s.startsWith(`CREATE TEMPORARY TABLE \`${table}\``))).toBe(true);
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

  test('a YAML variant holds metrics, job keys and run overrides only, and adds something', () => {
    const refusal =
      "holds `metrics:` (a list of metrics to add to the bench's spec), `job:` (job keys to set) or `run:` (periodicWatermarks: true)";
    expect(() => variant('metrics: []\n', 'empty.yaml')).toThrow(refusal);
    expect(() => variant('name: other\nmetrics:\n  - name: x\n', 'extra.yaml')).toThrow(refusal);
    expect(() => variant('run:\n  bounded: true\n', 'unknown-override.yaml')).toThrow(refusal);
    const bad = variant(
      'metrics:\n  - name: pv_by_nothing\n    type: pv\n    event: browse\n    by: nothing\n    redis: { type: hash, key: k }\n',
      'bad.yaml',
    );
    expect(() => bad.spec?.('pipelines/uvpv.yaml', { env: {}, cwd: ROOT, mode: 'lenient' })).toThrow();
  });
});

describe("the cluster job: the generated job writing to the stack's Redis Cluster", () => {
  const cluster = EXTRA_JOBS.find((j) => j.name === 'cluster');
  const generated = JOBS.find((j) => j.name === 'generated');
  if (!cluster || !generated) throw new Error('the bench has a cluster and a generated job');
  const at = {
    mode: 'cluster' as const,
    host: '127.0.0.1',
    port: 7001,
    nodes: ['127.0.0.1:7001', '127.0.0.1:7002', '127.0.0.1:7003'],
    password: 'cluster-secret',
  };

  test("is the generated job statement for statement, but for its name and its sinks' connection: cluster mode, the nodes, the password, no database", () => {
    const mine = cluster.statements({ ...ctx, cluster: at });
    const theirs = generated.statements(ctx);
    expect(mine).toHaveLength(theirs.length);
    const sinks = mine.filter((s) => /'connector' = 'redis'/.test(s));
    expect(sinks.map((s) => /^CREATE TEMPORARY TABLE `(\w+)`/.exec(s)?.[1])).toEqual(['redis_uv', 'redis_pv', 'redis_conversion_rate']);
    for (const sink of sinks) {
      expect(sink).toContain("'redis-mode' = 'cluster'");
      expect(sink).toContain("'cluster-nodes' = '127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003'");
      expect(sink).toContain("'password' = 'cluster-secret'");
      expect(sink).not.toMatch(/'(host|port|database)' =/);
    }
    // Everything else is the generated job's: the same source, options, views and inserts.
    const connection = /^ {2}'(redis-mode|host|port|database|cluster-nodes|password)' = /;
    const same = (s: string) =>
      s
        .split('\n')
        .filter((line) => !connection.test(line))
        .map((line) => line.replace(/,$/, '').replace(/-(generated|cluster)-abc/g, '-JOB-abc'))
        .join('\n');
    expect(mine.map(same)).toEqual(theirs.map(same));
    expect(cluster.sameOutputAs).toBe('generated');
    expect(cluster.redis).toBe('cluster');
  });

  test('needs the cluster in its context', () => {
    expect(() => cluster.statements(ctx)).toThrow('bench job cluster: no Redis Cluster to write to');
  });

  test('runs by default and when --only names it, after the standard jobs; not when --only leaves it out', () => {
    const names = (args: string[]) => benchJobs(parseArgs(args)).map((j) => j.name);
    expect(names(['--only', 'generated,cluster'])).toEqual(['ceiling', 'generated', 'cluster']);
    expect(names(['--only', 'generated,by-product'])).toEqual(['ceiling', 'generated', 'by-product']);
    expect(names([]).slice(0, 6)).toEqual(['ceiling', 'generated', 'baseline', 'parse-only', 'read-only', 'cluster']);
  });

  test('without a running cluster, the reason it is skipped is one line that says how to start it', async () => {
    const layout = stackLayout({ ...process.env, UVPV_HOME: mkdtempSync(join(tmpdir(), 'uvpv-no-cluster-')) });
    expect(await runningCluster(layout)).toEqual({
      down: "the stack's Redis Cluster is not running (uvpv stack up --with cluster starts it)",
    });
  });
});

test("a process that runs as several (a cluster's masters) is measured as the sum of their CPU, or not at all", () => {
  const one = cpuSecondsOf(process.pid);
  expect(one).toBeGreaterThan(0);
  expect(cpuSecondsOf([process.pid, process.pid])).toBeGreaterThanOrEqual(2 * (one ?? 0));
  // A pid that is gone makes the whole unreadable, rather than a part passed off as the whole.
  expect(cpuSecondsOf([process.pid, 2 ** 22 + 1])).toBeUndefined();
  expect(cpuSecondsOf(undefined)).toBeUndefined();
});

describe("other work: the machine's, less the stack's and the bench's own", () => {
  test("/proc/stat's first line gives work (user + nice + system + irq + softirq) and steal, in seconds", () => {
    const text = 'cpu  50860 12 8868 74072 790 3 915 1924 0 0\ncpu0 25000 6 4400 37000 400 1 450 960 0 0\n';
    expect(parseProcStat(text, 100)).toEqual({ workSeconds: (50860 + 12 + 8868 + 3 + 915) / 100, stealSeconds: 19.24 });
    // A kernel too old to report steal, or a line that is not numbers, measures nothing.
    expect(parseProcStat('cpu  1 2 3 4\n', 100)).toBeUndefined();
    expect(parseProcStat('cpu  a b c d e f g h\n', 100)).toBeUndefined();
    expect(parseProcStat('intr 1 2 3\n', 100)).toBeUndefined();
  });

  test('a run is busy by the other work measured during it; by the load before it only when that could not be measured', () => {
    expect(isBusy({ cores: BUSY_OTHER_CORES + 0.01, stealCores: 0 }, 0, 2)).toBe(true);
    // A high load average (the bench's own previous job) does not make a quiet run busy.
    expect(isBusy({ cores: 0.05, stealCores: 0.05 }, 3, 2)).toBe(false);
    expect(isBusy(undefined, 1.6, 2)).toBe(true);
    expect(isBusy(undefined, 1.4, 2)).toBe(false);
  });

  test("the bench's own work is not counted as other work", () => {
    const ownBefore = cpuSecondsOf(process.pid) ?? NaN;
    const started = process.hrtime.bigint();
    const withSelf = otherWorkMeter([process.pid]);
    const withoutSelf = otherWorkMeter([]);
    // Work in this process for a while: the meter that knows its pid must not count it.
    const until = Date.now() + 200;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    const mine = withSelf.stop();
    const all = withoutSelf.stop();
    const ownCores = ((cpuSecondsOf(process.pid) ?? NaN) - ownBefore) / (Number(process.hrtime.bigint() - started) / 1e9);
    if (!mine || !all) throw new Error('/proc/stat could not be read: the bench measures other work on Linux');
    expect(x).toBeGreaterThan(0);
    // Both meters measured the same interval, so they differ by this process's work (to a few clock ticks).
    expect(ownCores).toBeGreaterThan(0.1);
    expect(all.cores - mine.cores).toBeCloseTo(ownCores, 0);
    expect(all.cores - mine.cores).toBeGreaterThan(ownCores / 2);
  });

  test('the freshness report gives the other work while records were produced, and says why a run was busy', () => {
    const fresh: FreshnessResult = {
      seconds: 70,
      rate: 200,
      sent: 14_000,
      watermarkDelayMs: 2000,
      checkpointInterval: '1 minute',
      pollMs: 50,
      loadBefore: 2.1,
      loadAfter: 1.9,
      otherWork: { cores: 0.4, stealCores: 0.1 },
      busy: true,
      types: [{ type: 'list', metric: 'pv', key: 'fresh:pv', delays: [{ windowEnd: 0, delayMs: 20 }], missing: 0 }],
    };
    const at = new Date('2026-12-07T12:00:00Z');
    expect(freshnessMarkdown(fresh, 'test', at)).toContain(
      "Load average 2.10 before, 1.90 after; other work took 0.40 of a core (steal 0.10) while records were produced (**busy**: other work (not the stack's or the bench's, steal included) above 0.25 of a core on average while it ran).",
    );
    const quiet = { ...fresh, otherWork: { cores: 0.02, stealCores: 0 }, busy: false };
    expect(freshnessMarkdown(quiet, 'test', at)).toContain('other work took 0.02 of a core (steal 0.00) while records were produced.');
    const unmeasured = { ...fresh, otherWork: undefined };
    expect(freshnessMarkdown(unmeasured, 'test', at)).toContain(
      'Load average 2.10 before, 1.90 after (**busy**: a 1-minute load average above',
    );
  });
});

describe('the dropped-rows and periodic-watermarks variants', () => {
  const ctx = {
    topic: 'bench-topic',
    bootstrap: '127.0.0.1:9092',
    redisHost: '127.0.0.1',
    redisPort: 6379,
    database: 3,
    runId: 'abc',
    redisConnector: 'uvpv' as const,
  };
  const jobOf = (name: string) => {
    const job = variantJob(join(ROOT, `bench/variants/${name}.yaml`));
    if (!job.spec) throw new Error('a YAML variant brings a spec of its own');
    const loaded = job.spec('pipelines/uvpv.yaml', { env: {}, cwd: ROOT, mode: 'lenient' });
    return { job, loaded, sql: job.statements({ ...ctx, loaded }).join('\n') };
  };

  test('dropped-rows sets job.droppedRows and counts into its hash, with on-event watermarks', () => {
    const { job, loaded, sql } = jobOf('dropped-rows');
    expect(job.describe).toMatch(/\(the generated job for the bench's spec with job\.droppedRows\)$/);
    expect(loaded.spec.job.droppedRows).toEqual({ key: 'bench:dropped', type: 'hash' });
    expect(sql).toContain('INSERT INTO `redis_dropped_rows`');
    expect(sql).toContain("'scan.watermark.emit.strategy' = 'on-event'");
  });

  test('periodic-watermarks is the generated job without on-event watermarks', () => {
    const { job, sql } = jobOf('periodic-watermarks');
    expect(job.describe).toMatch(/\(the generated job for the bench's spec with periodicWatermarks: true\)$/);
    expect(sql).not.toContain('scan.watermark.emit.strategy');
    expect(sql).not.toContain('redis_dropped_rows');
  });
});

describe('the report', () => {
  const runOf = (seconds: number, byCommand: Record<string, number>, output: Partial<JobRun['output']>, round = 1): JobRun => ({
    jobId: 'j',
    round,
    order: 1,
    events: 1_000_000,
    jobSeconds: seconds + 0.2,
    runSeconds: seconds,
    redisCommands: Object.values(byCommand).reduce((a, b) => a + b, 0),
    redisByCommand: byCommand,
    peakHeapMb: 700,
    cpuSeconds: { taskmanager: seconds * 1.5, kafka: 0.5 },
    loadBefore: 1,
    loadAfter: 1.2,
    otherWork: { cores: 0.05, stealCores: 0.01 },
    busy: false,
    vertices: [],
    output: { sets: {}, hashes: {}, zsets: {}, lists: {}, strings: {}, ...output },
    digest: 'abcdef0123',
    keyDigests: {},
  });
  const ceilingRates = [500_000];
  const run = (
    name: string,
    seconds: number,
    byCommand: Record<string, number>,
    output: Partial<JobRun['output']> = {},
    extra: Partial<JobResult> = {},
  ): JobResult => {
    const r = runOf(seconds, byCommand, output);
    const rate = 1_000_000 / seconds;
    return {
      name,
      describe: `the ${name} job`,
      parallelism: 1,
      runs: [r],
      ratePerRound: [rate],
      recordsPerSecond: rate,
      ...(name === 'ceiling' ? {} : { vsCeiling: pairedRatio([rate], ceilingRates, 1) }),
      median: r,
      redisByCommand: byCommand,
      redisCommands: r.redisCommands,
      cpuPerMillion: { taskmanager: seconds * 1.5, kafka: 0.5 },
      ...extra,
    };
  };
  const pv = { lists: { pagevisits: [30, 70] } };
  const generatedRate = [250_000];
  const result: BenchResult = {
    sizes: [1_000_000],
    produceRate: 80_000,
    eventStepMs: 100,
    window: ctx.loaded.spec.window,
    partitionCounts: [1],
    rounds: 1,
    warmup: 0,
    seed: 1,
    jobs: [
      run('ceiling', 2, { incrby: 29 }, { rows: 1_000_000 }),
      run('generated', 4, { sadd: 10, lpush: 2 }, pv),
      run('no-ttl', 3.2, { sadd: 10, lpush: 2 }, pv, { sameOutputAs: 'generated', vsGenerated: pairedRatio([312_500], generatedRate, 1) }),
      run(
        'by-product',
        5,
        { sadd: 10, lpush: 2, hset: 7, zadd: 4 },
        {
          ...pv,
          hashes: {
            'pv_by_product:2024-01-01T00:05:00': { fields: 3, total: 30 },
            'pv_by_product:2024-01-01T00:10:00': { fields: 4, total: 70 },
          },
          zsets: { 'top_products:2024-01-01T00:05:00': 2, 'top_products:2024-01-01T00:10:00': 2 },
        },
        { adds: ['pv_by_product', 'top_products'], sameOutputAs: 'generated', vsGenerated: pairedRatio([200_000], generatedRate, 1) },
      ),
    ],
    skipped: [],
    digestMismatches: [],
    rowMismatches: [],
    busyThreshold: 1.5,
    busyOtherCores: 0.25,
    uvMemory: { distinct: 1000, setBytes: 40_000, hllBytes: 14_000 },
    machine: ['2 cores'],
    heapSource: 'hsperfdata',
    gcBetweenJobs: true,
    cpuMeasured: ['taskmanager', 'kafka'],
  };
  const md = resultsMarkdown(result, 'test', new Date('2026-11-30T12:00:00Z'));

  test('shows each job against the ceiling, with its CPU per million records and its contents digest', () => {
    expect(md).toContain(
      '| job | vs ceiling: median [95% interval] (range) | records/s | run time at 1,000,000: median (each round) | CPU s per M records: TaskManager / Kafka |',
    );
    expect(md).toMatch(
      /^\| by-product \| \*\*0\.40×\*\* \| 200,000 \| 5\.00 s \(5\.00\) \| 7\.50 \/ 0\.50 \| 23 \(sadd 10, lpush 2, hset 7, zadd 4\) \|.*\| `abcdef01` \|$/m,
    );
    expect(md).toContain('The generated job runs at **0.50×** the ceiling');
    expect(md).toContain(
      'The breakdown variant by-product runs at **0.80×** the generated job (target at least 0.8×: met in its one round (no interval)).',
    );
    expect(md).toContain(
      "No run was busy (none had other work (not the stack's or the bench's, steal included) above 0.25 of a core on average while it ran). " +
        'Other work took 0.05 of a core in the median run (at most 0.05).',
    );
  });

  test("says how far apart the records are in event time, and how many of the spec's windows a million of them span", () => {
    expect(md).toContain(
      '(80,000 records/s into Kafka), 100 ms of event time apart (10 records per second of event time: ' +
        "1,000,000 records span 1 d 3 h, about 333 of the spec's hop windows of 10 minutes, one ending every 5 minutes); then ",
    );
    expect(eventTimeText({ eventStepMs: 1, window: result.window })).toBe(
      '1 ms of event time apart (1,000 records per second of event time: ' +
        "1,000,000 records span 16 min 40 s, about 3.3 of the spec's hop windows of 10 minutes, one ending every 5 minutes)",
    );
    const tumble = { type: 'tumble' as const, size: ctx.loaded.spec.window.size };
    expect(eventTimeText({ eventStepMs: 1500, window: tumble })).toBe(
      '1,500 ms of event time apart (0.67 records per second of event time: ' +
        "1,000,000 records span 17 d 8 h, about 2,500 of the spec's tumble windows of 10 minutes)",
    );
  });

  test("counts the runs other work made busy, and shows each run's other work", () => {
    const noisy = (j: JobResult, cores: number): JobResult => {
      const runs = j.runs.map((r) => ({
        ...r,
        otherWork: { cores, stealCores: 0.1 },
        busy: isBusy({ cores, stealCores: 0.1 }, r.loadBefore),
      }));
      return { ...j, runs, median: runs[0] };
    };
    const busyMd = resultsMarkdown(
      { ...result, jobs: result.jobs.map((j) => noisy(j, j.name === 'generated' ? 0.6 : 0.1)) },
      'test',
      new Date('2026-11-30T12:00:00Z'),
    );
    expect(busyMd).toContain(
      "**1 of 4 runs were busy** (other work (not the stack's or the bench's, steal included) above 0.25 of a core on average while it ran)",
    );
    expect(busyMd).toContain('Other work took 0.10 of a core in the median run (at most 0.60).');
    expect(busyMd).toMatch(
      /^\| 1 \| 1 \| generated \| 1,000,000 \| 4\.00 \| 250,000 \| .* \| 1\.00 → 1\.20 \| 0\.60 \(steal 0\.10\) \| \*\*busy\*\* \|/m,
    );
  });

  test('shows each variant against the generated job, paired, with the Redis commands of a metrics variant', () => {
    expect(md).toContain('- **no-ttl**: 1.25×');
    expect(md).toContain(
      '- **by-product** (adds pv_by_product, top_products): 0.80×; Redis write commands 23 (sadd 10, lpush 2, hset 7, zadd 4) against 12 (sadd 10, lpush 2)',
    );
  });

  test('says loudly when contents differ', () => {
    const bad = resultsMarkdown(
      { ...result, digestMismatches: ['no-ttl (round 1, 1,000,000 records) differs from generated on 1 of its 2 keys (userids)'] },
      'test',
      new Date(),
    );
    expect(bad).toContain(
      '- **DIGEST MISMATCH**: no-ttl (round 1, 1,000,000 records) differs from generated on 1 of its 2 keys (userids).',
    );
    expect(md).toContain(': **the same**; every job wrote the same contents in each of its runs.');
  });

  const TARGET = 'cluster mode costs at most 10% (≥ 0.90× the standalone job)';
  const withCluster = (rates: number[], generatedRates: number[]) => {
    const rounds = rates.length;
    const cluster = run('cluster', 4, { sadd: 10, lpush: 2 }, pv, {
      sameOutputAs: 'generated',
      redis: 'cluster',
      vsGenerated: pairedRatio(rates, generatedRates, 1),
    });
    return resultsMarkdown({ ...result, rounds, jobs: [...result.jobs, cluster] }, 'test', new Date());
  };

  test('gives cluster mode against standalone, paired per round with its interval and range, and whether the target is met', () => {
    const met = withCluster([95, 97, 92, 99, 96], [100, 100, 100, 100, 100]);
    expect(met).toContain(
      "In cluster mode (the stack's 3-master Redis Cluster) the generated job runs at **0.96× [0.92–0.99] (0.92–0.99)** the standalone generated job " +
        `(paired median over 5 rounds [bootstrap 95% interval] (range)). Target: ${TARGET}: met, the whole interval above it.`,
    );
    expect(met).toContain("(the cluster job's contents read master by master)");
    const notMet = withCluster([80, 85, 95, 82, 84], [100, 100, 100, 100, 100]);
    expect(notMet).toMatch(new RegExp(`runs at \\*\\*0\\.84× .*Target: ${TARGET.replace(/[()%.×≥]/g, '\\$&')}: \\*\\*not met\\*\\*\\.`));
  });

  test('says why the cluster job did not run, and that the target was not measured; nothing when it was not asked for', () => {
    const reason = "the stack's Redis Cluster is not running (uvpv stack up --with cluster starts it)";
    const skipped = resultsMarkdown({ ...result, skipped: [{ name: 'cluster', reason }] }, 'test', new Date());
    expect(skipped).toContain(`The cluster job was skipped: ${reason}. Target: ${TARGET}: not measured.`);
    expect(md).not.toContain('cluster mode');
  });
});

describe('the arithmetic', () => {
  test('a paired ratio is the median of the per-round ratios, with its range and a seeded bootstrap interval', () => {
    const r = pairedRatio([90, 80, 100, 85, 95], [100, 100, 100, 100, 100], 7);
    expect(r?.perRound).toEqual([0.9, 0.8, 1, 0.85, 0.95]);
    expect(r?.median).toBe(0.9);
    expect([r?.min, r?.max]).toEqual([0.8, 1]);
    expect(r?.low).toBeGreaterThanOrEqual(0.8);
    expect(r?.high).toBeLessThanOrEqual(1);
    expect(pairedRatio([90, 80, 100, 85, 95], [100, 100, 100, 100, 100], 7)).toEqual(r);
    // A round without a usable rate is left out.
    expect(pairedRatio([NaN, 50], [100, 100], 1)?.perRound).toEqual([0.5]);
  });

  test('the order of a round is shuffled, the same for the same seed', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(shuffled(items, prng(3))).toEqual(shuffled(items, prng(3)));
    expect([...shuffled(items, prng(3))].sort()).toEqual(items);
    expect(median([3, 1, 2, 4])).toBe(2.5);
  });

  test("with two sizes a round's rate is the slope, so fixed costs cancel", () => {
    const runs = [
      { round: 1, events: 1_000_000, runSeconds: 3 },
      { round: 1, events: 3_000_000, runSeconds: 7 },
    ];
    expect(roundRate(runs, 1, [1_000_000, 3_000_000])).toBe(500_000);
    expect(roundRate(runs, 1, [1_000_000])).toBeCloseTo(333_333.33, 1);
    expect(
      roundRate(
        [
          { round: 1, events: 1000, runSeconds: 2 },
          { round: 1, events: 2000, runSeconds: 1 },
        ],
        1,
        [1000, 2000],
      ),
    ).toBeNaN();
  });
});

describe('the contents digest', () => {
  const one = new Map<string, Expected>([
    ['userids', { set: ['2', '10', '1'] }],
    ['pagevisits', { list: [{ value: 2 }, { value: 1 }] }],
  ] as [string, Expected][]);
  test("a set's order does not count, a list's does", () => {
    const same = keyDigests(new Map<string, Expected>([...one, ['userids', { set: ['1', '10', '2'] }]] as [string, Expected][]));
    expect(digestOf(same)).toBe(digestOf(keyDigests(one)));
    const swapped = keyDigests(
      new Map<string, Expected>([...one, ['pagevisits', { list: [{ value: 1 }, { value: 2 }] }]] as [string, Expected][]),
    );
    expect(digestOf(swapped)).not.toBe(digestOf(keyDigests(one)));
  });

  test('a job that writes more is compared on the keys of the job it must reproduce, and a difference is named', () => {
    const generated = keyDigests(one);
    const more = { ...generated, 'pv_by_product:x': 'f00' };
    expect(digestOf(more, Object.keys(generated))).toBe(digestOf(generated));
    const runs = (keys: Record<string, string>) => [
      { round: 1, order: 1, events: 1000, digest: digestOf(keys), keyDigests: keys } as JobRun,
    ];
    expect(
      digestMismatches([
        { name: 'generated', runs: runs(generated) },
        { name: 'by-product', sameOutputAs: 'generated', runs: runs(more) },
      ]),
    ).toEqual([]);
    const wrong = { ...more, userids: 'bad' };
    expect(
      digestMismatches([
        { name: 'generated', runs: runs(generated) },
        { name: 'by-product', sameOutputAs: 'generated', runs: runs(wrong) },
      ]),
    ).toEqual(['by-product (round 1, 1,000 records) differs from generated on 1 of its 2 keys (userids)']);
  });
});

describe('the command line and the results file', () => {
  test('rounds default to 7; --sizes takes two sizes for the slope; --freshness has its own flags', () => {
    expect(parseArgs([]).rounds).toBe(7);
    expect(parseArgs(['--sizes', '1000000,3000000']).sizes).toEqual([1_000_000, 3_000_000]);
    expect(() => parseArgs(['--sizes', '3000000,1000000'])).toThrow('the smaller first');
    expect(() => parseArgs(['--events', '1000', '--sizes', '1000,2000'])).toThrow('give one');
    expect(parseArgs(['--freshness', '--seconds', '20', '--rate', '100'])).toMatchObject({ freshness: true, seconds: 20, rate: 100 });
  });

  test("--event-step takes whole milliseconds of at least 1; without it, produce's default", () => {
    expect(parseArgs([]).eventStep).toBeUndefined();
    expect(parseArgs(['--event-step', '1']).eventStep).toBe(1);
    expect(parseArgs(['--events', '1000', '--event-step', '250']).eventStep).toBe(250);
    for (const bad of ['0', '-5', '1.5', 'fast', '10ms'])
      expect(() => parseArgs(['--event-step', bad])).toThrow(`--event-step takes a whole number of at least 1, got '${bad}'`);
    expect(() => parseArgs(['--event-step'])).toThrow("--event-step takes a whole number of at least 1, got ''");
  });

  test('a section replaces its earlier version and keeps the others', () => {
    const first = mergeSection(undefined, 'throughput', '# T1');
    const both = mergeSection(first, 'freshness', '## F1');
    expect(mergeSection(both, 'throughput', '# T2')).toBe(
      '<!-- bench:throughput -->\n# T2\n<!-- /bench:throughput -->\n\n<!-- bench:freshness -->\n## F1\n<!-- /bench:freshness -->\n',
    );
    expect(mergeSection('# an old report\n', 'throughput', '# T')).toBe('<!-- bench:throughput -->\n# T\n<!-- /bench:throughput -->\n');
  });
});
