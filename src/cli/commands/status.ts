import type { Command } from 'commander';
import { redactedStdout, type Io } from '../../io/io';
import { progress } from '../../io/progress';

/** `uvpv status <spec> [--target NAME]`: the pipeline's job on the target. Exit 1 when there is none. */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('status')
    .description("show the state of the pipeline's job on a target")
    .argument('<spec>', 'pipeline spec (YAML)')
    .option('-t, --target <name>', "target from the spec's targets (default: local)")
    .action(async (file: string, opts: { target?: string }) => {
      // What a service reports (a failure's text) may quote the spec's secrets: they stay hidden.
      const shown = redactedStdout(io);
      const { loadForTarget } = await import('../target-spec');
      const { deployerFor } = await import('../../deploy/targets');
      const { loaded, target } = loadForTarget(file, opts.target, io, true);
      const deployer = await deployerFor(target, { env: io.env, progress: progress(io, true) });
      const job = await deployer.status(loaded.spec);
      if (!job) {
        shown(`${loaded.spec.name}: no job on target ${target.name}\n`);
        done(1);
        return;
      }
      shown(`${job.name}: ${job.state} (job ${job.jobId} on target ${target.name})\n`);
      for (const line of job.details) shown(`  ${line}\n`);
      done(job.state === 'RUNNING' ? 0 : 1);
    });
}
