/**
 * The spec's connections as uvpv's own clients see them: kafkajs's options from
 * `source.security`, ioredis's from `redis`, and what a refusal by either is told as.
 */
import type { KafkaSecurity } from '../../src/pipeline/types';
import { kafkaRefusal, kafkaSecurityConfig } from '../../src/kafka/security';
import { describeRedis, ioredisOptions, redisRefusal, scanStep, type RedisAddress } from '../../src/util/redis';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { credentials, credentialsFile, parseExtras } from '../../src/stack/extras';
import { stackLayout } from '../../src/stack/layout';
import { UsageError } from '../../src/errors';
import { Cluster } from 'ioredis';

const secret = (value?: string) => ({ placeholder: '${KAFKA_PASSWORD}', value, empty: false });
const files = (path: string) => `PEM of ${path}`;

describe('kafkajs options from source.security', () => {
  test('none, or PLAINTEXT: nothing added', () => {
    expect(kafkaSecurityConfig(undefined, files)).toEqual({});
    expect(kafkaSecurityConfig({ protocol: 'PLAINTEXT' }, files)).toEqual({});
  });

  test('SASL_SSL with SCRAM and a truststore: the CA read from its file, the mechanism in kafkajs words', () => {
    const s: KafkaSecurity = {
      protocol: 'SASL_SSL',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'uvpv', password: secret('pw') },
      truststore: '/etc/ca.pem',
    };
    expect(kafkaSecurityConfig(s, files)).toEqual({
      ssl: { rejectUnauthorized: true, ca: ['PEM of /etc/ca.pem'] },
      sasl: { mechanism: 'scram-sha-512', username: 'uvpv', password: 'pw' },
    });
  });

  test("SSL without files: Node's own CAs; SASL_PLAINTEXT: no TLS at all", () => {
    expect(kafkaSecurityConfig({ protocol: 'SSL' }, files)).toEqual({ ssl: true });
    const plain = kafkaSecurityConfig(
      { protocol: 'SASL_PLAINTEXT', sasl: { mechanism: 'PLAIN', username: 'u', password: secret('p') } },
      files,
    );
    expect(plain).toEqual({ sasl: { mechanism: 'plain', username: 'u', password: 'p' } });
  });

  test("mutual TLS: the client's certificate, key and the key's password", () => {
    const s: KafkaSecurity = {
      protocol: 'SSL',
      keystore: { cert: '/c.pem', key: '/c.key', keyPassword: { placeholder: '${KEY_PW}', value: 'kp', empty: false } },
    };
    expect(kafkaSecurityConfig(s, files)).toEqual({
      ssl: { rejectUnauthorized: true, cert: 'PEM of /c.pem', key: 'PEM of /c.key', passphrase: 'kp' },
    });
  });

  test('a password the command did not resolve is a usage error naming its variable, not its value', () => {
    const s: KafkaSecurity = { protocol: 'SASL_SSL', sasl: { mechanism: 'PLAIN', username: 'u', password: secret(undefined) } };
    expect(() => kafkaSecurityConfig(s, files)).toThrow(
      new UsageError('source.security.password: ${KAFKA_PASSWORD} is not set; this Kafka needs it'),
    );
  });

  test('a file that cannot be read is a usage error naming it', () => {
    expect(() => kafkaSecurityConfig({ protocol: 'SSL', truststore: '/no/such/ca.pem' })).toThrow(
      /cannot read \/no\/such\/ca\.pem: ENOENT/,
    );
  });
});

describe('a Kafka refusal', () => {
  const scram: KafkaSecurity = {
    protocol: 'SASL_SSL',
    sasl: { mechanism: 'SCRAM-SHA-256', username: 'uvpv', password: secret('hunter2') },
  };

  test('a SASL authentication error: the user and mechanism, never the password', () => {
    const e = Object.assign(new Error('SASL SCRAM SHA256 authentication failed: Authentication failed'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    const r = kafkaRefusal(e, scram);
    expect(r).toMatchObject({ kind: 'authentication', detail: 'Kafka refused the SCRAM-SHA-256 login of user uvpv' });
    expect(JSON.stringify(r)).not.toContain('hunter2');
  });

  test('an untrusted certificate, wrapped by kafkajs: the truststore is the fix', () => {
    const cause = Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    const e = Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError', originalError: cause });
    expect(kafkaRefusal(e, scram)).toMatchObject({ kind: 'tls', fix: expect.stringMatching(/source\.security\.truststore/) as string });
  });

  test('a broker that does not answer is no refusal', () => {
    expect(kafkaRefusal(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }), scram)).toBeUndefined();
  });
});

