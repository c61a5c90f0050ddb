/**
 * A spec's connections against real servers on this machine: the stack's extras (a Kafka with
 * SASL_SSL SCRAM and SSL listeners, a 3-master Redis Cluster with a password, a Sentinel-managed
 * Redis, a TLS-only Redis with an ACL user) run beside the local stack, in a home of their own,
 * and the reference pipeline verifies with `--connections spec` against each, at parallelism 1
 * and 2, on the running stack's Flink. Wrong credentials end with exit 1 and the fix, and no
 * secret appears in any output.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { memoryIo } from '../../src/io/io';
import { progress } from '../../src/io/progress';
import { run } from '../../src/cli/run';
import { createTopic, deleteTopic, kafka } from '../../src/kafka/client';
import { stackLayout, type StackLayout } from '../../src/stack/layout';
import { LocalStack } from '../../src/stack/stack';
import {
  clusterAddress,
  credentials,
  extraPorts,
  SENTINEL_MASTER,
  stackKafkaSecurity,
  tlsDir,
  type ExtraCredentials,
} from '../../src/stack/extras';
import { claimKeyspace, CLAIM_KEY } from '../../src/verify/namespace';
import { failover } from '../../src/verify/redis-mode-faults';
import { loadSpec } from '../../src/pipeline/load';
import Redis from 'ioredis';
import { snapshot } from '../../src/verify/snapshot';
import { connectRedis, keyCount, masters, redisClient, type RedisAddress } from '../../src/util/redis';

const ROOT = resolve(__dirname, '..', '..');
const EVENTS = join(ROOT, 'test/cases/reference/events.jsonl');
const EXPECTED = join(ROOT, 'test/cases/reference/expected.yaml');

let home: string;
let layout: StackLayout;
let extras: LocalStack;
let creds: ExtraCredentials;
let ports: ReturnType<typeof extraPorts>;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'uvpv-extras-'));
  // The jars are the main stack's: a second download would take minutes.
  const main = stackLayout(process.env);
  mkdirSync(main.libDir, { recursive: true });
  mkdirSync(main.buildDir, { recursive: true });
  symlinkSync(main.libDir, join(home, 'lib'), 'dir');
  symlinkSync(main.buildDir, join(home, 'build'), 'dir');
  layout = stackLayout({ ...process.env, UVPV_HOME: home });
  extras = new LocalStack(layout, progress(memoryIo()));
  await extras.upExtras(['secure', 'cluster', 'sentinel', 'tls']);
  creds = credentials(layout);
  ports = extraPorts(layout);
}, 300_000);

afterAll(async () => {
  // Only the extras run in this home: down stops them and nothing else.
  if (extras) await extras.down();
  rmSync(home, { recursive: true, force: true });
});

/** The secrets of this run: none may appear in any output. */
const secrets = () => [
  creds.UVPV_STACK_KAFKA_PASSWORD,
  creds.UVPV_STACK_REDIS_PASSWORD,
  creds.UVPV_STACK_REDIS_SENTINEL_PASSWORD,
  creds.UVPV_STACK_REDIS_USER_PASSWORD,
];

type KafkaChoice = 'plain' | 'scram' | 'ssl';
type RedisChoice = 'standalone' | 'cluster' | 'sentinel' | 'tls';

/**
 * The reference pipeline with its source and Redis moved to the extras. `standalone` is the
 * sentinel's master reached directly, at a database of its own, for the Kafka runs.
 */
