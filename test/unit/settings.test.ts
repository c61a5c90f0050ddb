/** Environment settings: one way to read them, defaults when unset or empty, a usage error when bad. */
import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { run } from '../../src/cli/run';
import { memoryIo } from '../../src/io/io';
import { settings } from '../../src/io/settings';

const SPEC = join(resolve(__dirname, '..', '..'), 'pipelines', 'uvpv.yaml');

test('unset or empty settings are their defaults', () => {
  for (const env of [{}, { UVPV_HOME: '', UVPV_POLL_MS: '', FLINK_REST: '', UVPV_OCEANUS_ATTEMPTS: '' }]) {
    const s = settings(env);
    expect(s.home()).toBe(join(homedir(), '.cache', 'uvpv'));
    expect(s.stackPorts()).toEqual({
      kafka: 9092,
      kafkaController: 9093,
      jobmanagerRpc: 6123,
      blob: 6124,
      flinkRest: 8081,
      gateway: 8083,
      ownRedis: 6390,
      prometheus: 9249,
      kafkaSasl: 9094,
      kafkaSsl: 9095,
      redisCluster: 7001,
      redisSentinel: 7010,
      redisTls: 7020,
    });
    expect(s.localTargetUrls()).toEqual({ gateway: 'http://127.0.0.1:8083', flinkRest: 'http://127.0.0.1:8081' });
    expect(s.pollMs(100)).toBe(100);
    expect(s.timeoutMs(120_000)).toBe(120_000);
    expect(s.oceanus()).toEqual({
      endpoint: undefined,
      pollMs: 5000,
      timeoutMs: 600_000,
      retryBaseMs: 1000,
      maxAttempts: 5,
      requestTimeoutMs: 30_000,
    });
    expect(s.java()).toBe('java');
    expect(s.mvn()).toBe('mvn');
    expect(s.redisConnectorDir()).toBeUndefined();
    expect(s.stackRedis()).toBe('auto');
    expect(s.debug()).toBe(false);
  }
});

test('set settings are read', () => {
  const s = settings({
    UVPV_POLL_MS: '7',
    UVPV_TIMEOUT_MS: '9000',
    FLINK_SQL_GATEWAY: 'http://10.0.0.1:18083',
    UVPV_OCEANUS_RETRY_MS: '0',
    UVPV_OCEANUS_ENDPOINT: 'http://127.0.0.1:1234',
    JAVA_HOME: '/opt/jdk',
    UVPV_DEBUG: '1',
    UVPV_STACK_REDIS: 'own',
  });
  expect(s.pollMs(100)).toBe(7);
  expect(s.timeoutMs(1)).toBe(9000);
  expect(s.localTargetUrls().gateway).toBe('http://10.0.0.1:18083');
  expect(s.oceanus()).toMatchObject({ retryBaseMs: 0, endpoint: 'http://127.0.0.1:1234' });
  expect(s.java()).toBe('/opt/jdk/bin/java');
  expect(s.debug()).toBe(true);
  expect(s.stackRedis()).toBe('own');
});

test.each([
  [{ UVPV_POLL_MS: 'fast' }, (s: ReturnType<typeof settings>) => s.pollMs(100), 'UVPV_POLL_MS=fast is not a whole number of at least 1'],
  [{ UVPV_POLL_MS: '0' }, (s: ReturnType<typeof settings>) => s.pollMs(100), 'UVPV_POLL_MS=0 is not a whole number of at least 1'],
  [
    { UVPV_TIMEOUT_MS: '1.5' },
    (s: ReturnType<typeof settings>) => s.timeoutMs(1),
    'UVPV_TIMEOUT_MS=1.5 is not a whole number of at least 1',
  ],
  [
    { UVPV_OCEANUS_ATTEMPTS: '-1' },
    (s: ReturnType<typeof settings>) => s.oceanus(),
    'UVPV_OCEANUS_ATTEMPTS=-1 is not a whole number of at least 1',
  ],
  [
    { UVPV_OCEANUS_ENDPOINT: 'oceanus.example' },
    (s: ReturnType<typeof settings>) => s.oceanus(),
    'UVPV_OCEANUS_ENDPOINT=oceanus.example is not an http:// or https:// URL',
  ],
  [
    { FLINK_REST: '127.0.0.1:8081' },
    (s: ReturnType<typeof settings>) => s.localTargetUrls(),
    'FLINK_REST=127.0.0.1:8081 is not an http:// or https:// URL',
  ],
  [{ UVPV_STACK_REDIS: 'mine' }, (s: ReturnType<typeof settings>) => s.stackRedis(), 'UVPV_STACK_REDIS=mine is not one of auto, own'],
  [{ UVPV_GATEWAY_PORT: '70000' }, (s: ReturnType<typeof settings>) => s.stackPorts(), 'UVPV_GATEWAY_PORT=70000 is not a port (1-65535)'],
])('a bad setting %j is a usage error that names it', (env, read, message) => {
  expect(() => read(settings(env))).toThrow(message);
});

test('a bad setting stops the command with exit 2 (the gateway poll interval is read strictly too)', async () => {
  const io = memoryIo({ UVPV_POLL_MS: 'soon' });
  expect(await run(['status', SPEC], io)).toBe(2);
  expect(io.err).toBe('error: UVPV_POLL_MS=soon is not a whole number of at least 1\n');
});
