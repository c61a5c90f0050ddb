import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { memoryIo } from '../../src/io/io';
import { run } from '../../src/cli/run';
import { advertisedChecks } from '../../src/doctor/checks';
import { closedPort } from '../support/fake-http';

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
