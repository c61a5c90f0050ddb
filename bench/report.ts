/** bench/results.md: the machine, the command, the paired ratios, the budget, the checks, every run, and where the time goes. */
import { duration } from '../src/deploy/health-text';
import { windowType } from '../src/windows';
import { busyRuleText, MEASURED_PROCESSES, type MeasuredProcess } from './processes';
import type { BenchResult, JobResult, JobRun } from './run-bench';
import { median, type PairedRatio } from './stats';

const n = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const x2 = (x: number) => `${x.toFixed(2)}×`;
const PROCESS_TITLE: Record<MeasuredProcess, string> = { taskmanager: 'TaskManager', kafka: 'Kafka', redis: 'Redis' };

/** The bench's targets, in one place: the reference and breakdown targets of issue 23, and cluster mode's cost. */
export const TARGETS = { generatedVsCeiling: 0.85, breakdownVsGenerated: 0.8, clusterVsStandalone: 0.9 } as const;

/** `0.77× [0.74–0.80] (0.70–0.83)`: median, bootstrap 95% interval, range. */
export function ratioText(r: PairedRatio | undefined): string {
  if (!r) return 'n/a';
  const single = r.perRound.length === 1;
  return single ? x2(r.median) : `${x2(r.median)} [${r.low.toFixed(2)}–${r.high.toFixed(2)}] (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
}

/** A job's Redis write commands: how many, and of each command how many. */
function redisCommands(j: Pick<JobResult, 'redisCommands' | 'redisByCommand'>): string {
  const each = Object.entries(j.redisByCommand)
    .map(([c, k]) => `${c} ${n(k)}`)
    .join(', ');
  return `${n(j.redisCommands)}${each ? ` (${each})` : ''}`;
}

const cpuText = (cpu: Partial<Record<MeasuredProcess, number>>, measured: readonly MeasuredProcess[]) =>
  measured.map((p) => (cpu[p] === undefined ? '–' : cpu[p].toFixed(2))).join(' / ');

const largestOf = (r: BenchResult) => r.sizes[r.sizes.length - 1];
const shortDigest = (d: string) => d.slice(0, 8);

/** The main table, also quoted in docs/bench.md. */
function resultsTable(r: BenchResult): string[] {
  const largest = largestOf(r);
  const rows = r.jobs.map((j) => {
    const memory = `${n(j.median.peakHeapMb)} MB${j.median.peakRssMb ? ` / ${n(j.median.peakRssMb)} MB` : ''}`;
    const times = j.runs.filter((run) => run.events === largest).map((run) => run.runSeconds.toFixed(2));
    const digests = new Set(j.runs.filter((run) => run.events === largest).map((run) => run.digest));
    return (
      `| ${j.name}${j.parallelism > 1 ? ` (p${j.parallelism})` : ''} | **${j.vsCeiling ? ratioText(j.vsCeiling) : '1.00×'}** | ${n(j.recordsPerSecond)} | ` +
      `${j.median.runSeconds.toFixed(2)} s (${times.join(', ')}) | ${cpuText(j.cpuPerMillion, r.cpuMeasured)} | ${redisCommands(j)} | ${memory} | ` +
      `\`${[...digests].map(shortDigest).join('`, `')}\`${digests.size > 1 ? ' (**differ**)' : ''} |`
    );
  });
  return [
    `| job | vs ceiling: median [95% interval] (range) | records/s${r.sizes.length > 1 ? ' (slope)' : ''} | run time at ${n(largest)}: median (each round) | ` +
      `CPU s per M records: ${r.cpuMeasured.map((p) => PROCESS_TITLE[p]).join(' / ') || 'n/a'} | Redis write commands | peak TaskManager heap / RSS | contents digest |`,
    '|---|---:|---:|---|---|---|---:|---|',
    ...rows,
  ];
}

