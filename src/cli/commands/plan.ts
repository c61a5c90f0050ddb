import type { Command } from 'commander';
import { redactedStdout, type Io } from '../../io/io';
import { progress } from '../../io/progress';
import { UsageError } from '../../errors';

/** Exit code of `plan` when deploying would change something (0: nothing would). */
export const PLAN_CHANGES = 3;

/** `uvpv plan <spec> [--target NAME]`: what `deploy` would do, changing nothing. */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('plan')
    .description(
      `show what deploy would change on a target, and what becomes of the running job's state; changes nothing (exit ${PLAN_CHANGES} when something would change)`,
    )
    .argument('<spec>', 'pipeline spec (YAML)')
    .option('-t, --target <name>', "target from the spec's targets (default: local)")
    .action(async (file: string, opts: { target?: string }) => {
      const shown = redactedStdout(io);
      const { compileForTarget } = await import('../target-spec');
      const { deployerFor } = await import('../../deploy/targets');
      const { renderPlan } = await import('../../deploy/upgrade/render');
      const { wouldChange } = await import('../../deploy/upgrade/upgrade-plan');
      // A plan shows statements with their secrets masked, and needs no secret.
      const { loaded, target, job, sinks } = compileForTarget(file, opts.target, io, {}, false);
      const deployer = await deployerFor(target, { env: io.env, progress: progress(io) });
      if (!deployer.plan) throw new UsageError(`target ${target.name} (${target.type}) cannot tell what a deploy would change`);
      const plan = await deployer.plan({ spec: loaded.spec, job, sinks, dryRun: true, replace: true });
      for (const line of renderPlan(loaded.spec.name, target.name, plan)) shown(`${line}\n`);
      done(wouldChange(plan) ? PLAN_CHANGES : 0);
    });
}
