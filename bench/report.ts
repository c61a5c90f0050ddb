/** bench/results.md: the machine, the command, the table, the checks and where the time goes. */
import type { BenchResult, JobResult } from './run-bench';

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** A job's Redis write commands: how many, and of each command how many. */
function redisCommands(j: JobResult): string {
  const each = Object.entries(j.redisByCommand)
    .map(([c, k]) => `${c} ${n(k)}`)
    .join(', ');
  return `${n(j.redisCommands)}${each ? ` (${each})` : ''}`;
}

/** The main table, also quoted in docs/bench.md. */
function resultsTable(r: BenchResult): string[] {
  const ceiling = r.jobs[0];
  const rows = r.jobs.map((j) => {
    const memory = `${n(j.peakHeapMb)} MB${j.peakRssMb ? ` / ${n(j.peakRssMb)} MB` : ''}`;
    return (
      `| ${j.name} | **${n(j.recordsPerSecond)}** | **${ratio(j.recordsPerSecond, ceiling.recordsPerSecond)}** | ` +
      `${j.runSeconds.toFixed(2)} s (${j.allRunSeconds.map((x) => x.toFixed(2)).join(', ')}) | ${j.jobSeconds.toFixed(2)} s: ${n(j.recordsPerJobSecond)}/s, ${ratio(j.recordsPerJobSecond, ceiling.recordsPerJobSecond)} | ` +
      `${redisCommands(j)} | ${memory} |`
    );
  });
  return [
    '| job | records/s | vs ceiling | run time: median (each run) | job time with start-up: records/s, vs ceiling | Redis write commands | peak TaskManager heap / RSS |',
    '|---|---:|---:|---|---|---|---:|',
    ...rows,
  ];
}

/** One sentence per target: the generated job against the ceiling (≥ 0.7×) and the baseline. */
function verdict(r: BenchResult): string {
  const ceiling = r.jobs[0];
  const generated = r.jobs.find((j) => j.name === 'generated');
  const baseline = r.jobs.find((j) => j.name === 'baseline');
  if (!generated || !baseline) return '';
  const vsCeiling = generated.recordsPerSecond / ceiling.recordsPerSecond;
  const vsBaseline = generated.recordsPerSecond / baseline.recordsPerSecond;
  return (
    `The generated job runs at **${vsCeiling.toFixed(2)}× the ceiling** (target: at least 0.70×: ${vsCeiling >= 0.7 ? 'met' : '**not met**'}) ` +
    `and **${vsBaseline.toFixed(2)}× the baseline** (target: ahead of it: ${vsBaseline > 1 ? 'met' : '**not met**'}), ` +
    `with ${n(baseline.redisCommands / Math.max(1, generated.redisCommands))}× fewer Redis commands than the baseline. ` +
    `By job time, start-up included: ${ratio(generated.recordsPerJobSecond, ceiling.recordsPerJobSecond)} the ceiling, ${ratio(generated.recordsPerJobSecond, baseline.recordsPerJobSecond)} the baseline.`
  );
}

/** Each job at a parallelism above 1 against the generated job at parallelism 1, on the same records. */
function parallelism(r: BenchResult): string[] {
  const generated = r.jobs.find((j) => j.name === 'generated');
  const parallel = r.jobs.filter((j) => j.parallelism !== generated?.parallelism);
  if (!generated || !parallel.length) return [];
  return [
    ...parallel.map(
      (j) =>
        `At **parallelism ${j.parallelism}** (a topic of ${j.parallelism} partitions) ${j.name} reads ${n(j.recordsPerSecond)} records/s: ` +
        `**${ratio(j.recordsPerSecond, generated.recordsPerSecond)}** the generated job at parallelism ${generated.parallelism}, ${ratio(j.recordsPerSecond, r.jobs[0].recordsPerSecond)} the ceiling.`,
    ),
    '',
  ];
}

/**
 * What each option of the generated job is worth in this run: the generated job against each
 * variant that leaves one option out. The generated SQL says why it sets an option; the figures
 * live here, with the machine and the day they were measured on.
 */
function optionsWorth(r: BenchResult): string[] {
  const generated = r.jobs.find((j) => j.name === 'generated');
  const fixed = new Set(['ceiling', 'generated', 'baseline', 'parse-only']);
  const variants = r.jobs.filter((j) => !fixed.has(j.name) && !j.adds && j.parallelism === generated?.parallelism);
  if (!generated || !variants.length) return [];
  return [
    'The generated job against each variant (records/s of the median runs; above 1.00× the generated job is faster):',
    ...variants.map((v) => `- vs **${v.name}**: ${ratio(generated.recordsPerSecond, v.recordsPerSecond)}`),
    '',
  ];
}

