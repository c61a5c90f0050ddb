/** The SQL kept with a gateway job: packed into one job parameter, and its secrets resolved again on the way back. */
import { gzipSync } from 'node:zlib';
import { JOB_SQL_PARAMETER, keepSqlStatement, keptStatements, resolveKeptSecrets, unpackSql } from '../../src/deploy/gateway/job-sql';
import type { SqlStatement } from '../../src/sql/compiler';
import { renderSql, type SqlSecret, type SqlText } from '../../src/sql/parts';
import { required } from '../../src/util/required';
import { matched } from '../support/checks';

const secret = (placeholder: string, value?: string): SqlSecret => ({ path: 'redis.password', placeholder, value });
const table = (s: SqlSecret): SqlText => [
  "CREATE TABLE `t` (`a` INT) WITH (\n  'connector' = 'redis',\n  'password' = '",
  { secret: s },
  "'\n)",
];
const STATEMENTS: SqlText[] = [["SET 'pipeline.name' = 'it''s, a: test'"], table(secret('${REDIS_PASSWORD}'))];

/** The kept statements as the job parameter carries them. */
const kept = (statements: readonly SqlText[]) =>
  required(unpackSql(matched(/uvpv\.sql:([A-Za-z0-9_-]+)'$/, keepSqlStatement(statements))[1]), 'the unpacked statements');

test('the statements travel as one SET of the global job parameters, free of the map separators, and come back the same', () => {
  const set = keepSqlStatement(STATEMENTS);
  const m = /^SET 'pipeline\.global-job-parameters' = '([^']*)'$/.exec(set);
  expect(m).not.toBeNull();
  const [name, packed] = required(m, 'the parameter SET')[1].split(':');
  expect(name).toBe(JOB_SQL_PARAMETER);
  expect(packed).toMatch(/^[A-Za-z0-9_-]+$/);
  expect(unpackSql(packed)).toEqual(STATEMENTS);
  expect(unpackSql('not-gzip')).toBeUndefined();
});

test('what an older uvpv kept (statements as text) is not read: its secrets were found by pattern', () => {
  const older = gzipSync(Buffer.from(JSON.stringify(["SET 'pipeline.name' = 'p'"]), 'utf8')).toString('base64url');
  expect(unpackSql(older)).toBeUndefined();
});

test("a secret's value is never kept, even when the statements hold it", () => {
  const statements: SqlStatement[] = [{ kind: 'create', comment: '', parts: table(secret('${REDIS_PASSWORD}', 'hunter2')) }];
  const keptParts = keptStatements({ statements, statementSet: true });
  expect(JSON.stringify(keptParts)).not.toContain('hunter2');
  expect(keepSqlStatement([table(secret('${REDIS_PASSWORD}', 'hunter2'))])).toBe(keepSqlStatement([table(secret('${REDIS_PASSWORD}'))]));
});

test('a placeholder is resolved from the environment, a quote in the value escaped', () => {
  const r = resolveKeptSecrets(STATEMENTS, { REDIS_PASSWORD: "s3'cret" }, []);
  expect(r).toEqual({
    statements: [
      STATEMENTS[0][0],
      renderSql(table(secret('${REDIS_PASSWORD}')), 'placeholder').replace("'${REDIS_PASSWORD}'", "'s3''cret'"),
    ],
  });
});

test('an unset variable, or a masked literal without this spec giving its value, is named instead', () => {
  expect(resolveKeptSecrets(STATEMENTS, {}, [])).toEqual({ missing: ['REDIS_PASSWORD'] });
  const masked = [table(secret('******'))];
  expect(resolveKeptSecrets(masked, {}, [])).toEqual({ missing: ['redis.password (masked in the kept SQL)'] });
  expect(resolveKeptSecrets(masked, {}, [secret('******', 'pw')])).toEqual({
    statements: [renderSql(masked[0], 'placeholder').replace('******', 'pw')],
  });
});

test("a placeholder's default is never kept (it may be the password itself); with its variable unset, this spec's value stands in", () => {
  const withDefault = secret('${REDIS_PASSWORD:-hunter2}', 'hunter2');
  const [back] = kept([table(withDefault)]);
  const text = renderSql(back, 'placeholder');
  expect(text).not.toContain('hunter2');
  expect(text).toContain("'password' = '${REDIS_PASSWORD:-******}'");
  expect(resolveKeptSecrets([back], { REDIS_PASSWORD: 'from-env' }, [withDefault])).toEqual({
    statements: [text.replace('${REDIS_PASSWORD:-******}', 'from-env')],
  });
  expect(resolveKeptSecrets([back], {}, [withDefault])).toEqual({ statements: [text.replace('${REDIS_PASSWORD:-******}', 'hunter2')] });
});
