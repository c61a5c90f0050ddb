import { existsSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
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
    .description(
      'write a first pipeline spec from sample records: column types, event time, watermark delay, events and metrics (never prompts)',
    )
    .option('--from-file <file>', 'sample the first records of a JSON-lines file')
    .option('--from-topic <topic>', 'sample the first messages of a Kafka topic')
    .option('--bootstrap-servers <list>', 'Kafka for --from-topic (default: KAFKA_BOOTSTRAP_SERVERS, else 127.0.0.1:9092)')
    .option('--samples <n>', 'how many records to look at', '500')
    .option('-o, --output <file>', 'write the spec to this file (default: stdout)')
    .option('--force', 'with -o: replace an existing file')
    .action(async (flags: InitFlags) => {
      const source = sampleSource(flags);
      const limit = wholeNumberFlag(flags.samples, '--samples', 1);
      const out = flags.output && resolve(io.cwd, flags.output);
      // Nothing the user wrote is lost: an existing file is replaced only when asked.
      if (out && existsSync(out) && !flags.force)
        throw new UsageError(`${flags.output} exists; choose another file, or pass --force to replace it`);
      const { sampleFile, sampleTopic } = await import('../../init/sample');
      const { infer } = await import('../../init/infer');
      const { renderSpec, sampleNotes } = await import('../../init/render');
      const { checkWritten } = await import('../../init/check');

      const bootstrap = flags.bootstrapServers ?? io.env.KAFKA_BOOTSTRAP_SERVERS ?? '127.0.0.1:9092';
      const origin =
        'file' in source
          ? { described: `file ${basename(source.file)}`, topic: basename(source.file).replace(/\.[^.]*$/, ''), bootstrap }
          : { described: `topic ${source.topic} on ${bootstrap}`, topic: source.topic, bootstrap };
      const sample =
        'file' in source
          ? sampleFile(resolve(io.cwd, source.file), limit)
          : await sampleTopic(bootstrap, source.topic, limit, 10_000, progress(io));
      const proposal = infer(sample.records, sample.unparsed, sample.partitions, sample.decimalFields);
      if (typeof proposal === 'string') throw new UsageError(`${flags.fromFile ?? `topic ${flags.fromTopic}`}: ${proposal}`);
      const text = renderSpec(proposal, origin);
      checkWritten(text, io.env);
      for (const note of sampleNotes(proposal)) io.stderr(`note: ${note}\n`);
      if (out) {
        writeFileSync(out, text);
        io.stderr(
          `wrote ${flags.output}: ${proposal.columns.length} columns, event time ${proposal.eventTime}, ${proposal.events.length} events; check it with 'uvpv validate ${flags.output}'\n`,
        );
      } else io.stdout(text);
      done(0);
    });
}

/** Where the records come from: exactly one of --from-file and --from-topic. */
function sampleSource(flags: InitFlags): { file: string } | { topic: string } {
  if (flags.fromFile && !flags.fromTopic) return { file: flags.fromFile };
  if (flags.fromTopic && !flags.fromFile) return { topic: flags.fromTopic };
  throw new UsageError('init needs one of --from-file FILE or --from-topic TOPIC');
}
