/**
 * Where the local stack keeps things, and which ports it uses. Jars are cached once under
 * `$UVPV_HOME/lib` (default ~/.cache/uvpv); the running stack's config, data, logs and pid files
 * live under `$UVPV_HOME/stack`. Every port can be moved with an environment variable.
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
}

export const PORT_VARIABLES: Record<keyof StackPorts, [string, number]> = {
  kafka: ['UVPV_KAFKA_PORT', 9092],
  kafkaController: ['UVPV_KAFKA_CONTROLLER_PORT', 9093],
  jobmanagerRpc: ['UVPV_FLINK_RPC_PORT', 6123],
  blob: ['UVPV_FLINK_BLOB_PORT', 6124],
  flinkRest: ['UVPV_FLINK_REST_PORT', 8081],
  gateway: ['UVPV_GATEWAY_PORT', 8083],
  ownRedis: ['UVPV_REDIS_PORT', 6390],
};

export interface StackLayout {
  home: string;
  libDir: string;
  buildDir: string;
  stateDir: string;
  confDir: string;
  dataDir: string;
  logsDir: string;
  runDir: string;
  /** The project's own files: templates/ and connector/. */
  projectRoot: string;
  ports: StackPorts;
  java: string;
  mvn: string;
  /** Jars of another `redis` SQL connector to use instead of the project's own. */
  redisConnectorDir?: string;
}

export function stackLayout(env: NodeJS.ProcessEnv): StackLayout {
  const home = resolve(env.UVPV_HOME || join(homedir(), '.cache', 'uvpv'));
  const stateDir = join(home, 'stack');
  const ports = {} as StackPorts;
  for (const [key, [variable, fallback]] of Object.entries(PORT_VARIABLES) as [keyof StackPorts, [string, number]][]) {
    const raw = env[variable];
    const port = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`${variable}=${raw} is not a port (1-65535)`);
    ports[key] = port;
  }
  return {
    home,
    libDir: join(home, 'lib'),
    buildDir: join(home, 'build'),
    stateDir,
    confDir: join(stateDir, 'conf'),
    dataDir: join(stateDir, 'data'),
    logsDir: join(stateDir, 'logs'),
    runDir: join(stateDir, 'run'),
    projectRoot: resolve(__dirname, '..', '..'),
    ports,
    java: env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java',
    mvn: env.UVPV_MVN || 'mvn',
    redisConnectorDir: env.UVPV_REDIS_CONNECTOR_DIR || undefined,
  };
}

/** The URLs other commands use to reach the local stack. */
export function stackUrls(layout: StackLayout) {
  return {
    kafka: `127.0.0.1:${layout.ports.kafka}`,
    flinkRest: `http://127.0.0.1:${layout.ports.flinkRest}`,
    gateway: `http://127.0.0.1:${layout.ports.gateway}`,
  };
}
