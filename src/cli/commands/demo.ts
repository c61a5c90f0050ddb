import type { Command } from 'commander';
import { UsageError } from '../../errors';
import { wholeNumberFlag } from '../flags';
import type { Io } from '../../io/io';

/** `uvpv demo [--spec FILE] [--port 3000] [--rate 200] [--keep-stack]`: the whole pipeline, live, until Ctrl-C. */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('demo')
    .description('stack up, deploy the reference pipeline, produce live traffic and serve the dashboard; Ctrl-C undoes it all')
    .option('--spec <file>', 'pipeline to demo (default: the reference pipeline, pipelines/uvpv.yaml)')
    .option('-p, --port <port>', 'dashboard port on 127.0.0.1 (a free one if taken; 0 picks one)', '3000')
    .option('-r, --rate <per-second>', 'synthetic records per second', '200')
    .option('--keep-stack', 'leave the local stack running afterwards')
    .action(async (opts: { spec?: string; port: string; rate: string; keepStack?: boolean }) => {
      const port = Number(opts.port);

      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes a port number, got '${opts.port}'`);
      const rate = wholeNumberFlag(opts.rate, '--rate', 1);
      const { runDemo } = await import('../../demo/run-demo');
      const stop = new AbortController();
      // The first Ctrl-C undoes the demo step by step; a second one while that runs ends the process at once.
      const onSignal = (signal: NodeJS.Signals) => {
        io.stderr(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping the demo (once the current step ends; again to quit at once)\n`);
        stop.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await runDemo({ spec: opts.spec, port, rate, keepStack: Boolean(opts.keepStack) }, io, stop.signal);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      done(0);
    });
}
