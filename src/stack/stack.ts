/**
 * The local stack as one thing: `up` (idempotent; waits for health), `down` (only what it
 * started), `status`, and where the logs are. Redis is the machine's own on 127.0.0.1:6379
 * when one answers there, else a `redis-server` of the stack's own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Progress } from '../io/progress';
import { PROMETHEUS_PORTS } from '../io/settings';
import { RuntimeFailure } from '../errors';
import { components, launches, type Component, type ComponentName, type Launch } from './components';
import {
  gatewayProbe,
  jobmanagerProbe,
  kafkaProbe,
  redisAnswers,
  taskmanagerIds,
  taskmanagerProbe,
  waitHealthy,
  type Probe,
} from './health';
import { stackUrls, type StackLayout } from './layout';
import { alive, killProcess, portInUse, runningPid, startDetached, stopProcess } from './processes';
import { redisSinkDir, resolveJars } from './resolve';
import { downExtras, extrasStatus, upExtras, type ExtraName, type ExtraStatus } from './extras';
import { localTarget } from '../pipeline/load';
import type { GatewayTarget } from '../pipeline/types';

export interface RedisEndpoint {
  host: string;
  port: number;
  /** True when the stack started this redis-server (and `down` stops it). */
  managed: boolean;
}

export interface ComponentStatus {
  name: string;
  title: string;
  pid?: number;
  healthy?: string;
  rssMb?: number;
  log: string;
}

// Redis rewrites its process title, so the marker goes into the title template (Redis 6.2+),
// which is what /proc/<pid>/cmdline then shows.
const REDIS_MARKER = 'uvpv-stack-redis';
const HEALTH_TIMEOUT_MS = 120_000;

export class LocalStack {
  constructor(
    readonly layout: StackLayout,
    private readonly progress: Progress,
  ) {}

  get urls() {
    return stackUrls(this.layout);
  }

  /** The `local` target for this stack: its URLs, and the Redis connector it runs. */
  get target(): GatewayTarget {
    return localTarget(this.urls, this.layout.redisConnectorDir !== undefined);
  }

