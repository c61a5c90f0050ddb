/**
 * What the target's connector and the spec's JSON options change in the compiled job: the UV
 * deduplication a connector that skips written members makes unnecessary, the split distinct
 * aggregation above parallelism 1 only, and the source columns nothing reads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSpec } from '../../src/compile';
import type { MembersSink, Plan } from '../../src/ir/nodes';
import { loadSpecText } from '../../src/pipeline/load';
import type { RedisConnectorName } from '../../src/sql/compiler';
import { DIALECTS } from '../../src/sql/dialects';
import { renderSql } from '../../src/sql/parts';

const ROOT = join(__dirname, '..', '..');
const REFERENCE = readFileSync(join(ROOT, 'test/cases/reference/pipeline.yaml'), 'utf8');

/** The reference pipeline with `edit` applied to its text, compiled for the flink dialect. */
function compiled(edit: (text: string) => string = (t) => t, redisConnector: RedisConnectorName = 'jeff-zou') {
  const loaded = loadSpecText('pipeline.yaml', edit(REFERENCE), { env: {}, cwd: ROOT });
  const job = compileSpec(loaded, 'flink', {}, { redisConnector });
  return { ...job, text: job.script('placeholder') };
}

const membersSink = (plan: Plan, metric: string) => plan.sinks.find((s): s is MembersSink => s.kind === 'members' && s.metric === metric);
const sourceColumns = (plan: Plan) => plan.source.columns.map((c) => c.name);
const option = (plan: Plan, key: string) => plan.jobOptions.find((o) => o.key === key);
/** The reference's UV into an hll, or another type, keeping its key. */
const uvInto =
  (type: string, key = 'userids') =>
  (t: string) =>
    t.replace('redis: { type: set, key: userids }', `redis: { type: ${type}, key: '${key}' }`);

describe('skipsWrittenMembers: the connector skips the members it has already written', () => {
  test("only uvpv's connector for the flink dialect", () => {
    expect(DIALECTS.flink({ redisConnector: 'uvpv' }).capabilities.skipsWrittenMembers).toBe(true);
    expect(DIALECTS.flink({ redisConnector: 'jeff-zou' }).capabilities.skipsWrittenMembers).toBe(false);
    expect(DIALECTS.flink().capabilities.skipsWrittenMembers).toBe(false);
    expect(DIALECTS.oceanus().capabilities.skipsWrittenMembers).toBe(false);
  });

  test.each([
    ['set', 'SADD'],
    ['hll', 'PFADD'],
  ])("a fixed-key %s UV: every matching row's member goes straight to the sink, with no state in the job", (type, command) => {
    const { plan, text, statements } = compiled(uvInto(type), 'uvpv');
    expect(membersSink(plan, 'uv')?.dedupe).toBe('sink');
    // Nothing is added for a deduplication: no processing time, no row number, no state TTL.
    expect(plan.source.proctime).toBeUndefined();
    expect(plan.source.firstSeenRank).toBeUndefined();
    expect(option(plan, 'table.exec.state.ttl')).toBeUndefined();
    expect(text).not.toContain('PROCTIME()');
    const insert = statements.filter((st) => st.kind === 'insert').map((st) => renderSql(st.parts, 'placeholder'));
    expect(insert[0]).toBe(
      [
        'INSERT INTO `redis_uv`',
        "SELECT 'userids', `user_id`",
        'FROM `input_web_record_timed`',
        'WHERE (`record_type` = 0) AND `user_id` IS NOT NULL',
      ].join('\n'),
    );
    // The sink table says why, and carries nothing beyond the connection and the command.
    const sink = statements.find(
      (st) => st.kind === 'create' && renderSql(st.parts, 'placeholder').includes('CREATE TEMPORARY TABLE `redis_uv`'),
    );
    expect(sink?.comment).toContain(`skips the\n-- members it has already written. ${command} ignores a repeat`);
    expect(renderSql(sink?.parts ?? [], 'placeholder')).not.toContain('sink.parallelism');
  });

  test("without it (jeff-zou's connector, Oceanus), each member is written the first time it is seen", () => {
    for (const job of [compiled(), compileSpec(loadSpecText('pipeline.yaml', REFERENCE, { env: {}, cwd: ROOT }), 'oceanus')]) {
      expect(membersSink(job.plan, 'uv')).toMatchObject({ dedupe: 'first-seen', remember: { text: '1 day' } });
      expect(job.plan.source).toMatchObject({ proctime: 'proctime', firstSeenRank: 'seen' });
      expect(option(job.plan, 'table.exec.state.ttl')?.value).toBe('1 d');
      expect(job.script('placeholder')).toContain('ROW_NUMBER() OVER (PARTITION BY `user_id` ORDER BY `proctime`) AS `seen`');
    }
  });

  test('a key that names the window is deduplicated per window by every connector', () => {
    for (const connector of ['uvpv', 'jeff-zou'] as const) {
      const { plan } = compiled(uvInto('set', 'uv:{window_end}'), connector);
      expect(membersSink(plan, 'uv')?.dedupe).toBe('per-window');
      expect(plan.source.proctime).toBeUndefined();
    }
  });
});

