/**
 * The stack's opt-in servers (`uvpv stack up --with secure,cluster,sentinel,tls`), for proving
 * a spec's connections (docs/spec.md#connections) against real servers on this machine:
 *
 * - `secure`: a second Kafka broker with a SASL_SSL listener (SCRAM-SHA-256/512 and PLAIN, user
 *   `uvpv`) and an SSL listener that requires a client certificate (mutual TLS);
 * - `cluster`: a Redis Cluster of 3 masters with a password;
 * - `sentinel`: a Redis master with a password, its replica and one sentinel watching it, which
 *   has a password of its own;
 * - `tls`: a TLS-only Redis whose default user is off and whose ACL user is `uvpv`.
 *
 * All on 127.0.0.1. Their certificates (a CA, a server certificate for 127.0.0.1 and localhost,
 * a client certificate) are made once with openssl under `<stack>/extras/tls/`; their passwords
 * are made once, at random, into `<stack>/extras/credentials.env` (mode 0600), which a spec reads
 * as `${UVPV_STACK_...}` variables. Each start is fresh: data, cluster state and SCRAM users are
 * made again. The default stack is left as it is: these start only when asked.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuntimeFailure, UsageError } from '../errors';
import type { Progress } from '../io/progress';
import { connectRedis, redisClient, type RedisAddress } from '../util/redis';
import { kafka } from '../kafka/client';
import type { KafkaSecurity } from '../pipeline/types';
import type { StackLayout } from './layout';
import { alive, portInUse, runningPid, startDetached, stopProcess } from './processes';
import { waitHealthy } from './health';

export const EXTRAS = ['secure', 'cluster', 'sentinel', 'tls'] as const;
export type ExtraName = (typeof EXTRAS)[number];

export const EXTRA_TITLES: Readonly<Record<ExtraName, string>> = {
  secure: 'Kafka with SASL_SSL (SCRAM, PLAIN) and SSL (client certificate) listeners',
  cluster: 'Redis Cluster, 3 masters, with a password',
  sentinel: 'Redis master and replica, with a password, watched by a sentinel with a password of its own',
  tls: 'TLS-only Redis with an ACL user',
};

/** The names `--with` takes, comma-separated; a usage error for any other. */
export function parseExtras(text: string | undefined): ExtraName[] {
  if (text === undefined || text.trim() === '') return [];
  const names = text.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !(EXTRAS as readonly string[]).includes(n));
  if (unknown.length)
    throw new UsageError(`--with: unknown ${unknown.map((n) => `'${n}'`).join(', ')}; expected some of ${EXTRAS.join(', ')}`);
  return EXTRAS.filter((e) => names.includes(e));
}

/** The variables of credentials.env: what a spec for the extras names. */
export interface ExtraCredentials {
  UVPV_STACK_KAFKA_USER: string;
  UVPV_STACK_KAFKA_PASSWORD: string;
  UVPV_STACK_REDIS_PASSWORD: string;
  /** The sentinel's own password (its requirepass), not the data nodes': a spec's redis.sentinelPassword. */
  UVPV_STACK_REDIS_SENTINEL_PASSWORD: string;
  UVPV_STACK_REDIS_USER: string;
  UVPV_STACK_REDIS_USER_PASSWORD: string;
  /** The PKCS#12 keystore's password of the secure broker (the broker's own; no spec needs it). */
  UVPV_STACK_KEYSTORE_PASSWORD: string;
}

/** Where each extra listens, from the stack's ports. */
export function extraPorts(layout: StackLayout) {
  const p = layout.ports;
  return {
    kafkaSasl: p.kafkaSasl,
    kafkaSsl: p.kafkaSsl,
    kafkaSecureInternal: p.kafkaSsl + 1,
    kafkaSecureController: p.kafkaSsl + 2,
    cluster: [p.redisCluster, p.redisCluster + 1, p.redisCluster + 2],
    sentinel: p.redisSentinel,
    sentinelMaster: p.redisSentinel + 1,
    sentinelReplica: p.redisSentinel + 2,
    tls: p.redisTls,
  };
}

/** The sentinel's name for the master it watches (a spec's redis.masterName). */
export const SENTINEL_MASTER = 'uvpv';

/** A process of an extra: how it starts and how to tell it answers. */
interface ExtraProcess {
  name: string;
  extra: ExtraName;
  ports: number[];
  marker: string;
  start(): { command: string; args: string[] };
  probe(): Promise<string | undefined>;
}

