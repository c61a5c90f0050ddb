import type { Command } from 'commander';
import type { Io } from '../../io/io';
import { UsageError } from '../../errors';
import { wholeNumberFlag } from '../flags';

/** `uvpv verify <spec> --events FILE.jsonl [--expect FILE.yaml] [--connections stack|spec] [--parallelism N] [--junit FILE] [--keep]`. */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('verify')
    .description('run the pipeline on known events on the local stack and compare what lands in Redis')
    .argument('<spec>', 'pipeline spec (YAML)')
    .requiredOption('-e, --events <file>', 'events, one Kafka message per line (JSON lines; sent byte for byte)')
    .option('-x, --expect <file>', 'expected Redis contents (default: computed by the reference model)')
    .option('-t, --target <name>', 'where to run (only the local stack)', 'local')
    .option('--junit <file>', 'also write the result as JUnit XML')
    .option('--keep', "keep the run's Kafka topic and Redis database for inspection")
    .option('--write-expect <file>', 'record what Redis holds after the run as an expectation file, for review')
    .option(
      '--fault <kind>',
      'inject a failure mid-stream: taskmanager-kill | redis-outage | kafka-restart (Flink must recover from its last checkpoint)',
    )
    .option('--at <share>', 'with --fault: after how much of the events, e.g. 40% (default)')
    .option('--parallelism <n>', "run the job at this parallelism instead of the spec's job.parallelism (on a topic of as many partitions)")
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
          connections: string;
        },
      ) => {
        const parallelism = opts.parallelism === undefined ? undefined : wholeNumberFlag(opts.parallelism, '--parallelism', 1);
        const { verify, CONNECTIONS } = await import('../../verify/run-verify');
        const connections = CONNECTIONS.find((c) => c === opts.connections);
        if (!connections) throw new UsageError(`--connections: got '${opts.connections}'; expected one of ${CONNECTIONS.join(', ')}`);
        const { parseFault } = await import('../../verify/faults');
        const outcome = await verify(
          { ...opts, spec, keep: Boolean(opts.keep), fault: parseFault(opts.fault, opts.at), parallelism, connections },
          io,
        );
        done(outcome.ok ? 0 : 1);
      },
    );
}
