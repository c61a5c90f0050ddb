import type { Command } from 'commander';
import type { Io } from '../../io/io';
import { progress } from '../../io/progress';

/** `uvpv status <spec> [--target NAME]`: the pipeline's job on the target. Exit 1 when there is none. */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('status')
    .description("show the state of the pipeline's job on a target")
    .argument('<spec>', 'pipeline spec (YAML)')
    .option('-t, --target <name>', "target from the spec's targets (default: local)")
    .action(async (file: string, opts: { target?: string }) => {
      const { loadForTarget } = await import('../target-spec');
      const { deployerFor } = await import('../../deploy');
      const { loaded, target } = loadForTarget(file, opts.target, io, true);
      const job = await deployerFor(target, { env: io.env, progress: progress(io, true) }).status(loaded.spec);
      if (!job) {
        io.stdout(`${loaded.spec.name}: no job on target ${target.name}\n`);
        done(1);
        return;
      }
      io.stdout(`${job.name}: ${job.state} (job ${job.jobId} on target ${target.name})\n`);
      for (const line of job.details) io.stdout(`  ${line}\n`);
      done(job.state === 'RUNNING' ? 0 : 1);
    });
}