/** One sentence per target: the generated job against the ceiling, the breakdown variant and cluster mode against the generated job. */
function verdict(r: BenchResult): string[] {
  const generated = r.jobs.find((j) => j.name === 'generated');
  const byProduct = r.jobs.find((j) => j.name === 'by-product');
  const out: string[] = [];
  const judged = (ratio: PairedRatio, target: number) => {
    if (ratio.median < target) return '**not met**';
    if (ratio.perRound.length === 1) return 'met in its one round (no interval)';
    return ratio.low >= target ? 'met, the whole interval above it' : 'met by the median, not by the whole interval';
  };
  if (generated?.vsCeiling) {
    out.push(
      `The generated job runs at **${ratioText(generated.vsCeiling)}** the ceiling (paired median over ${generated.vsCeiling.perRound.length} round${generated.vsCeiling.perRound.length === 1 ? '' : 's'} ` +
        `[bootstrap 95% interval] (range); target at least ${TARGETS.generatedVsCeiling}×: ${judged(generated.vsCeiling, TARGETS.generatedVsCeiling)}).`,
    );
  }
  if (byProduct?.vsGenerated) {
    out.push(
      `The breakdown variant by-product runs at **${ratioText(byProduct.vsGenerated)}** the generated job (target at least ${TARGETS.breakdownVsGenerated}×: ${judged(byProduct.vsGenerated, TARGETS.breakdownVsGenerated)}).`,
    );
  }
  out.push(...clusterVerdict(r, judged));
  out.push(busyVerdict(r));
  return out.flatMap((line) => [line, '']);
}

/**
 * Cluster mode against standalone: the cluster job's ratio to the generated job, paired per round,
 * and the target line; when the job was skipped or had no generated job to pair with, why, and
 * the target not measured. Nothing when the cluster job was not asked for.
 */
function clusterVerdict(r: BenchResult, judged: (ratio: PairedRatio, target: number) => string): string[] {
  const target = TARGETS.clusterVsStandalone;
  const line = `cluster mode costs at most ${Math.round((1 - target) * 100)}% (≥ ${target.toFixed(2)}× the standalone job)`;
  const cluster = r.jobs.find((j) => j.redis === 'cluster');
  const skipped = r.skipped.find((s) => s.name === 'cluster');
  if (cluster?.vsGenerated) {
    const rounds = cluster.vsGenerated.perRound.length;
    return [
      `In cluster mode (the stack's 3-master Redis Cluster) the generated job runs at **${ratioText(cluster.vsGenerated)}** the standalone generated job ` +
        `(paired median over ${rounds} round${rounds === 1 ? '' : 's'} [bootstrap 95% interval] (range)). Target: ${line}: ${judged(cluster.vsGenerated, target)}.`,
    ];
  }
  if (cluster)
    return [`The cluster job ran without the generated job to pair it with (\`--only generated,cluster\`). Target: ${line}: not measured.`];
  if (skipped) return [`The cluster job was skipped: ${skipped.reason}. Target: ${line}: not measured.`];
  return [];
}

/**
 * The ceiling's budget, split by the anchors: fetching (read-only: raw bytes, counted), decoding
 * (parse-only − read-only), counting (ceiling − parse-only), and the pipeline's own work
 * (generated − ceiling); seconds per million records, medians of the per-round differences.
 */
