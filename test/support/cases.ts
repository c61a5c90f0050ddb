/**
 * Test cases live one per folder under test/cases (like sqlc's): the folder's files say what
 * the case checks. Found by walking the tree, so adding a case is adding a folder.
 *
 *   pipeline.yaml              the spec
 *   env.json                   optional environment for the case (nothing else is visible)
 *   validate.stderr            expected `uvpv validate` output for a spec that must fail (exit 2)
 *   generate.<dialect>.sql     expected `uvpv generate --dialect <dialect>` output
 *   generate.<dialect>.stderr  expected error when the dialect cannot compile the spec (exit 2)
 *   events.jsonl, expected.yaml  events and the Redis contents they must produce (verify)
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const CASES_ROOT = join(__dirname, '..', 'cases');
export const UPDATE = process.env.UPDATE_GOLDEN === '1';

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
        env: existsSync(envFile) ? JSON.parse(readFileSync(envFile, 'utf8')) : {},
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
