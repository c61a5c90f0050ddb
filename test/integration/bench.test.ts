/** A smoke run of the bench, so it cannot rot: 20,000 records, one run of each job. */
import { resolve } from 'node:path';
import { memoryIo } from '../../src/cli/io';
import { resultsMarkdown } from '../../src/bench/report';
import { runBench } from '../../src/bench/run-bench';

test('the bench runs the ceiling, the generated job and the baseline on the same records', async () => {
  const io = memoryIo({ ...process.env }, resolve(__dirname, '../..'));
  const r = await runBench({ spec: 'pipelines/uvpv.yaml', events: 20_000, seed: 3, runs: 1 }, io);
  expect(r.jobs.map((j) => j.name)).toEqual(['ceiling', 'generated', 'baseline']);
  for (const j of r.jobs) {
    expect(j.seconds).toBeGreaterThan(0);
    expect(j.processingSeconds).toBeGreaterThan(0);
    expect(j.processingSeconds).toBeLessThanOrEqual(j.seconds);
  }
  const [ceiling, generated, baseline] = r.jobs;
  expect(ceiling.redisCommands).toBe(0);
  // Each distinct browsing user is added once by the generated job; the baseline adds per row.
  expect(generated.redisByCommand.sadd).toBeGreaterThan(0);
  expect(baseline.redisByCommand.sadd).toBeGreaterThan(generated.redisByCommand.sadd);
  expect(generated.redisByCommand.lpush).toBe(baseline.redisByCommand.lpush); // one PV entry per window, both
  expect(r.uvMemory.setBytes).toBeGreaterThan(r.uvMemory.hllBytes);
  const md = resultsMarkdown(r, 'test', new Date());
  expect(md).toMatch(/^\| generated \| [\d,]+ \| [\d.]+× \|/m);
  expect(md).toContain('UV of 20,000 distinct users');
});