/** Where the extras keep their files. */
export function extrasDir(layout: StackLayout): string {
  return join(layout.stateDir, 'extras');
}

export function credentialsFile(layout: StackLayout): string {
  return join(extrasDir(layout), 'credentials.env');
}

export function tlsDir(layout: StackLayout): string {
  return join(extrasDir(layout), 'tls');
}

/**
 * The credentials, made at random the first time. A file made before a variable existed gets that
 * one added (the others kept), so that servers already set up keep their passwords.
 */
export function credentials(layout: StackLayout): ExtraCredentials {
  const file = credentialsFile(layout);
  const read: Partial<Record<string, string>> = existsSync(file)
    ? Object.fromEntries(
        readFileSync(file, 'utf8')
          .split('\n')
          .map((l) => /^([A-Z_]+)=(.*)$/.exec(l))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => [m[1], m[2]]),
      )
    : {};
  const secret = () => randomBytes(12).toString('hex');
  const made: ExtraCredentials = {
    UVPV_STACK_KAFKA_USER: read.UVPV_STACK_KAFKA_USER ?? 'uvpv',
    UVPV_STACK_KAFKA_PASSWORD: read.UVPV_STACK_KAFKA_PASSWORD ?? secret(),
    UVPV_STACK_REDIS_PASSWORD: read.UVPV_STACK_REDIS_PASSWORD ?? secret(),
    UVPV_STACK_REDIS_SENTINEL_PASSWORD: read.UVPV_STACK_REDIS_SENTINEL_PASSWORD ?? secret(),
    UVPV_STACK_REDIS_USER: read.UVPV_STACK_REDIS_USER ?? 'uvpv',
    UVPV_STACK_REDIS_USER_PASSWORD: read.UVPV_STACK_REDIS_USER_PASSWORD ?? secret(),
    UVPV_STACK_KEYSTORE_PASSWORD: read.UVPV_STACK_KEYSTORE_PASSWORD ?? secret(),
  };
  if (Object.keys(made).every((k) => read[k] !== undefined)) return made;
  mkdirSync(extrasDir(layout), { recursive: true });
  const text = Object.entries(made)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  writeFileSync(file, `# The local stack's extras (uvpv stack up --with ...): made at random, for this machine only.\n${text}\n`, {
    mode: 0o600,
  });
  chmodSync(file, 0o600);
  return made;
}

/**
 * The certificates, made once: a CA, a server certificate for 127.0.0.1 and localhost (with a
 * PKCS#12 copy for Kafka), and a client certificate for mutual TLS. Keys are PKCS#8 PEM.
 */
export function ensureCertificates(layout: StackLayout, creds: ExtraCredentials): void {
  const dir = tlsDir(layout);
  if (existsSync(join(dir, 'server.p12')) && existsSync(join(dir, 'client.pem'))) return;
  mkdirSync(dir, { recursive: true });
  const openssl = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
    if (r.error) throw new RuntimeFailure("openssl not found, to make the extras' certificates", undefined, undefined, 'install openssl');
    if (r.status !== 0) throw new RuntimeFailure(`openssl ${args[0]} failed`, r.stderr);
  };
  const days = '825';
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    days,
    '-subj',
    '/CN=uvpv local stack CA',
  ]);
  const sign = (name: string, cn: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    openssl([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      days,
      '-extfile',
      `${name}.ext`,
    ]);
  };
  sign('server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth');
  sign('client', 'uvpv', 'extendedKeyUsage=clientAuth');
  openssl(
    [
      'pkcs12',
      '-export',
      '-in',
      'server.pem',
      '-inkey',
      'server.key',
      '-certfile',
      'ca.pem',
      '-name',
      'server',
      '-out',
      'server.p12',
      '-passout',
      // The keystore's password reaches openssl through its environment, not its command line.
      'env:UVPV_P12',
    ],
    { UVPV_P12: creds.UVPV_STACK_KEYSTORE_PASSWORD },
  );
}