function specFor(kafkaChoice: KafkaChoice, redisChoice: RedisChoice, database = 0): string {
  const doc = parseDocument(readFileSync(join(ROOT, 'pipelines/uvpv.yaml'), 'utf8'));
  const ca = join(tlsDir(layout), 'ca.pem');
  if (kafkaChoice === 'scram') {
    doc.setIn(['source', 'bootstrapServers'], `127.0.0.1:${ports.kafkaSasl}`);
    doc.setIn(
      ['source', 'security'],
      doc.createNode({
        protocol: 'SASL_SSL',
        mechanism: 'SCRAM-SHA-256',
        username: creds.UVPV_STACK_KAFKA_USER,
        password: '${UVPV_STACK_KAFKA_PASSWORD}',
        truststore: ca,
      }),
    );
  } else if (kafkaChoice === 'ssl') {
    doc.setIn(['source', 'bootstrapServers'], `127.0.0.1:${ports.kafkaSsl}`);
    const tls = tlsDir(layout);
    doc.setIn(
      ['source', 'security'],
      doc.createNode({ protocol: 'SSL', truststore: ca, keystore: { cert: join(tls, 'client.pem'), key: join(tls, 'client.key') } }),
    );
  }
  const redis = {
    standalone: { host: '127.0.0.1', port: ports.sentinelMaster, password: '${UVPV_STACK_REDIS_PASSWORD}', database },
    cluster: { mode: 'cluster', nodes: ports.cluster.map((p) => `127.0.0.1:${p}`), password: '${UVPV_STACK_REDIS_PASSWORD}' },
    sentinel: {
      mode: 'sentinel',
      nodes: [`127.0.0.1:${ports.sentinel}`],
      masterName: SENTINEL_MASTER,
      password: '${UVPV_STACK_REDIS_PASSWORD}',
      // The stack's sentinel has a password of its own.
      sentinelPassword: '${UVPV_STACK_REDIS_SENTINEL_PASSWORD}',
      database,
    },
    tls: {
      host: '127.0.0.1',
      port: ports.tls,
      username: creds.UVPV_STACK_REDIS_USER,
      password: '${UVPV_STACK_REDIS_USER_PASSWORD}',
      database,
      tls: { ca },
    },
  }[redisChoice];
  doc.set('redis', doc.createNode(redis));
  const file = join(home, `${kafkaChoice}-${redisChoice}-${database}.yaml`);
  writeFileSync(file, doc.toString());
  return file;
}

async function uvpv(args: string[], env: Partial<ExtraCredentials> = {}) {
  // The stack's own home (its Flink runs the job); the extras' credentials as the spec's variables.
  const io = memoryIo({ ...process.env, ...creds, ...env }, ROOT);
  const started = Date.now();
  const code = await run(args, io);
  return { code, out: io.out, err: io.err, seconds: (Date.now() - started) / 1000 };
}

function expectNoSecret(r: { out: string; err: string }, extra: string[] = []): void {
  for (const s of [...secrets(), ...extra]) {
    expect(r.out).not.toContain(s);
    expect(r.err).not.toContain(s);
  }
}

const verifyArgs = (spec: string, parallelism: number) => [
  'verify',
  spec,
  '--events',
  EVENTS,
  '--expect',
  EXPECTED,
  '--connections',
  'spec',
  '--parallelism',
  String(parallelism),
];

function expectPass(r: { code: number; out: string; err: string }): void {
  expect(r.err).not.toMatch(/error:/);
  expect(r.out).toMatch(/^verify: PASS: (\d+) of \1 keys match/m);
  expect(r.code).toBe(0);
  expectNoSecret(r);
}

describe.each([1, 2])('verify --connections spec at parallelism %d', (parallelism) => {
  // The Kafka runs write to a standalone Redis: they need no connector change.
  test('Kafka SASL_SSL with SCRAM-SHA-256 and a PEM truststore', async () => {
    const r = await uvpv(verifyArgs(specFor('scram', 'standalone', parallelism), parallelism));
    expect(r.err).toContain(`connections: the spec's Kafka 127.0.0.1:${ports.kafkaSasl}`);
    expectPass(r);
  });

  test('Kafka SSL with a client certificate (mutual TLS)', async () => {
    const r = await uvpv(verifyArgs(specFor('ssl', 'standalone', parallelism + 4), parallelism));
    expect(r.err).toContain(`connections: the spec's Kafka 127.0.0.1:${ports.kafkaSsl}`);
    expectPass(r);
  });

  // These need uvpv's connector in cluster, sentinel and TLS modes.
  test('a 3-master Redis Cluster with a password', async () => {
    const r = await uvpv(verifyArgs(specFor('plain', 'cluster'), parallelism));
    expect(r.err).toContain('Redis Cluster 127.0.0.1:');
    expectPass(r);
  });

  test('a Sentinel-managed Redis', async () => {
    const r = await uvpv(verifyArgs(specFor('plain', 'sentinel', parallelism), parallelism));
    expect(r.err).toContain(`Redis master ${SENTINEL_MASTER} via sentinels`);
    expectPass(r);
  });

  test('a TLS-only Redis with an ACL user', async () => {
    const r = await uvpv(verifyArgs(specFor('plain', 'tls', parallelism), parallelism));
    expect(r.err).toMatch(/\(TLS\) as uvpv/);
    expectPass(r);
  });
});

