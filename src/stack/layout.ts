/**
 * Where the local stack keeps things, and which ports it uses. Jars are cached once under
 * `$UVPV_HOME/lib` (default ~/.cache/uvpv); the running stack's config, data, logs and pid files
 * live under `$UVPV_HOME/stack`. Every port can be moved with an environment variable.
 */
import { join, resolve } from 'node:path';
import { settings, type StackPorts, type StackRedisChoice } from '../io/settings';

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
  /** Whether the stack may use a Redis already answering on 6379 (`auto`) or always runs its own. */
  redis: StackRedisChoice;
  java: string;
  mvn: string;
  /** Jars of another `redis` SQL connector to use instead of the project's own. */
  redisConnectorDir?: string;
}

export function stackLayout(env: NodeJS.ProcessEnv): StackLayout {
  const read = settings(env);
  const home = read.home();
  const stateDir = join(home, 'stack');
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
    ports: read.stackPorts(),
    redis: read.stackRedis(),
    java: read.java(),
    mvn: read.mvn(),
    redisConnectorDir: read.redisConnectorDir(),
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
