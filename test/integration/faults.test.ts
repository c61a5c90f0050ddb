/**
 * Nothing lost, nothing doubled: `uvpv verify --fault` on the real local stack, for the reference
 * pipeline, a spec with every Redis type (templated and fixed keys) and one with breakdowns and a
 * top-N, at parallelism 1 and
 * 2, for each fault. Each run must PASS against the reference model, list order included, and its
 * report must show the fault really happened: Flink restarted the job, or (a broker restart the
 * job rides through) the broker runs as a new process. Plus parallelism 4 on 4 partitions.
 *
 * Size knob: UVPV_FAULT_EVENTS (default 400) events, 20 s of event time apart.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../src/cli/run';
import { memoryIo } from '../../src/io/io';
import { FAULT_CONNECTIONS, FAULT_KINDS } from '../../src/verify/faults';
import { required } from '../../src/util/required';

const ROOT = resolve(__dirname, '..', '..');
const EVENTS = Number(process.env.UVPV_FAULT_EVENTS ?? 400);
const dir = mkdtempSync(join(tmpdir(), 'uvpv-faults-'));

async function uvpv(args: string[]) {
  const io = memoryIo({ ...process.env }, dir);
  const code = await run(args, io);
  return { code, out: io.out, err: io.err };
}

/** The spec at this parallelism, and events for it from `uvpv produce` (seeded: the same every run). */
async function prepare(name: string, file: string, parallelism: number): Promise<{ spec: string; events: string }> {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const spec = join(dir, `${name}-p${parallelism}.yaml`);
  writeFileSync(spec, text.includes('\njob:') ? text : text.replace(/\nredis:/, `\njob:\n  parallelism: ${parallelism}\n\nredis:`));
  if (parallelism > 1) expect(readFileSync(spec, 'utf8')).toContain(`parallelism: ${parallelism}`);
  const events = join(dir, `${name}.jsonl`);
  const r = await uvpv(['produce', spec, '--events', String(EVENTS), '--seed', '7', '--step', '20 s', '--out', events]);
  expect(r.code).toBe(0);
  return { spec, events };
}

const SPECS = [
  ['reference', 'pipelines/uvpv.yaml'],
  ['every-redis-type', 'test/cases/valid/every-redis-type/pipeline.yaml'],
  // Breakdowns and a top-N: a list with one entry per window and channel, pushed once each after a restore.
  ['breakdowns', 'test/cases/verify/breakdowns/pipeline.yaml'],
] as const;

describe.each(SPECS.flatMap(([name, file]) => [1, 2].map((p) => [`${name} at parallelism ${p}`, name, file, p] as const)))(
  '%s',
  (_title, name, file, parallelism) => {
    // The faults on a spec's own cluster or sentinels are in connections.test.ts.
    test.each(FAULT_KINDS.filter((k) => FAULT_CONNECTIONS[k] !== 'spec').map((k) => [k]))(
      '%s mid-stream: Redis holds exactly what the model says, and the fault happened',
      async (kind) => {
        const { spec, events } = await prepare(name, file, parallelism);
        const r = await uvpv(['verify', spec, '--events', events, '--fault', kind, '--at', '40%']);
        expect(r.err).not.toMatch(/error:/);
        expect(r.out).toMatch(/^verify: PASS: (\d+) of \1 keys match/m);
        expect(r.code).toBe(0);
        // The fault hits after --at of the events and one more batch, which the job is still writing.
        const line = required(
          r.out.split('\n').find((l) => l.startsWith(`fault: ${kind} after `)),
          `the line fault: ${kind}`,
        );
        expect(line).toBeDefined();
        const after = Number(new RegExp(`^fault: ${kind} after (\\d+) of ${EVENTS} messages`).exec(line)?.[1]);
        expect(after).toBeGreaterThan(EVENTS * 0.4);
        expect(after).toBeLessThan(EVENTS);
        const restarts = Number(/Flink restarted the job (\d+) times?/.exec(line)?.[1]);
        if (kind === 'kafka-restart') {
          // The job may ride through a broker restart; the broker must have been a new process.
          const [, before, after] = /killed the Kafka broker \(pid (\d+), SIGKILL\) and started it again \(pid (\d+)\)/.exec(line) ?? [];
          expect(Number(after)).toBeGreaterThan(0);
          expect(after).not.toBe(before);
        } else {
          expect(restarts).toBeGreaterThanOrEqual(1);
          expect(line).toMatch(/the job was RUNNING again \d+\.\d s after the fault/);
        }
      },
    );
  },
);

test('parallelism 4 on a topic of 4 partitions: the same Redis contents as the model, list order included', async () => {
  const { spec, events } = await prepare('every-redis-type', 'test/cases/valid/every-redis-type/pipeline.yaml', 4);
  const r = await uvpv(['verify', spec, '--events', events]);
  expect(r.err).toContain('(4 partitions)');
  expect(r.out).toMatch(/^verify: PASS: (\d+) of \1 keys match/m);
  expect(r.code).toBe(0);
});
