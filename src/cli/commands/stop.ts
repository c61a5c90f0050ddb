import type { Command } from 'commander';
import type { Io } from '../../io/io';
import { progress } from '../../io/progress';

/** `uvpv stop <spec> [--target NAME] [--savepoint DIR] [--pause]`. */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('stop')
    .description("stop the pipeline's job on a target, optionally with a savepoint")
    .argument('<spec>', 'pipeline spec (YAML)')
    .option('-t, --target <name>', "target from the spec's targets (default: local)")
    .option('--savepoint <dir>', 'take a savepoint into this directory while stopping (gateway targets)')
    .option('--pause', 'pause instead of stop (Oceanus targets)')
    .action(async (file: string, opts: { target?: string; savepoint?: string; pause?: boolean }) => {
      const { loadForTarget } = await import('../target-spec');
      const { deployerFor } = await import('../../deploy/targets');
      const { loaded, target } = loadForTarget(file, opts.target, io, true);
      const deployer = await deployerFor(target, { env: io.env, progress: progress(io) });
      const result = await deployer.stop(loaded.spec, {
        savepointDir: opts.savepoint,
        pause: Boolean(opts.pause),
      });
      for (const line of result.lines) io.stdout(`${line}\n`);
      done(0);
    });
}
