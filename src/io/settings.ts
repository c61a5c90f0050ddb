/**
 * Every environment setting uvpv reads (`UVPV_*`, `FLINK_*`, `JAVA_HOME`), read one way: unset or
 * empty means the default; any other value must be what the setting takes, or it is a usage
 * error (exit 2) that names the variable and what it expects. Each setting is read when a command
 * needs it, so a bad value stops only the commands that use it. README lists them all.
 *
 * Variables a spec names (`${KAFKA_BOOTSTRAP_SERVERS}`, `${REDIS_PASSWORD}`) are not settings:
 * the spec resolves those itself.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors';

export interface StackPorts {
  kafka: number;
  kafkaController: number;
  jobmanagerRpc: number;
  blob: number;
  flinkRest: number;
  gateway: number;
  /** The port of a Redis the stack starts itself, when none answers on 6379. */
  ownRedis: number;
  /** The first of PROMETHEUS_PORTS ports where Flink's processes serve their metrics to Prometheus. */
  prometheus: number;
  /** The extras (`stack up --with`, src/stack/extras.ts): the secure Kafka's SASL_SSL and SSL listeners (and the two ports after SSL's). */
  kafkaSasl: number;
  kafkaSsl: number;
  /** The first of the Redis Cluster's 3 ports (and their cluster bus ports, 10000 higher). */
  redisCluster: number;
  /** The sentinel (its master and replica on the two ports after it). */
  redisSentinel: number;
  redisTls: number;
}

/** How many ports from `prometheus` on Flink's Prometheus reporters may take: each Flink process takes the first free one. */
export const PROMETHEUS_PORTS = 8;

/** Each port of the local stack: the variable that moves it, and its default. */
export const PORT_VARIABLES: Readonly<Record<keyof StackPorts, readonly [string, number]>> = {
  kafka: ['UVPV_KAFKA_PORT', 9092],
  kafkaController: ['UVPV_KAFKA_CONTROLLER_PORT', 9093],
  jobmanagerRpc: ['UVPV_FLINK_RPC_PORT', 6123],
  blob: ['UVPV_FLINK_BLOB_PORT', 6124],
  flinkRest: ['UVPV_FLINK_REST_PORT', 8081],
  gateway: ['UVPV_GATEWAY_PORT', 8083],
  ownRedis: ['UVPV_REDIS_PORT', 6390],
  prometheus: ['UVPV_PROMETHEUS_PORT', 9249],
  kafkaSasl: ['UVPV_KAFKA_SASL_PORT', 9094],
  kafkaSsl: ['UVPV_KAFKA_SSL_PORT', 9095],
  redisCluster: ['UVPV_REDIS_CLUSTER_PORT', 7001],
  redisSentinel: ['UVPV_REDIS_SENTINEL_PORT', 7010],
  redisTls: ['UVPV_REDIS_TLS_PORT', 7020],
};

export const STACK_REDIS_CHOICES = ['auto', 'own'] as const;
export type StackRedisChoice = (typeof STACK_REDIS_CHOICES)[number];

export interface OceanusSettings {
  /** UVPV_OCEANUS_ENDPOINT: another endpoint than the target's (e.g. a test double). */
  endpoint?: string;
  /** UVPV_OCEANUS_POLL_MS: how often DescribeJobs is asked while waiting. */
  pollMs: number;
  /** UVPV_OCEANUS_TIMEOUT_MS: how long to wait for a job to run or stop. */
  timeoutMs: number;
  /** UVPV_OCEANUS_RETRY_MS: the first backoff delay of a retried call. */
  retryBaseMs: number;
  /** UVPV_OCEANUS_ATTEMPTS: attempts per call. */
  maxAttempts: number;
  /** UVPV_OCEANUS_REQUEST_TIMEOUT_MS: how long one call may take. */
  requestTimeoutMs: number;
}

export class Settings {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** UVPV_HOME: jars under `lib/`, the running stack's files under `stack/` (default ~/.cache/uvpv). */
  home(): string {
    return resolve(this.text('UVPV_HOME') ?? join(homedir(), '.cache', 'uvpv'));
  }

  /** UVPV_*_PORT: the local stack's ports (see PORT_VARIABLES). */
  stackPorts(): StackPorts {
    const ports = {} as StackPorts;
    for (const [key, [variable, fallback]] of Object.entries(PORT_VARIABLES) as [keyof StackPorts, readonly [string, number]][]) {
      ports[key] = this.number(variable, fallback, (n) => Number.isInteger(n) && n >= 1 && n <= 65535, 'a port (1-65535)');
    }
    return ports;
  }

