/**
 * `uvpv demo`: the whole thing in one command. Stack up, a Redis database and a topic of the
 * demo's own, the pipeline deployed, the dashboard, and continuous synthetic traffic; on Ctrl-C
 * (the `stop` signal) each step is undone, newest first, and printed.
 *
 * The reference pipeline's 10-minute windows and 10-minute watermark delay would show nothing for
 * a quarter of an hour with live traffic (event times follow the clock), so the demo runs a copy
 * of the spec with the same metrics over 10-second windows sliding by 5 seconds (a cumulate
 * window steps by 5 s; a tumble window is 10 s), a 2-second watermark delay, and 10-second
 * checkpoints. The copy is written to a temporary file, and the demo says so.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { Io } from '../io/io';
import { progress } from '../io/progress';
import { compileSpec } from '../compile';
import { startDashboard, type Dashboard } from '../dashboard/server';
import { ACTIVE, createGatewayDeployer } from '../deploy/gateway/deployer';
import { UsageError } from '../errors';
import { createTopic, deleteTopic, kafka, topicExists } from '../kafka/client';
import { partitionsText } from '../kafka/topics';
import { produce } from '../produce/sink';
import { loadSpec } from '../pipeline/load';
import { stackLayout } from '../stack/layout';
import { LocalStack } from '../stack/stack';
import { claimDatabase } from '../verify/namespace';
import { WINDOW_DURATIONS } from '../windows';

/** The reference pipeline, shipped with the package: found from here in src/ and in dist/. */
const REFERENCE_SPEC = join(__dirname, '..', '..', 'pipelines', 'uvpv.yaml');

const DEMO_NAME = 'uvpv-demo-live';

export interface DemoOptions {
  /** The pipeline to demo (default: the reference pipeline). */
  spec?: string;
  /** Dashboard port on 127.0.0.1; when taken, a free one is used instead (0 always picks one). */
  port: number;
  /** Synthetic records per second. */
  rate: number;
  /** Leave the local stack running at the end. */
  keepStack: boolean;
}

/** The demo's copy of a spec: live-sized windows, the stack's Kafka and Redis, no targets of its own. */
export function demoSpecText(text: string, at: { kafka: string; redisHost: string; redisPort: number; database: number }): string {
  const doc = parseDocument(text);
  doc.setIn(['name'], DEMO_NAME);
  doc.setIn(['source', 'topic'], DEMO_NAME);
  doc.setIn(['source', 'bootstrapServers'], at.kafka);
  doc.setIn(['source', 'startupMode'], 'latest-offset');
  doc.setIn(['source', 'watermarkDelay'], '2 s');
  // Each window type's live durations: those every type has, and those the spec gives.
  for (const d of WINDOW_DURATIONS) if (d.everyType || doc.hasIn(['window', d.key])) doc.setIn(['window', d.key], d.live);
  doc.setIn(['redis', 'host'], at.redisHost);
  doc.setIn(['redis', 'port'], at.redisPort);
  doc.setIn(['redis', 'database'], at.database);
  doc.deleteIn(['redis', 'password']);
  doc.setIn(['job', 'checkpointInterval'], '10 s');
  // The demo deploys to the local stack: the spec's own targets (and their variables) do not apply.
  doc.deleteIn(['targets']);
  return doc.toString();
}

interface Undo {
  label: string;
  run: () => Promise<string | void>;
}

