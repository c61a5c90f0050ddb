/**
 * The three jobs the bench compares on the same topic: the ceiling (read and parse every record,
 * nothing else), the pipeline as `uvpv generate` writes it, and the hand-written baseline.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSpec } from '../compile';
import { splitStatements } from '../sql/split';
import { quoteIdent, quoteString } from '../sql/escape';
import type { Loaded } from '../spec/load';

export interface BenchContext {
  loaded: Loaded;
  topic: string;
  bootstrap: string;
  redisHost: string;
  redisPort: number;
  database: number;
  runId: string;
}

export interface BenchJob {
  name: string;
  describe: string;
  sql: (ctx: BenchContext) => string;
}

export const JOBS: BenchJob[] = [
  {
    name: 'ceiling',
    describe: 'read and parse every record into a blackhole sink: what the machine can do at all',
    sql: (ctx) => {
      const generated = compileSpec(ctx.loaded, 'flink', overrides(ctx, 'ceiling')).sql;
      // The generated source table, as is, so parsing costs the same; every column is read.
      const statements = splitStatements(generated);
      const source = statements.find((s) => /CREATE TABLE/.test(s))!;
      const options = statements.filter((s) => /^(--[^\n]*\n)*SET /.test(s));
      const columns = ctx.loaded.spec.source.columns.map((c) => `${quoteIdent(c.name)} ${c.type.sql}`).join(', ');
      const names = ctx.loaded.spec.source.columns.map((c) => quoteIdent(c.name)).join(', ');
      return [
        ...options,
        source,
        `CREATE TEMPORARY TABLE \`bench_blackhole\` (${columns}) WITH ('connector' = 'blackhole')`,
        `INSERT INTO \`bench_blackhole\` SELECT ${names} FROM ${quoteIdent(ctx.loaded.spec.source.table)}`,
      ].join(';\n') + ';\n';
    },
  },
  {
    name: 'generated',
    describe: 'the reference pipeline as `uvpv generate` writes it',
    sql: (ctx) => compileSpec(ctx.loaded, 'flink', overrides(ctx, 'generated')).sql,
  },
  {
    name: 'baseline',
    describe: 'the walk-through style, by hand: legacy GROUP BY HOP(...), no tuning (bench/baseline.sql)',
    sql: (ctx) => {
      const text = readFileSync(join(__dirname, '..', '..', 'bench', 'baseline.sql'), 'utf8');
      const vars: Record<string, string> = {
        topic: ctx.topic,
        bootstrap: ctx.bootstrap,
        group: `uvpv-bench-baseline-${ctx.runId}`,
        redisHost: ctx.redisHost,
        redisPort: String(ctx.redisPort),
        database: String(ctx.database),
      };
      const filled = text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars[k]);
      return `SET 'pipeline.name' = ${quoteString(`uvpv-bench-baseline-${ctx.runId}`)};\n${filled}`;
    },
  },
];

function overrides(ctx: BenchContext, job: string) {
  return {
    topic: ctx.topic,
    bootstrapServers: ctx.bootstrap,
    groupId: `uvpv-bench-${job}-${ctx.runId}`,
    bounded: true,
    redis: { host: ctx.redisHost, port: ctx.redisPort, database: ctx.database, password: { placeholder: '', empty: true } },
    jobName: `uvpv-bench-${job}-${ctx.runId}`,
  };
}