function budget(r: BenchResult): string[] {
  const byName = (name: string) => r.jobs.find((j) => j.name === name);
  const [readOnly, parseOnly, ceiling, generated] = ['read-only', 'parse-only', r.jobs[0]?.name, 'generated'].map((name) =>
    name ? byName(name) : undefined,
  );
  if (!readOnly || !parseOnly || !ceiling || !generated) return [];
  const perMillion = (j: JobResult) => j.ratePerRound.map((rate) => 1e6 / rate);
  const diff = (a: JobResult, b?: JobResult) => {
    const xs = perMillion(a).flatMap((x, i) => {
      const y = b ? perMillion(b)[i] : 0;
      return Number.isFinite(x) && Number.isFinite(y) ? [x - y] : [];
    });
    if (!xs.length) return NaN;
    const s = [...xs].sort((p, q) => p - q);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const parts = [
    { what: 'fetch (read-only anchor: raw bytes from Kafka, counted)', s: diff(readOnly) },
    { what: 'decode (parse-only − read-only: JSON into the source columns)', s: diff(parseOnly, readOnly) },
    { what: 'counting (ceiling − parse-only: the window count and its Redis writes)', s: diff(ceiling, parseOnly) },
    { what: "the pipeline's own work (generated − ceiling)", s: diff(generated, ceiling) },
  ];
  const total = diff(generated);
  const s = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)} s` : 'n/a');
  return [
    `Where the generated job's ${s(total)} per million records go (medians of the per-round differences${r.sizes.length > 1 ? ', from the slopes' : ''}; a negative share is within the noise):`,
    '',
    '| part | s per M records | share |',
    '|---|---:|---:|',
    ...parts.map((p) => `| ${p.what} | ${s(p.s)} | ${Number.isFinite(p.s / total) ? `${Math.round((100 * p.s) / total)}%` : 'n/a'} |`),
    '',
  ];
}

/** The source task's busy time per record (summed over its subtasks) in the median run. */
function sourceBusyPerRecord(j: JobResult): number | undefined {
  const source = j.median.vertices.find((v) => v.name.startsWith('Source:'));
  return source && source.busyMs > 0 ? (source.busyMs * 1000) / j.median.events : undefined;
}

/** Each job at a parallelism above 1 against the generated job at parallelism 1, on the same records: on this machine, and with cores to spare. */
function parallelism(r: BenchResult): string[] {
  const generated = r.jobs.find((j) => j.name === 'generated');
  const parallel = r.jobs.filter((j) => j.parallelism !== generated?.parallelism);
  if (!generated || !parallel.length) return [];
  const b1 = sourceBusyPerRecord(generated);
  return parallel.flatMap((j) => {
    const bp = sourceBusyPerRecord(j);
    const onThisMachine =
      `At **parallelism ${j.parallelism}** (${j.name}, a topic of ${j.parallelism} partitions) the job runs at **${ratioText(j.vsGenerated)}** the generated job at parallelism ${generated.parallelism} ` +
      `on this machine (${r.machine[0]?.split(' (')[0] ?? 'its cores'}, shared with Kafka, Redis and Flink's other threads).`;
    const withSpareCores =
      b1 === undefined || bp === undefined
        ? "The source task's busy time could not be read, so no estimate with cores to spare."
        : `The source task is busy ${b1.toFixed(2)} µs per record at parallelism ${generated.parallelism} and ${bp.toFixed(2)} µs per record at parallelism ${j.parallelism} (summed over its ${j.parallelism} subtasks), ` +
          `so with a core for each source task it would scale by about **${x2((j.parallelism * b1) / bp)}** (${j.parallelism} × ${b1.toFixed(2)} / ${bp.toFixed(2)}): busy time is wall time, so a task waiting for a core counts as busy, and on a machine without spare cores the estimate is low rather than high.`;
    return [`${onThisMachine} ${withSpareCores}`, ''];
  });
}

/** What each variant of the generated job is worth, paired round by round with the generated job. */
function variants(r: BenchResult): string[] {
  const generated = r.jobs.find((j) => j.name === 'generated');
  const others = r.jobs.filter((j) => j.vsGenerated && j.parallelism === generated?.parallelism);
  if (!generated || !others.length) return [];
  return [
    "Each variant against the generated job (the variant's records/s over the generated job's, paired per round; above 1.00× the variant is faster):",
    ...others.map(
      (v) =>
        `- **${v.name}**${v.adds ? ` (adds ${v.adds.join(', ')})` : ''}: ${ratioText(v.vsGenerated)}` +
        (v.adds ? `; Redis write commands ${redisCommands(v)} against ${redisCommands(generated)}` : ''),
    ),
    '',
  ];
}

