import type { Command } from 'commander';
import { UsageError } from '../../errors';
import type { Io } from '../../io/io';
import type { FlinkSource } from '../../dashboard/flink';
import type { Spec } from '../../pipeline/types';

/** `uvpv dashboard <spec> [--port 3000]`: a live page of the spec's Redis results, until Ctrl-C. */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('dashboard')
    .description("serve a live page of the pipeline's UV, PV and conversion numbers from Redis")
    .argument('<spec>', 'pipeline spec (YAML)')
    .option('-p, --port <port>', 'port on 127.0.0.1 (0 picks a free one)', '3000')
    .option('-t, --target <name>', 'target whose Flink job gives the Kafka lag and restarts (default: local, when the spec has it)')
    .action(async (file: string, opts: { port: string; target?: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes a port number, got '${opts.port}'`);
      const { loadSpec } = await import('../../pipeline/load');
      const { startDashboard } = await import('../../dashboard/server');
      const { spec, secrets } = loadSpec(file, { env: io.env, cwd: io.cwd, revealSecrets: true });
      io.redactor?.add(secrets);
      const flink = await flinkSource(file, opts.target, spec, io);
      const dashboard = await startDashboard({ spec, port, flink }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use; pick another with --port (0 picks a free one)`);
        throw e;
      });
      io.stdout(
        `dashboard of ${spec.name} (Redis ${spec.redis.host}:${spec.redis.port}/${spec.redis.database}): ${dashboard.url}\nCtrl-C stops it\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await dashboard.close();
      done(0);
    });
}

/** Lag and restarts come from the job on a Flink SQL Gateway target, read as `uvpv status` reads it; elsewhere the tiles say why not. */
async function flinkSource(file: string, name: string | undefined, spec: Spec, io: Io): Promise<FlinkSource> {
  const { BUILTIN_LOCAL } = await import('../../pipeline/load');
  const chosen = name ?? (spec.targetNames.length === 0 || spec.targetNames.includes(BUILTIN_LOCAL) ? BUILTIN_LOCAL : undefined);
  if (chosen === undefined)
    return { reason: `the spec has no target ${BUILTIN_LOCAL}: start the dashboard with --target NAME to read them` };
  const { loadForTarget } = await import('../target-spec');
  const { deployerFor } = await import('../../deploy/targets');
  const { progress } = await import('../../io/progress');
  const { loaded, target } = loadForTarget(file, chosen, io, true);
  if (target.type !== 'gateway')
    return { reason: `target ${target.name} is not a Flink SQL Gateway target: see uvpv status --target ${target.name}` };
  const deployer = await deployerFor(target, { env: io.env, progress: progress(io, true) });
  return { target: target.name, pipeline: loaded.spec.name, read: () => deployer.health(loaded.spec) };
}
