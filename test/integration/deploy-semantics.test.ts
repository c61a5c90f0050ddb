/**
 * The shared deploy scenarios (test/support/deploy-scenarios.ts) against the gateway target on
 * the local stack: the same exit codes and words as on Oceanus (test/unit/deploy-semantics.test.ts),
 * and what Flink did at each step.
 */
import { resolve } from 'node:path';
import { memoryIo } from '../../src/io/io';
import { run } from '../../src/cli/run';
import { CHANGED_ENV, SCENARIOS, type Scenario } from '../support/deploy-scenarios';

const ROOT = resolve(__dirname, '..', '..');
const SPEC = resolve(ROOT, 'pipelines', 'uvpv.yaml');
const FLINK = 'http://127.0.0.1:8081';

async function uvpv(args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = memoryIo({ ...process.env, ...env }, ROOT);
  const code = await run(args, io);
  return { code, out: io.out, err: io.err };
}

async function running(): Promise<string[]> {
  const res = await fetch(`${FLINK}/jobs/overview`);
  const { jobs } = (await res.json()) as { jobs: { jid: string; name: string; state: string }[] };
  return jobs.filter((j) => j.name === 'uvpv-demo' && j.state === 'RUNNING').map((j) => j.jid);
}

async function cancelAll(): Promise<void> {
  for (const jid of await running()) await fetch(`${FLINK}/jobs/${jid}?mode=cancel`, { method: 'PATCH' });
}

beforeAll(cancelAll);
afterAll(cancelAll);

/** The gateway's own flags: the topic may not exist yet; a replacement watched for 3 s, not 30. */
const flagsFor = (s: Scenario): string[] =>
  s.name === 'first deploy' ? ['--create-topic'] : s.flags.includes('--replace') ? ['--settle', '3 s'] : [];

/** What Flink did at each step, besides the shared outcome: which job runs. */
const effects: Record<string, (before: string[], after: string[]) => void> = {
  'first deploy': (_before, after) => expect(after).toHaveLength(1),
  'unchanged redeploy': (before, after) => expect(after).toEqual(before),
  'changed, without --replace': (before, after) => expect(after).toEqual(before),
  'changed, with --replace': (before, after) => {
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
  },
  'the changed spec again': (before, after) => expect(after).toEqual(before),
  stop: (_before, after) => expect(after).toEqual([]),
};

describe.each(SCENARIOS.map((s, i) => [i + 1, s.name, s] as const))('%i. %s', (_i, _name, scenario: Scenario) => {
  test(`exit ${scenario.code}, the same words as on Oceanus`, async () => {
    const before = await running();
    const r = await uvpv(
      [scenario.command, SPEC, '--target', 'local', ...scenario.flags, ...flagsFor(scenario)],
      scenario.changed ? CHANGED_ENV : {},
    );
    for (const p of scenario.out) expect(r.out).toMatch(p);
    for (const p of scenario.err) expect(r.err).toMatch(p);
    expect(r.code).toBe(scenario.code);
    effects[scenario.name]?.(before, await running());
  }, 120_000);
});
