/**
 * What a configuration version uvpv uploads to the fake Oceanus carries for the oceanus target's
 * optional keys: the inserts as plain INSERT INTO statements or one statement set (`statementSet`),
 * and log collection and the COS bucket under the SDK models' field names.
 */
import { envFor, specWith, startFake, uploaded, uvpv } from '../fake-oceanus/harness';
import type { FakeOceanus } from '../fake-oceanus/server';
import { splitStatements } from '../../src/sql/split';

let fake: FakeOceanus;
beforeEach(async () => {
  fake = await startFake();
});
afterEach(() => fake.close());

/** The parameters of the one CreateJobConfig the fake took. */
function configRequest(): Record<string, unknown> {
  const sent = fake.state.requests.filter((r) => r.action === 'CreateJobConfig' && !r.error);
  expect(sent).toHaveLength(1);
  return sent[0].params;
}

describe('the inserts', () => {
  // The reference spec has three metrics, so three inserts.
  const INSERTS = 3;

  test.each([
    ['no statementSet key (the default)', ''],
    ['statementSet: false', '    statementSet: false\n'],
  ])('%s: plain INSERT INTO statements, as generate --dialect oceanus prints them', async (_what, keys) => {
    const { file, dir } = specWith(keys);
    const env = envFor(fake);
    const r = await uvpv(['deploy', file, '--target', 'oceanus'], env, dir);
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    const { sql } = fake.state.jobs[0].configs[0];
    expect(sql).not.toMatch(/STATEMENT\s+SET/i);
    expect(splitStatements(sql).filter((st) => st.startsWith('INSERT INTO '))).toHaveLength(INSERTS);
    expect(sql).toBe(await uploaded(env, false, [], file, dir));
  });

  test('statementSet: true: one EXECUTE STATEMENT SET holding every insert, as generate --statement-set prints it', async () => {
    const { file, dir } = specWith('    statementSet: true\n');
    const env = envFor(fake);
    const r = await uvpv(['deploy', file, '--target', 'oceanus'], env, dir);
    expect(r.code).toBe(0);
    const statements = splitStatements(fake.state.jobs[0].configs[0].sql);
    expect(statements.filter((st) => st.startsWith('INSERT INTO '))).toHaveLength(0);
    const sets = statements.filter((st) => st.startsWith('EXECUTE STATEMENT SET\nBEGIN'));
    expect(sets).toHaveLength(1);
    expect(sets[0].match(/^ {2}INSERT INTO /gm)).toHaveLength(INSERTS);
    expect(fake.state.jobs[0].configs[0].sql).toBe(await uploaded(env, false, ['--statement-set'], file, dir));
  });

  test('switching a running job between the two is a change: refused without --replace, nothing uploaded', async () => {
    const plain = specWith('');
    expect((await uvpv(['deploy', plain.file, '--target', 'oceanus'], envFor(fake), plain.dir)).code).toBe(0);
    const { file, dir } = specWith('    statementSet: true\n');
    const r = await uvpv(['deploy', file, '--target', 'oceanus'], envFor(fake), dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('with other SQL or settings; use --replace');
    expect(fake.state.jobs[0].configs).toHaveLength(1);
  });
});

describe('log collection and the COS bucket', () => {
  const LOGSET = 'cd9adbb5-6b7d-48d2-9870-77658959c7a4';
  const TOPIC = 'cec4c2f1-0bf3-470e-b1a5-b1c451e88838';
  const BUCKET = 'uvpv-logs-1250000000';
  const FIELDS = ['LogCollect', 'LogCollectType', 'ClsLogsetId', 'ClsTopicId', 'COSBucket'];

  test.each([
    [
      'logCollect with a CLS logset and topic, and a bucket: into CLS (LogCollectType 2)',
      `    logCollect: true\n    clsLogsetId: ${LOGSET}\n    clsTopicId: ${TOPIC}\n    cosBucket: ${BUCKET}\n`,
      { LogCollect: true, LogCollectType: 2, ClsLogsetId: LOGSET, ClsTopicId: TOPIC, COSBucket: BUCKET },
    ],
    [
      'logCollect with a bucket only: into COS (LogCollectType 3)',
      `    logCollect: true\n    cosBucket: ${BUCKET}\n`,
      { LogCollect: true, LogCollectType: 3, COSBucket: BUCKET },
    ],
    ['logCollect alone: where the cluster collects them', '    logCollect: true\n', { LogCollect: true }],
    ['a bucket without logCollect: the bucket only', `    cosBucket: ${BUCKET}\n`, { COSBucket: BUCKET }],
    ['none of the keys: none of the fields', '', {}],
  ])('%s', async (_what, keys, expected) => {
    const { file, dir } = specWith(keys);
    const r = await uvpv(['deploy', file, '--target', 'oceanus'], envFor(fake), dir);
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    // Exactly these fields, by the SDK models' names and types: the fake refuses any unknown key or wrong type.
    const params = configRequest();
    expect(Object.fromEntries(FIELDS.filter((f) => f in params).map((f) => [f, params[f]]))).toEqual(expected);
    expect(fake.state.jobs[0].configs[0].logs).toEqual({
      LogCollect: undefined,
      LogCollectType: undefined,
      ClsLogsetId: undefined,
      ClsTopicId: undefined,
      COSBucket: undefined,
      ...expected,
    });
  });

  test('an id that YAML reads as a number is sent as a string, the type the SDK models give it', async () => {
    const { file, dir } = specWith('    logCollect: true\n    clsLogsetId: 12345\n    clsTopicId: 678\n');
    const r = await uvpv(['deploy', file, '--target', 'oceanus'], envFor(fake), dir);
    expect(r.code).toBe(0);
    expect(configRequest()).toMatchObject({ ClsLogsetId: '12345', ClsTopicId: '678', LogCollectType: 2 });
  });

  test('a changed log setting is a changed configuration: refused without --replace', async () => {
    const plain = specWith('');
    expect((await uvpv(['deploy', plain.file, '--target', 'oceanus'], envFor(fake), plain.dir)).code).toBe(0);
    const { file, dir } = specWith('    logCollect: true\n');
    const r = await uvpv(['deploy', file, '--target', 'oceanus'], envFor(fake), dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('with other SQL or settings; use --replace');
  });
});
