/**
 * The reference pipeline deployed to the local stack through its SQL Gateway, then replaced,
 * inspected and stopped with a savepoint: the lifecycle a user runs.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { memoryIo } from '../../src/io/io';
import { run } from '../../src/cli/run';
import { deleteTopic, kafka } from '../../src/kafka/client';
import { GatewayClient } from '../../src/deploy/gateway/client';
import { readJobSql } from '../../src/deploy/gateway/job-sql';
import { renderSql } from '../../src/sql/parts';
import { required } from '../../src/util/required';
import { matched } from '../support/checks';

const ROOT = resolve(__dirname, '..', '..');
const SPEC = join(ROOT, 'pipelines', 'uvpv.yaml');

async function uvpv(args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = memoryIo({ ...process.env, ...env }, ROOT);
  const code = await run(args, io);
  return { code, out: io.out, err: io.err };
}

async function jobsNamed(name: string) {
  const res = await fetch('http://127.0.0.1:8081/jobs/overview');
  const { jobs } = (await res.json()) as { jobs: { jid: string; name: string; state: string }[] };
  return jobs.filter((j) => j.name === name);
}

afterAll(async () => {
  // Leave no job running, whatever failed above.
  for (const j of await jobsNamed('uvpv-demo')) {
    if (j.state === 'RUNNING') await fetch(`http://127.0.0.1:8081/jobs/${j.jid}?mode=cancel`, { method: 'PATCH' });
  }
});

test('deploy leaves a RUNNING job named after the pipeline; a second deploy of the same spec changes nothing', async () => {
  for (const j of await jobsNamed('uvpv-demo')) expect(j.state).not.toBe('RUNNING');
  const dry = await uvpv(['deploy', SPEC, '--target', 'local', '--dry-run']);
  expect(dry.code).toBe(0);
  expect(dry.out).toContain('EXECUTE STATEMENT SET');
  expect((await jobsNamed('uvpv-demo')).filter((j) => j.state === 'RUNNING')).toHaveLength(0);

  await deleteTopic(kafka('127.0.0.1:9092'), 'uvpv-demo').catch(() => undefined); // it may not exist
  const missing = await uvpv(['deploy', SPEC, '--target', 'local']);
  expect(missing.code).toBe(1);
  expect(missing.err).toContain('Kafka topic uvpv-demo does not exist on 127.0.0.1:9092; create it, or deploy with --create-topic');
  const r = await uvpv(['deploy', SPEC, '--target', 'local', '--create-topic']);
  expect(r.err).toBe(r.err.replace(/error:/, '')); // no error printed
  expect(r.code).toBe(0);
  const [, jobId] = matched(/submitted uvpv-demo as Flink job ([0-9a-f]{32})/, r.out);
  expect(r.out).toContain(`job ${jobId} is RUNNING`);
  const running = (await jobsNamed('uvpv-demo')).filter((j) => j.state === 'RUNNING');
  expect(running.map((j) => j.jid)).toEqual([jobId]);

  const again = await uvpv(['deploy', SPEC, '--target', 'local']);
  expect(again.code).toBe(0);
  expect(again.out).toContain(`pipeline uvpv-demo already runs as Flink job ${jobId} (RUNNING) with this SQL and settings; nothing to do`);
  expect((await jobsNamed('uvpv-demo')).filter((j) => j.state === 'RUNNING')).toHaveLength(1);
});

test('deploy --replace stops the job with a savepoint and starts the new one from it', async () => {
  const [before] = (await jobsNamed('uvpv-demo')).filter((j) => j.state === 'RUNNING');
  // Other SQL (the same Redis by another name): a replacement; the same SQL would change nothing.
  const r = await uvpv(['deploy', SPEC, '--replace', '--settle', '3 s'], { REDIS_HOST: 'localhost' });
  expect(r.code).toBe(0);
  expect(r.out).toMatch(new RegExp(`stopped job ${before.jid} with savepoint file:.+savepoint-`));
  expect(r.out).toMatch(/submitted uvpv-demo as Flink job [0-9a-f]{32} from savepoint file:/);
  expect(r.out).toMatch(/job [0-9a-f]{32} restored its state and ran 3 s without a failure/);
  const running = (await jobsNamed('uvpv-demo')).filter((j) => j.state === 'RUNNING');
  expect(running).toHaveLength(1);
  expect(running[0].jid).not.toBe(before.jid);
});

test('the job carries its printable SQL (secrets as placeholders: see job-sql.test), for any machine to read back', async () => {
  const [job] = (await jobsNamed('uvpv-demo')).filter((j) => j.state === 'RUNNING');
  const kept = await readJobSql(new GatewayClient({ gateway: 'http://127.0.0.1:8083', flinkRest: 'http://127.0.0.1:8081' }), job.jid);
  expect(kept).toBeDefined();
  const text = required(kept, 'the kept SQL').map((st) => renderSql(st, 'mask'));
  expect(text.join(';\n')).toContain('INSERT INTO `redis_pv`');
  expect(text.some((s) => /^CREATE TABLE `input_web_record`/m.test(s))).toBe(true);
});

test('a replacement that fails after submission is rolled back: the previous SQL runs again from the savepoint', async () => {
  const [before] = (await jobsNamed('uvpv-demo')).filter((j) => j.state === 'RUNNING');
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-deploy-'));
  // The new version's sinks cannot reach Redis: its job fails as soon as its tasks start.
  writeFileSync(join(dir, 'p.yaml'), readFileSync(SPEC, 'utf8').replace('  port: 6379', '  port: 6399'));
  const r = await uvpv(['deploy', join(dir, 'p.yaml'), '--replace', '--settle', '20 s']);
  expect(r.code).toBe(1);
  const failed =
    /the new job ([0-9a-f]{32}) failed: Flink job \1 (?:failed and restarted \d+ time\(s\)|\(uvpv-demo\) failed and is RESTARTING[^;]*)/.exec(
      r.err,
    );
  expect(failed).not.toBeNull();
  const [, failedJob] = required(failed, 'the failed job');
  const back = new RegExp(
    `rolled back: the previous version of uvpv-demo runs again as job ([0-9a-f]{32}), from savepoint (file:\\S+)`,
  ).exec(r.err);
  expect(back).not.toBeNull();
  const [, previousJob, savepoint] = required(back, 'the rollback');
  expect(r.err).toMatch(/^root cause: .*Failed to connect to 127\.0\.0\.1:6399/m);
  expect(r.err).not.toMatch(/^\s+at /m);
  // The old job was stopped with that savepoint (the progress on stderr says so as it happens).
  expect(r.err).toContain(`stopping job ${before.jid} with a savepoint: ${savepoint}`);
  // What runs is the previous version (Redis on 6379), and the failed one is gone.
  const jobs = await jobsNamed('uvpv-demo');
  expect(jobs.filter((j) => j.state === 'RUNNING').map((j) => j.jid)).toEqual([previousJob]);
  expect(jobs.find((j) => j.jid === failedJob)?.state).toBe('CANCELED');
  const kept = await readJobSql(new GatewayClient({ gateway: 'http://127.0.0.1:8083', flinkRest: 'http://127.0.0.1:8081' }), previousJob);
  const keptText = required(kept, 'the kept SQL of the previous version')
    .map((st) => renderSql(st, 'mask'))
    .join('\n');
  expect(keptText).toContain("'port' = '6379'");
  expect(keptText).not.toContain("'port' = '6399'");
});

test('status reports the running job', async () => {
  const r = await uvpv(['status', SPEC]);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^uvpv-demo: RUNNING \(job [0-9a-f]{32} on target local\)/);
});

test('stop --savepoint DIR writes a savepoint there and ends the job', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-savepoints-'));
  const r = await uvpv(['stop', SPEC, '--savepoint', dir]);
  expect(r.code).toBe(0);
  const savepoints = readdirSync(dir).filter((d) => d.startsWith('savepoint-'));
  expect(savepoints).toHaveLength(1);
  expect(existsSync(join(dir, savepoints[0], '_metadata'))).toBe(true);
  expect(r.out).toContain(`with savepoint file:${join(dir, savepoints[0])}`);
  expect((await jobsNamed('uvpv-demo')).filter((j) => j.state === 'RUNNING')).toHaveLength(0);
  const status = await uvpv(['status', SPEC]);
  expect(status.code).toBe(1);
  expect(status.out).toMatch(/^uvpv-demo: FINISHED/);
});

test("a job that fails in its first seconds is reported with Flink's root cause", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-deploy-'));
  const spec = readFileSync(SPEC, 'utf8').replace('  port: 6379', '  port: 6399').replace('name: uvpv-demo ', 'name: uvpv-no-redis ');
  writeFileSync(join(dir, 'p.yaml'), spec);
  const r = await uvpv(['deploy', join(dir, 'p.yaml'), '--create-topic']);
  expect(r.code).toBe(1);
  // The generated job restarts from its last checkpoint (exponential delay): deploy says so, and why.
  expect(r.err).toMatch(
    /^error: Flink job [0-9a-f]{32} \(uvpv-no-redis\) failed and is RESTARTING; it stays on the cluster until you stop it \('uvpv stop'\)$/m,
  );
  expect(r.err).toMatch(/^root cause: .*Failed to connect to 127\.0\.0\.1:6399/m);
  expect(r.err).not.toMatch(/^\s+at /m);
  const stopped = await uvpv(['stop', join(dir, 'p.yaml')]);
  expect(stopped.err).not.toMatch(/error/);
  expect(stopped.out).toMatch(/^cancelled job [0-9a-f]{32} \(uvpv-no-redis\)/m);
  expect(stopped.code).toBe(0);
});
