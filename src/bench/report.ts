/** bench/results.md: the machine, the command, and the table. */
import type { BenchResult } from './run-bench';

export function resultsMarkdown(r: BenchResult, command: string, date: Date): string {
  const ceiling = r.jobs.find((j) => j.name === 'ceiling')!;
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const rows = r.jobs.map((j) => {
    const commands = Object.entries(j.redisByCommand).map(([c, k]) => `${c} ${n(k)}`).join(', ') || 'none';
    const processing = r.events / j.processingSeconds;
    const ceilingProcessing = r.events / ceiling.processingSeconds;
    return `| ${j.name} | ${n(j.recordsPerSecond)} | ${(j.recordsPerSecond / ceiling.recordsPerSecond).toFixed(2)}× | ${j.seconds.toFixed(1)} s (${j.allSeconds.map((x) => x.toFixed(1)).join(', ')}) | ${n(processing)} | ${(processing / ceilingProcessing).toFixed(2)}× | ${n(j.redisCommands)} (${commands}) | ${n(j.peakHeapMb)} MB |`;
  });
  const generated = r.jobs.find((j) => j.name === 'generated');
  const baseline = r.jobs.find((j) => j.name === 'baseline');
  const proc = (j: { processingSeconds: number }) => r.events / j.processingSeconds;
  const verdict =
    generated && baseline
      ? `The generated job: ${(generated.recordsPerSecond / ceiling.recordsPerSecond).toFixed(2)}× the ceiling by job time and ${(proc(generated) / proc(ceiling)).toFixed(2)}× by processing time (target: at least 0.70×); ${(generated.recordsPerSecond / baseline.recordsPerSecond).toFixed(2)}× the baseline's throughput by job time and ${(proc(generated) / proc(baseline)).toFixed(2)}× by processing time, with ${n(baseline.redisCommands / Math.max(1, generated.redisCommands))}× fewer Redis commands.`
      : '';
  return [
    '# Benchmark results',
    '',
    `Produced by \`${command}\` on ${date.toISOString().slice(0, 10)}; ${r.jobs[0].allSeconds.length} runs of each job, taking turns, on the same ${n(r.events)} records (${n(r.events / r.produceSeconds)} records/s into Kafka).`,
    '',
    'Machine:',
    ...r.machine.map((m) => `- ${m}`),
    '',
    '| job | records/s (job) | vs ceiling | job time: median (each run) | records/s (processing) | vs ceiling | Redis commands | peak TaskManager heap |',
    '|---|---:|---:|---:|---:|---:|---|---:|',
    ...rows,
    '',
    verdict,
    '',
    'Jobs:',
    ...r.jobs.map((j) => `- **${j.name}**: ${j.describe}.`),
    '',
    `Job time is Flink's own duration of the bounded job, from submission to FINISHED, task start-up included; records/s (job) = records / median job time. Processing time, of the same run, is from the first task's start to the last task's end: the job without its submission and scheduling. Redis commands are the write commands counted by \`INFO commandstats\` during the job.`,
    '',
    `UV of ${n(r.uvMemory.distinct)} distinct users in Redis (\`MEMORY USAGE\`): as a set **${(r.uvMemory.setBytes / 2 ** 20).toFixed(1)} MiB**, as an hll **${(r.uvMemory.hllBytes / 2 ** 10).toFixed(1)} KiB** (${n(r.uvMemory.setBytes / r.uvMemory.hllBytes)}× smaller; PFCOUNT is an estimate within about 1%).`,
    '',
  ].join('\n');
}