  /** JAVA_HOME: the `java` the stack runs (default: `java` on PATH). */
  java(): string {
    const home = this.text('JAVA_HOME');
    return home ? join(home, 'bin', 'java') : 'java';
  }

  /** UVPV_MVN: the Maven that fetches the stack's jars (default: `mvn` on PATH). */
  mvn(): string {
    return this.text('UVPV_MVN') ?? 'mvn';
  }

  /**
   * UVPV_STACK_REDIS: which Redis the local stack uses. `auto` (default): the machine's own on
   * 127.0.0.1:6379 when one answers, else a redis-server the stack starts on UVPV_REDIS_PORT;
   * `own`: always the stack's own, even when one answers on 6379.
   */
  stackRedis(): StackRedisChoice {
    const text = this.text('UVPV_STACK_REDIS');
    if (text === undefined) return 'auto';
    if (!(STACK_REDIS_CHOICES as readonly string[]).includes(text))
      throw new UsageError(`UVPV_STACK_REDIS=${text} is not one of ${STACK_REDIS_CHOICES.join(', ')}`);
    return text as StackRedisChoice;
  }

  /** UVPV_REDIS_CONNECTOR_DIR: jars of another `redis` SQL connector to run instead of the project's own. */
  redisConnectorDir(): string | undefined {
    return this.text('UVPV_REDIS_CONNECTOR_DIR');
  }

  /**
   * FLINK_SQL_GATEWAY and FLINK_REST: where the built-in `local` target finds the SQL Gateway and
   * Flink's REST API (default: the local stack's default ports on 127.0.0.1).
   */
  localTargetUrls(): { gateway: string; flinkRest: string } {
    return {
      gateway: this.url('FLINK_SQL_GATEWAY') ?? `http://127.0.0.1:${PORT_VARIABLES.gateway[1]}`,
      flinkRest: this.url('FLINK_REST') ?? `http://127.0.0.1:${PORT_VARIABLES.flinkRest[1]}`,
    };
  }

  /** UVPV_POLL_MS: how often the SQL Gateway and Flink are asked while waiting; `fallback` when unset. */
  pollMs(fallback: number): number {
    return this.wholeNumber('UVPV_POLL_MS', fallback, 1);
  }

  /** UVPV_TIMEOUT_MS: how long `deploy`, `status` and `stop` wait for a statement, a savepoint or a job state. */
  timeoutMs(fallback: number): number {
    return this.wholeNumber('UVPV_TIMEOUT_MS', fallback, 1);
  }

  /** The UVPV_OCEANUS_* settings of the Oceanus target. */
  oceanus(): OceanusSettings {
    return {
      endpoint: this.url('UVPV_OCEANUS_ENDPOINT'),
      pollMs: this.wholeNumber('UVPV_OCEANUS_POLL_MS', 5_000, 1),
      timeoutMs: this.wholeNumber('UVPV_OCEANUS_TIMEOUT_MS', 600_000, 1),
      retryBaseMs: this.wholeNumber('UVPV_OCEANUS_RETRY_MS', 1_000, 0),
      maxAttempts: this.wholeNumber('UVPV_OCEANUS_ATTEMPTS', 5, 1),
      requestTimeoutMs: this.wholeNumber('UVPV_OCEANUS_REQUEST_TIMEOUT_MS', 30_000, 1),
    };
  }

  /** UVPV_DEBUG: any value prints an internal error's stack trace. */
  debug(): boolean {
    return this.text('UVPV_DEBUG') !== undefined;
  }

  /** The variable's value; undefined when it is unset or empty. */
  private text(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  private number(name: string, fallback: number, ok: (n: number) => boolean, expects: string): number {
    const text = this.text(name);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (text.trim() === '' || !ok(n)) throw new UsageError(`${name}=${text} is not ${expects}`);
    return n;
  }

  private wholeNumber(name: string, fallback: number, min: number): number {
    return this.number(name, fallback, (n) => Number.isInteger(n) && n >= min, `a whole number of at least ${min}`);
  }

  private url(name: string): string | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    let protocol: string | undefined;
    try {
      protocol = new URL(text).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== 'http:' && protocol !== 'https:') throw new UsageError(`${name}=${text} is not an http:// or https:// URL`);
    return text;
  }
}

/** The settings of this environment (usually a command's `io.env`). */
export function settings(env: NodeJS.ProcessEnv): Settings {
  return new Settings(env);
}
