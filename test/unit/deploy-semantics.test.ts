/**
 * The shared deploy scenarios (test/support/deploy-scenarios.ts) against the Oceanus fake, which
 * lags on every transition: the same exit codes and words as the gateway target on the local
 * stack, and what Oceanus was asked to do at each step.
 */
import { envFor, SPEC, startFake, uvpv } from '../fake-oceanus/harness';
import type { FakeJob, FakeOceanus } from '../fake-oceanus/server';
import { CHANGED_ENV, SCENARIOS, type Scenario } from '../support/deploy-scenarios';

let fake: FakeOceanus;
beforeAll(async () => {
  fake = await startFake({ lagPolls: 3 });
});
afterAll(() => fake.close());

/** What Oceanus did at each step, besides the shared outcome. */
const effects: Record<string, (job: FakeJob, before: Pick<FakeJob, 'configs' | 'stops' | 'runs'>) => void> = {
  'first deploy': (job) => {
    expect(job.configs).toHaveLength(1);
    expect(job.runs).toEqual([{ RunType: 1, JobConfigVersion: 1 }]);
  },
  'unchanged redeploy': (job, before) => {
    expect(job.configs).toHaveLength(before.configs.length);
    expect(job.stops).toEqual(before.stops);
    expect(job.runs).toEqual(before.runs);
  },
  'changed, without --replace': (job, before) => {
    expect(job.configs).toHaveLength(before.configs.length);
    expect(job.stops).toEqual(before.stops);
  },
  'changed, with --replace': (job) => {
    // Paused with a savepoint, then the new version started from it.
    const savepoint = job.savepoints.at(-1);
    expect(job.stops).toEqual([2]);
    expect(job.runs.at(-1)).toEqual({ RunType: 1, JobConfigVersion: 2, SavepointPath: savepoint?.Path, SavepointId: savepoint?.SerialId });
  },
  'the changed spec again': (job, before) => {
    expect(job.configs).toHaveLength(before.configs.length);
    expect(job.runs).toEqual(before.runs);
  },
  stop: (job) => {
    expect(job.stops).toEqual([2, 1]);
    expect(job.Status).toBe(5);
  },
};

describe.each(SCENARIOS.map((s, i) => [i + 1, s.name, s] as const))('%i. %s', (_i, _name, scenario: Scenario) => {
  test(`exit ${scenario.code}, the same words as on the gateway target`, async () => {
    const job = fake.state.jobs[0] as FakeJob | undefined;
    const before = { configs: [...(job?.configs ?? [])], stops: [...(job?.stops ?? [])], runs: [...(job?.runs ?? [])] };
    const env = envFor(fake, scenario.changed ? CHANGED_ENV : {});
    const r = await uvpv([scenario.command, SPEC, '--target', 'oceanus', ...scenario.flags], env);
    for (const p of scenario.out) expect(r.out).toMatch(p);
    for (const p of scenario.err) expect(r.err).toMatch(p);
    expect(r.code).toBe(scenario.code);
    effects[scenario.name]?.(fake.state.jobs[0], before);
  });
});
