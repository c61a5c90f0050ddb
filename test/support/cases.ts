/**
 * Test cases live one per folder under test/cases (like sqlc's): the folder's files say what
 * the case checks. Found by walking the tree, so adding a case is adding a folder.
 *
 *   pipeline.yaml              the spec
 *   env.json                   optional environment for the case (nothing else is visible)
 *   validate.stderr            expected `uvpv validate` output for a spec that must fail (exit 2)
 *   generate.<dialect>.sql     expected `uvpv generate --dialect <dialect>` output
 *   generate.<dialect>.stderr  expected error when the dialect cannot compile the spec (exit 2)
 *   generate.flink.uvpv-connector.sql  optional: expected `generate --redis-connector uvpv` output
 *   generate.oceanus.statement-set.sql optional: expected `generate --dialect oceanus --statement-set` output
 *   events.jsonl, expected.yaml  events and the Redis contents they must produce (verify)
 *   init.sample.jsonl          records `uvpv init --from-file` reads: pipeline.yaml is what it writes
 *   init.stderr                optional: what it says beside (the records that did not fit); none when absent
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DialectName } from '../../src/sql/compiler';
import type { DialectOptions } from '../../src/sql/dialects';

const CASES_ROOT = join(__dirname, '..', 'cases');
export const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** An expected generate output for a dialect with options other than its defaults. */
export interface GenerateVariant {
  file: string;
  dialect: DialectName;
  /** The options, as compileSpec takes them. */
  options: DialectOptions;
  /** The same options as `generate` flags. */
  flags: string[];
}

/**
 * Expected generate outputs a case may have beside one per dialect: the flink dialect for uvpv's
 * own Redis connector, which compiles some metrics differently; the oceanus dialect with its
 * inserts as one statement set. A case opts in by having the file.
 */
export const GENERATE_VARIANTS: readonly GenerateVariant[] = [
  {
    file: 'generate.flink.uvpv-connector.sql',
    dialect: 'flink',
    options: { redisConnector: 'uvpv' },
    flags: ['--redis-connector', 'uvpv'],
  },
  { file: 'generate.oceanus.statement-set.sql', dialect: 'oceanus', options: { statementSet: true }, flags: ['--statement-set'] },
];

export interface Case {
  name: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  has(file: string): boolean;
  read(file: string): string;
}

export function findCases(root = CASES_ROOT): Case[] {
  const out: Case[] = [];
  const walk = (dir: string) => {
    if (existsSync(join(dir, 'pipeline.yaml'))) {
      const envFile = join(dir, 'env.json');
      out.push({
        name: relative(root, dir),
        dir,
        env: existsSync(envFile) ? (JSON.parse(readFileSync(envFile, 'utf8')) as NodeJS.ProcessEnv) : {},
        has: (f) => existsSync(join(dir, f)),
        read: (f) => readFileSync(join(dir, f), 'utf8'),
      });
    }
    for (const entry of readdirSync(dir).sort()) {
      const p = join(dir, entry);
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

/**
 * Mistakes in the folders under root, each as a line: a file that no test reads, a valid case
 * with no expected output for a dialect (so it checks nothing there), a folder of files that
 * is no case (no pipeline.yaml).
 */
export function caseProblems(dialects: readonly string[], root = CASES_ROOT): string[] {
  const known = new Set([
    'pipeline.yaml',
    'env.json',
    'validate.stderr',
    'validate.warnings',
    'events.jsonl',
    'expected.yaml',
    'init.sample.jsonl',
    'init.stderr',
  ]);
  for (const d of dialects) known.add(`generate.${d}.sql`).add(`generate.${d}.stderr`);
  for (const v of GENERATE_VARIANTS) known.add(v.file);
  const problems: string[] = [];
  const walk = (dir: string) => {
    const entries = readdirSync(dir).sort();
    const folders = entries.filter((e) => statSync(join(dir, e)).isDirectory());
    const files = entries.filter((e) => !folders.includes(e));
    const name = relative(root, dir) || '.';
    const has = (f: string) => files.includes(f);
    if (!has('pipeline.yaml')) {
      if (files.length) problems.push(`${name}: ${files.join(', ')} but no pipeline.yaml, so nothing reads them`);
    } else {
      for (const f of files) if (!known.has(f)) problems.push(`${name}/${f}: no test reads this file`);
      if (has('validate.stderr')) {
        for (const f of files) {
          if (f.startsWith('generate.') || f === 'validate.warnings')
            problems.push(`${name}/${f}: the spec is invalid (validate.stderr), so there is none`);
        }
      } else {
        for (const d of dialects) {
          const expected = [`generate.${d}.sql`, `generate.${d}.stderr`].filter(has);
          if (expected.length !== 1)
            problems.push(
              `${name}: ${expected.length ? 'both' : 'neither'} generate.${d}.sql ${expected.length ? 'and' : 'nor'} generate.${d}.stderr`,
            );
        }
      }
      if (has('events.jsonl') !== has('expected.yaml')) problems.push(`${name}: events.jsonl and expected.yaml go together`);
      if (has('init.stderr') && !has('init.sample.jsonl')) problems.push(`${name}/init.stderr: no init.sample.jsonl, so init does not run`);
    }
    for (const f of folders) walk(join(dir, f));
  };
  walk(root);
  return problems;
}
