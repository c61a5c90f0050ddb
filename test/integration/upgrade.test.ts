/**
 * Safe upgrades on the real local stack: `uvpv plan` and `deploy --replace` read the running job's
 * SQL back from Flink, tell from Flink's execution plans which state carries over, refuse a change
 * whose state cannot follow, and carry a compatible change over with no window lost or doubled.
 * First, the operator ids uvpv derives from an execution plan must be the ones Flink gives the job.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../src/cli/run';
import { compileSpec } from '../../src/compile';
import { GatewayClient } from '../../src/deploy/gateway/client';
import { executionPlan } from '../../src/deploy/gateway/explain';
import { memoryIo } from '../../src/io/io';
import { createTopic, deleteTopic, kafka, sendValues } from '../../src/kafka/client';
import { referenceModel } from '../../src/model/reference';
import { jobStatements } from '../../src/sql/compiler';
import { loadSpec } from '../../src/pipeline/load';
import { chainHeads, operatorIds } from '../../src/deploy/upgrade/operator-ids';
import { claimDatabase, type Namespace } from '../../src/verify/namespace';
import type { ListEntry } from '../../src/model/expectation';

const ROOT = resolve(__dirname, '..', '..');
const REST = 'http://127.0.0.1:8081';
const client = new GatewayClient({ gateway: 'http://127.0.0.1:8083', flinkRest: REST });
const dir = mkdtempSync(join(tmpdir(), 'uvpv-upgrade-'));
const k = kafka('127.0.0.1:9092');

async function uvpv(args: string[]) {
  const io = memoryIo({ ...process.env }, dir);
  const code = await run(args, io);
  return { code, out: io.out, err: io.err };
}

async function running(name: string): Promise<string[]> {
  const { jobs } = (await (await fetch(`${REST}/jobs/overview`)).json()) as { jobs: { jid: string; name: string; state: string }[] };
  return jobs.filter((j) => j.name === name && j.state === 'RUNNING').map((j) => j.jid);
}

async function cancelAll(name: string) {
  for (const jid of await running(name)) await fetch(`${REST}/jobs/${jid}?mode=cancel`, { method: 'PATCH' });
}

/** A copy of a spec under its own name, topic and Redis database, with `edit` applied to its text. */
function specFile(file: string, name: string, ns: Namespace, edit: (text: string) => string = (t) => t): string {
  let text = readFileSync(join(ROOT, file), 'utf8')
    .replace(/^name: \S+/m, `name: ${name}`)
    .replace(/^(\s+topic: )\S+/m, `$1${name}`)
    .replace(/^(\s+database: )\d+/m, `$1${ns.database}`);
  text = edit(text);
  const out = join(dir, `${name}-${Math.random().toString(36).slice(2, 8)}.yaml`);
  writeFileSync(out, text);
  return out;
}

const namespaces: Namespace[] = [];
async function namespace(label: string): Promise<Namespace> {
  const ns = await claimDatabase('127.0.0.1', 6379, label);
  namespaces.push(ns);
  return ns;
}

afterAll(async () => {
  for (const name of ['uvpv-up-ids', 'uvpv-up-ids-p2', 'uvpv-up-ok', 'uvpv-up-back', 'uvpv-up-refused']) {
    await cancelAll(name);
    await deleteTopic(k, name).catch(() => undefined);
  }
  for (const ns of namespaces) await ns.release(false);
});

describe.each([
  ['pipelines/uvpv.yaml', 1],
  ['test/cases/valid/every-redis-type/pipeline.yaml', 2],
  // Breakdowns and top-N: window aggregations by a column and Window Top-N operators.
  ['test/cases/verify/breakdowns/pipeline.yaml', 2],
] as const)('%s at parallelism %d', (file, parallelism) => {
  test("the operator ids derived from Flink's execution plan are the vertex ids of the job Flink runs", async () => {
    const name = parallelism === 1 ? 'uvpv-up-ids' : 'uvpv-up-ids-p2';
    const ns = await namespace(name);
    const spec = specFile(file, name, ns, (t) =>
      t.includes('\njob:')
        ? t.replace(/parallelism: \d+/, `parallelism: ${parallelism}`)
        : t.replace(/\nredis:/, `\njob:\n  parallelism: ${parallelism}\n\nredis:`),
    );
    const loaded = loadSpec(spec, { env: { ...process.env }, cwd: dir });
    expect(loaded.spec.job.parallelism).toBe(parallelism);
    const statements = jobStatements(compileSpec(loaded, 'flink', {}, { redisConnector: 'uvpv' }), 'reveal');
    const plan = await executionPlan(client, statements, 'the test job');
    const derived = operatorIds(plan);
    const heads = new Set(chainHeads(plan).map((n) => derived.get(n.id)));

    const r = await uvpv(['deploy', spec, '--create-topic']);
    expect(r.code).toBe(0);
    const [jid] = await running(name);
    const job = (await (await fetch(`${REST}/jobs/${jid}`)).json()) as { vertices: { id: string; name: string }[] };
    expect(new Set(job.vertices.map((v) => v.id))).toEqual(heads);
    // The source's chain (with the UV sink: uvpv's connector needs no deduplication task) and the window counts; more above p1.
    expect(job.vertices.length).toBeGreaterThan(parallelism === 1 ? 1 : 2);
    await cancelAll(name);
  });
});