export async function runDemo(opts: DemoOptions, io: Io, stop: AbortSignal): Promise<void> {
  const p = progress(io);
  const quiet = progress(io, true);
  const specFile = opts.spec === undefined ? REFERENCE_SPEC : resolve(io.cwd, opts.spec);
  let text: string;
  try {
    text = readFileSync(specFile, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${specFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  // Check the spec before anything starts: a bad spec is exit 2 with every problem listed.
  io.redactor?.add(loadSpec(specFile, { env: io.env, cwd: io.cwd }).secrets);

  const undo: Undo[] = [];
  // A failure of the traffic ends the demo like Ctrl-C does, and is reported afterwards.
  let trafficFailure: Error | undefined;
  const ended = new AbortController();
  const onStop = () => ended.abort();
  if (stop.aborted) ended.abort();
  else stop.addEventListener('abort', onStop, { once: true });

  try {
    const layout = stackLayout(io.env);
    const stack = new LocalStack(layout, p);
    undo.push({
      label: opts.keepStack ? 'leaving the local stack running (--keep-stack)' : 'stopping the local stack',
      run: async () => (opts.keepStack ? undefined : (await new LocalStack(layout, quiet).down()).join(', ') || 'nothing was running'),
    });
    const { redis: redisAt } = await stack.up();
    if (ended.signal.aborted) return;

    const ns = await claimDatabase(redisAt.host, redisAt.port, 'uvpv-demo');
    undo.push({ label: `removing the demo's keys from Redis database ${ns.database}`, run: () => ns.release(false) });

    const dir = mkdtempSync(join(tmpdir(), 'uvpv-demo-'));
    undo.push({ label: `removing ${dir}`, run: () => rm(dir, { recursive: true, force: true }) });
    const file = join(dir, 'demo.yaml');
    writeFileSync(
      file,
      demoSpecText(text, { kafka: stack.urls.kafka, redisHost: redisAt.host, redisPort: redisAt.port, database: ns.database }),
    );
    const loaded = loadSpec(file, { env: io.env, cwd: io.cwd, target: 'local', revealSecrets: true });
    io.redactor?.add(loaded.secrets);
    const spec = loaded.spec;
    io.stderr(
      `demo pipeline ${spec.name}: ${specFile} with live-sized windows (10 s, sliding by 5 s), a 2 s watermark delay and 10 s checkpoints, ` +
        `so that numbers move within seconds; topic ${spec.source.topic}, Redis ${redisAt.host}:${redisAt.port}/${ns.database} (spec copy: ${file})\n`,
    );
    const target = stack.target;
    const job = compileSpec(loaded, 'flink', {}, { redisConnector: target.redisConnector });

    const k = kafka(stack.urls.kafka);
    if (!(await topicExists(k, spec.source.topic))) {
      const end = p.step(`creating topic ${spec.source.topic}`);
      await createTopic(k, spec.source.topic, spec.job.parallelism);
      end(partitionsText(spec.job.parallelism));
    }
    undo.push({ label: `deleting topic ${spec.source.topic}`, run: () => deleteTopic(k, spec.source.topic) });
    if (ended.signal.aborted) return;

    const deployer = createGatewayDeployer(target, { env: io.env, progress: p });
    const left = await deployer.status(spec);
    if (left && ACTIVE.has(left.state)) {
      // An earlier demo that did not get to clean up: its job writes to a database no longer ours.
      io.stderr(`job ${left.jobId} of ${spec.name}, from an earlier demo, is still ${left.state}: cancelling it first\n`);
      await deployer.stop(spec, {});
    }

    // Lag and restarts from the demo's job, read as `uvpv status` reads it.
    const flink = { target: target.name, pipeline: spec.name, read: () => deployer.health(spec) };
    const dashboard: Dashboard = await startDashboard({ spec, port: opts.port, flink }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EADDRINUSE') throw e;
      io.stderr(`port ${opts.port} is in use; the dashboard takes a free one\n`);
      return startDashboard({ spec, port: 0, flink });
    });
    undo.push({ label: 'stopping the dashboard', run: () => dashboard.close() });

    undo.push({
      label: `cancelling the demo job ${spec.name}`,
      run: async () => {
        const d = createGatewayDeployer(target, { env: io.env, progress: quiet });
        const job = await d.status(spec);
        if (!job || !ACTIVE.has(job.state)) return job ? `job ${job.jobId} is ${job.state}` : 'no job was started';
        await d.stop(spec, {});
        return `job ${job.jobId} cancelled`;
      },
    });
    const deployed = await deployer.deploy({ spec, job, dryRun: false, replace: false, createTopic: true });
    for (const line of deployed.lines) io.stderr(`${line}\n`);
    if (ended.signal.aborted) return;

    const traffic = new AbortController();
    const produced = produce(
      spec,
      { kind: 'kafka', bootstrap: stack.urls.kafka, topic: spec.source.topic },
      // Live: no count and no duration, so event times follow the clock until the signal.
      { rate: opts.rate, users: 20_000, seed: Date.now() % 1_000_000, badRatio: 0.01, lateRatio: 0, conversion: 0.08 },
      { ...io, interactive: false, stderr: () => undefined },
      traffic.signal,
    );
    const sent = produced.then(
      (r) => r,
      (e: Error) => {
        trafficFailure = e;
        ended.abort();
        return undefined;
      },
    );
    undo.push({
      label: 'stopping the traffic',
      run: async () => {
        traffic.abort();
        const r = await sent;
        return r ? `${r.sent.toLocaleString('en-US')} records sent in ${Math.round(r.seconds)} s` : undefined;
      },
    });

    io.stdout(
      `\nuvpv demo is running: open ${dashboard.url}\n` +
        `producing ${opts.rate} records/s to ${spec.source.topic}; the first windows close about 10 s from now\n` +
        `Ctrl-C stops the traffic, cancels the job, stops the dashboard${opts.keepStack ? ' (the local stack keeps running: --keep-stack)' : ' and the local stack'}\n`,
    );
    await new Promise<void>((done) =>
      ended.signal.aborted ? done() : ended.signal.addEventListener('abort', () => done(), { once: true }),
    );
  } finally {
    stop.removeEventListener('abort', onStop);
    if (undo.length) io.stderr('\nstopping the demo\n');
    const failures: string[] = [];
    for (const u of undo.reverse()) {
      const end = p.step(u.label);
      try {
        end((await u.run()) || undefined);
      } catch (e) {
        end(`failed: ${(e as Error).message}`);
        failures.push(`${u.label}: ${(e as Error).message}`);
      }
    }
    if (failures.length) io.stderr(`the demo could not undo everything:\n  ${failures.join('\n  ')}\n`);
  }
  if (trafficFailure) throw trafficFailure;
}