/** That every job read every record, and that the jobs wrote what they must, key by key. */
function checks(r: BenchResult): string[] {
  const largest = largestOf(r);
  const out: string[] = [];
  const counters = r.jobs.filter((j) => j.runs.some((run) => run.output.rows !== undefined));
  for (const j of counters)
    out.push(`- ${j.name} counted **${n(j.median.output.rows ?? 0)}** rows of ${n(largest)} produced in its median run.`);
  out.push(...r.rowMismatches.map((m) => `- **ROW COUNT MISMATCH**: ${m}.`));
  const compared = r.jobs.filter((j) => j.sameOutputAs);
  if (compared.length) {
    out.push(
      `- Redis contents, every key in full (a sha256 digest per run): ${compared.map((j) => j.name).join(', ')} against ${[...new Set(compared.map((j) => j.sameOutputAs))].join(', ')}, ` +
        `on every key the job compared with writes, in every round and at every size` +
        (compared.some((j) => j.redis === 'cluster') ? " (the cluster job's contents read master by master)" : '') +
        (r.digestMismatches.length ? '.' : ': **the same**; every job wrote the same contents in each of its runs.'),
    );
  }
  out.push(...r.digestMismatches.map((m) => `- **DIGEST MISMATCH**: ${m}.`));
  const generated = r.jobs.find((j) => j.name === 'generated');
  const baseline = r.jobs.find((j) => j.name === 'baseline');
  if (generated && baseline) {
    const sets = Object.keys(generated.median.output.sets);
    const lists = Object.keys(generated.median.output.lists);
    const sameSets = sets.every((k) => generated.median.output.sets[k] === baseline.median.output.sets[k]);
    const sameLists = lists.every((k) => generated.median.output.lists[k]?.join() === baseline.median.output.lists[k]?.join());
    out.push(
      `- The baseline writes its own formats (a bare count per list entry, its own rate format), so it is compared by value: UV set sizes ${sameSets ? 'the same' : '**differ**'}, ` +
        `PV list values window by window ${sameLists ? 'the same' : '**differ**'} (median runs).`,
    );
  }
  return out;
}

/** Whether the runs' other work was measured: in all of them, some or none. */
function otherWorkMeasured(r: BenchResult): 'all' | 'some' | 'none' {
  const runs = r.jobs.flatMap((j) => j.runs);
  const measured = runs.filter((run) => run.otherWork).length;
  return measured === runs.length ? 'all' : measured === 0 ? 'none' : 'some';
}

const busyRule = (r: BenchResult) => busyRuleText(otherWorkMeasured(r), { otherCores: r.busyOtherCores, load: r.busyThreshold });

/** How many runs were busy, and how much other work there was. */
function busyVerdict(r: BenchResult): string {
  const runs = r.jobs.flatMap((j) => j.runs);
  const busy = runs.filter((run) => run.busy).length;
  const others = runs.flatMap((run) => (run.otherWork ? [run.otherWork.cores] : []));
  const otherText = others.length
    ? ` Other work took ${median(others).toFixed(2)} of a core in the median run (at most ${Math.max(...others).toFixed(2)}).`
    : '';
  return busy
    ? `**${busy} of ${runs.length} runs were busy** (${busyRule(r)}): the paired ratios hold up better than the rates, but read them with that in mind.${otherText}`
    : `No run was busy (none had ${busyRule(r)}).${otherText}`;
}

/** A run's other work: `0.31 (steal 0.05)`. */
const otherWorkText = (o: JobRun['otherWork']) => (o ? `${o.cores.toFixed(2)} (steal ${o.stealCores.toFixed(2)})` : 'n/a');