/**
 * What metrics cost: each variant that adds metrics to the reference pipeline against the
 * generated job (the reference metrics alone), in records/s and in Redis write commands.
 */
function addedMetrics(r: BenchResult): string[] {
  const generated = r.jobs.find((j) => j.name === 'generated');
  const variants = r.jobs.flatMap((j) => (j.adds && j.parallelism === generated?.parallelism ? [{ ...j, adds: j.adds }] : []));
  if (!generated || !variants.length) return [];
  return [
    'The reference pipeline with more metrics, against the generated job (the reference metrics alone; records/s of the median runs, on the same records):',
    ...variants.map(
      (v) =>
        `- **${v.name}** (adds ${v.adds.join(', ')}): **${ratio(v.recordsPerSecond, generated.recordsPerSecond)}** the generated job's records/s ` +
        `(${n(v.recordsPerSecond)} against ${n(generated.recordsPerSecond)}); Redis write commands ${redisCommands(v)} against ${redisCommands(generated)}.`,
    ),
    '',
  ];
}

/** That every job read every record, and that the pipelines wrote the same numbers. */
function checks(r: BenchResult): string[] {
  const out: string[] = [];
  const ceiling = r.jobs[0];
  if (ceiling.output.rows !== undefined) {
    out.push(`- The ceiling counted **${n(ceiling.output.rows)}** parsed rows of ${n(r.events)} produced${ceiling.output.rows === r.events ? '' : ' (**a mismatch**)'}.`);
  }
  const pipelines = r.jobs.filter((j) => Object.keys(j.output.sets).length || Object.keys(j.output.lists).length);
  const sets = [...new Set(pipelines.flatMap((j) => Object.keys(j.output.sets)))];
  for (const key of sets) {
    const sizes = pipelines.map((j) => j.output.sets[key]);
    out.push(
      `- UV set \`${key}\`: ${pipelines.map((j, i) => `${j.name} ${n(sizes[i] ?? 0)}`).join(', ')} members${sizes.every((s) => s === sizes[0]) ? ' (the same)' : ' (**they differ**)'}.`,
    );
  }
  const lists = [...new Set(pipelines.flatMap((j) => Object.keys(j.output.lists)))];
  for (const key of lists) {
    const values = pipelines.map((j) => j.output.lists[key] ?? []);
    const same = values.every((v) => v.join(',') === values[0].join(','));
    const total = (v: number[]) => v.reduce((a, b) => a + b, 0);
    out.push(
      `- PV list \`${key}\`: ${pipelines.map((j, i) => `${j.name} ${n(values[i].length)} windows (${n(total(values[i]))} views in all)`).join(', ')}${same ? ': the same values, window by window' : ': **the values differ**'}.`,
    );
  }
  out.push(...breakdowns(r));
  return out;
}

/**
 * What the jobs wrote into hashes and zsets (the breakdowns and top-Ns a variant adds), per key
 * pattern (the window's time as `…`): keys, fields and the sum of their values, which for a pv
 * broken down by a column with no NULL values in the data is the PV list's total.
 */
function breakdowns(r: BenchResult): string[] {
  const out: string[] = [];
  const pattern = (key: string) => key.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/g, '…');
  const total = (v: number[]) => v.reduce((a, b) => a + b, 0);
  for (const j of r.jobs) {
    const hashes = new Map<string, { keys: number; fields: number; total: number }>();
    for (const [key, h] of Object.entries(j.output.hashes)) {
      const g = hashes.get(pattern(key)) ?? { keys: 0, fields: 0, total: 0 };
      hashes.set(pattern(key), { keys: g.keys + 1, fields: g.fields + h.fields, total: g.total + h.total });
    }
    for (const [p, g] of hashes) {
      const lists = Object.entries(j.output.lists).filter(([, v]) => total(v) === g.total);
      const same = lists.length ? ` (as many as the PV list ${lists.map(([k]) => `\`${k}\``).join(', ')} holds)` : '';
      out.push(`- Hash \`${p}\` (${j.name}): ${n(g.keys)} keys, ${n(g.fields)} fields, ${n(g.total)} in all${same}.`);
    }
    const zsets = new Map<string, number[]>();
    for (const [key, members] of Object.entries(j.output.zsets)) zsets.set(pattern(key), [...(zsets.get(pattern(key)) ?? []), members]);
    for (const [p, sizes] of zsets) {
      const [least, most] = [Math.min(...sizes), Math.max(...sizes)];
      out.push(`- Zset \`${p}\` (${j.name}): ${n(sizes.length)} keys of ${least === most ? n(least) : `${n(least)} to ${n(most)}`} members each.`);
    }
  }
  return out;
}