describe('integralMembers: the connector takes an integral UV member as it is', () => {
  /** The uv sink's table and insert, as the script shows them. */
  const uvSql = (job: ReturnType<typeof compiled> | ReturnType<typeof compileSpec>) => {
    const rendered = job.statements.map((st) => ({ ...st, text: renderSql(st.parts, 'placeholder') }));
    const table = rendered.find((st) => st.kind === 'create' && st.text.includes('CREATE TEMPORARY TABLE `redis_uv`'));
    const insert = rendered.find((st) => st.kind === 'insert' && st.text.includes('INSERT INTO `redis_uv`'));
    return { table: table?.text ?? '', comment: table?.comment ?? '', insert: insert?.text ?? '' };
  };

  test("only uvpv's connector for the flink dialect", () => {
    expect(DIALECTS.flink({ redisConnector: 'uvpv' }).capabilities.integralMembers).toBe(true);
    expect(DIALECTS.flink({ redisConnector: 'jeff-zou' }).capabilities.integralMembers).toBe(false);
    expect(DIALECTS.flink().capabilities.integralMembers).toBe(false);
    expect(DIALECTS.oceanus().capabilities.integralMembers).toBe(false);
  });

  test.each([
    ['TINYINT', 'set', 'userids'],
    ['SMALLINT', 'hll', 'userids'],
    ['INT', 'set', 'uv:{window_end}'],
    ['BIGINT', 'hll', 'uv:{window_end}'],
  ])('a %s column into a %s (key %s): declared with its type and selected without a cast', (type, redisType, key) => {
    const edit = (t: string) => uvInto(redisType, key)(t).replace('    user_id: INT', `    user_id: ${type}`);
    const { table, comment, insert } = uvSql(compiled(edit, 'uvpv'));
    expect(table).toContain(`  \`member\` ${type}\n)`);
    expect(insert).toContain(', `user_id`\nFROM');
    expect(insert).not.toContain('CAST(`user_id`');
    expect(comment).toContain(`-- user_id is declared and selected as it is (${type}), with no cast per row`);
  });

  test('a string member, and every other connector, keep the member as text', () => {
    const stringMember = (t: string) => t.replace('    column: user_id', '    column: client_ip');
    const { table, insert } = uvSql(compiled(stringMember, 'uvpv'));
    expect(table).toContain('  `member` STRING\n)');
    expect(insert).toContain('CAST(`client_ip` AS STRING)');
    const others = [compiled(), compileSpec(loadSpecText('pipeline.yaml', REFERENCE, { env: {}, cwd: ROOT }), 'oceanus')];
    for (const job of others) {
      const uv = uvSql(job);
      expect(uv.table).toContain('`member` STRING');
      expect(uv.insert).toContain('CAST(`user_id` AS STRING)');
      expect(uv.comment).not.toContain('as it is');
    }
  });
});

describe('split distinct aggregation', () => {
  const distinctUv = uvInto('string');
  test('is set only above parallelism 1, where a hot window or user could overload one task', () => {
    expect(option(compiled(distinctUv).plan, 'table.optimizer.distinct-agg.split.enabled')).toBeUndefined();
    const parallel = compiled((t) => distinctUv(t).replace('\nmetrics:', '\njob:\n  parallelism: 2\n\nmetrics:'));
    expect(option(parallel.plan, 'table.optimizer.distinct-agg.split.enabled')?.value).toBe('true');
  });
});

describe('source columns', () => {
  const all = ['record_type', 'user_id', 'client_ip', 'product_id', 'create_time'];

  test('with parse errors ignored and missing fields allowed, only the columns the job reads are declared, in the spec order', () => {
    const { plan, text } = compiled();
    expect(sourceColumns(plan)).toEqual(['record_type', 'user_id', 'create_time']);
    expect(plan.source.unreadColumns).toEqual(['client_ip', 'product_id']);
    expect(text).toContain('-- Not declared, so not decoded, as nothing reads them: client_ip, product_id.');
    expect(text).not.toContain('`client_ip`');
  });

  test('a column read by a filter, a breakdown or a key is declared', () => {
    const more = (t: string) =>
      t
        .replace('purchase: record_type = 1', "purchase: record_type = 1 AND client_ip <> ''")
        .replace('redis: { type: list, key: pagevisits }', "by: product_id\n    redis: { type: hash, key: 'pv:{window_end}' }");
    const { plan } = compiled(more);
    expect(sourceColumns(plan)).toEqual(all);
    expect(plan.source.unreadColumns).toEqual([]);
    const { plan: keyed } = compiled((t) =>
      t.replace('redis: { type: set, key: userids }', "by: product_id\n    redis: { type: set, key: 'uv:{product_id}' }"),
    );
    expect(sourceColumns(keyed)).toEqual(['record_type', 'user_id', 'product_id', 'create_time']);
  });

  test.each([
    ['parse errors fail the job', (t: string) => t.replace('ignoreParseErrors: true', 'ignoreParseErrors: false')],
    [
      'a missing field fails the row',
      (t: string) =>
        t.replace('ignoreParseErrors: true', 'ignoreParseErrors: false').replace('failOnMissingField: false', 'failOnMissingField: true'),
    ],
  ])('where %s, every column is declared, as an unread one can fail', (_why, edit) => {
    const { plan, text } = compiled(edit);
    expect(sourceColumns(plan)).toEqual(all);
    expect(plan.source.unreadColumns).toEqual([]);
    expect(text).not.toContain('Not declared');
  });
});