/** Every measured run: when, how fast, what it cost the machine, and what it wrote. */
function runsTable(r: BenchResult): string[] {
  const all = r.jobs
    .flatMap((j) => j.runs.map((run) => ({ job: j.name, run })))
    .sort((a, b) => a.run.round - b.run.round || a.run.order - b.run.order);
  const row = ({ job, run }: { job: string; run: JobRun }) => {
    const cpu = Object.fromEntries(
      MEASURED_PROCESSES.map((p) => [p, run.cpuSeconds[p] === undefined ? undefined : (run.cpuSeconds[p] / run.events) * 1e6]),
    );
    return (
      `| ${run.round} | ${run.order} | ${job} | ${n(run.events)} | ${run.runSeconds.toFixed(2)} | ${n(run.events / run.runSeconds)} | ${cpuText(cpu, r.cpuMeasured)} | ` +
      `${run.loadBefore.toFixed(2)} → ${run.loadAfter.toFixed(2)} | ${otherWorkText(run.otherWork)} | ${run.busy ? '**busy**' : ''} | \`${shortDigest(run.digest)}\` |`
    );
  };
  return [
    `Every measured run, in the order run (CPU: seconds per million records, ${r.cpuMeasured.map((p) => PROCESS_TITLE[p]).join(' / ') || 'n/a'}):`,
    '',
    '| round | # | job | records | run s | records/s | CPU s per M | load before → after | other work (cores) | busy | digest |',
    '|---:|---:|---|---:|---:|---:|---|---|---:|---|---|',
    ...all.map(row),
    '',
  ];
}

/**
 * How far apart the records are in event time, and what that makes of a million records: how
 * long they span and how many of the spec's windows end in it (so how many results a run writes).
 */
export function eventTimeText(r: Pick<BenchResult, 'eventStepMs' | 'window'>): string {
  const million = 1_000_000;
  const every = windowType(r.window.type).endsEvery(r.window);
  const windows = (million * r.eventStepMs) / every.millis;
  const few = (x: number) => (x < 10 ? String(Number(x.toPrecision(2))) : n(x));
  return (
    `${n(r.eventStepMs)} ms of event time apart (${few(1000 / r.eventStepMs)} records per second of event time: ` +
    `${n(million)} records span ${duration((million * r.eventStepMs) / 1000)}, about ${few(windows)} of the spec's ${r.window.type} windows of ${r.window.size.text}` +
    `${every.millis === r.window.size.millis ? '' : `, one ending every ${every.text}`})`
  );
}

const THROUGHPUT = 'throughput';

