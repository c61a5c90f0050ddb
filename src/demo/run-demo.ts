/**
 * `uvpv demo`: the whole thing in one command. Stack up, a topic, the reference pipeline deployed,
 * continuous synthetic traffic, and the dashboard; Ctrl-C undoes it all, step by step.
 *
 * The reference pipeline's 10-minute windows and 10-minute watermark delay would show nothing for
 * a quarter of an hour with live traffic, so the demo runs a copy with the same metrics over
 * 10-second windows sliding by 5 seconds, 2 seconds of watermark delay, and a Redis database of
 * its own.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { Io } from '../cli/io';
import { progress } from '../cli/progress';
import { compileSpec } from '../compile';
import { startDashboard } from '../dashboard/server';
import { createGatewayDeployer } from '../deploy/gateway/deployer';
import { deleteTopic, kafka } from '../kafka/client';
import { produce } from '../produce/sink';
import { loadSpec } from '../spec/load';
import { stackLayout } from '../stack/layout';
import { LocalStack } from '../stack/stack';
import { claimDatabase } from '../verify/namespace';

export interface DemoOptions {
  spec: string;
  port: number;
  rate: number;
  keepStack: boolean;
}

export async function runDemo(opts: DemoOptions, io: Io, stop: AbortSignal): Promise<void> {
  const p = progress(io);
  const stack = new LocalStack(stackLayout(io.env), p);
  await stack.up();
  const redisAt = stack.redisEndpoint()!;
  const ns = await claimDatabase(redisAt.host, redisAt.port, 'demo');
  const topic = 'uvpv-demo-live';

  // The demo's copy of the spec: live-sized windows, the stack's Kafka and Redis.
  const doc = parseDocument(readFileSync(resolve(io.cwd, opts.spec), 'utf8'));
  doc.setIn(['name'], 'uvpv-demo-live');
  doc.setIn(['source', 'topic'], topic);
  doc.setIn(['source', 'bootstrapServers'], stack.urls.kafka);
  doc.setIn(['source', 'startupMode'], 'latest-offset');
  doc.setIn(['source', 'watermarkDelay'], '2 s');
  doc.setIn(['window', 'size'], '10 s');
  for (const key of ['slide', 'step']) if (doc.hasIn(['window', key])) doc.setIn(['window', key], '5 s');
  doc.setIn(['redis', 'host'], redisAt.host);
  doc.setIn(['redis', 'port'], redisAt.port);
  doc.setIn(['redis', 'database'], ns.database);
  doc.deleteIn(['redis', 'password']);
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-demo-'));
  const file = join(dir, 'demo.yaml');
  writeFileSync(file, doc.toString());
  io.stderr(`demo pipeline: ${opts.spec} with 10 s windows sliding by 5 s and a 2 s watermark delay (${file}), Redis database ${ns.database}\n`);

  const loaded = loadSpec(file, { env: io.env, cwd: io.cwd, target: 'local', revealSecrets: true });
  const sql = compileSpec(loaded, 'flink').sql;
  const target = { name: 'local', type: 'gateway' as const, gateway: stack.urls.gateway, flinkRest: stack.urls.flinkRest };
  const deployer = createGatewayDeployer(target, { env: io.env, progress: p });
  const traffic = new AbortController();
  const produced = produce(loaded.spec, { kind: 'kafka', bootstrap: stack.urls.kafka, topic }, { rate: opts.rate, users: 20_000, seed: Date.now() % 1_000_000, badRatio: 0.01, lateRatio: 0, conversion: 0.08 }, { ...io, interactive: false, stderr: () => undefined }, traffic.signal);
  let dashboard: Awaited<ReturnType<typeof startDashboard>> | undefined;
  try {
    await deployer.deploy({ spec: loaded.spec, sql, dryRunSql: sql, dryRun: false, replace: true, createTopic: true });
    dashboard = await startDashboard({ spec: loaded.spec, port: opts.port }).catch(() => startDashboard({ spec: loaded.spec, port: 0 }));
    io.stdout(`\nuvpv demo is running: ${dashboard.url}\nproducing ${opts.rate} records/s to ${topic}; Ctrl-C stops everything\n`);
    await new Promise<void>((resolve) => (stop.aborted ? resolve() : stop.addEventListener('abort', () => resolve(), { once: true })));
  } finally {
    io.stderr('\nstopping the demo\n');
    traffic.abort();
    await produced.catch(() => undefined);
    const endJob = p.step('cancelling the demo job');
    await deployer.stop(loaded.spec, {}).then(() => endJob(), (e: Error) => endJob(`not running (${e.message})`));
    await dashboard?.close();
    await deleteTopic(kafka(stack.urls.kafka), topic).catch(() => undefined);
    await ns.release(false);
    if (!opts.keepStack) {
      const lines = await stack.down();
      io.stdout(`${lines.join('\n')}\nstack down\n`);
    } else io.stdout('stack kept running (--keep-stack)\n');
  }
}
