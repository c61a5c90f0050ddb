/**
 * Entry of `npm run bench`: the throughput bench (rounds of every job against the ceiling), or
 * with `--freshness` the time from a window's end to its results in Redis. See USAGE and docs/bench.md.
 * Needs the local stack (it starts it when it is not up).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { processIo } from '../src/io/io';
import { freshnessMarkdown, runFreshness } from './freshness';
import { EXTRA_JOBS, JOBS, VARIANT_FILE, variantJob, type BenchJob } from './jobs';
import { mergeSection, resultsMarkdown, SECTIONS } from './report';
import { runBench } from './run-bench';

const USAGE = [
  'usage: npm run bench -- [--events N | --sizes A,B] [--rounds K] [--warmup W] [--seed S] [--event-step MS] [--out FILE] [--uv N] [--spec FILE] [--variant FILE]... [--only job,job]',
  '       npm run bench -- --freshness [--seconds N] [--rate R] [--seed S] [--out FILE]',
].join('\n');

/** Rounds of a real run: enough for a median and a bootstrap interval that can tell a few percent. */
export const DEFAULT_ROUNDS = 7;

export function parseArgs(args: readonly string[]) {
  const o = {
    sizes: [1_000_000] as number[],
    rounds: DEFAULT_ROUNDS,
    warmup: 1,
    out: 'bench/results.md',
    uv: undefined as number | undefined,
    seed: 1,
    /** Event time between two produced records, in ms; undefined: produce's default. */
    eventStep: undefined as number | undefined,
    spec: 'pipelines/uvpv.yaml',
    variants: [] as string[],
    only: undefined as string[] | undefined,
    freshness: false,
    seconds: 70,
    rate: 200,
  };
  const whole = (flag: string, v: string | undefined, min: number) => {
    const x = Number(v);
    if (v === undefined || !/^\d+$/.test(v) || x < min)
      throw new Error(`${flag} takes a whole number of at least ${min}, got '${v ?? ''}'`);
    return x;
  };
  let sizesGiven = false;
  let eventsGiven = false;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '--freshness') {
      o.freshness = true;
      continue;
    }
    const value = args[i + 1];
    i++;
    if (flag === '--events') {
      o.sizes = [whole(flag, value, 1000)];
      eventsGiven = true;
    } else if (flag === '--sizes' && value) {
      const sizes = value.split(',').map((s) => whole(flag, s.trim(), 1000));
      if (sizes.length !== 2 || sizes[0] >= sizes[1])
        throw new Error(`--sizes takes two sizes, the smaller first (e.g. 1000000,3000000), got '${value}'`);
      o.sizes = sizes;
      sizesGiven = true;
    } else if (flag === '--rounds' || flag === '--runs') o.rounds = whole(flag, value, 1);
    else if (flag === '--warmup') o.warmup = whole(flag, value, 0);
    else if (flag === '--uv') o.uv = whole(flag, value, 1);
    else if (flag === '--seed') o.seed = whole(flag, value, 0);
    else if (flag === '--event-step') o.eventStep = whole(flag, value, 1);
    else if (flag === '--seconds') o.seconds = whole(flag, value, 15);
    else if (flag === '--rate') o.rate = whole(flag, value, 1);
    else if (flag === '--out' && value) o.out = value;
    else if (flag === '--spec' && value) o.spec = value;
    else if (flag === '--variant' && value) o.variants.push(value);
    else if (flag === '--only' && value) o.only = value.split(',').map((s) => s.trim());
    else throw new Error(`unknown or incomplete option '${flag}'\n${USAGE}`);
  }
  if (sizesGiven && eventsGiven) throw new Error('--events and --sizes both say how many records a run reads: give one');
  return o;
}

export const VARIANTS_DIR = join(__dirname, 'variants');

function defaultVariants(): string[] {
  if (!existsSync(VARIANTS_DIR)) return [];
  return readdirSync(VARIANTS_DIR)
    .filter((f) => VARIANT_FILE.test(f))
    .sort()
    .map((f) => join(VARIANTS_DIR, f));
}

/**
 * The jobs a run runs. The ceiling always runs (it is what the others are compared with), and so
 * does every variant given. Without --variant, every variant in bench/variants/ runs too, so
 * results.md shows what was tried (with --only, those it names). The jobs that need one of the
 * stack's extras (cluster) are asked for the same way: the run skips them, with why, when it is not running.
 */
export function benchJobs(o: Pick<ReturnType<typeof parseArgs>, 'only' | 'variants'>): BenchJob[] {
  const asked = (name: string) => !o.only || o.only.includes(name);
  const variants = o.variants.length
    ? o.variants.map((f) => resolve(f))
    : defaultVariants().filter((f) => asked(basename(f).replace(VARIANT_FILE, '')));
  return [
    ...JOBS.filter((j, i) => i === 0 || asked(j.name)),
    ...EXTRA_JOBS.filter((j) => asked(j.name)),
    ...variants.map((f) => variantJob(f)),
  ];
}

/** Writes one section of the results file, keeping the others. */
function writeSection(file: string, name: string, body: string): void {
  const path = resolve(file);
  writeFileSync(path, mergeSection(existsSync(path) ? readFileSync(path, 'utf8') : undefined, name, body));
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let o: ReturnType<typeof parseArgs>;
  try {
    o = parseArgs(args);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 2;
  }
  const io = processIo();
  const command = ['npm run bench', ...(args.length ? ['--', ...args] : [])].join(' ');
  if (o.freshness) {
    const result = await runFreshness({ seconds: o.seconds, rate: o.rate, seed: o.seed }, io);
    const md = freshnessMarkdown(result, command, new Date());
    writeSection(o.out, SECTIONS.freshness, md);
    process.stdout.write(`${md}\nwrote ${o.out}\n`);
    return 0;
  }
  const jobs = benchJobs(o);
  const largest = o.sizes[o.sizes.length - 1];
  const result = await runBench(
    {
      spec: o.spec,
      sizes: o.sizes,
      seed: o.seed,
      eventStepMs: o.eventStep,
      rounds: o.rounds,
      warmup: o.warmup,
      uvUsers: o.uv ?? Math.max(largest, 1_000_000),
      jobs,
    },
    io,
  );
  const md = resultsMarkdown(result, command, new Date());
  writeSection(o.out, SECTIONS.throughput, md);
  process.stdout.write(`${md}\nwrote ${o.out}\n`);
  return result.digestMismatches.length || result.rowMismatches.length ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`error: ${(e as Error).message}\n${(e as { detail?: string }).detail ?? ''}\n`);
      process.exitCode = 1;
    },
  );
}
