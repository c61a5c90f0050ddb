/**
 * Golden cases: `validate` and `generate` output for every folder under test/cases, compared
 * byte for byte. `npm run golden:update` rewrites the expected files for review in the diff.
 */
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../src/cli/run';
import { memoryIo } from '../../src/io/io';
import { DIALECTS } from '../../src/sql/dialects';
import { caseProblems, findCases, GENERATE_VARIANTS, UPDATE, type Case } from '../support/cases';

const cases = findCases();
const dialects = Object.keys(DIALECTS);

/**
 * The dialects a case has an expected generate file for: an invalid spec has none, as it has
 * nothing to generate. Updating runs every dialect, since a case may start or stop generating.
 */
const generating = (c: Case) => dialects.filter((d) => UPDATE || c.has(`generate.${d}.sql`) || c.has(`generate.${d}.stderr`));

async function uvpv(c: Case, args: string[]) {
  const io = memoryIo(c.env, c.dir);
  const code = await run(args, io);
  return { code, out: io.out, err: io.err };
}

/** Under UPDATE_GOLDEN=1: writes the expected file, or removes it when there is to be none. */
function writeExpected(c: Case, file: string, actual: string | undefined): void {
  const path = join(c.dir, file);
  if (actual !== undefined) writeFileSync(path, actual);
  else if (c.has(file)) unlinkSync(path);
}

test('there are golden cases, including at least 25 invalid specs', () => {
  expect(cases.length).toBeGreaterThan(25);
  expect(cases.filter((c) => c.has('validate.stderr')).length).toBeGreaterThanOrEqual(25);
});

describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  // A case with a sample is `uvpv init`'s: its pipeline.yaml is what init writes from the sample
  // (first: the tests below then check that spec as any other).
  if (c.has('init.sample.jsonl')) {
    test('init --from-file', async () => {
      const r = await uvpv(c, ['init', '--from-file', 'init.sample.jsonl']);
      expect(r.code).toBe(0);
      if (UPDATE) {
        writeExpected(c, 'pipeline.yaml', r.out);
        writeExpected(c, 'init.stderr', r.err || undefined);
      } else {
        expect(r.out).toBe(c.read('pipeline.yaml'));
        expect(r.err).toBe(c.has('init.stderr') ? c.read('init.stderr') : '');
      }
    });
  }

  test('validate', async () => {
    const r = await uvpv(c, ['validate', 'pipeline.yaml']);
    expect(r.err).not.toMatch(/\n\s+at /); // never a stack trace
    if (UPDATE) {
      expect([0, 2]).toContain(r.code);
      writeExpected(c, 'validate.stderr', r.code === 0 ? undefined : r.err);
      writeExpected(c, 'validate.warnings', r.code === 0 && r.err ? r.err : undefined);
      return;
    }
    if (c.has('validate.stderr')) {
      expect(r.err).toBe(c.read('validate.stderr'));
      expect(r.code).toBe(2);
    } else {
      expect(r.err).toBe(c.has('validate.warnings') ? c.read('validate.warnings') : '');
      expect(r.code).toBe(0);
    }
  });

  for (const dialect of generating(c)) {
    const sql = `generate.${dialect}.sql`;
    const stderr = `generate.${dialect}.stderr`;
    test(`generate --dialect ${dialect}`, async () => {
      const r = await uvpv(c, ['generate', 'pipeline.yaml', '--dialect', dialect]);
      expect(r.err).not.toMatch(/\n\s+at /);
      if (UPDATE) {
        // After this case's validate test, which has just written or removed validate.stderr.
        expect([0, 2]).toContain(r.code);
        writeExpected(c, sql, r.code === 0 ? r.out : undefined);
        writeExpected(c, stderr, r.code !== 0 && !c.has('validate.stderr') ? r.err : undefined);
      } else if (c.has(sql)) {
        expect(r.out).toBe(c.read(sql));
        expect(r.code).toBe(0);
      } else {
        expect(r.err).toBe(c.read(stderr));
        expect(r.out).toBe('');
        expect(r.code).toBe(2);
      }
    });
  }

  for (const v of GENERATE_VARIANTS.filter((v) => c.has(v.file))) {
    test(`generate --dialect ${v.dialect} ${v.flags.join(' ')}`, async () => {
      const r = await uvpv(c, ['generate', 'pipeline.yaml', '--dialect', v.dialect, ...v.flags]);
      expect(r.err).not.toMatch(/\n\s+at /);
      if (UPDATE) writeExpected(c, v.file, r.out);
      else expect(r.out).toBe(c.read(v.file));
      expect(r.code).toBe(0);
    });
  }
});

// Last, so that after an update it checks what was written.
test('every case checks something, and every file in a case folder is checked', () => {
  expect(caseProblems(dialects)).toEqual([]);
});