  /**
   * A warning when the running TaskManager has another Redis connector than the one the stack
   * would start now (uvpv was upgraded, or connector/ changed, since `stack up`): its jobs then
   * run a connector that may lack what the generated SQL asks of it. Undefined when it matches,
   * or when no TaskManager runs or its command line cannot be read.
   */
  staleConnector(): string | undefined {
    const tm = components(this.layout).find((c) => c.name === 'taskmanager');
    if (!tm) throw new Error('the stack has no taskmanager component');
    const pid = runningPid(this.layout.runDir, tm.name, tm.marker);
    if (pid === undefined) return undefined;
    let command: string;
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return undefined;
    }
    if (command.includes(redisSinkDir(this.layout))) return undefined;
    return 'the running TaskManager has another build of the Redis connector than this uvpv (upgraded, or connector/ changed, since the stack started); `uvpv stack down && uvpv stack up` starts it with this one';
  }

  /** `knownTaskmanagers`: TaskManager ids that do not count as the TaskManager being up (see `up`). */
  private probes(knownTaskmanagers?: ReadonlySet<string>): Record<Component['name'], Probe> {
    const { kafka, flinkRest, gateway } = this.urls;
    return {
      kafka: kafkaProbe(kafka),
      jobmanager: jobmanagerProbe(flinkRest),
      taskmanager: taskmanagerProbe(flinkRest, knownTaskmanagers),
      'sql-gateway': gatewayProbe(gateway),
    };
  }

  /**
   * Starts whatever is not running and waits until everything answers: after `kill` of a
   * component, this is what restarts it. A TaskManager started under a running JobManager
   * counts as up once the JobManager lists a TaskManager id it did not list before the start.
   */
  async up(): Promise<{ started: string[]; redis: RedisEndpoint }> {
    for (const dir of [this.layout.confDir, this.layout.dataDir, this.layout.logsDir, this.layout.runDir])
      mkdirSync(dir, { recursive: true });
    checkTool(
      this.layout.java,
      ['-version'],
      'Java 17',
      'install a JDK 17 (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME',
    );
    // Ports first: a taken port is an error before anything is downloaded or started.
    const missing: Component[] = [];
    for (const c of components(this.layout)) {
      if (runningPid(this.layout.runDir, c.name, c.marker)) continue;
      for (const port of c.ports) {
        if (await portInUse(port)) {
          throw new RuntimeFailure(
            `port ${port} (${c.title}) is already in use by a process the stack did not start; stop it, or move the stack with the UVPV_*_PORT variables (see docs/local-stack.md)`,
          );
        }
      }
      missing.push(c);
    }
    const jars = await resolveJars(this.layout, this.progress);
    const stale = this.staleConnector();
    if (stale) this.progress.info(`warning: ${stale}`);
    this.writeConfig();
    const redis = await this.ensureRedis();
    const all = launches(this.layout, jars);
    // A killed TaskManager stays on the JobManager's list, slots and all, until its heartbeat times
    // out: the new one is the one with an id not listed now.
    const restartsTaskmanager = missing.some((c) => c.name === 'taskmanager') && !missing.some((c) => c.name === 'jobmanager');
    const probes = this.probes(restartsTaskmanager ? await taskmanagerIds(this.urls.flinkRest) : undefined);
    const toStart: Launch[] = all.filter((l) => missing.some((c) => c.name === l.name));
    if (toStart.some((c) => c.name === 'kafka')) this.formatKafkaStorage(jars.kafka);

    // Start in dependency order, but wait for health in parallel: on 2 cores the JVMs' start-up
    // is CPU-bound either way, and this keeps the wall time near the slowest one.
    const pids = new Map<string, number>();
    for (const c of toStart) {
      pids.set(
        c.name,
        startDetached(this.layout.runDir, {
          name: c.name,
          command: c.command,
          args: c.args,
          env: c.env,
          marker: c.marker,
          logFile: join(this.layout.logsDir, `${c.name}.out`),
        }),
      );
    }
    const failures: string[] = [];
    await Promise.all(
      all.map(async (c) => {
        const end = this.progress.step(`${pids.has(c.name) ? 'starting' : 'checking'} ${c.title}`);
        const pid = pids.get(c.name) ?? runningPid(this.layout.runDir, c.name, c.marker);
        const note = await waitHealthy(probes[c.name], HEALTH_TIMEOUT_MS, () => pid !== undefined && alive(pid));
        if (note === undefined) {
          failures.push(`${c.title} did not become healthy; see ${c.logFile} and ${join(this.layout.logsDir, `${c.name}.out`)}`);
          end('FAILED');
        } else end(note);
      }),
    );
    if (failures.length) throw new RuntimeFailure('the local stack did not come up', failures.join('\n'));
    return { started: toStart.map((c) => c.name), redis };
  }

  /**
   * Starts the opt-in servers named (src/stack/extras.ts) beside the running stack, and waits
   * until each answers; returns those it started.
   */
  async upExtras(names: readonly ExtraName[]): Promise<string[]> {
    if (!names.length) return [];
    const jars = await resolveJars(this.layout, this.progress);
    return upExtras(this.layout, names, jars.kafka, this.progress);
  }

  /** The opt-in servers that run. */
  extras(): Promise<ExtraStatus[]> {
    return extrasStatus(this.layout);
  }

  /** Stops the processes this stack started, newest first (its extras first of all); leaves anything else alone. */
  async down(): Promise<string[]> {
    const lines: string[] = [];
    const end = this.progress.step('stopping the extras');
    const extras = await downExtras(this.layout);
    end(extras.length ? `${extras.length} stopped` : 'none ran');
    lines.push(...extras);
    for (const c of components(this.layout).reverse()) {
      const end = this.progress.step(`stopping ${c.name}`);
      const result = await stopProcess(this.layout.runDir, c.name, c.marker);
      end(result);
      if (result !== 'not running') lines.push(`${c.name}: ${result}`);
    }
    const redis = this.redisEndpoint();
    if (redis?.managed) {
      const result = await stopProcess(this.layout.runDir, 'redis', REDIS_MARKER);
      if (result !== 'not running') lines.push(`redis-server: ${result}`);
    }
    return lines;
  }

  async status(): Promise<{ components: ComponentStatus[]; redis?: RedisEndpoint & { healthy: boolean } }> {
    const probes = this.probes();
    const list = await Promise.all(
      components(this.layout).map(async (c) => {
        const pid = runningPid(this.layout.runDir, c.name, c.marker);
        return {
          name: c.name,
          title: c.title,
          pid,
          healthy: pid ? await probes[c.name]() : undefined,
          rssMb: pid ? rss(pid) : undefined,
          log: c.logFile,
        };
      }),
    );
    const redis = this.redisEndpoint();
    return { components: list, redis: redis && { ...redis, healthy: (await redisAnswers(redis.host, redis.port)) !== undefined } };
  }

  /** True when every part answers, Redis included: nothing for `up` to do. */
  async isUp(): Promise<boolean> {
    const { components: list, redis } = await this.status();
    return list.every((c) => c.healthy) && Boolean(redis?.healthy);
  }

  /**
   * SIGKILLs a running component, found by its pid file and marker (never a process the stack
   * did not start), and waits until it is gone: a crash, for fault tests. The pid file stays, as
   * after a crash; `up` starts the component again. 'not running' when there was nothing to kill.
   */
  async kill(name: ComponentName, timeoutMs = 10_000): Promise<'killed' | 'not running'> {
    const c = components(this.layout).find((x) => x.name === name);
    if (!c) throw new Error(`no stack component ${name}`);
    return killProcess(this.layout.runDir, c.name, c.marker, timeoutMs);
  }

  /** The pid of a running part of the stack, found by its marker. */
  pid(name: ComponentName): number | undefined {
    const c = components(this.layout).find((x) => x.name === name);
    return c && runningPid(this.layout.runDir, c.name, c.marker);
  }

  /** The Redis the stack uses, as recorded by `up`. */
  redisEndpoint(): RedisEndpoint | undefined {
    const file = join(this.layout.runDir, 'redis.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RedisEndpoint) : undefined;
  }

  logFiles(): Record<string, string> {
    const files: Record<string, string> = {};
    for (const c of components(this.layout)) files[c.name] = c.logFile;
    files.maven = join(this.layout.logsDir, 'maven.log');
    return files;
  }

  private async ensureRedis(): Promise<RedisEndpoint> {
    const file = join(this.layout.runDir, 'redis.json');
    let endpoint: RedisEndpoint;
    const own = runningPid(this.layout.runDir, 'redis', REDIS_MARKER);
    if (own) endpoint = { host: '127.0.0.1', port: this.layout.ports.ownRedis, managed: true };
    else if (this.layout.redis === 'auto' && (await redisAnswers('127.0.0.1', 6379)))
      endpoint = { host: '127.0.0.1', port: 6379, managed: false };
    else {
      const port = this.layout.ports.ownRedis;
      const why = this.layout.redis === 'own' ? 'UVPV_STACK_REDIS=own' : 'no Redis answers on 127.0.0.1:6379';
      if (await portInUse(port))
        throw new RuntimeFailure(
          `${why} and port ${port} for the stack's own Redis is taken`,
          undefined,
          undefined,
          'set UVPV_REDIS_PORT to a free port',
        );
      checkTool(
        'redis-server',
        ['--version'],
        `redis-server (${why}, so the stack starts its own)`,
        'install Redis (Debian/Ubuntu: apt-get install redis-server) or run one on 127.0.0.1:6379',
      );
      const end = this.progress.step(`starting redis-server on 127.0.0.1:${port}`);
      const pid = startDetached(this.layout.runDir, {
        name: 'redis',
        command: 'redis-server',
        args: [
          '--bind',
          '127.0.0.1',
          '--port',
          String(port),
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          this.layout.dataDir,
          '--proc-title-template',
          `{title} {listen-addr} ${REDIS_MARKER}`,
        ],
        marker: REDIS_MARKER,
        logFile: join(this.layout.logsDir, 'redis.out'),
      });
      const ok = await waitHealthy(
        async () => ((await redisAnswers('127.0.0.1', port)) ? 'PONG' : undefined),
        10_000,
        () => alive(pid),
      );
      if (!ok) throw new RuntimeFailure(`redis-server did not start; see ${join(this.layout.logsDir, 'redis.out')}`);
      end('PONG');
      endpoint = { host: '127.0.0.1', port, managed: true };
    }
    writeFileSync(file, JSON.stringify(endpoint) + '\n');
    return endpoint;
  }

  private writeConfig(): void {
    const vars: Record<string, string | number> = {
      dataDir: this.layout.dataDir,
      kafkaPort: this.layout.ports.kafka,
      kafkaControllerPort: this.layout.ports.kafkaController,
      jobmanagerRpcPort: this.layout.ports.jobmanagerRpc,
      blobPort: this.layout.ports.blob,
      flinkRestPort: this.layout.ports.flinkRest,
      gatewayPort: this.layout.ports.gateway,
      prometheusPorts: `${this.layout.ports.prometheus}-${this.layout.ports.prometheus + PROMETHEUS_PORTS - 1}`,
    };
    const templates = join(this.layout.projectRoot, 'templates', 'stack');
    for (const file of [
      'kafka/server.properties',
      'kafka/log4j.properties',
      'kafka/tools-log4j.properties',
      'flink/config.yaml',
      'flink/log4j.properties',
    ]) {
      const text = readFileSync(join(templates, file), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
        if (!(k in vars)) throw new Error(`template ${file} uses unknown {{${k}}}`);
        return String(vars[k]);
      });
      mkdirSync(join(this.layout.confDir, file.split('/')[0]), { recursive: true });
      writeFileSync(join(this.layout.confDir, file), text);
    }
    for (const d of ['kafka', 'flink/checkpoints', 'flink/savepoints', 'flink/tmp'])
      mkdirSync(join(this.layout.dataDir, d), { recursive: true });
  }

  /** KRaft storage is formatted once, with a cluster id of its own. */
  private formatKafkaStorage(kafkaJars: string): void {
    if (existsSync(join(this.layout.dataDir, 'kafka', 'meta.properties'))) return;
    const end = this.progress.step('formatting Kafka storage (first start)');
    const base = [
      '-cp',
      `${kafkaJars}/*`,
      `-Dlog4j.configuration=file:${join(this.layout.confDir, 'kafka', 'tools-log4j.properties')}`,
      'kafka.tools.StorageTool',
    ];
    const id = spawnSync(this.layout.java, [...base, 'random-uuid'], { encoding: 'utf8' });
    const clusterId = id.stdout.trim().split('\n').pop() ?? '';
    const fmt = spawnSync(
      this.layout.java,
      [...base, 'format', '-t', clusterId, '-c', join(this.layout.confDir, 'kafka', 'server.properties'), '--ignore-formatted'],
      {
        encoding: 'utf8',
      },
    );
    if (fmt.status !== 0) throw new RuntimeFailure('formatting Kafka storage failed', `${fmt.stdout}\n${fmt.stderr}`);
    end();
  }
}

function checkTool(command: string, args: string[], what: string, fix: string): void {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.error) throw new RuntimeFailure(`${what} not found ('${command}')`, undefined, undefined, fix);
}

function rss(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}
