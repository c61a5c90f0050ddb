/** The SQL kept with a gateway job: packed into one job parameter, and its secrets resolved again on the way back. */
import { JOB_SQL_PARAMETER, keepSqlStatement, resolveKeptSecrets, unpackSql } from '../../src/deploy/gateway/job-sql';
import { required } from '../../src/util/required';
import { matched } from '../support/checks';

const STATEMENTS = ["SET 'pipeline.name' = 'it''s, a: test'", "CREATE TABLE `t` (`a` INT) WITH (\n  'connector' = 'redis',\n  'password' = '${REDIS_PASSWORD}'\n)"];

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

test('a placeholder is resolved from the environment, a quote in the value escaped', () => {
  const r = resolveKeptSecrets(STATEMENTS, { REDIS_PASSWORD: "s3'cret" });
  expect(r).toEqual({ statements: [STATEMENTS[0], STATEMENTS[1].replace("'${REDIS_PASSWORD}'", "'s3''cret'")] });
});

test('an unset variable, or a masked literal without this spec giving its value, is named instead', () => {
  expect(resolveKeptSecrets(STATEMENTS, {})).toEqual({ missing: ['REDIS_PASSWORD'] });
  const masked = [STATEMENTS[1].replace('${REDIS_PASSWORD}', '******')];
  expect(resolveKeptSecrets(masked, {})).toEqual({ missing: ['the Redis password (masked in the kept SQL)'] });
  expect(resolveKeptSecrets(masked, {}, 'pw')).toEqual({ statements: [masked[0].replace('******', 'pw')] });
});

test("a placeholder's default is never kept (it may be the password itself); with its variable unset, this spec's value stands in", () => {
  const withDefault = ["CREATE TABLE `t` (`a` INT) WITH (\n  'password' = '${REDIS_PASSWORD:-hunter2}'\n)"];
  const set = keepSqlStatement(withDefault);
  const [kept] = required(unpackSql(matched(/uvpv\.sql:([A-Za-z0-9_-]+)'$/, set)[1]), 'the unpacked statements');
  expect(kept).not.toContain('hunter2');
  expect(kept).toContain("'password' = '${REDIS_PASSWORD:-******}'");
  expect(resolveKeptSecrets([kept], { REDIS_PASSWORD: 'from-env' })).toEqual({ statements: [kept.replace('${REDIS_PASSWORD:-******}', 'from-env')] });
  expect(resolveKeptSecrets([kept], {}, 'hunter2')).toEqual({ statements: [withDefault[0].replace('${REDIS_PASSWORD:-hunter2}', 'hunter2')] });
});
