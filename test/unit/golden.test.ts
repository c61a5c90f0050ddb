/**
 * Golden cases: `validate` and `generate` output for every folder under test/cases, compared
 * byte for byte. `npm run golden:update` rewrites the expected files for review in the diff.
 */
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../src/cli/run';
import { memoryIo } from '../../src/cli/io';
import { DIALECTS } from '../../src/sql/dialects';
import { findCases, UPDATE, type Case } from '../support/cases';

const cases = findCases();

async function uvpv(c: Case, args: string[]) {
  const io = memoryIo(c.env, c.dir);
  const code = await run(args, io);
  return { code, out: io.out, err: io.err };
}

function expectFile(c: Case, file: string, actual: string | undefined): void {
  const path = join(c.dir, file);
  if (UPDATE) {
    if (actual === undefined) {
      if (c.has(file)) unlinkSync(path);
    } else writeFileSync(path, actual);
    return;
  }
  if (actual === undefined) expect(c.has(file)).toBe(false);
  else {
    expect(c.has(file)).toBe(true);
    expect(actual).toBe(c.read(file));
  }
}

test('there are golden cases, including at least 25 invalid specs', () => {
  expect(cases.length).toBeGreaterThan(25);
  expect(cases.filter((c) => c.has('validate.stderr')).length).toBeGreaterThanOrEqual(25);
});

describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  test('validate', async () => {
    const r = await uvpv(c, ['validate', 'pipeline.yaml']);
    if (UPDATE) {
      expectFile(c, 'validate.stderr', r.code === 0 ? undefined : r.err);
      expectFile(c, 'validate.warnings', r.code === 0 && r.err ? r.err : undefined);
      return;
    }
    expect(r.err).not.toMatch(/\n\s+at /); // never a stack trace
    if (c.has('validate.stderr')) {
      expect(r.err).toBe(c.read('validate.stderr'));
      expect(r.code).toBe(2);
    } else {
      expect(r.err).toBe(c.has('validate.warnings') ? c.read('validate.warnings') : '');
      expect(r.code).toBe(0);
    }
  });

  test.each(Object.keys(DIALECTS))('generate --dialect %s', async (dialect) => {
    if (c.has('validate.stderr') && !UPDATE) return; // an invalid spec has nothing to generate
    const r = await uvpv(c, ['generate', 'pipeline.yaml', '--dialect', dialect]);
    if (r.code === 0) {
      expectFile(c, `generate.${dialect}.sql`, r.out);
      expectFile(c, `generate.${dialect}.stderr`, undefined);
    } else {
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expectFile(c, `generate.${dialect}.sql`, undefined);
      if (!c.has('validate.stderr')) expectFile(c, `generate.${dialect}.stderr`, r.err);
    }
  });
});
