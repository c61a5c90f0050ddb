import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors';
import type { ProduceOptions, ProduceTarget } from '../../produce/api';
import { partitionsText } from '../../kafka/topics';
import { durationFlag, wholeNumberFlag } from '../flags';
import type { Io } from '../../io/io';

interface Flags {
  events?: string;
  duration?: string;
  rate?: string;
  users: string;
  seed: string;
  badRatio: string;
  lateRatio: string;
  conversion: string;
  step?: string;
  out?: string;
  topic?: string;
  bootstrap?: string;
}

/** `uvpv produce <spec> [--events N | --duration T] [--rate R] ... [--out FILE.jsonl]`. */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('produce')
    .description("send synthetic records that fit the spec's columns to its Kafka topic (or a file)")
    .argument('<spec>', 'pipeline spec (YAML)')
    .option('-n, --events <n>', 'how many records (default 10000)')
    .option('-d, --duration <time>', "or for how long, e.g. '30 s', '2 min'")
    .option('-r, --rate <per-second>', 'records per second (default: as fast as possible)')
    .option('--users <n>', 'distinct users', '1000')
    .option('--seed <n>', 'random seed: the same seed gives the same records', '1')
    .option('--bad-ratio <share>', 'share of malformed records (bad JSON, wrong types, missing fields)', '0')
    .option('--late-ratio <share>', 'share of records later than the watermark delay', '0')
    .option('--conversion <share>', 'purchases per view to aim for', '0.05')
    .option('--step <time>', "with --events: event time between records, e.g. '30 s' (default 100 ms)")
    .option('-o, --out <file>', 'write JSON lines to this file instead of Kafka')
    .option('--topic <name>', "Kafka topic (default: the spec's)")
    .option('--bootstrap <servers>', "Kafka bootstrap servers (default: the spec's)")
    .action(async (file: string, flags: Flags) => {
      if (flags.events !== undefined && flags.duration !== undefined) throw new UsageError('give --events or --duration, not both');
      const opts: ProduceOptions = {
        events: flags.events === undefined ? undefined : wholeNumberFlag(flags.events, '--events', 1),
        durationMs: flags.duration === undefined ? undefined : durationFlag(flags.duration, '--duration'),
        rate: flags.rate === undefined ? undefined : wholeNumberFlag(flags.rate, '--rate', 1),
        users: wholeNumberFlag(flags.users, '--users', 1),
        seed: wholeNumberFlag(flags.seed, '--seed', 0),
        badRatio: share('--bad-ratio', flags.badRatio),
        lateRatio: share('--late-ratio', flags.lateRatio),
        conversion: share('--conversion', flags.conversion),
        stepMs: flags.step === undefined ? undefined : durationFlag(flags.step, '--step'),
      };
      if (opts.events === undefined && opts.durationMs === undefined) opts.events = 10_000;
      const { loadSpec } = await import('../../pipeline/load');
      const { produce } = await import('../../produce/sink');
      // The spec's brokers are reached with the spec's security (its password resolved); --bootstrap's in plaintext.
      const own = !flags.bootstrap && !flags.out;
      const { spec, secrets } = loadSpec(file, {
        env: io.env,
        cwd: io.cwd,
        mode: flags.bootstrap ? 'lenient' : 'strict',
        // Only the Kafka secrets are needed here: kafkaSecurityConfig names one that is not set.
        revealSecrets: own,
        requireSecrets: false,
      });
      io.redactor?.add(secrets);
      const target: ProduceTarget = flags.out
        ? { kind: 'file', path: resolve(io.cwd, flags.out) }
        : {
            kind: 'kafka',
            bootstrap: flags.bootstrap ?? spec.source.bootstrapServers,
            topic: flags.topic ?? spec.source.topic,
            security: own ? spec.source.security : undefined,
          };
      const r = await produce(spec, target, opts, io);
      const where =
        target.kind === 'file'
          ? flags.out
          : `${target.topic} on ${target.bootstrap}${r.partitions === undefined ? '' : ` (${partitionsText(r.partitions)})`}`;
      io.stdout(
        `produced ${r.sent} records to ${where} in ${r.seconds.toFixed(1)}s (${Math.round(r.sent / Math.max(r.seconds, 0.001))} records/s)\n`,
      );
      done(0);
    });
}

function share(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${flag} takes a share from 0 to 1, got '${v}'`);
  return n;
}