describe('ioredis options from redis', () => {
  const base: RedisAddress = { host: '10.0.0.1', port: 6379, password: 'pw' };

  test('standalone: host, port, database, password; no user or TLS unless asked', () => {
    const o = ioredisOptions({ ...base, db: 3 }, 'session', files);
    expect(o.kind).toBe('single');
    expect(o.options).toMatchObject({ host: '10.0.0.1', port: 6379, db: 3, password: 'pw', lazyConnect: true });
    expect(o.options).not.toHaveProperty('username');
    expect(o.options).not.toHaveProperty('tls');
  });

  test('cluster: every seed node, the login and TLS for each node, addresses not looked up again', () => {
    const o = ioredisOptions(
      { ...base, mode: 'cluster', nodes: ['10.0.0.1:7001', '10.0.0.2:7002'], username: 'app', tls: { ca: '/ca.pem', verifyPeer: true } },
      'probe',
      files,
    );
    if (o.kind !== 'cluster') throw new Error('expected a cluster');
    expect(o.nodes).toEqual([
      { host: '10.0.0.1', port: 7001 },
      { host: '10.0.0.2', port: 7002 },
    ]);
    expect(o.options.redisOptions).toMatchObject({
      username: 'app',
      password: 'pw',
      tls: { ca: ['PEM of /ca.pem'], rejectUnauthorized: true },
    });
    const looked: string[] = [];
    o.options.dnsLookup?.('10.0.0.9', (_err, address) => looked.push(address));
    expect(looked).toEqual(['10.0.0.9']);
  });

  test('sentinel: the sentinels and the master name; TLS to the master and to the sentinels', () => {
    const o = ioredisOptions(
      { ...base, mode: 'sentinel', nodes: ['10.0.0.5:26379'], masterName: 'mymaster', db: 1, tls: { ca: '/ca.pem', verifyPeer: false } },
      'session',
      files,
    );
    expect(o.kind).toBe('single');
    const tls = { ca: ['PEM of /ca.pem'], rejectUnauthorized: false };
    expect(o.options).toMatchObject({
      sentinels: [{ host: '10.0.0.5', port: 26379 }],
      name: 'mymaster',
      db: 1,
      password: 'pw',
      // ioredis uses `tls` for the master only with enableTLSForSentinelMode, and sentinelTLS for the sentinels.
      enableTLSForSentinelMode: true,
      tls,
      sentinelTLS: tls,
    });
    // No sentinel password unless the spec gives one: ioredis then sends the sentinels no AUTH.
    expect(o.options).not.toHaveProperty('sentinelPassword');
    expect(o.options).not.toHaveProperty('sentinelUsername');
  });

  test("sentinel with the sentinels' own password: sentinelPassword, beside the master's password", () => {
    const o = ioredisOptions(
      { ...base, mode: 'sentinel', nodes: ['10.0.0.5:26379'], masterName: 'm', username: 'app', sentinelPassword: 'spw' },
      'probe',
      files,
    );
    expect(o.options).toMatchObject({
      sentinelPassword: 'spw',
      username: 'app',
      password: 'pw',
      sentinelRetryStrategy: expect.any(Function) as unknown,
    });
    // The ACL user is the data nodes'; the sentinels' password is for their default user.
    expect(o.options).not.toHaveProperty('sentinelUsername');
    expect(o.options).not.toHaveProperty('tls');
    expect(o.options).not.toHaveProperty('enableTLSForSentinelMode');
  });

  test('a sentinel password outside sentinel mode reaches no client option', () => {
    for (const mode of ['standalone', 'cluster'] as const) {
      const o = ioredisOptions({ ...base, mode, sentinelPassword: 'spw' }, 'probe', files);
      expect(JSON.stringify(o)).not.toContain('spw');
    }
  });

  test('an address is described without its password', () => {
    const at: RedisAddress = { ...base, mode: 'cluster', nodes: ['a:1', 'b:2'], username: 'app', tls: { verifyPeer: true } };
    expect(describeRedis(at)).toBe('Redis Cluster a:1,b:2 (TLS) as app');
    expect(describeRedis({ ...base, db: 2 })).toBe('10.0.0.1:6379/2');
    expect(describeRedis({ ...base, mode: 'sentinel', nodes: ['s:1'], masterName: 'm' })).toBe('Redis master m via sentinels s:1/0');
  });
});