export function resultsMarkdown(r: BenchResult, command: string, date: Date): string {
  const ceiling = r.jobs[0];
  const profile = r.jobs.flatMap((j) =>
    j.median.vertices.map((v) => {
      const total = v.busyMs + v.backPressuredMs + v.idleMs || 1;
      const pct = (x: number) => `${n(x)} ms (${Math.round((100 * x) / total)}%)`;
      return `| ${j.name} | ${v.name.replace(/\|/g, '\\|').replace(/<br\/>/g, ' ')} | ${n(v.readRecords)} | ${n(v.writeRecords)} | ${pct(v.busyMs)} | ${pct(v.backPressuredMs)} | ${pct(v.idleMs)} |`;
    }),
  );
  const sizes = r.sizes.map(n).join(' and ');
  return [
    '# Benchmark results',
    '',
    `Produced by \`${command}\` on ${date.toISOString().slice(0, 10)}: ${sizes} records produced once into fresh topics` +
      `${r.partitionCounts.length > 1 ? ` (per parallelism the jobs run at: ${r.partitionCounts.join(', ')} partitions; the same records in each)` : ''} ` +
      `(${n(r.produceRate)} records/s into Kafka), ${eventTimeText(r)}; ` +
      `then ${r.warmup ? `${r.warmup} unmeasured warm-up round${r.warmup === 1 ? '' : 's'}, then ` : ''}` +
      `${r.rounds} round${r.rounds === 1 ? '' : 's'}, each running every job once${r.sizes.length > 1 ? ' at each size' : ''} in an order shuffled afresh (seed ${r.seed}). ` +
      (r.sizes.length > 1
        ? `A job's records/s in a round is the slope between the sizes: (${sizes.replace(' and ', ' − ').split(' − ').reverse().join(' − ')}) records / the difference of their run times, so start and stop costs cancel.`
        : `A job's records/s in a round is records / run time.`),
    '',
    'Machine:',
    ...r.machine.map((m) => `- ${m}`),
    '',
    ...resultsTable(r),
    '',
    ...verdict(r),
    ...budget(r),
    ...parallelism(r),
    ...variants(r),
    'Checks:',
    ...checks(r),
    '',
    'Jobs:',
    ...r.jobs.map((j) => `- **${j.name}**: ${j.describe}.`),
    '',
    `How it is measured. The ratio of a job is taken **per round**, against the ceiling of the same round (records/s over records/s), and summarized ` +
      `by its median over the rounds, a bootstrap 95% interval of that median (the rounds resampled with replacement ${'2,000'} times, seeded) and the range. ` +
      `Run time is Flink's own: from the first task RUNNING to the last task FINISHED (\`/jobs/{id}/vertices/{v}/subtasktimes\`). ` +
      `CPU is user + system time of each process (every thread) from \`/proc/<pid>/stat\`, from the job's submission to its end, per million records read; ` +
      `Redis and Kafka serve whoever else uses them during a run, so their columns are upper bounds. ` +
      `Other work is the machine's non-idle time (user, nice, system and interrupts, from \`/proc/stat\`) less that of the stack's processes and the bench's own (their ended children included), plus steal, in cores averaged over the run; ` +
      `a run is **busy** when it had ${busyRule(r)}. ` +
      `Redis write commands are counted by \`INFO commandstats\` before and after each run (server-wide: the fewest over a job's runs is shown). ` +
      `The contents digest is a sha256 over every key the run wrote, each with its type and canonical content (set members and fields sorted, list entries in order). ` +
      `Peak heap is the TaskManager's heap used, sampled every 100 ms ` +
      `${r.heapSource === 'hsperfdata' ? "from the JVM's hsperfdata counters (what `jstat -gc` reads)" : "from Flink's REST metric (refreshed only every 10 s: a rough figure)"}, ` +
      `and RSS the process's resident memory from /proc${r.gcBetweenJobs ? '; each job starts after a full GC (`jcmd <pid> GC.run`)' : ''}.`,
    '',
    `UV of ${n(r.uvMemory.distinct)} distinct users in Redis (\`MEMORY USAGE\`): as a set **${(r.uvMemory.setBytes / 2 ** 20).toFixed(1)} MiB**, ` +
      `as an hll **${(r.uvMemory.hllBytes / 2 ** 10).toFixed(1)} KiB** (${n(r.uvMemory.setBytes / r.uvMemory.hllBytes)}× smaller; PFCOUNT is an estimate with a standard error of 0.81%).`,
    '',
    ...runsTable(r),
    `## Where the time goes (median runs at ${n(largestOf(r))} records)`,
    '',
    `Flink's accumulated busy, back-pressured and idle time of each task (summed over its subtasks; shares of the three), and the records it received and sent over the network ` +
      `(records a task passes to an operator chained to it are not counted). The ceiling took ${ceiling.median.runSeconds.toFixed(2)} s.`,
    '',
    '| job | task | records in | records out | busy | back-pressured | idle |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...profile,
    '',
  ].join('\n');
}

/**
 * The results file is made of sections (throughput, freshness) that runs write separately: a
 * section replaces its earlier version and leaves the others as they were.
 */
export function mergeSection(existing: string | undefined, name: string, body: string): string {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const block = `${open}\n${body.trimEnd()}\n${close}\n`;
  if (existing === undefined) return block;
  const start = existing.indexOf(open);
  const end = existing.indexOf(close);
  if (start >= 0 && end > start) return existing.slice(0, start) + block + existing.slice(end + close.length).replace(/^\n/, '');
  // A file from before the sections: the throughput report replaces it whole; a freshness section is added.
  if (name === THROUGHPUT && !existing.includes('<!-- bench:')) return block;
  return `${existing.trimEnd()}\n\n${block}`;
}

export const SECTIONS = { throughput: THROUGHPUT, freshness: 'freshness' } as const;
