import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { memoryIo } from '../../src/io/io';
import { run } from '../../src/cli/run';
import { advertisedChecks } from '../../src/doctor/checks';
import { parseDocument } from 'yaml';
import { closedPort } from '../support/fake-http';
import { startFakeRedis, type FakeRedis } from '../support/fake-redis';

test('a broker that advertises a host name fails, with the advertised.listeners fix', async () => {
  const [r] = await advertisedChecks([{ nodeId: 1, host: 'kafka-1.internal', port: 9092 }], async () => true);
  expect(r).toEqual({
    label: 'Kafka broker 1',
    ok: false,
    detail: 'advertises the host name kafka-1.internal:9092',
    fix: 'set advertised.listeners to an IP address Flink can reach, e.g. PLAINTEXT://<broker IP>:9092',
  });
});

test('a broker that advertises an IP nobody can reach fails too', async () => {
  const [r] = await advertisedChecks([{ nodeId: 2, host: '127.0.0.1', port: await closedPort() }]);
  expect(r.ok).toBe(false);
  expect(r.detail).toMatch(/^advertises 127\.0\.0\.1:\d+, which does not answer from here$/);
});

test('doctor lists every failing service with its fix and exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-doctor-'));
  const spec = readFileSync(resolve(__dirname, '../../pipelines/uvpv.yaml'), 'utf8');
  writeFileSync(join(dir, 'p.yaml'), spec);
  const dead = await closedPort();
  const env = {
    KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${dead}`,
    FLINK_SQL_GATEWAY: `http://127.0.0.1:${dead}`,
    FLINK_REST: `http://127.0.0.1:${dead}`,
    REDIS_HOST: '127.0.0.1',
    PATH: process.env.PATH,
  };
  writeFileSync(join(dir, 'p.yaml'), spec.replace('  port: 6379', `  port: ${dead}`));
  const io = memoryIo(env, dir);
  const code = await run(['doctor', 'p.yaml'], io);
  expect(code).toBe(1);
  expect(io.out).toMatch(/^OK   spec /m);
  expect(io.out).toMatch(new RegExp(`^FAIL Kafka +127\\.0\\.0\\.1:${dead} does not answer`, 'm'));
  expect(io.out).toMatch(/fix: start it \('uvpv stack up' for the local stack\) or fix source\.bootstrapServers/);
  expect(io.out).toMatch(/^FAIL SQL Gateway .*does not answer \(ECONNREFUSED\)/m);
  expect(io.out).toMatch(/^FAIL Flink REST /m);
  expect(io.out).toMatch(new RegExp(`^FAIL Redis +127\\.0\\.0\\.1:${dead}/0 does not answer`, 'm'));
  expect(io.out).toMatch(/^4 of \d+ checks failed$/m);
});

describe("doctor's Redis check in sentinel mode: the sentinels' own password", () => {
  const DATA = 'data-password-1';
  const SENTINELS = 'sentinel-password-2';
  let master: FakeRedis;
  let sentinel: FakeRedis;
  let dead: number;

  beforeAll(async () => {
    master = await startFakeRedis({ password: DATA });
    sentinel = await startFakeRedis({
      password: SENTINELS,
      answer: ([name, sub]) =>
        name !== 'SENTINEL'
          ? undefined
          : sub.toLowerCase() === 'get-master-addr-by-name'
            ? { array: ['127.0.0.1', String(master.port)] }
            : sub.toLowerCase() === 'sentinels'
              ? { array: [] }
              : undefined,
    });
    dead = await closedPort();
  });

  afterAll(async () => {
    await master.close();
    await sentinel.close();
  });

  /** doctor on the reference spec with its Redis at the fake sentinel; `sentinelPassword` as written, if at all. */
  async function doctor(sentinelPassword: string | undefined, env: NodeJS.ProcessEnv) {
    const dir = mkdtempSync(join(tmpdir(), 'uvpv-doctor-'));
    const doc = parseDocument(readFileSync(resolve(__dirname, '../../pipelines/uvpv.yaml'), 'utf8'));
    doc.set(
      'redis',
      doc.createNode({
        mode: 'sentinel',
        nodes: [`127.0.0.1:${sentinel.port}`],
        masterName: 'mymaster',
        password: '${REDIS_PASSWORD}',
        ...(sentinelPassword !== undefined && { sentinelPassword }),
      }),
    );
    writeFileSync(join(dir, 'p.yaml'), doc.toString());
    const io = memoryIo(
      {
        KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${dead}`,
        FLINK_SQL_GATEWAY: `http://127.0.0.1:${dead}`,
        FLINK_REST: `http://127.0.0.1:${dead}`,
        PATH: process.env.PATH,
        ...env,
      },
      dir,
    );
    const code = await run(['doctor', 'p.yaml'], io);
    return { code, out: io.out, err: io.err };
  }

  test('the sentinels get their password, the master its own: OK', async () => {
    sentinel.commands.length = 0;
    master.commands.length = 0;
    const r = await doctor('${REDIS_SENTINEL_PASSWORD}', { REDIS_PASSWORD: DATA, REDIS_SENTINEL_PASSWORD: SENTINELS });
    expect(r.out).toMatch(
      new RegExp(
        `^OK   Redis +Redis master mymaster via sentinels 127\\.0\\.0\\.1:${sentinel.port}/0 answers and accepts the password and the sentinels' password$`,
        'm',
      ),
    );
    expect(sentinel.commands.filter(([c]) => c === 'AUTH')).toContainEqual(['AUTH', SENTINELS]);
    expect(sentinel.commands.flat()).not.toContain(DATA);
    expect(master.commands.filter(([c]) => c === 'AUTH')).toEqual([['AUTH', DATA]]);
    expect(r.out + r.err).not.toContain(SENTINELS);
  });

  test('a wrong sentinel password: FAIL, naming redis.sentinelPassword, never the value', async () => {
    const wrong = 'not-the-sentinel-password-3';
    const r = await doctor('${REDIS_SENTINEL_PASSWORD}', { REDIS_PASSWORD: DATA, REDIS_SENTINEL_PASSWORD: wrong });
    expect(r.out).toMatch(
      /^FAIL Redis +Redis master mymaster via sentinels \S+: the sentinels refused redis\.sentinelPassword \(wrong password\)$/m,
    );
    expect(r.out).toMatch(/^ +fix: set the variable redis\.sentinelPassword names to the sentinels' password/m);
    expect(r.code).toBe(1);
    expect(r.out + r.err).not.toContain(wrong);
  });

  test('sentinels that require a password the spec does not give: FAIL, the fix is redis.sentinelPassword', async () => {
    const r = await doctor(undefined, { REDIS_PASSWORD: DATA });
    expect(r.out).toMatch(/^FAIL Redis +.*: the sentinels require a password \(NOAUTH\) and redis\.sentinelPassword gives none$/m);
    expect(r.out).toMatch(/^ +fix: set redis\.sentinelPassword: \$\{VAR\} \(e\.g\. \$\{REDIS_SENTINEL_PASSWORD\}\)/m);
    expect(r.code).toBe(1);
  });
});