describe('a Redis refusal', () => {
  test('WRONGPASS inside a closed connection: authentication, with the user to check', () => {
    const e = new Error('Connection is closed.', { cause: new Error('WRONGPASS invalid username-password pair or user is disabled.') });
    expect(redisRefusal(e, { host: 'h', port: 1, username: 'app' })).toMatchObject({
      kind: 'authentication',
      fix: expect.stringMatching(/redis\.username/) as string,
    });
  });

  test("a cluster's last node error counts; an untrusted certificate asks for redis.tls.ca", () => {
    const cert = Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    const e = Object.assign(new Error('Failed to refresh slots cache.'), { lastNodeError: cert });
    expect(redisRefusal(e, { host: 'h', port: 1 })).toMatchObject({ kind: 'tls', fix: expect.stringMatching(/redis\.tls\.ca/) as string });
  });

  // ioredis's words when every sentinel failed, the last one's reply after them.
  const allSentinels = (last: string) => new Error(`All sentinels are unreachable and retry is disabled. Last error: ${last}`);
  const sentinelAt: RedisAddress = { host: 's', port: 26379, mode: 'sentinel', nodes: ['s:26379'], masterName: 'm', password: 'pw' };

  test("sentinels that say NOAUTH: the fix is redis.sentinelPassword, not the data nodes' password", () => {
    const r = redisRefusal(allSentinels('NOAUTH Authentication required.'), sentinelAt);
    expect(r).toEqual({
      kind: 'authentication',
      detail: 'the sentinels require a password (NOAUTH) and redis.sentinelPassword gives none',
      fix: "set redis.sentinelPassword: ${VAR} (e.g. ${REDIS_SENTINEL_PASSWORD}) to the sentinels' password (requirepass in their sentinel.conf), the variable set in the environment",
    });
  });

  test('sentinels that say WRONGPASS (inside a closed connection, after retries): the variable redis.sentinelPassword names', () => {
    const refused = new Error(
      'All sentinels are unreachable. Retrying from scratch after 10ms. Last error: WRONGPASS invalid username-password pair or user is disabled.',
    );
    const e = new Error('no ready connection within 10 s', { cause: refused });
    expect(redisRefusal(e, { ...sentinelAt, sentinelPassword: 'spw' })).toMatchObject({
      kind: 'authentication',
      detail: 'the sentinels refused redis.sentinelPassword (wrong password)',
      fix: expect.stringMatching(/^set the variable redis\.sentinelPassword names/) as string,
    });
  });

  test("in sentinel mode the master's own refusal is still redis.password's, and unreachable sentinels are no refusal", () => {
    const master = new Error('WRONGPASS invalid username-password pair or user is disabled.');
    expect(redisRefusal(master, { ...sentinelAt, sentinelPassword: 'spw' })?.fix).toMatch(/redis\.password/);
    expect(redisRefusal(allSentinels('connect ECONNREFUSED 127.0.0.1:26379'), sentinelAt)).toBeUndefined();
  });

  test('a refused connection is no refusal', () => {
    expect(redisRefusal(new Error('connect ECONNREFUSED 127.0.0.1:1'), { host: 'h', port: 1 })).toBeUndefined();
  });
});

test("a cluster's SCAN walks every master, one after the other, with a cursor that says which", async () => {
  const master = (keys: string[][]) => ({
    scan: jest.fn((cursor: string) => {
      const i = Number(cursor);
      return Promise.resolve([i + 1 < keys.length ? String(i + 1) : '0', keys[i]]);
    }),
  });
  const a = master([['a1'], ['a2']]);
  const b = master([['b1']]);
  const cluster = Object.create(Cluster.prototype) as Cluster;
  Object.defineProperty(cluster, 'nodes', { value: () => [a, b] });
  const seen: string[] = [];
  const cursors: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await scanStep(cluster, cursor, '*', 10);
    cursors.push(next);
    seen.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  expect(seen).toEqual(['a1', 'a2', 'b1']);
  expect(cursors).toEqual(['0:1', '1:0', '0']);
});

test('stack up --with takes the extras by name, in a fixed order, and refuses others', () => {
  expect(parseExtras(undefined)).toEqual([]);
  expect(parseExtras('tls, cluster')).toEqual(['cluster', 'tls']);
  expect(() => parseExtras('cluster,kerberos')).toThrow(
    new UsageError("--with: unknown 'kerberos'; expected some of secure, cluster, sentinel, tls"),
  );
});

describe("the extras' credentials file", () => {
  const layout = () => stackLayout({ UVPV_HOME: mkdtempSync(join(tmpdir(), 'uvpv-creds-')) });

  test("made once, readable by its owner only; the sentinel's password is its own", () => {
    const l = layout();
    const made = credentials(l);
    expect(statSync(credentialsFile(l)).mode & 0o777).toBe(0o600);
    expect(made.UVPV_STACK_REDIS_SENTINEL_PASSWORD).toMatch(/^[0-9a-f]{24}$/);
    expect(made.UVPV_STACK_REDIS_SENTINEL_PASSWORD).not.toBe(made.UVPV_STACK_REDIS_PASSWORD);
    expect(credentials(l)).toEqual(made);
  });

  test('a file from before the sentinel had a password gets one added, the others kept', () => {
    const l = layout();
    const file = credentialsFile(l);
    mkdirSync(dirname(file), { recursive: true });
    const old = {
      UVPV_STACK_KAFKA_USER: 'uvpv',
      UVPV_STACK_KAFKA_PASSWORD: 'k1',
      UVPV_STACK_REDIS_PASSWORD: 'r1',
      UVPV_STACK_REDIS_USER: 'uvpv',
      UVPV_STACK_REDIS_USER_PASSWORD: 'u1',
      UVPV_STACK_KEYSTORE_PASSWORD: 's1',
    };
    writeFileSync(
      file,
      `# old\n${Object.entries(old)
        .map(([k, v]) => `${k}=${v}\n`)
        .join('')}`,
      { mode: 0o644 },
    );
    const read = credentials(l);
    expect(read).toMatchObject(old);
    expect(read.UVPV_STACK_REDIS_SENTINEL_PASSWORD).toMatch(/^[0-9a-f]{24}$/);
    expect(readFileSync(file, 'utf8')).toContain(`UVPV_STACK_REDIS_SENTINEL_PASSWORD=${read.UVPV_STACK_REDIS_SENTINEL_PASSWORD}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(credentials(l)).toEqual(read);
  });
});
