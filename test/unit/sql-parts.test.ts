/** SQL whose secrets are parts: rendered for a target, for printing, or for a plan, and never edited as text. */
import {
  indentSql,
  joinSql,
  maskedPlaceholder,
  maskSecretValues,
  renderSql,
  secretValues,
  sql,
  stringLiteral,
  type SqlSecret,
} from '../../src/sql/parts';
import { join } from 'node:path';
import { compileSpec } from '../../src/compile';
import { jobStatements } from '../../src/sql/compiler';
import { maskSecretOptions } from '../../src/sql/read-back';
import { loadSpec } from '../../src/pipeline/load';

const PASSWORD: SqlSecret = { path: 'redis.password', placeholder: '${REDIS_PASSWORD}', value: "it's-s3cret" };
const option = (key: string, value: Parameters<typeof stringLiteral>[0]) => sql`  '${key}' = ${stringLiteral(value)}`;

test('an option holding a secret renders its value, its placeholder, or its masked placeholder, quoted in each mode', () => {
  const table = sql`CREATE TABLE t WITH (\n${joinSql([option('host', 'h'), option('password', [{ secret: PASSWORD }])], ',\n')}\n)`;
  expect(renderSql(table, 'reveal')).toBe("CREATE TABLE t WITH (\n  'host' = 'h',\n  'password' = 'it''s-s3cret'\n)");
  expect(renderSql(table, 'placeholder')).toBe("CREATE TABLE t WITH (\n  'host' = 'h',\n  'password' = '${REDIS_PASSWORD}'\n)");
  expect(renderSql(table, 'mask')).toBe("CREATE TABLE t WITH (\n  'host' = 'h',\n  'password' = '${REDIS_PASSWORD}'\n)");
});

test('a secret inside a larger value (a JAAS line with quotes of its own) is escaped with the text around it', () => {
  const secret: SqlSecret = { path: 'source.sasl.password', placeholder: '${KAFKA_PASSWORD:-d3v}', value: 'p"a\'ss' };
  const jaas = [
    'org.apache.kafka.common.security.scram.ScramLoginModule required username="o\'neil" password="',
    { secret },
    '";',
  ] as const;
  const text = option('properties.sasl.jaas.config', jaas);
  const line = (password: string) =>
    `  'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="o''neil" password="${password}";'`;
  expect(renderSql(text, 'reveal')).toBe(line("p\"a''ss"));
  expect(renderSql(text, 'placeholder')).toBe(line('${KAFKA_PASSWORD:-d3v}'));
  expect(renderSql(text, 'mask')).toBe(line('${KAFKA_PASSWORD:-******}'));
  // As it is, and as the literal writes it (a target may quote the statement back).
  expect(secretValues([text])).toEqual(['p"a\'ss', "p\"a''ss"]);
});

test('mask hides a default and leaves a bare variable and a masked literal as they are', () => {
  expect(maskedPlaceholder('${REDIS_PASSWORD:-hunter2}')).toBe('${REDIS_PASSWORD:-******}');
  expect(maskedPlaceholder('${REDIS_PASSWORD}')).toBe('${REDIS_PASSWORD}');
  expect(maskedPlaceholder('******')).toBe('******');
  expect(maskedPlaceholder('pre-$${x}-${A:-b}')).toBe('pre-$${x}-${A:-******}');
});

test('reveal refuses a secret that was not resolved, rather than sending its placeholder', () => {
  expect(() =>
    renderSql(sql`'password' = ${stringLiteral([{ secret: { path: 'redis.password', placeholder: '${P}' } }])}`, 'reveal'),
  ).toThrow(/redis\.password/);
});

test("indenting a statement indents its lines, not a secret's value", () => {
  const multiLine: SqlSecret = { path: 'tls.key', placeholder: '${KEY}', value: 'line1\nline2' };
  const text = indentSql(sql`A\nB ${stringLiteral([{ secret: multiLine }])};`, '  ');
  expect(renderSql(text, 'reveal')).toBe("  A\n  B 'line1\nline2';");
  expect(renderSql(text, 'placeholder')).toBe("  A\n  B '${KEY}';");
});

test('error text from a target shows no resolved secret, the longest first', () => {
  const values = secretValues([
    option('password', [{ secret: { ...PASSWORD, value: 'abc' } }]),
    option('password', [{ secret: { ...PASSWORD, value: 'abcdef' } }]),
  ]);
  expect(values).toEqual(['abc', 'abcdef']);
  const error = "Caused by: ... WITH ('password' = 'abcdef') ... AUTH abc failed; ab is too short to hide";
  expect(maskSecretValues(error, values)).toBe(
    "Caused by: ... WITH ('password' = '******') ... AUTH ****** failed; ab is too short to hide",
  );
  expect(maskSecretValues(error, ['ab'])).toBe(error);
});

test('SQL read back from a target has its secret options masked, found by token and not by line', () => {
  const running = ["CREATE TABLE t (a INT) WITH ('k' = 'password', 'password' = 'it''s; 1', 'nodes' = 'a')"];
  expect(maskSecretOptions(running, [])).toEqual(["CREATE TABLE t (a INT) WITH ('k' = 'password', 'password' = '******', 'nodes' = 'a')"]);
  expect(maskSecretOptions(running, ["CREATE TABLE t WITH (\n  'password' = '${P:-******}'\n)"])).toEqual([
    "CREATE TABLE t (a INT) WITH ('k' = 'password', 'password' = '${P:-******}', 'nodes' = 'a')",
  ]);
});

test('the compiled job holds the Redis password as a part: one compile serves the target, the printout and the plan', () => {
  const file = join(__dirname, '..', 'cases', 'valid', 'secrets', 'pipeline.yaml');
  const loaded = loadSpec(file, { env: { REDIS_PASSWORD: "pa'ss-1234" }, cwd: process.cwd(), revealSecrets: true });
  const job = compileSpec(loaded, 'flink');
  const sent = jobStatements(job, 'reveal').join('\n');
  expect(sent).toContain("'password' = 'pa''ss-1234'");
  for (const mode of ['placeholder', 'mask'] as const) {
    const shown = [...jobStatements(job, mode), job.script(mode)].join('\n');
    expect(shown).not.toContain('ss-1234');
    expect(shown).toContain("'password' = '${REDIS_PASSWORD}'");
  }
  expect(secretValues(job.statements.map((st) => st.parts))).toContain("pa'ss-1234");
});
