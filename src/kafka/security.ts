/**
 * A spec's `source.security` as kafkajs's client options, and what to tell a user whose Kafka
 * refuses them. The one place uvpv's own Kafka clients (produce, verify, init, doctor) learn how
 * to reach a secured Kafka; Flink's options for the same settings are written by src/sql.
 */
import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { UsageError } from '../errors';
import type { KafkaSecurity, SaslMechanism, Secret } from '../pipeline/types';
import { errorChain, tlsRefusal, type Refusal } from '../util/error-chain';

const KAFKAJS_MECHANISM: Readonly<Record<SaslMechanism, 'plain' | 'scram-sha-256' | 'scram-sha-512'>> = {
  PLAIN: 'plain',
  'SCRAM-SHA-256': 'scram-sha-256',
  'SCRAM-SHA-512': 'scram-sha-512',
};

/** kafkajs's `ssl` and `sasl` for `security`; `read` reads a PEM file (tests pass their own). */
export function kafkaSecurityConfig(
  security: KafkaSecurity | undefined,
  read: (path: string) => string = readPem,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (!security || security.protocol === 'PLAINTEXT') return {};
  const tls = security.protocol === 'SSL' || security.protocol === 'SASL_SSL';
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (tls) {
    const { truststore, keystore } = security;
    const passphrase = keystore?.keyPassword && secretValue(keystore.keyPassword, 'source.security.keystore.keyPassword');
    // Without a truststore, Node's own CAs, as Kafka's clients use the JVM's.
    out.ssl =
      truststore || keystore
        ? {
            rejectUnauthorized: true,
            ...(truststore && { ca: [read(truststore)] }),
            ...(keystore && { cert: read(keystore.cert), key: read(keystore.key) }),
            ...(passphrase && { passphrase }),
          }
        : true;
  }
  if (security.sasl) {
    const { mechanism, username, password } = security.sasl;
    out.sasl = {
      mechanism: KAFKAJS_MECHANISM[mechanism],
      username,
      password: secretValue(password, 'source.security.password'),
    } as SASLOptions;
  }
  return out;
}

function secretValue(secret: Secret, path: string): string {
  if (secret.value === undefined) throw new UsageError(`${path}: ${secret.placeholder} is not set; this Kafka needs it`);
  return secret.value;
}

function readPem(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Why a secured Kafka refused a client, and the fix. */
export type KafkaRefusal = Refusal;

/**
 * An authentication or TLS failure read from a kafkajs error (its name, its cause's TLS code),
 * or undefined for anything else (a broker that does not answer, a missing topic). The text
 * names the setting to fix, never a value.
 */
export function kafkaRefusal(e: unknown, security: KafkaSecurity | undefined): KafkaRefusal | undefined {
  const chain = errorChain(e);
  if (chain.some((x) => x.name === 'KafkaJSSASLAuthenticationError')) {
    const mechanism = security?.sasl?.mechanism ?? 'SASL';
    return {
      kind: 'authentication',
      detail: `Kafka refused the ${mechanism} login of user ${security?.sasl?.username ?? '(none)'}`,
      fix: 'check source.security.username and the variable source.security.password names, and that the user exists for this mechanism on the brokers',
    };
  }
  return tlsRefusal(e, {
    untrusted: (code) => ({
      detail: `the brokers' TLS certificate is not trusted (${code})`,
      fix: "set source.security.truststore to the PEM file of the CA that signed the brokers' certificates (and check the address matches the certificate)",
    }),
    handshake: {
      detail: 'the TLS handshake with the brokers failed: the listener may not speak TLS, or wants a client certificate',
      fix: 'match source.security.protocol to the listener (SSL/SASL_SSL for a TLS listener), and set source.security.keystore when it requires a client certificate',
    },
  });
}
