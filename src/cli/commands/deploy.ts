import type { Command } from 'commander';
import type { Io } from '../../io/io';
import { progress } from '../../io/progress';
import { durationFlag } from '../flags';
import { UsageError } from '../../errors';

/** `uvpv deploy <spec> [--target NAME] [--dry-run] [--replace [--settle TIME]] [--from-savepoint PATH]`. */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('deploy')
    .description('submit the pipeline to a target (a Flink SQL Gateway, or Oceanus) and wait until it runs')
    .argument('<spec>', 'pipeline spec (YAML)')
    .option('-t, --target <name>', "target from the spec's targets (default: local)")
    .option('--dry-run', 'print what would be submitted, secrets masked, and change nothing')
    .option(
      '--replace',
      'replace a running job of the same pipeline (gateway: stop with a savepoint, start from it; roll back if the new job fails)',
    )
    .option(
      '--settle <time>',
      'with --replace: how long the new job must run without a failure, else the previous one runs again (gateway; default 30 s)',
    )
    .option(
      '--allow-non-restored-state',
      "with --replace: start the new job even where it leaves some of the running job's state behind (see 'uvpv plan')",
    )
    .option('--from-savepoint <path>', 'start the job from this savepoint')
    .option('--create-topic', 'create the source topic if it is missing (gateway targets, where Kafka answers)')
    .action(
      async (
        file: string,
        opts: {
          target?: string;
          dryRun?: boolean;
          replace?: boolean;
          settle?: string;
          allowNonRestoredState?: boolean;
          fromSavepoint?: string;
          createTopic?: boolean;
        },
      ) => {
        if (opts.settle !== undefined && !opts.replace)
          throw new UsageError('--settle applies with --replace: how long the replacing job must run without a failure');
        const settleMs = opts.settle === undefined ? undefined : durationFlag(opts.settle, '--settle');
        const { compileForTarget } = await import('../target-spec');
        const { deployerFor } = await import('../../deploy/targets');
        // A dry run may go without credentials: it says what it would call, and calls nothing that changes.
        const { loaded, target, job, sinks } = compileForTarget(file, opts.target, io, {}, !opts.dryRun);
        const deployer = await deployerFor(target, { env: io.env, progress: progress(io) });
        const result = await deployer.deploy({
          spec: loaded.spec,
          job,
          dryRun: Boolean(opts.dryRun),
          replace: Boolean(opts.replace),
          settleMs,
          allowNonRestoredState: Boolean(opts.allowNonRestoredState),
          sinks,
          fromSavepoint: opts.fromSavepoint,
          createTopic: Boolean(opts.createTopic),
        });
        for (const line of result.lines) io.stdout(`${line}\n`);
        done(0);
      },
    );
}
