/**
 * `verify` reports a job's restarts from Flink's own history, every run, and never leaves its job
 * behind. The same fault (Redis away for a few seconds, through verify's proxy: the shared stack's
 * Redis and TaskManager are not touched) runs twice: each run reports exactly the restarts Flink
 * recorded for its job, with their causes, and passes by its results; under --fail-on-restart the
 * same restarts fail it. A run stopped with Ctrl-C cancels its job and removes its topic.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../src/cli/run';
import { memoryIo } from '../../src/io/io';
import { kafka, topicExists } from '../../src/kafka/client';
import { stackLayout, stackUrls } from '../../src/stack/layout';
import { requestJson } from '../../src/util/http';
import { freshBuild } from '../support/fresh-build';

const ROOT = resolve(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'uvpv-restarts-'));
const urls = stackUrls(stackLayout(process.env));
const rest = <T>(path: string) => requestJson<T>('Flink REST', `${urls.flinkRest}${path}`, {});

async function uvpv(args: string[]) {
  const io = memoryIo({ ...process.env }, dir);
  const code = await run(args, io);
  return { code, out: io.out, err: io.err };
}

/** The JUnit file's properties, in order. */
function properties(file: string): [string, string][] {
  const xml = readFileSync(join(dir, file), 'utf8');
  return [...xml.matchAll(/<property name="([^"]+)" value="([^"]*)"\/>/g)].map((m) => [m[1], m[2]]);
}

/** What Flink itself says of a job: its state, numRestarts and the exception history's causes. */
async function flinkSays(jobId: string) {
  const job = await rest<{ state: string }>(`/jobs/${jobId}`);
  const metric = await rest<{ id: string; value: string }[]>(`/jobs/${jobId}/metrics?get=numRestarts`);
  const history = await rest<{ exceptionHistory: { entries: { timestamp: number }[] } }>(`/jobs/${jobId}/exceptions?maxExceptions=100`);
  return {
    state: job.state,
    numRestarts: Number(metric.find((m) => m.id === 'numRestarts')?.value),
    times: history.exceptionHistory.entries.map((e) => new Date(e.timestamp).toISOString()).sort(),
  };
}

const EVENTS = join(dir, 'events.jsonl');
beforeAll(async () => {
  const r = await uvpv(['produce', join(ROOT, 'pipelines/uvpv.yaml'), '--events', '200', '--seed', '7', '--step', '20 s', '--out', EVENTS]);
  expect(r.code).toBe(0);
});

test('the same fault twice: each run reports exactly the restarts Flink recorded, and its job has ended', async () => {
  const reported: string[][] = [];
  for (const [i, extra] of [[], ['--fail-on-restart']].entries()) {
    const junit = `run${i}.xml`;
    const r = await uvpv([
      'verify',
      join(ROOT, 'pipelines/uvpv.yaml'),
      '--events',
      EVENTS,
      '--fault',
      'redis-outage',
      '--junit',
      junit,
      ...extra,
    ]);
    const props = properties(junit);
    const jobId = props.find(([k]) => k === 'job')?.[1] ?? '';
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    const flink = await flinkSays(jobId);
    // Ended, not left running.
    expect(flink.state).toBe('FINISHED');
    // Each failure a finished job recovered from is an entry of its history. Flink's numRestarts (when
    // its metric fetcher still holds the finished job's) may be lower: failures during one restart's backoff share it.
    const count = flink.times.length;
    expect(count).toBeGreaterThanOrEqual(1);
    if (!Number.isNaN(flink.numRestarts)) expect(flink.numRestarts).toBeLessThanOrEqual(count);
    // The report, the JUnit properties and the fault line all say what Flink recorded.
    expect(props.find(([k]) => k === 'restarts')?.[1]).toBe(String(count));
    const listed = props.filter(([k]) => k.startsWith('restart.'));
    expect(listed.map(([, v]) => v.slice(0, 24))).toEqual(flink.times);
    for (const [, v] of listed) expect(v).toMatch(/JedisConnectionException/);
    const lines = r.out.split('\n').filter((l) => /^ {2}restart \d+ at /.test(l));
    expect(lines).toHaveLength(count);
    expect(r.out).toContain(`Flink restarted the job ${count} time${count === 1 ? '' : 's'}`);
    reported.push(lines);
    if (i === 0) {
      expect(r.out).toMatch(/^restarts: Flink restarted the job \d+ times? from its last checkpoint; the results decide/m);
      expect(r.out).toMatch(/^verify: PASS: (\d+) of \1 keys match/m);
      expect(r.code).toBe(0);
    } else {
      expect(r.out).toMatch(/^restarts: Flink restarted the job \d+ times?; --fail-on-restart makes that a failure/m);
      expect(r.out).toMatch(/^verify: FAIL: (\d+) of \1 keys match, but the job restarted \d+ times? \(--fail-on-restart\)/m);
      expect(readFileSync(join(dir, junit), 'utf8')).toMatch(
        /<testcase classname="[^"]*" name="restarts">\n\s+<failure message="the job restarted/,
      );
      expect(r.code).toBe(1);
    }
  }
  // Both runs name the same cause for every restart they report.
  const causes = reported.map((lines) => new Set(lines.map((l) => /: ([\w.]+Exception)/.exec(l)?.[1])));
  expect(causes[0]).toEqual(new Set(['redis.clients.jedis.exceptions.JedisConnectionException']));
  expect(causes[1]).toEqual(causes[0]);
});

test('Ctrl-C while the job runs: exit 130, the job is cancelled and the topic removed', async () => {
  const build = freshBuild();
  try {
    const child = spawn(
      process.execPath,
      [join(build.dir, 'bin', 'uvpv.js'), 'verify', join(ROOT, 'pipelines/uvpv.yaml'), '--events', EVENTS, '--fault', 'redis-outage'],
      { cwd: dir, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    const jobId = await new Promise<string>((resolveJob, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /submitting \d+ statements: job ([0-9a-f]{32})/.exec(err);
        if (m) resolveJob(m[1]);
      });
      child.on('exit', () => reject(new Error(`verify ended before its job was submitted:\n${err}`)));
    });
    // The run's topic is named after the same run id as its job (see run-verify.ts); it exists while the run does.
    const { name } = await rest<{ name: string }>(`/jobs/${jobId}`);
    const topic = `uvpv-verify-uvpv-demo-${/^uvpv-demo-verify-([0-9a-f]{8})$/.exec(name)?.[1]}`;
    expect(await topicExists(kafka(urls.kafka), topic)).toBe(true);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    expect(err).toContain('Ctrl-C: cancelling the job and cleaning up');
    expect(err).toContain('error: verify was interrupted (Ctrl-C)');
    expect(code).toBe(130);
    expect((await flinkSays(jobId)).state).toBe('CANCELED');
    const running = (await rest<{ jobs: { jid: string; state: string }[] }>('/jobs/overview')).jobs.find((j) => j.jid === jobId);
    expect(running?.state).toBe('CANCELED');
    expect(await topicExists(kafka(urls.kafka), topic)).toBe(false);
  } finally {
    build.remove();
  }
});