describe.each([1, 2])("verify --fault on the spec's own Redis at parallelism %d: results exact", (parallelism) => {
  // Events whose windows close all along the stream (as in faults.test.ts), so the job writes while the fault hits.
  let events: string;
  beforeAll(async () => {
    events = join(home, `fault-events-${parallelism}.jsonl`);
    const spec = join(ROOT, 'pipelines/uvpv.yaml');
    expect((await uvpv(['produce', spec, '--events', '200', '--seed', '7', '--step', '20 s', '--out', events])).code).toBe(0);
  });
  // The expectation is the reference model's.
  const faultArgs = (spec: string, kind: string) => [
    'verify',
    spec,
    '--events',
    events,
    '--connections',
    'spec',
    '--parallelism',
    String(parallelism),
    '--fault',
    kind,
    '--at',
    '40%',
  ];

  test('redis-master-outage: one master of the cluster paused mid-stream', async () => {
    const r = await uvpv(faultArgs(specFor('plain', 'cluster'), 'redis-master-outage'));
    expect(r.out).toMatch(
      /^fault: redis-master-outage after \d+ of \d+ messages .*: paused the Redis Cluster master 127\.0\.0\.1:\d+ \(slots \d+-\d+, key \w+\) for 4 s/m,
    );
    // The paused master failed the connector's batch: Flink restarted the job from its checkpoint.
    expect(r.out).toMatch(/Flink restarted the job [1-9]\d* times?;/);
    expectPass(r);
  });

  test('redis-failover: the sentinels fail the master over mid-stream', async () => {
    const sentinelPorts = [ports.sentinelMaster, ports.sentinelReplica];
    try {
      const r = await uvpv(faultArgs(specFor('plain', 'sentinel', parallelism), 'redis-failover'));
      expect(r.out).toMatch(
        new RegExp(
          `^fault: redis-failover after \\d+ of \\d+ messages .*: the sentinels failed master ${SENTINEL_MASTER} over from 127\\.0\\.0\\.1:(${sentinelPorts.join('|')}) to 127\\.0\\.0\\.1:(${sentinelPorts.join('|')}) \\(SENTINEL FAILOVER\\)`,
          'm',
        ),
      );
      expectPass(r);
    } finally {
      // The other tests reach the sentinels' first master directly: it is the master again.
      await failBack();
    }
  });
});

/** Fails the sentinels' master back to the one the stack started as master, if it is not already. */
async function failBack(): Promise<void> {
  const spec = loadSpec(specFor('plain', 'sentinel'), {
    env: { ...process.env, ...creds },
    cwd: home,
    mode: 'strict',
    revealSecrets: true,
  }).spec;
  const home0 = `127.0.0.1:${ports.sentinelMaster}`;
  for (let i = 0; i < 2; i++) {
    const sentinel = new Redis({
      host: '127.0.0.1',
      port: ports.sentinel,
      password: creds.UVPV_STACK_REDIS_SENTINEL_PASSWORD,
      lazyConnect: true,
    });
    const [host, port] = ((await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER)) as string[]) ?? [];
    sentinel.disconnect();
    if (`${host}:${port}` === home0) return;
    await failover(spec.redis);
  }
}

describe('wrong credentials: exit 1 with the fix, quickly, and no secret', () => {
  test('a wrong Kafka password', async () => {
    const wrong = 'not-the-kafka-password-1234';
    const r = await uvpv(verifyArgs(specFor('scram', 'standalone', 9), 1), { UVPV_STACK_KAFKA_PASSWORD: wrong });
    expect(r.err).toMatch(/^error: Kafka at 127\.0\.0\.1:\d+: Kafka refused the SCRAM-SHA-256 login of user uvpv$/m);
    expect(r.err).toMatch(/^fix: check source\.security\.username and the variable source\.security\.password names/m);
    expect(r.code).toBe(1);
    expect(r.seconds).toBeLessThan(30);
    expectNoSecret(r, [wrong]);
  });

  test('a Kafka certificate not trusted (no truststore)', async () => {
    const file = specFor('scram', 'standalone', 9);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^\s+truststore: .*\n/m, ''));
    const r = await uvpv(verifyArgs(file, 1));
    expect(r.err).toMatch(/^error: Kafka at .*: the brokers' TLS certificate is not trusted \(SELF_SIGNED_CERT_IN_CHAIN\)$/m);
    expect(r.err).toMatch(/^fix: set source\.security\.truststore/m);
    expect(r.code).toBe(1);
    expectNoSecret(r);
  });

  test.each(['cluster', 'sentinel', 'tls'] as const)('a wrong Redis password (%s)', async (mode) => {
    const wrong = 'not-the-redis-password-5678';
    const r = await uvpv(verifyArgs(specFor('plain', mode, 9), 1), {
      UVPV_STACK_REDIS_PASSWORD: wrong,
      UVPV_STACK_REDIS_USER_PASSWORD: wrong,
    });
    expect(r.err).toMatch(/^error: cannot reach .*: Redis refused the login/m);
    expect(r.err).toMatch(/^fix: /m);
    expect(r.code).toBe(1);
    expect(r.seconds).toBeLessThan(30);
    expectNoSecret(r, [wrong]);
  });
});