export function resultsMarkdown(r: BenchResult, command: string, date: Date): string {
  const ceiling = r.jobs[0];
  const profile = r.jobs.flatMap((j) =>
    j.vertices.map((v) => {
      const total = v.busyMs + v.backPressuredMs + v.idleMs || 1;
      const pct = (x: number) => `${n(x)} ms (${Math.round((100 * x) / total)}%)`;
      return `| ${j.name} | ${v.name.replace(/\|/g, '\\|').replace(/<br\/>/g, ' ')} | ${n(v.readRecords)} | ${n(v.writeRecords)} | ${pct(v.busyMs)} | ${pct(v.backPressuredMs)} | ${pct(v.idleMs)} |`;
    }),
  );
  return [
    '# Benchmark results',
    '',
    `Produced by \`${command}\` on ${date.toISOString().slice(0, 10)}: ${n(r.events)} records produced once into a fresh topic` +
      `${r.partitionCounts.length > 1 ? ` per parallelism the jobs run at (${r.partitionCounts.join(', ')} partitions; the same records in each)` : ''} ` +
      `(${n(r.produceRate)} records/s into Kafka), then ${r.warmup ? `${r.warmup} unmeasured warm-up round${r.warmup === 1 ? '' : 's'} of every job, then ` : ''}every job run ${r.runs} time${r.runs === 1 ? '' : 's'} on them, the jobs taking turns; ` +
      `each job's median run (by run time) is shown.`,
    '',
    'Machine:',
    ...r.machine.map((m) => `- ${m}`),
    '',
    ...resultsTable(r),
    '',
    verdict(r),
    '',
    ...parallelism(r),
    ...optionsWorth(r),
    ...addedMetrics(r),
    'Checks (median run):',
    ...checks(r),
    '',
    'Jobs:',
    ...r.jobs.map((j) => `- **${j.name}**: ${j.describe}.`),
    '',
    `How it is measured. **records/s** = records / run time, where the run time is Flink's own: from the first task RUNNING to the last task FINISHED ` +
      `(\`/jobs/{id}/vertices/{v}/subtasktimes\`), the records' processing from the first read to the last write. The job time (\`/jobs/{id}\` duration) adds ` +
      `submission, scheduling and task start-up (Kafka consumer, Redis connections), about the same for every job; it is shown for completeness. ` +
      `Redis write commands are counted by \`INFO commandstats\` before and after each job; the counts are server-wide, so where someone else wrote ` +
      `to the same Redis during a run they would add to it: a job writes the same every run, so the fewest seen over its runs is shown. ` +
      `Peak heap is the TaskManager's heap used (eden + survivors + old generation), sampled every 100 ms ` +
      `${r.heapSource === 'hsperfdata' ? "from the JVM's hsperfdata counters (what `jstat -gc` reads)" : "from Flink's REST metric (refreshed only every 10 s: a rough figure)"}, ` +
      `and RSS the process's resident memory from /proc${r.gcBetweenJobs ? '; each job starts after a full GC (`jcmd <pid> GC.run`), so the heap starts clean' : ''}. ` +
      `The heap peak is mostly garbage between young collections, so it follows how much a job allocates more than what it keeps.`,
    '',
    `UV of ${n(r.uvMemory.distinct)} distinct users in Redis (\`MEMORY USAGE\`): as a set **${(r.uvMemory.setBytes / 2 ** 20).toFixed(1)} MiB**, ` +
      `as an hll **${(r.uvMemory.hllBytes / 2 ** 10).toFixed(1)} KiB** (${n(r.uvMemory.setBytes / r.uvMemory.hllBytes)}× smaller; PFCOUNT is an estimate with a standard error of 0.81%).`,
    '',
    `## Where the time goes (median runs)`,
    '',
    `Flink's accumulated busy, back-pressured and idle time of each task (shares of the three), and the records it received and sent over the network ` +
      `(records a task passes to an operator chained to it are not counted). The ceiling took ${ceiling.runSeconds.toFixed(2)} s.`,
    '',
    '| job | task | records in | records out | busy | back-pressured | idle |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...profile,
    '',
  ].join('\n');
}
