/** Secured Kafka and Redis modes: the SQL they become, their secrets kept apart in every mode, and what a run overrides. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/run';
import { compileSpec } from '../../src/compile';
import { memoryIo } from '../../src/io/io';
import { loadSpecText } from '../../src/pipeline/load';
import { jobStatements } from '../../src/sql/compiler';
import { escapeJaas, renderSql, secretValues } from '../../src/sql/parts';
import { maskSecretOptions } from '../../src/sql/read-back';
import { Redactor } from '../../src/util/redact';

const PASSWORD = 'p"a\\ss\'w0rd';

function spec(security: string, redis = '  host: 10.0.0.5\n'): string {
  return [
    'version: 1',
    'name: conn',
    'source:',
    '  table: events',
    '  topic: events',
    '  bootstrapServers: broker-1:9093',
    security,
    '  columns: { kind: INT, ts: TIMESTAMP(3) }',
    '  eventTime: ts',
    '  watermarkDelay: 5 seconds',
    'events: { browse: kind = 0 }',
    'window: { type: tumble, size: 1 minute }',
    'redis:',
    redis,
    'metrics:',
    '  - { name: pv, type: pv, event: browse, redis: { type: string, key: pv } }',
  ].join('\n');
}

const SCRAM = [
  '  security:',
  '    protocol: SASL_SSL',
  '    mechanism: SCRAM-SHA-256',
  "    username: 'te\"am\\uvpv'",
  '    password: ${KAFKA_PASSWORD}',
].join('\n');

function compiled(text: string, revealSecrets = true, connector: 'jeff-zou' | 'uvpv' = 'jeff-zou') {
  const loaded = loadSpecText('pipeline.yaml', text, { env: { KAFKA_PASSWORD: PASSWORD }, cwd: '.', revealSecrets });
  return { loaded, job: compileSpec(loaded, 'flink', {}, { redisConnector: connector }) };
}

test('a JAAS value escapes its backslashes and double quotes', () => {
  expect(escapeJaas('a"b\\c')).toBe('a\\"b\\\\c');
});

test('the JAAS line holds the password as a secret: escaped for JAAS and SQL when revealed, a placeholder or mask otherwise', () => {
  const { job } = compiled(spec(SCRAM));
  const source = job.statements.find((st) => st.kind === 'create' && renderSql(st.parts, 'mask').includes("'kafka'"));
  const jaas = (password: string) =>
    `'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="te\\"am\\\\uvpv" password="${password}";'`;
  const parts = source?.parts ?? [];
  expect(renderSql(parts, 'reveal')).toContain(jaas(`p\\"a\\\\ss''w0rd`));
  expect(renderSql(parts, 'placeholder')).toContain(jaas('${KAFKA_PASSWORD}'));
  expect(renderSql(parts, 'mask')).toContain(jaas('${KAFKA_PASSWORD}'));
  expect(renderSql(parts, 'reveal')).toContain("'properties.sasl.mechanism' = 'SCRAM-SHA-256'");
  for (const shown of [job.script('placeholder'), job.script('mask'), ...jobStatements(job, 'mask')]) {
    expect(shown).not.toContain('w0rd');
  }
});

test("Flink's error text quoting the JAAS option (which Flink does not mask) shows no password once redacted", () => {
  const { job, loaded } = compiled(spec(SCRAM));
  const redactor = new Redactor();
  redactor.add(loaded.secrets);
  redactor.add(secretValues(job.statements.map((st) => st.parts)));
  // Flink prints option values as given: the JAAS line with the password escaped for JAAS.
  const flink = `Table options are:\n'properties.sasl.jaas.config'='org.apache.kafka.common.security.scram.ScramLoginModule required username="te\\"am\\\\uvpv" password="${escapeJaas(PASSWORD)}";'`;
  const statement = jobStatements(job, 'reveal').find((st) => st.includes('jaas')) ?? '';
  for (const text of [flink, statement, `auth failed for ${PASSWORD}`]) {
    const shown = redactor.redact(text);
    expect(shown).not.toContain('w0rd');
    expect(shown).toContain('******');
  }
});

test('SQL read back from a target has the JAAS line masked whole', () => {
  const { job } = compiled(spec(SCRAM));
  const running = jobStatements(job, 'reveal');
  const shown = maskSecretOptions(running, jobStatements(job, 'mask')).join('\n');
  expect(shown).not.toContain('w0rd');
  expect(shown).toContain('password="${KAFKA_PASSWORD}"');
});

test("a run that reads other brokers and writes another Redis (verify's stack) drops the spec's security and mode", () => {
  const text = spec(SCRAM, '  mode: cluster\n  nodes: [10.0.0.1:6379, 10.0.0.2:6379]');
  const { loaded } = compiled(text);
  const job = compileSpec(loaded, 'flink', {
    bootstrapServers: '127.0.0.1:9092',
    redis: { host: '127.0.0.1', port: 6379, database: 3, password: { placeholder: '', empty: true } },
  });
  const script = job.script('mask');
  expect(script).not.toContain('properties.security.protocol');
  expect(script).not.toContain('cluster');
  expect(script).toContain("'redis-mode' = 'single'");
  expect(script).toContain("'database' = '3'");
});

test('a deploy to a Flink on this machine refuses a truststore missing here, naming the line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-conn-'));
  const missing = join(dir, 'absent-ca.pem');
  const tls = ['  security:', '    protocol: SSL', `    truststore: ${missing}`].join('\n');
  writeFileSync(join(dir, 'pipeline.yaml'), spec(tls));
  const io = memoryIo({}, dir);
  expect(await run(['deploy', 'pipeline.yaml', '--dry-run'], io)).toBe(2);
  expect(io.err).toMatch(/^pipeline\.yaml:\d+:\d+: source\.security\.truststore: .*absent-ca\.pem does not exist on this machine/m);
  writeFileSync(missing, '-----BEGIN CERTIFICATE-----\n');
  const present = memoryIo({}, dir);
  expect(await run(['validate', 'pipeline.yaml'], present)).toBe(0);
  expect(present.err).toBe('');
});

describe("the sentinels' own password (redis.sentinelPassword)", () => {
  const SENTINEL_PASSWORD = "s3nt'inel-pw";
  const sentinel = [
    '  mode: sentinel',
    '  nodes: [10.0.0.1:26379, 10.0.0.2:26379]',
    '  masterName: mymaster',
    '  password: ${REDIS_PASSWORD}',
    '  sentinelPassword: ${REDIS_SENTINEL_PASSWORD}',
  ].join('\n');
  const load = (env: NodeJS.ProcessEnv) => loadSpecText('pipeline.yaml', spec('', sentinel), { env, cwd: '.', revealSecrets: true });

  test.each(['jeff-zou', 'uvpv'] as const)(
    "%s's connector: 'sentinels.password', a secret revealed only for the target, never in printed, kept or read-back SQL",
    (connector) => {
      const loaded = load({ REDIS_PASSWORD: 'data-pw', REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD });
      const job = compileSpec(loaded, 'flink', {}, { redisConnector: connector });
      expect(job.script('reveal')).toContain("'sentinels.password' = 's3nt''inel-pw'");
      expect(job.script('placeholder')).toContain("'sentinels.password' = '${REDIS_SENTINEL_PASSWORD}'");
      const readBack = maskSecretOptions(jobStatements(job, 'reveal'), jobStatements(job, 'mask'));
      for (const shown of [job.script('placeholder'), job.script('mask'), ...jobStatements(job, 'mask'), ...readBack]) {
        expect(shown).not.toContain('inel-pw');
      }
      expect(readBack.join('\n')).toContain("'sentinels.password' = '${REDIS_SENTINEL_PASSWORD}'");
    },
  );

  test("Flink's error text quoting the option shows no sentinel password once redacted", () => {
    const loaded = load({ REDIS_PASSWORD: 'data-pw', REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD });
    const job = compileSpec(loaded, 'flink');
    // As a run does: the spec's resolved secrets, and their values as the SQL writes them.
    const redactor = new Redactor();
    redactor.add(loaded.secrets);
    redactor.add(secretValues(job.statements.map((st) => st.parts)));
    const statement = jobStatements(job, 'reveal').find((st) => st.includes('sentinels.password')) ?? '';
    for (const text of [
      statement,
      `Table options are:\n'sentinels.password'='${SENTINEL_PASSWORD}'`,
      `auth failed for ${SENTINEL_PASSWORD}`,
    ]) {
      const shown = redactor.redact(text);
      expect(shown).not.toContain('inel-pw');
      expect(shown).toContain('******');
    }
  });

  test('an empty sentinel password writes no option, as an empty password writes none', () => {
    const job = compileSpec(load({ REDIS_PASSWORD: 'data-pw', REDIS_SENTINEL_PASSWORD: '' }), 'flink');
    expect(job.script('reveal')).not.toContain('sentinels.password');
    expect(job.script('reveal')).toContain("'password' = 'data-pw'");
  });
});
