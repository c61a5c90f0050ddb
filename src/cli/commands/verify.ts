import type { Command } from 'commander';
import type { Io } from '../../io/io';
import { UsageError } from '../../errors';
import { wholeNumberFlag } from '../flags';

/**
 * `uvpv verify <spec> --events FILE.jsonl [--expect FILE.yaml] [--connections stack|spec] [--parallelism N] [--junit FILE] [--keep]
 * [--allow-empty] [--fail-on-restart]`. Ctrl-C or SIGTERM cancels the job the run started and cleans up; a second one quits at once.
 */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('verify')
    .description('run the pipeline on known events on the local stack and compare what lands in Redis')
    .argument('<spec>', 'pipeline spec (YAML)')
    .requiredOption('-e, --events <file>', 'events, one Kafka message per line (JSON lines; sent byte for byte)')
    .option('-x, --expect <file>', 'expected Redis contents (default: computed by the reference model)')
    .option('-t, --target <name>', 'where to run (only the local stack)', 'local')
    .option('--junit <file>', 'also write the result as JUnit XML')
    .option('--keep', "keep the run's Kafka topic and Redis database for inspection, and its job if it has not ended")
    .option('--fail-on-restart', 'fail when Flink restarted the job at all (by default the results decide, and restarts are reported)')
    .option('--write-expect <file>', 'record what Redis holds after the run as an expectation file, for review')
    .option(
      '--fault <kind>',
      'inject a failure mid-stream: taskmanager-kill | redis-outage | kafka-restart; with --connections spec: redis-master-outage (cluster) | redis-failover (sentinel) (Flink must recover from its last checkpoint)',
    )
    .option('--at <share>', 'with --fault: after how much of the events, e.g. 40% (default)')
    .option('--parallelism <n>', "run the job at this parallelism instead of the spec's job.parallelism (on a topic of as many partitions)")
    .option(
      '--allow-empty',
      'an empty result is expected: pass when no key is expected and none written (else that fails: nothing to compare)',
    )
    .option(
      '--connections <whose>',
      "whose Kafka and Redis the job uses: stack (the local stack's, default) | spec (the spec's own, with its security and Redis mode)",
      'stack',
    )
    .action(
      async (
        spec: string,
        opts: {
          events: string;
          expect?: string;
          target: string;
          junit?: string;
          keep?: boolean;
          writeExpect?: string;
          fault?: string;
          at?: string;
          parallelism?: string;
          allowEmpty?: boolean;
          failOnRestart?: boolean;
          connections: string;
        },
      ) => {
        const parallelism = opts.parallelism === undefined ? undefined : wholeNumberFlag(opts.parallelism, '--parallelism', 1);
        const { verify, CONNECTIONS } = await import('../../verify/run-verify');
        const connections = CONNECTIONS.find((c) => c === opts.connections);
        if (!connections) throw new UsageError(`--connections: got '${opts.connections}'; expected one of ${CONNECTIONS.join(', ')}`);
        const { parseFault } = await import('../../verify/faults');
        const fault = parseFault(opts.fault, opts.at);
        const stop = new AbortController();
        const onSignal = (signal: NodeJS.Signals) => {
          if (stop.signal.aborted) process.exit(signal === 'SIGTERM' ? 143 : 130);
          io.stderr(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: cancelling the job and cleaning up (again to quit at once)\n`);
          stop.abort(signal);
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          const outcome = await verify(
            {
              ...opts,
              spec,
              keep: Boolean(opts.keep),
              failOnRestart: Boolean(opts.failOnRestart),
              fault,
              connections,
              parallelism,
              signal: stop.signal,
            },
            io,
          );
          done(outcome.ok ? 0 : 1);
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      },
    );
}
