/**
 * Entry of `npm run bench [-- --events N] [--runs K] [--warmup W] [--out FILE] [--uv N] [--spec FILE] [--variant FILE ...] [--only a,b]`.
 * Needs the local stack (it starts it when it is not up).
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { processIo } from '../src/io/io';
import { JOBS, VARIANT_FILE, variantJob, type BenchJob } from './jobs';
import { resultsMarkdown } from './report';
import { runBench } from './run-bench';

const USAGE = 'usage: npm run bench -- [--events N] [--runs K] [--warmup W] [--out FILE] [--uv N] [--seed S] [--spec FILE] [--variant FILE]... [--only job,job]';

export function parseArgs(args: readonly string[]) {
  const o = {
    events: 1_000_000,
    runs: 3,
    warmup: 1,
    out: 'bench/results.md',
    uv: undefined as number | undefined,
    seed: 1,
    spec: 'pipelines/uvpv.yaml',
    variants: [] as string[],
    only: undefined as string[] | undefined,
  };
  const whole = (flag: string, v: string | undefined, min: number) => {
    const x = Number(v);
    if (v === undefined || !/^\d+$/.test(v) || x < min) throw new Error(`${flag} takes a whole number of at least ${min}, got '${v ?? ''}'`);
    return x;
  };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    i++;
    if (flag === '--events') o.events = whole(flag, value, 1000);
    else if (flag === '--runs') o.runs = whole(flag, value, 1);
    else if (flag === '--warmup') o.warmup = whole(flag, value, 0);
    else if (flag === '--uv') o.uv = whole(flag, value, 1);
    else if (flag === '--seed') o.seed = whole(flag, value, 0);
    else if (flag === '--out' && value) o.out = value;
    else if (flag === '--spec' && value) o.spec = value;
    else if (flag === '--variant' && value) o.variants.push(value);
    else if (flag === '--only' && value) o.only = value.split(',').map((s) => s.trim());
    else throw new Error(`unknown or incomplete option '${flag}'\n${USAGE}`);
  }
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

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let o: ReturnType<typeof parseArgs>;
  try {
    o = parseArgs(args);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 2;
  }
  // The ceiling always runs (it is what the others are compared with), and so does every variant.
  // Without --variant, every variant in bench/variants/ runs too, so results.md shows what was tried
  // (with --only, those it names).
  const named = (f: string) => !o.only || o.only.includes(basename(f).replace(VARIANT_FILE, ''));
  const variants = o.variants.length ? o.variants.map((f) => resolve(f)) : defaultVariants().filter(named);
  const jobs: BenchJob[] = [...JOBS.filter((j, i) => i === 0 || !o.only || o.only.includes(j.name)), ...variants.map((f) => variantJob(f))];
  const io = processIo();
  const result = await runBench({ spec: o.spec, events: o.events, seed: o.seed, runs: o.runs, warmup: o.warmup, uvUsers: o.uv ?? Math.max(o.events, 1_000_000), jobs }, io);
  const command = ['npm run bench', ...(args.length ? ['--', ...args] : [])].join(' ');
  const md = resultsMarkdown(result, command, new Date());
  writeFileSync(resolve(o.out), md);
  process.stdout.write(`${md}\nwrote ${o.out}\n`);
  return 0;
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
