import { existsSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors';
import { wholeNumberFlag } from '../flags';
import type { Io } from '../../io/io';
import { progress } from '../../io/progress';
import type { KafkaSecurity } from '../../pipeline/types';

interface InitFlags {
  fromTopic?: string;
  fromFile?: string;
  bootstrapServers?: string;
  samples: string;
  output?: string;
  force?: boolean;
  securityProtocol?: string;
  saslMechanism?: string;
  saslUsername?: string;
  truststore?: string;
  keystoreCert?: string;
  keystoreKey?: string;
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
    .option(
      '--security-protocol <p>',
      'with --from-topic: PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL (the spec gets the same source.security)',
    )
    .option('--sasl-mechanism <m>', 'with a SASL protocol: PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512; the password is read from KAFKA_PASSWORD')
    .option('--sasl-username <user>', 'with a SASL protocol: the user')
    .option('--truststore <pem>', "with SSL or SASL_SSL: the CA certificates (PEM) that signed the brokers'")
    .option('--keystore-cert <pem>', 'with SSL or SASL_SSL: a client certificate (PEM), for mutual TLS')
    .option('--keystore-key <pem>', 'with --keystore-cert: its private key (PKCS#8 PEM, unencrypted)')
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
      const security = securityFlags(flags, io);
      if (security && 'file' in source) throw new UsageError('the security flags go with --from-topic');
      if (security?.sasl?.password.value) io.redactor?.add([security.sasl.password.value]);
      const origin =
        'file' in source
          ? { described: `file ${basename(source.file)}`, topic: basename(source.file).replace(/\.[^.]*$/, ''), bootstrap }
          : { described: `topic ${source.topic} on ${bootstrap}`, topic: source.topic, bootstrap, security };
      const sample =
        'file' in source
          ? sampleFile(resolve(io.cwd, source.file), limit)
          : await sampleTopic(bootstrap, source.topic, limit, 10_000, progress(io), security);
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

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

/** The source's security from init's flags, checked as the spec's is; undefined without --security-protocol. */
function securityFlags(flags: InitFlags, io: Io): KafkaSecurity | undefined {
  const { securityProtocol: p, saslMechanism, saslUsername, truststore, keystoreCert, keystoreKey } = flags;
  if (p === undefined) {
    if (saslMechanism ?? saslUsername ?? truststore ?? keystoreCert ?? keystoreKey)
      throw new UsageError('--sasl-*, --truststore and --keystore-* go with --security-protocol');
    return undefined;
  }
  const protocol = PROTOCOLS.find((x) => x === p);
  if (!protocol) throw new UsageError(`--security-protocol: got '${p}'; expected one of ${PROTOCOLS.join(', ')}`);
  const sasl = protocol.startsWith('SASL_');
  const tls = protocol.endsWith('SSL');
  if (!sasl && (saslMechanism ?? saslUsername))
    throw new UsageError(`--sasl-mechanism and --sasl-username go with a SASL protocol, not ${protocol}`);
  if (!tls && (truststore ?? keystoreCert ?? keystoreKey))
    throw new UsageError(`--truststore and --keystore-* go with SSL or SASL_SSL, not ${protocol}`);
  if (Boolean(keystoreCert) !== Boolean(keystoreKey)) throw new UsageError('--keystore-cert and --keystore-key go together');
  let saslPart: KafkaSecurity['sasl'];
  if (sasl) {
    const mechanism = MECHANISMS.find((m) => m === saslMechanism);
    if (!mechanism) throw new UsageError(`--sasl-mechanism: got '${saslMechanism ?? ''}'; expected one of ${MECHANISMS.join(', ')}`);
    if (!saslUsername) throw new UsageError(`--sasl-username is needed with ${protocol}`);
    const value = io.env.KAFKA_PASSWORD;
    if (!value) throw new UsageError(`set KAFKA_PASSWORD to the password of ${saslUsername}: ${protocol} needs it`);
    saslPart = { mechanism, username: saslUsername, password: { placeholder: '${KAFKA_PASSWORD}', value, empty: false } };
  }
  const file = (f: string) => resolve(io.cwd, f);
  return {
    protocol,
    ...(saslPart && { sasl: saslPart }),
    ...(truststore && { truststore: file(truststore) }),
    ...(keystoreCert && keystoreKey && { keystore: { cert: file(keystoreCert), key: file(keystoreKey) } }),
  };
}

/** Where the records come from: exactly one of --from-file and --from-topic. */
function sampleSource(flags: InitFlags): { file: string } | { topic: string } {
  if (flags.fromFile && !flags.fromTopic) return { file: flags.fromFile };
  if (flags.fromTopic && !flags.fromFile) return { topic: flags.fromTopic };
  throw new UsageError('init needs one of --from-file FILE or --from-topic TOPIC');
}