/** The list's entries as the model writes them, oldest window first. */
async function listEntries(ns: Namespace, key: string): Promise<ListEntry[]> {
  return (await ns.redis.lrange(key, 0, -1)).reverse().map((e) => JSON.parse(e) as ListEntry);
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

// Checkpoints every 5 s: the connector writes at each checkpoint (or every 500 commands).
const often = (t: string) => t.replace(/\nredis:/, `\njob:\n  checkpointInterval: 5 s\n\nredis:`);

/**
 * Half the events, a job of `v1`, `upgrade` (which replaces it, or tries to), the other half:
 * then Redis must hold what the model says of all the events (from `model`'s spec), for every
 * window the watermark has closed: no window lost or doubled across the upgrade.
 */
async function acrossAnUpgrade(
  name: string,
  ns: Namespace,
  v1: string,
  model: string,
  upgrade: (before: string) => Promise<void>,
): Promise<void> {
  const events = join(dir, `${name}.jsonl`);
  expect((await uvpv(['produce', v1, '--events', '300', '--seed', '5', '--step', '20 s', '--out', events])).code).toBe(0);
  const messages = readFileSync(events, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => Buffer.from(l));
  await deleteTopic(k, name).catch(() => undefined);
  await createTopic(k, name, 1);
  await sendValues(k, name, messages.slice(0, 150));
  expect((await uvpv(['deploy', v1])).code).toBe(0);
  const [before] = await running(name);
  await until(
    'windows from the first job',
    () => listEntries(ns, 'pagevisits'),
    (l) => l.length >= 5,
  );
  await upgrade(before);
  await sendValues(k, name, messages.slice(150));

  const { spec } = loadSpec(model, { env: { ...process.env }, cwd: dir });
  const expected = referenceModel(spec, messages).expectation.redis;
  const times = messages.map((m) =>
    Date.parse(`${(JSON.parse(m.toString()) as Record<string, string>)[spec.source.eventTime].replace(' ', 'T')}Z`),
  );
  const closed = Math.max(...times) - spec.source.watermarkDelay.millis;
  const windows = (expected.get('pagevisits') as { list: ListEntry[] }).list
    .filter((e) => Date.parse(`${e.window_end}Z`) <= closed)
    .sort((a, b) => a.window_end.localeCompare(b.window_end));
  expect(windows.length).toBeGreaterThan(10);
  expect(
    await until(
      'every closed window',
      () => listEntries(ns, 'pagevisits'),
      (l) => l.length >= windows.length,
    ),
  ).toEqual(windows);
  const members = [...(expected.get('userids') as { set: string[] }).set].sort();
  expect(
    await until(
      'every member',
      async () => (await ns.redis.smembers('userids')).sort(),
      (m) => m.length >= members.length,
    ),
  ).toEqual(members);
}

test('a compatible change (ratio precision): plan says every state carries over; --replace carries it, no window lost or doubled', async () => {
  const name = 'uvpv-up-ok';
  const ns = await namespace(name);
  const v1 = specFile('pipelines/uvpv.yaml', name, ns, often);
  const v2 = specFile('pipelines/uvpv.yaml', name, ns, (t) =>
    often(t).replace('redis: { type: string, key: conversion_rate }', 'precision: 5\n    redis: { type: string, key: conversion_rate }'),
  );
  await acrossAnUpgrade(name, ns, v1, v2, async (before) => {
    const plan = await uvpv(['plan', v2]);
    expect(plan.err).not.toMatch(/error:/);
    expect(plan.code).toBe(3);
    expect(plan.out).toContain(`job ${before} (RUNNING) on target local`);
    expect(plan.out).toMatch(/^ {2}~ INSERT INTO redis_conversion_rate$/m);
    expect(plan.out).toMatch(/^ {2}conversion_rate\s+changed$/m);
    expect(plan.out).toMatch(/^ {2}uv\s+unchanged$/m);
    expect(plan.out).toMatch(/^ {2}pv\s+unchanged$/m);
    const [state, verdict] = plan.out.split("state (from Flink's execution plans of both jobs):\n")[1].split('\n\n');
    const verdicts = state.split('\n').filter((l) => l.startsWith('      '));
    expect(verdicts.length).toBeGreaterThanOrEqual(2); // the source (its chain holds the UV sink), the window counts
    for (const line of verdicts) expect(line).toMatch(/^ {6}state carries over: /);
    expect(verdict).toMatch(
      /^deploy --replace would stop job [0-9a-f]{32} with a savepoint and start the new SQL from it, every state carried over$/m,
    );

    const r = await uvpv(['deploy', v2, '--replace', '--settle', '3 s']);
    expect(r.err).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    expect(await running(name)).not.toEqual([before]);
  });
  // The new job wrote the ratio with its new precision.
  expect(await ns.redis.get('conversion_rate')).toMatch(/^\d+\.\d{5}$/);
});

test('a replacement that fails after submission rolls back, and the previous job writes on from the savepoint as the model says', async () => {
  const name = 'uvpv-up-back';
  const ns = await namespace(name);
  const v1 = specFile('pipelines/uvpv.yaml', name, ns, often);
  // The new version's sinks cannot reach Redis: it fails as soon as its tasks start.
  const broken = specFile('pipelines/uvpv.yaml', name, ns, (t) => often(t).replace('  port: 6379', '  port: 6399'));
  await acrossAnUpgrade(name, ns, v1, v1, async (before) => {
    const r = await uvpv(['deploy', broken, '--replace', '--settle', '20 s']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/rolled back: the previous version of uvpv-up-back runs again as job [0-9a-f]{32}, from savepoint file:/);
    const now = await running(name);
    expect(now).toHaveLength(1);
    expect(now).not.toEqual([before]);
  });
});

test('an incompatible change (the window size) is refused by plan and by deploy, and the running job is untouched', async () => {
  const name = 'uvpv-up-refused';
  const ns = await namespace(name);
  const v1 = specFile('pipelines/uvpv.yaml', name, ns);
  const v2 = specFile('pipelines/uvpv.yaml', name, ns, (t) => t.replace('size: 10 minutes', 'size: 15 minutes'));
  await deleteTopic(k, name).catch(() => undefined);
  expect((await uvpv(['deploy', v1, '--create-topic'])).code).toBe(0);
  const [before] = await running(name);

  const plan = await uvpv(['plan', v2]);
  expect(plan.code).toBe(3);
  expect(plan.out).toMatch(/^ {2}GlobalWindowAggregate → .*\n {6}(cannot restore|state is dropped): /m);
  expect(plan.out).toMatch(/^ {2}Source: input_web_record → .*redis_uv.*\n {6}state carries over: /m);

  const r = await uvpv(['deploy', v2, '--replace', '--settle', '3 s']);
  expect(r.code).toBe(1);
  expect(r.err).toMatch(
    /^error: the (running job's state cannot be restored into the new job|new job would leave the state of)[: ].*GlobalWindowAggregate/m,
  );
  expect(r.err).toContain(`job ${before} runs on, untouched`);
  expect(r.err).not.toContain('stopping job');
  expect(await running(name)).toEqual([before]);

  // A new UV metric changes the graph's shape: the running state is left behind, which only the flag allows.
  const v3 = specFile('pipelines/uvpv.yaml', name, ns, (t) =>
    t.replace(
      '\ntargets:',
      '  - name: buyers\n    type: uv\n    event: purchase\n    column: user_id\n    redis: { type: set, key: buyers }\n\ntargets:',
    ),
  );
  const plan3 = await uvpv(['plan', v3]);
  expect(plan3.out).toMatch(/^ {2}buyers\s+added$/m);
  expect(plan3.out).toMatch(/^ {6}state is dropped: /m);
  expect(plan3.out).toMatch(
    /^deploy --replace would refuse, as state would be left behind; with --allow-non-restored-state it would stop job/m,
  );
  const refused = await uvpv(['deploy', v3, '--replace', '--settle', '3 s']);
  expect(refused.code).toBe(1);
  expect(refused.err).toMatch(/deploy with --allow-non-restored-state to accept dropping it/);
  expect(await running(name)).toEqual([before]);
  const allowed = await uvpv(['deploy', v3, '--replace', '--settle', '3 s', '--allow-non-restored-state']);
  expect(allowed.err).not.toMatch(/error:/);
  expect(allowed.code).toBe(0);
  expect(allowed.out).toMatch(/^dropped the state of .+ \(--allow-non-restored-state\)$/m);
  expect(await running(name)).not.toEqual([before]);
});
