/** Entry of `npm run bench [-- --events N] [--out FILE]`. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { processIo } from '../cli/io';
import { resultsMarkdown } from './report';
import { runBench } from './run-bench';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const flag = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
  };
  const events = Number(flag('--events', process.env.UVPV_BENCH_EVENTS ?? '1000000'));
  const out = flag('--out', 'bench/results.md');
  if (!Number.isInteger(events) || events < 1000) {
    process.stderr.write('error: --events takes a whole number of at least 1000\n');
    return 2;
  }
  const io = processIo();
  const runs = Number(flag('--runs', '3'));
  const result = await runBench({ spec: flag('--spec', 'pipelines/uvpv.yaml'), events, seed: 1, runs }, io);
  const md = resultsMarkdown(result, `npm run bench -- --events ${events} --runs ${runs}`, new Date());
  writeFileSync(resolve(out), md);
  process.stdout.write(`${md}\nwrote ${out}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`error: ${(e as Error).message}\n${(e as { detail?: string }).detail ?? ''}\n`);
    process.exitCode = 1;
  },
);