/** The processes of each extra. */
function processes(layout: StackLayout, kafkaJars: string, creds: ExtraCredentials): ExtraProcess[] {
  const ports = extraPorts(layout);
  const tls = tlsDir(layout);
  const marker = (name: string) => `uvpv-extra-${name}`;
  const redisConf = (name: string, lines: string[]) => {
    const dir = join(layout.dataDir, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const file = join(layout.confDir, 'extras', `${name}.conf`);
    mkdirSync(join(layout.confDir, 'extras'), { recursive: true });
    const text = [
      'bind 127.0.0.1',
      'save ""',
      'appendonly no',
      `dir ${dir}`,
      `proc-title-template "{title} {listen-addr} ${marker(name)} ${layout.stateDir}"`,
      ...lines,
    ].join('\n');
    writeFileSync(file, `${text}\n`, { mode: 0o600 });
    return file;
  };
  const redis = (name: string, extra: ExtraName, port: number, lines: string[], at: RedisAddress, sentinel = false): ExtraProcess => ({
    name,
    extra,
    ports: extra === 'cluster' ? [port, port + 10000] : [port],
    marker: marker(name),
    // A TLS-only server has `port 0` (no plaintext port) among its lines.
    start: () => ({
      command: 'redis-server',
      args: [redisConf(name, [...(extra === 'tls' ? [] : [`port ${port}`]), ...lines]), ...(sentinel ? ['--sentinel'] : [])],
    }),
    probe: () => ping(at),
  });
  const pw = creds.UVPV_STACK_REDIS_PASSWORD;
  const auth = [`requirepass ${pw}`, `masterauth ${pw}`];
  const out: ExtraProcess[] = [];
  out.push(
    ...ports.cluster.map((port, i) =>
      redis(
        `redis-cluster-${i + 1}`,
        'cluster',
        port,
        [...auth, 'cluster-enabled yes', `cluster-config-file nodes-${port}.conf`, 'cluster-node-timeout 3000'],
        {
          host: '127.0.0.1',
          port,
          password: pw,
        },
      ),
    ),
  );
  out.push(
    redis('redis-sentinel-master', 'sentinel', ports.sentinelMaster, auth, { host: '127.0.0.1', port: ports.sentinelMaster, password: pw }),
    redis('redis-sentinel-replica', 'sentinel', ports.sentinelReplica, [...auth, `replicaof 127.0.0.1 ${ports.sentinelMaster}`], {
      host: '127.0.0.1',
      port: ports.sentinelReplica,
      password: pw,
    }),
    redis(
      'redis-sentinel',
      'sentinel',
      ports.sentinel,
      [
        // The sentinel's own password, not the data nodes': a spec must give it as redis.sentinelPassword.
        `requirepass ${creds.UVPV_STACK_REDIS_SENTINEL_PASSWORD}`,
        `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${ports.sentinelMaster} 1`,
        `sentinel auth-pass ${SENTINEL_MASTER} ${pw}`,
        `sentinel down-after-milliseconds ${SENTINEL_MASTER} 2000`,
        `sentinel failover-timeout ${SENTINEL_MASTER} 10000`,
      ],
      {
        mode: 'sentinel',
        host: '127.0.0.1',
        port: ports.sentinel,
        nodes: [`127.0.0.1:${ports.sentinel}`],
        masterName: SENTINEL_MASTER,
        password: pw,
        sentinelPassword: creds.UVPV_STACK_REDIS_SENTINEL_PASSWORD,
      },
      true,
    ),
  );
  out.push(
    redis(
      'redis-tls',
      'tls',
      ports.tls,
      [
        'port 0',
        `tls-port ${ports.tls}`,
        `tls-cert-file ${join(tls, 'server.pem')}`,
        `tls-key-file ${join(tls, 'server.key')}`,
        `tls-ca-cert-file ${join(tls, 'ca.pem')}`,
        'tls-auth-clients no',
        'user default off',
        `user ${creds.UVPV_STACK_REDIS_USER} on >${creds.UVPV_STACK_REDIS_USER_PASSWORD} ~* &* +@all`,
      ],
      {
        host: '127.0.0.1',
        port: ports.tls,
        username: creds.UVPV_STACK_REDIS_USER,
        password: creds.UVPV_STACK_REDIS_USER_PASSWORD,
        tls: { ca: join(tls, 'ca.pem'), verifyPeer: true },
      },
    ),
  );
  out.push(secureKafka(layout, kafkaJars, creds));
  return out;
}

function secureKafka(layout: StackLayout, kafkaJars: string, creds: ExtraCredentials): ExtraProcess {
  const ports = extraPorts(layout);
  const name = 'kafka-secure';
  const marker = `-Duvpv.stack=${layout.stateDir}/${name}`;
  const confDir = join(layout.confDir, 'extras');
  const dataDir = join(layout.dataDir, name);
  const logsDir = join(layout.logsDir, name);
  const tls = tlsDir(layout);
  const props = join(confDir, `${name}.properties`);
  const cp = [
    '-cp',
    `${kafkaJars}/*`,
    `-Dlog4j.configuration=file:${join(layout.projectRoot, 'templates', 'stack', 'kafka', 'tools-log4j.properties')}`,
  ];
  return {
    name,
    extra: 'secure',
    ports: [ports.kafkaSasl, ports.kafkaSsl, ports.kafkaSecureInternal, ports.kafkaSecureController],
    marker,
    start() {
      mkdirSync(confDir, { recursive: true });
      mkdirSync(logsDir, { recursive: true });
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir, { recursive: true });
      const jaas = (module: string, users = '') => `org.apache.kafka.common.security.${module} required${users};`;
      const p = creds.UVPV_STACK_KAFKA_PASSWORD;
      const lines = [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${ports.kafkaSecureController}`,
        `listeners=INTERNAL://127.0.0.1:${ports.kafkaSecureInternal},SASL_SSL://127.0.0.1:${ports.kafkaSasl},SSL://127.0.0.1:${ports.kafkaSsl},CONTROLLER://127.0.0.1:${ports.kafkaSecureController}`,
        `advertised.listeners=INTERNAL://127.0.0.1:${ports.kafkaSecureInternal},SASL_SSL://127.0.0.1:${ports.kafkaSasl},SSL://127.0.0.1:${ports.kafkaSsl}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=INTERNAL',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL',
        'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN',
        `listener.name.sasl_ssl.plain.sasl.jaas.config=${jaas('plain.PlainLoginModule', ` user_${creds.UVPV_STACK_KAFKA_USER}="${p}"`)}`,
        `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${jaas('scram.ScramLoginModule')}`,
        `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${jaas('scram.ScramLoginModule')}`,
        'ssl.keystore.type=PKCS12',
        `ssl.keystore.location=${join(tls, 'server.p12')}`,
        `ssl.keystore.password=${creds.UVPV_STACK_KEYSTORE_PASSWORD}`,
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=${join(tls, 'ca.pem')}`,
        'listener.name.ssl.ssl.client.auth=required',
        `log.dirs=${dataDir}`,
        'num.partitions=1',
        'auto.create.topics.enable=false',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=1',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
      ];
      writeFileSync(props, `# The stack's secure Kafka (uvpv stack up --with secure); written at each start.\n${lines.join('\n')}\n`, {
        mode: 0o600,
      });
      const base = [...cp, 'kafka.tools.StorageTool'];
      const id = spawnSync(layout.java, [...base, 'random-uuid'], { encoding: 'utf8' });
      const clusterId = id.stdout.trim().split('\n').pop() ?? '';
      // SCRAM users of a KRaft cluster are made when its storage is formatted.
      const scram = ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => [
        '--add-scram',
        `${m}=[name=${creds.UVPV_STACK_KAFKA_USER},password=${p}]`,
      ]);
      const fmt = spawnSync(layout.java, [...base, 'format', '-t', clusterId, '-c', props, ...scram], { encoding: 'utf8' });
      // Its output may quote the password: it is not shown.
      if (fmt.status !== 0) throw new RuntimeFailure(`formatting the secure Kafka's storage failed (exit ${fmt.status}); see ${logsDir}`);
      return {
        command: layout.java,
        args: [
          marker,
          '-Xms256m',
          '-Xmx384m',
          '-XX:+UseG1GC',
          '-Djava.awt.headless=true',
          `-Dkafka.logs.dir=${logsDir}`,
          `-Dlog4j.configuration=file:${join(layout.projectRoot, 'templates', 'stack', 'kafka', 'log4j.properties')}`,
          '-cp',
          `${kafkaJars}/*`,
          'kafka.Kafka',
          props,
        ],
      };
    },
    async probe() {
      const security = stackKafkaSecurity(layout, 'sasl');
      const admin = kafka(`127.0.0.1:${ports.kafkaSasl}`, {
        clientId: 'uvpv-health',
        retries: 0,
        connectionTimeoutMs: 1000,
        requestTimeoutMs: 2000,
        security,
      }).admin();
      try {
        await admin.connect();
        await admin.listTopics();
        return `SASL_SSL on ${ports.kafkaSasl}, SSL on ${ports.kafkaSsl}`;
      } catch {
        return undefined;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}

/** The secure Kafka's `security` for one of its listeners, as a spec would write it (its password resolved). */
export function stackKafkaSecurity(layout: StackLayout, listener: 'sasl' | 'ssl'): KafkaSecurity {
  const creds = credentials(layout);
  const truststore = join(tlsDir(layout), 'ca.pem');
  if (listener === 'ssl')
    return { protocol: 'SSL', truststore, keystore: { cert: join(tlsDir(layout), 'client.pem'), key: join(tlsDir(layout), 'client.key') } };
  const password = { placeholder: '${UVPV_STACK_KAFKA_PASSWORD}', value: creds.UVPV_STACK_KAFKA_PASSWORD, empty: false };
  return { protocol: 'SASL_SSL', sasl: { mechanism: 'SCRAM-SHA-256', username: creds.UVPV_STACK_KAFKA_USER, password }, truststore };
}

async function ping(at: RedisAddress): Promise<string | undefined> {
  const client = redisClient(at, 'probe');
  try {
    await connectRedis(client, 3000);
    return (await client.ping()) === 'PONG' ? 'PONG' : undefined;
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

export interface ExtraStatus {
  name: string;
  extra: ExtraName;
  pid?: number;
  healthy?: string;
}

/** The extras' processes, for `down` and `status` (which need no jars). */
function known(layout: StackLayout): ExtraProcess[] {
  // Without credentials nothing was ever started: placeholders keep `down` from making them.
  const creds = existsSync(credentialsFile(layout)) ? credentials(layout) : NO_CREDENTIALS;
  return processes(layout, '', creds);
}

const NO_CREDENTIALS: ExtraCredentials = {
  UVPV_STACK_KAFKA_USER: 'uvpv',
  UVPV_STACK_KAFKA_PASSWORD: '',
  UVPV_STACK_REDIS_PASSWORD: '',
  UVPV_STACK_REDIS_SENTINEL_PASSWORD: '',
  UVPV_STACK_REDIS_USER: 'uvpv',
  UVPV_STACK_REDIS_USER_PASSWORD: '',
  UVPV_STACK_KEYSTORE_PASSWORD: '',
};

/**
 * Starts the named extras (those not running yet), waits until each answers, and forms the
 * cluster. Certificates and credentials are made the first time.
 */
export async function upExtras(layout: StackLayout, names: readonly ExtraName[], kafkaJars: string, progress: Progress): Promise<string[]> {
  if (!names.length) return [];
  for (const dir of [layout.confDir, layout.dataDir, layout.logsDir, layout.runDir]) mkdirSync(dir, { recursive: true });
  const creds = credentials(layout);
  ensureCertificates(layout, creds);
  const all = processes(layout, kafkaJars, creds).filter((p) => names.includes(p.extra));
  const toStart = all.filter((p) => !runningPid(layout.runDir, p.name, p.marker));
  for (const p of toStart)
    for (const port of p.ports)
      if (await portInUse(port))
        throw new RuntimeFailure(
          `port ${port} (${p.name}) is already in use by a process the stack did not start; stop it, or move the extras with the UVPV_*_PORT variables (see docs/local-stack.md)`,
        );
  if (toStart.some((p) => p.extra === 'cluster') && all.some((p) => p.extra === 'cluster' && !toStart.includes(p)))
    throw new RuntimeFailure('part of the Redis Cluster is running and part is not: uvpv stack down, then up again');
  const failures: string[] = [];
  const pids = new Map<string, number>();
  for (const p of toStart) {
    const { command, args } = p.start();
    pids.set(
      p.name,
      startDetached(layout.runDir, { name: p.name, command, args, marker: p.marker, logFile: join(layout.logsDir, `${p.name}.out`) }),
    );
  }
  await Promise.all(
    all.map(async (p) => {
      const end = progress.step(`${pids.has(p.name) ? 'starting' : 'checking'} ${p.name}`);
      const pid = pids.get(p.name) ?? runningPid(layout.runDir, p.name, p.marker);
      const note = await waitHealthy(
        () => p.probe(),
        120_000,
        () => pid !== undefined && alive(pid),
      );
      if (note === undefined) {
        failures.push(`${p.name} did not answer; see ${join(layout.logsDir, `${p.name}.out`)}`);
        end('FAILED');
      } else end(note);
    }),
  );
  if (failures.length) throw new RuntimeFailure("the stack's extras did not come up", failures.join('\n'));
  if (toStart.some((p) => p.extra === 'cluster')) await formCluster(layout, creds, progress);
  return toStart.map((p) => p.name);
}

/** `redis-cli --cluster create` over the three nodes, then waits until every node says the cluster is ok. */
async function formCluster(layout: StackLayout, creds: ExtraCredentials, progress: Progress): Promise<void> {
  const end = progress.step('forming the Redis Cluster (3 masters)');
  const at = clusterAddress(layout, creds);
  const r = spawnSync('redis-cli', ['--cluster', 'create', ...(at.nodes ?? []), '--cluster-replicas', '0', '--cluster-yes'], {
    encoding: 'utf8',
    // The password reaches redis-cli through its environment, not its command line.
    env: { ...process.env, REDISCLI_AUTH: creds.UVPV_STACK_REDIS_PASSWORD },
  });
  if (r.error)
    throw new RuntimeFailure('redis-cli not found, to form the Redis Cluster', undefined, undefined, 'install Redis (redis-tools)');
  if (r.status !== 0) throw new RuntimeFailure('redis-cli --cluster create failed', `${r.stdout}\n${r.stderr}`);
  const ok = await waitHealthy(async () => ((await clusterStateOk(at)) ? 'ok' : undefined), 30_000);
  if (!ok) throw new RuntimeFailure('the Redis Cluster did not reach cluster_state:ok within 30 s');
  end('cluster_state:ok');
}

/** The stack's Redis Cluster as a client reaches it: its three masters as seed nodes, with the extras' password. */
export function clusterAddress(layout: StackLayout, creds: ExtraCredentials): RedisAddress {
  const ports = extraPorts(layout).cluster;
  return {
    mode: 'cluster',
    host: '127.0.0.1',
    port: ports[0],
    nodes: ports.map((p) => `127.0.0.1:${p}`),
    password: creds.UVPV_STACK_REDIS_PASSWORD,
  };
}

/** Whether the cluster answers, in one try, that its state is ok (every slot served). */
async function clusterStateOk(at: RedisAddress): Promise<boolean> {
  const client = redisClient(at, 'probe');
  try {
    await connectRedis(client, 3000);
    return /cluster_state:ok/.test(await client.cluster('INFO'));
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * The stack's Redis Cluster, when every node of it runs (a pid of ours) and it says its state is
 * ok: its address and its nodes' pids. Else why not, in one line. Reads the credentials file, and
 * never makes one: a stack without the extras has none.
 */
export async function runningCluster(layout: StackLayout): Promise<{ at: RedisAddress; pids: number[] } | { down: string }> {
  const start = 'uvpv stack up --with cluster starts it';
  const nodes = known(layout).filter((p) => p.extra === 'cluster');
  const pids = nodes.flatMap((p) => runningPid(layout.runDir, p.name, p.marker) ?? []);
  if (!existsSync(credentialsFile(layout)) || pids.length === 0) return { down: `the stack's Redis Cluster is not running (${start})` };
  if (pids.length < nodes.length)
    return { down: `only ${pids.length} of the ${nodes.length} nodes of the stack's Redis Cluster run (uvpv stack down, then ${start})` };
  const at = clusterAddress(layout, credentials(layout));
  if (!(await clusterStateOk(at))) return { down: `the stack's Redis Cluster does not answer with cluster_state:ok` };
  return { at, pids };
}

/** Stops every extra that runs, whichever were asked for. */
export async function downExtras(layout: StackLayout): Promise<string[]> {
  const lines: string[] = [];
  for (const p of known(layout).reverse()) {
    const result = await stopProcess(layout.runDir, p.name, p.marker);
    if (result !== 'not running') lines.push(`${p.name}: ${result}`);
  }
  return lines;
}

/** The extras that run (a pid of ours), each with its probe's note. */
export async function extrasStatus(layout: StackLayout): Promise<ExtraStatus[]> {
  const out: ExtraStatus[] = [];
  for (const p of known(layout)) {
    const pid = runningPid(layout.runDir, p.name, p.marker);
    if (pid === undefined) continue;
    out.push({ name: p.name, extra: p.extra, pid, healthy: await p.probe() });
  }
  return out;
}
