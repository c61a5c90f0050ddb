import type { Command } from 'commander';
import { RuntimeFailure } from '../../errors';
import { redactedStdout, type Io } from '../../io/io';
import { progress } from '../../io/progress';
import { wholeNumberFlag } from '../flags';

/** How often `--watch` refreshes when given no number of seconds. */
const WATCH_SECONDS = 5;

/**
 * `uvpv status <spec> [--target NAME] [--json] [--watch [SECONDS]]`: the pipeline's job on the target, with its health
 * (docs/observability.md). Exit 0 when it runs, 1 when it does not or there is none; `--watch` runs until Ctrl-C.
 */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('status')
    .description("show the pipeline's job on a target and its health: restarts, checkpoints, lag, freshness, load")
    .argument('<spec>', 'pipeline spec (YAML)')
    .option('-t, --target <name>', "target from the spec's targets (default: local)")
    .option('--json', 'print one JSON object (one per refresh with --watch); its shape is documented in docs/observability.md')
    .option('-w, --watch [seconds]', `refresh every few seconds (default ${WATCH_SECONDS}) until Ctrl-C`)
    .action(async (file: string, opts: { target?: string; json?: boolean; watch?: string | boolean }) => {
      const every =
        opts.watch === undefined ? undefined : opts.watch === true ? WATCH_SECONDS : wholeNumberFlag(String(opts.watch), '--watch', 1);
      // What a service reports (a failure's text) may quote the spec's secrets: they stay hidden.
      const shown = redactedStdout(io);
      const { loadForTarget } = await import('../target-spec');
      const { deployerFor } = await import('../../deploy/targets');
      const { healthLines } = await import('../../deploy/health-text');
      const { droppedRowsSection } = await import('../../deploy/dropped-rows');
      const { loaded, target } = loadForTarget(file, opts.target, io, true);
      const deployer = await deployerFor(target, { env: io.env, progress: progress(io, true) });
      const once = async (): Promise<number> => {
        const found = await deployer.health(loaded.spec);
        // Dropped rows are counted into the spec's Redis, not the target's metrics: read the same way on every target.
        const health = found && { ...found, droppedRows: await droppedRowsSection(loaded.spec) };
        if (opts.json) {
          const none = { version: 1, pipeline: loaded.spec.name, target: { name: target.name, type: target.type }, job: null };
          shown(`${JSON.stringify(health ?? none, null, every ? undefined : 2)}\n`);
        } else if (!health) shown(`${loaded.spec.name}: no job on target ${target.name}\n`);
        else for (const line of healthLines(health)) shown(`${line}\n`);
        return health?.job.state === 'RUNNING' ? 0 : 1;
      };
      if (every === undefined) {
        done(await once());
        return;
      }
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        while (!stop.signal.aborted) {
          // A terminal redraws in place; a pipe or file gets one report after another.
          if (!opts.json && io.interactive) io.stdout('\x1b[2J\x1b[H');
          try {
            await once();
          } catch (e) {
            // A service away for a moment is worth showing, not worth ending the watch for.
            if (!(e instanceof RuntimeFailure)) throw e;
            io.stderr(`error: ${e.message} (retrying in ${every} s)\n`);
          }
          if (!opts.json) shown(`(every ${every} s; Ctrl-C to stop)\n`);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, every * 1000);
            stop.signal.addEventListener('abort', () => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      done(0);
    });
}
