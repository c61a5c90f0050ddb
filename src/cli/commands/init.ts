import type { Command } from 'commander';
import { UsageError } from '../../errors';
import { wholeNumberFlag } from '../flags';
import type { Io } from '../../io/io';
import { progress } from '../../io/progress';

interface InitFlags {
  fromTopic?: string;
  fromFile?: string;
  bootstrapServers?: string;
  samples: string;
  output?: string;
  force?: boolean;
}

/** `uvpv init --from-file SAMPLE.jsonl | --from-topic TOPIC [-o FILE]`: a first spec from sample records. */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('init')
    .description('write a first pipeline spec from sample records: column types, event time, watermark delay, events and metrics (never prompts)')
    .option('--from-file <file>', 'sample the first records of a JSON-lines file')
    .option('--from-topic <topic>', 'sample the first messages of a Kafka topic')
    .option('--bootstrap-servers <list>', 'Kafka for --from-topic (default: KAFKA_BOOTSTRAP_SERVERS, else 127.0.0.1:9092)')
    .option('--samples <n>', 'how many records to look at', '500')
    .option('-o, --output <file>', 'write the spec to this file (default: stdout)')
    .option('--force', 'with -o: replace an existing file')
    .action(async (flags: InitFlags) => {
      if (Boolean(flags.fromFile) === Boolean(flags.fromTopic)) throw new UsageError('init needs one of --from-file FILE or --from-topic TOPIC');
      const limit = wholeNumberFlag(flags.samples, '--samples', 1);
      const { existsSync, writeFileSync } = await import('node:fs');
      const { basename, resolve } = await import('node:path');
      const out = flags.output && resolve(io.cwd, flags.output);
      // Nothing the user wrote is lost: an existing file is replaced only when asked.
      if (out && existsSync(out) && !flags.force) throw new UsageError(`${flags.output} exists; choose another file, or pass --force to replace it`);
      const { sampleFile, sampleTopic } = await import('../../init/sample');
      const { infer } = await import('../../init/infer');
      const { renderSpec } = await import('../../init/render');
      const { checkWritten } = await import('../../init/check');

      const bootstrap = flags.bootstrapServers ?? io.env.KAFKA_BOOTSTRAP_SERVERS ?? '127.0.0.1:9092';
      const origin = flags.fromFile
        ? { described: `file ${basename(flags.fromFile)}`, topic: basename(flags.fromFile).replace(/\.[^.]*$/, ''), bootstrap }
        : { described: `topic ${flags.fromTopic} on ${bootstrap}`, topic: flags.fromTopic!, bootstrap };
      const sample = flags.fromFile ? sampleFile(resolve(io.cwd, flags.fromFile), limit) : await sampleTopic(bootstrap, flags.fromTopic!, limit, 10_000, progress(io));
      const proposal = infer(sample.records, sample.unparsed, sample.partitions, sample.decimalFields);
      if (typeof proposal === 'string') throw new UsageError(`${flags.fromFile ?? `topic ${flags.fromTopic}`}: ${proposal}`);
      const text = renderSpec(proposal, origin);
      checkWritten(text, io.env);
      if (out) {
        writeFileSync(out, text);
        io.stderr(
          `wrote ${flags.output}: ${proposal.columns.length} columns, event time ${proposal.eventTime}, ${proposal.events.length} events; check it with 'uvpv validate ${flags.output}'\n`,
        );
      } else io.stdout(text);
      done(0);
    });
}
