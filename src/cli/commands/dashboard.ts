import type { Command } from 'commander';
import { UsageError } from '../../errors';
import type { Io } from '../../io/io';

/** `uvpv dashboard <spec> [--port 3000]`: a live page of the spec's Redis results, until Ctrl-C. */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('dashboard')
    .description("serve a live page of the pipeline's UV, PV and conversion numbers from Redis")
    .argument('<spec>', 'pipeline spec (YAML)')
    .option('-p, --port <port>', 'port on 127.0.0.1 (0 picks a free one)', '3000')
    .action(async (file: string, opts: { port: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes a port number, got '${opts.port}'`);
      const { loadSpec } = await import('../../pipeline/load');
      const { startDashboard } = await import('../../dashboard/server');
      const { spec, secrets } = loadSpec(file, { env: io.env, cwd: io.cwd, revealSecrets: true });
      io.redactor?.add(secrets);
      const dashboard = await startDashboard({ spec, port }).catch((e: NodeJS.ErrnoException) => {
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
