/** The CLI as a user meets it: exit codes, where output goes, and that secrets stay secret. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { memoryIo } from '../../src/io/io';
import { run } from '../../src/cli/run';

const ROOT = resolve(__dirname, '..', '..');
const SPEC = join(ROOT, 'pipelines', 'uvpv.yaml');

async function uvpv(args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT) {
  const io = memoryIo(env, cwd);
  const code = await run(args, io);
  return { code, out: io.out, err: io.err };
}

test('the shipped pipeline is the reference pipeline, kept in sync with its golden case', () => {
  // Its first line points editors at the shipped JSON Schema, relative to where it lies.
  const [modeline, ...rest] = readFileSync(SPEC, 'utf8').split('\n');
  expect(modeline).toBe('# yaml-language-server: $schema=../schema/uvpv-spec.schema.json');
  expect(rest.join('\n')).toBe(readFileSync(join(ROOT, 'test/cases/reference/pipeline.yaml'), 'utf8'));
  // Its events and expected Redis contents ship beside it, for `uvpv verify` out of the package.
  for (const [shipped, kept] of [
    ['uvpv.events.jsonl', 'events.jsonl'],
    ['uvpv.expected.yaml', 'expected.yaml'],
  ]) {
    expect(readFileSync(join(ROOT, 'pipelines', shipped), 'utf8')).toBe(readFileSync(join(ROOT, 'test/cases/reference', kept), 'utf8'));
  }
});

test('generate prints the SQL and exits 0', async () => {
  const r = await uvpv(['generate', 'pipelines/uvpv.yaml']);
  expect(r.code).toBe(0);
  expect(r.out).toContain('CREATE TABLE `input_web_record`');
  expect(r.out).toContain('EXECUTE STATEMENT SET');
  // For jeff-zou's connector (the default) the list is at least once after a failure, and a Redis
  // outage loses writes (measured with verify --fault): said, on stderr only.
  expect(r.err).toBe(
    'warning: metric pv: with open-source Flink 1.20 with the flink-connector-redis SQL connector, a list is written at least once: ' +
      "after a failure, the windows since the last checkpoint may be pushed again (uvpv's own connector pushes each window once)\n" +
      'warning: with open-source Flink 1.20 with the flink-connector-redis SQL connector, writes Redis does not take (an outage, a timeout) are lost without failing the job, ' +
      "for every metric: nothing restarts to write them again (uvpv's own connector fails the job, which restarts from its last checkpoint)\n",
  );
  const uvpvConnector = await uvpv(['generate', 'pipelines/uvpv.yaml', '--redis-connector', 'uvpv']);
  expect(uvpvConnector.err).toBe('');
  expect(uvpvConnector.out).toContain("'list.push-if-newer-field' = 'window_end'");
});

test('generate -o writes the file and says so on stderr', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-'));
  const r = await uvpv(['generate', SPEC, '--dialect', 'oceanus', '-o', join(dir, 'job.sql')]);
  expect(r.code).toBe(0);
  expect(r.out).toBe('');
  expect(readFileSync(join(dir, 'job.sql'), 'utf8')).toContain("'nodes' = '127.0.0.1:6379'");
});

test('--statement-set and --no-statement-set choose the oceanus inserts; the flink dialect refuses both (exit 2)', async () => {
  const plain = await uvpv(['generate', SPEC, '--dialect', 'oceanus']);
  expect(plain.code).toBe(0);
  expect(plain.out).not.toContain('STATEMENT SET');
  expect((await uvpv(['generate', SPEC, '--dialect', 'oceanus', '--no-statement-set'])).out).toBe(plain.out);
  const set = await uvpv(['generate', SPEC, '--dialect', 'oceanus', '--statement-set']);
  expect(set.out).toContain('\nEXECUTE STATEMENT SET\nBEGIN\n');
  for (const flag of ['--statement-set', '--no-statement-set']) {
    const r = await uvpv(['generate', SPEC, '--dialect', 'flink', flag]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      `error: ${flag} is for dialects that may write plain inserts (oceanus); the flink dialect always writes one EXECUTE STATEMENT SET\n`,
    );
  }
});

test('a secret is a placeholder unless revealed on purpose', async () => {
  const env = { REDIS_PASSWORD: 's3cr3t-pw' };
  const hidden = await uvpv(['generate', SPEC], env);
  expect(hidden.out).toContain("'password' = '${REDIS_PASSWORD:-}'");
  expect(hidden.out + hidden.err).not.toContain('s3cr3t-pw');
  const shown = await uvpv(['generate', SPEC, '--reveal-secrets'], env);
  expect(shown.out).toContain("'password' = 's3cr3t-pw'");
});

test('an empty password sends no password option at all', async () => {
  const r = await uvpv(['generate', SPEC]);
  expect(r.out).not.toContain("'password'");
});

test('secrets in errors are not printed either', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-'));
  const spec = readFileSync(SPEC, 'utf8').replace('  port: 6379', '  port: 0').replace('${REDIS_PASSWORD:-}', 'literal-pw-123');
  writeFileSync(join(dir, 'p.yaml'), spec);
  const r = await uvpv(['validate', 'p.yaml'], {}, dir);
  expect(r.code).toBe(2);
  expect(r.err).toContain('redis.port: got 0');
  expect(r.err).not.toContain('literal-pw-123');
});

test('validate needs no target variables; generate fails only for what it needs', async () => {
  const r = await uvpv(['validate', SPEC]);
  expect(r.code).toBe(0);
  expect(r.out).toContain('valid');
});

test('validate --json lists errors with positions for editors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-'));
  writeFileSync(join(dir, 'p.yaml'), readFileSync(SPEC, 'utf8').replace('type: hop', 'type: sliding'));
  const r = await uvpv(['validate', 'p.yaml', '--json'], {}, dir);
  expect(r.code).toBe(2);
  const json = JSON.parse(r.out) as { valid: boolean; errors: { message: string }[] };
  expect(json.valid).toBe(false);
  expect(json.errors).toMatchObject([{ file: 'p.yaml', line: 30, col: 9, path: 'window.type' }]);
  expect(json.errors[0].message).toContain("'sliding'");
});

test.each([
  [['generate'], /missing required argument/],
  [['generate', SPEC, '--dialect', 'spark'], /unknown dialect 'spark'/],
  [['generate', 'nope.yaml'], /spec file not found: nope.yaml/],
  [['frobnicate'], /unknown command/],
  [['validate', SPEC, '--bogus'], /unknown option/],
])('bad usage %j exits 2 with a clear message', async (args, message) => {
  const r = await uvpv(args);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(message);
  expect(r.err).not.toMatch(/\n\s+at /);
});

test('--help and --version exit 0', async () => {
  expect((await uvpv(['--help'])).code).toBe(0);
  const v = await uvpv(['--version']);
  expect(v.code).toBe(0);
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  expect(v.out).toBe(`${version}\n`);
});

test('an error that quotes a secret back (as Flink quotes table options) is redacted', async () => {
  const { startFakeHttp } = await import('../support/fake-http');
  const fake = await startFakeHttp();
  try {
    fake.route('GET', /^\/v1\/info$/, () => ({ body: { productName: 'Apache Flink', version: '1.20.3' } }));
    fake.route('GET', /^\/jobs\/overview$/, () => ({ body: { jobs: [] } }));
    fake.route('POST', /^\/v1\/sessions$/, () => ({ body: { sessionHandle: 's' } }));
    fake.route('POST', /statements$/, (_req, body) => ({
      body: { operationHandle: (body as { statement: string }).statement.includes('redis_uv') ? 'bad' : 'ok' },
    }));
    fake.route('GET', /operations\/ok\/result/, () => ({ body: { resultType: 'EOS' } }));
    fake.route('GET', /operations\/bad\/result/, () => ({
      status: 500,
      body: {
        errors: [
          'Internal server error.',
          "<Exception on server side:\nCaused by: org.apache.flink.table.api.ValidationException: Unable to create a sink.\nTable options are:\n'password'='pw-quoted-by-flink'\n>",
        ],
      },
    }));
    // Kafka at a closed port: the topic check is skipped, whether or not a local stack is up.
    const { closedPort } = await import('../support/fake-http');
    const kafka = `127.0.0.1:${await closedPort()}`;
    const env = { REDIS_PASSWORD: 'pw-quoted-by-flink', FLINK_SQL_GATEWAY: fake.url, FLINK_REST: fake.url, KAFKA_BOOTSTRAP_SERVERS: kafka };
    const r = await uvpv(['deploy', SPEC], env);
    expect(r.code).toBe(1);
    expect(r.err).toContain("'password'='******'");
    expect(r.out + r.err).not.toContain('pw-quoted-by-flink');
  } finally {
    await fake.close();
  }
});

test('each run hides only the secrets it resolved: two runs in one process share none', async () => {
  const first = await uvpv(['generate', SPEC], { REDIS_PASSWORD: 'first-run-pw' });
  expect(first.code).toBe(0);
  // The second run never resolved that value: to it, the text is no secret.
  const second = await uvpv(['generate', 'first-run-pw.yaml']);
  expect(second.code).toBe(2);
  expect(second.err).toContain('spec file not found: first-run-pw.yaml');
});

test('deploy --dry-run to a gateway shows the statements with secrets as placeholders and calls nothing', async () => {
  const { closedPort } = await import('../support/fake-http');
  const dead = `http://127.0.0.1:${await closedPort()}`;
  const r = await uvpv(['deploy', SPEC, '--dry-run'], { REDIS_PASSWORD: 'dry-run-secret', FLINK_SQL_GATEWAY: dead, FLINK_REST: dead });
  expect(r.code).toBe(0);
  expect(r.out).toContain(`-- would open a session on ${dead} and run these 14 statements in order`);
  expect(r.out).toContain("'password' = '${REDIS_PASSWORD:-}'");
  expect(r.out + r.err).not.toContain('dry-run-secret');
});