describe('doctor checks each connection', () => {
  beforeAll(async () => {
    // The spec's topic, so that the topic check passes on the secured brokers too.
    for (const [port, listener] of [
      [ports.kafkaSasl, 'sasl'],
      [ports.kafkaSsl, 'ssl'],
    ] as const) {
      const k = kafka(`127.0.0.1:${port}`, { security: stackKafkaSecurity(layout, listener) });
      await deleteTopic(k, 'uvpv-demo').catch(() => undefined);
      await createTopic(k, 'uvpv-demo');
    }
  });

  test.each([
    [
      'scram',
      'cluster',
      /^OK   Kafka +127\.0\.0\.1:\d+ answers over SASL_SSL \(1 brokers, accepts SCRAM-SHA-256 user uvpv\)$/m,
      /^OK   Redis +Redis Cluster .* answers \(3 masters\) and accepts the password$/m,
    ],
    [
      'ssl',
      'sentinel',
      /^OK   Kafka +127\.0\.0\.1:\d+ answers over SSL/m,
      /^OK   Redis +Redis master uvpv via sentinels .* answers and accepts the password and the sentinels' password$/m,
    ],
    [
      'scram',
      'tls',
      /^OK   Kafka +127\.0\.0\.1:\d+ answers over SASL_SSL/m,
      /^OK   Redis +127\.0\.0\.1:\d+\/0 \(TLS\) as uvpv answers and accepts the password$/m,
    ],
  ] as const)('Kafka %s and Redis %s: every check passes', async (k, redis, kafkaLine, redisLine) => {
    const r = await uvpv(['doctor', specFor(k, redis)]);
    expect(r.out).toMatch(kafkaLine);
    expect(r.out).toMatch(redisLine);
    expect(r.out).not.toMatch(/^FAIL/m);
    expect(r.code).toBe(0);
    expectNoSecret(r);
  });

  test('wrong passwords and a missing CA: each FAIL with its fix, no secret', async () => {
    const wrong = 'not-any-password-90';
    const r = await uvpv(['doctor', specFor('scram', 'tls')], { UVPV_STACK_KAFKA_PASSWORD: wrong, UVPV_STACK_REDIS_USER_PASSWORD: wrong });
    expect(r.out).toMatch(/^FAIL Kafka +.*Kafka refused the SCRAM-SHA-256 login of user uvpv\n +fix: check source\.security\.username/m);
    expect(r.out).toMatch(/^FAIL Redis +.*Redis refused the login of user uvpv.*\n +fix: check redis\.username/m);
    expect(r.code).toBe(1);
    expectNoSecret(r, [wrong]);

    const noCa = specFor('scram', 'tls');
    writeFileSync(noCa, readFileSync(noCa, 'utf8').replace(/tls:\n\s+ca: .*\n/, 'tls: {}\n'));
    const t = await uvpv(['doctor', noCa]);
    expect(t.out).toMatch(/^FAIL Redis +.*TLS certificate is not trusted .*\n +fix: set redis\.tls\.ca/m);
    expectNoSecret(t);
  });
});

test("the sentinels' own password: wrong or missing, doctor FAILs naming redis.sentinelPassword, no secret", async () => {
  const wrong = 'not-the-sentinel-password-31';
  const r = await uvpv(['doctor', specFor('plain', 'sentinel')], { UVPV_STACK_REDIS_SENTINEL_PASSWORD: wrong });
  expect(r.out).toMatch(
    /^FAIL Redis +Redis master uvpv via sentinels .*: the sentinels refused redis\.sentinelPassword .*\n +fix: set the variable redis\.sentinelPassword names/m,
  );
  expectNoSecret(r, [wrong]);

  const without = specFor('plain', 'sentinel');
  writeFileSync(without, readFileSync(without, 'utf8').replace(/^\s+sentinelPassword: .*\n/m, ''));
  const n = await uvpv(['doctor', without]);
  expect(n.out).toMatch(/^FAIL Redis +.*: the sentinels require a password \(NOAUTH\).*\n +fix: set redis\.sentinelPassword: \$\{VAR\}/m);
  expect(n.code).toBe(1);
  expectNoSecret(n);
});

describe("verify's keyspace on a cluster, a sentinel's master and a TLS server with an ACL user", () => {
  const addresses = (): [string, RedisAddress][] => [
    ['cluster', clusterAddress(layout, creds)],
    [
      'sentinel',
      {
        mode: 'sentinel',
        host: '127.0.0.1',
        port: ports.sentinel,
        nodes: [`127.0.0.1:${ports.sentinel}`],
        masterName: SENTINEL_MASTER,
        password: creds.UVPV_STACK_REDIS_PASSWORD,
        sentinelPassword: creds.UVPV_STACK_REDIS_SENTINEL_PASSWORD,
        db: 7,
      },
    ],
    [
      'tls',
      {
        host: '127.0.0.1',
        port: ports.tls,
        username: 'uvpv',
        password: creds.UVPV_STACK_REDIS_USER_PASSWORD,
        db: 7,
        tls: { ca: join(tlsDir(layout), 'ca.pem'), verifyPeer: true },
      },
    ],
  ];

  test.each(['cluster', 'sentinel', 'tls'])('%s: claimed empty, read whole, emptied master by master (no CROSSSLOT)', async (name) => {
    const at = addresses().find(([n]) => n === name)?.[1];
    if (!at) throw new Error(name);
    const ns = await claimKeyspace(at, 'test');
    // 200 keys spread over every slot range: on a cluster, over all three masters.
    for (let i = 0; i < 200; i++) await ns.redis.sadd(`key:${i}`, 'm');
    if (name === 'cluster') for (const m of masters(ns.redis)) expect(await m.dbsize()).toBeGreaterThan(0);
    const got = await snapshot(ns.redis, new Set([CLAIM_KEY]));
    expect(got.size).toBe(200);
    // A second run cannot claim it while this one holds it.
    await expect(claimKeyspace(at, 'other')).rejects.toThrow(/holds data/);
    await ns.release(false);
    const check = redisClient(at, 'session');
    await connectRedis(check);
    expect(await keyCount(check)).toBe(0);
    check.disconnect();
  });
});

test('produce writes to the SCRAM listener, and init --from-topic reads it back with the same security', async () => {
  const spec = specFor('scram', 'standalone', 10);
  const produced = await uvpv(['produce', spec, '--events', '300', '--topic', 'uvpv-init-sample']);
  expect(produced.out).toMatch(/^produced 300 records to uvpv-init-sample on 127\.0\.0\.1:\d+/m);
  expect(produced.code).toBe(0);
  const ca = join(tlsDir(layout), 'ca.pem');
  const flags = ['--security-protocol', 'SASL_SSL', '--sasl-mechanism', 'SCRAM-SHA-512', '--sasl-username', 'uvpv', '--truststore', ca];
  const init = await uvpv(['init', '--from-topic', 'uvpv-init-sample', '--bootstrap-servers', `127.0.0.1:${ports.kafkaSasl}`, ...flags], {
    KAFKA_PASSWORD: creds.UVPV_STACK_KAFKA_PASSWORD,
  } as Partial<ExtraCredentials>);
  expect(init.err).not.toMatch(/error:/);
  expect(init.out).toContain('    protocol: SASL_SSL\n    mechanism: SCRAM-SHA-512\n    username: uvpv\n    password: ${KAFKA_PASSWORD}');
  expect(init.out).toContain(`    truststore: ${ca}`);
  expect(init.code).toBe(0);
  expectNoSecret(produced);
  expectNoSecret(init);

  const refused = await uvpv(
    ['init', '--from-topic', 'uvpv-init-sample', '--bootstrap-servers', `127.0.0.1:${ports.kafkaSasl}`, ...flags],
    {
      KAFKA_PASSWORD: 'not-the-password-42',
    } as Partial<ExtraCredentials>,
  );
  expect(refused.err).toMatch(/^error: Kafka at .*: Kafka refused the SCRAM-SHA-512 login of user uvpv$/m);
  expect(refused.code).toBe(1);
  expectNoSecret(refused, ['not-the-password-42']);
});

test('stack status lists the extras that run, and they answer', async () => {
  const io = memoryIo({ ...process.env, UVPV_HOME: home }, ROOT);
  await run(['stack', 'status'], io);
  for (const name of ['kafka-secure', 'redis-cluster-1', 'redis-cluster-2', 'redis-cluster-3', 'redis-sentinel', 'redis-tls'])
    expect(io.out).toMatch(new RegExp(`^${name} +up `, 'm'));
  expectNoSecret(io);
});
