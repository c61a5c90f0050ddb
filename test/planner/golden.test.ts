/**
 * Flink's own planner accepts the SQL of every golden case that generates (flink dialect): the
 * consumer of the compiler's output proves it, not a string comparison. See test/support/flink-planner.ts.
 */
import { compileSpec } from '../../src/compile';
import { SpecError } from '../../src/errors';
import { loadSpec } from '../../src/pipeline/load';
import { findCases, GENERATE_VARIANTS } from '../support/cases';
import { planOnFlink, type Script } from '../support/flink-planner';

/** Cases with SQL for the flink dialect: for jeff-zou's connector, uvpv's, or both (a spec only uvpv's can write). */
const flinkVariants = GENERATE_VARIANTS.filter((v) => v.dialect === 'flink');
const generating = findCases().filter((c) => c.has('generate.flink.sql') || flinkVariants.some((v) => c.has(v.file)));

test('there are golden cases to plan', () => {
  expect(generating.length).toBeGreaterThan(15);
});

test('Flink plans the SQL of every golden case', async () => {
  const scripts: Script[] = generating.flatMap((c) => {
    try {
      const loaded = loadSpec('pipeline.yaml', { env: c.env, cwd: c.dir });
      const variants = flinkVariants
        .filter((v) => c.has(v.file))
        .map((v) => ({
          id: `${c.name}/${v.file}`, // no spaces: the planner reads the id as one word
          statements: compileSpec(loaded, 'flink', {}, v.options).statements,
        }));
      const base = c.has('generate.flink.sql') ? [{ id: c.name, statements: compileSpec(loaded, 'flink').statements }] : [];
      return [...base, ...variants];
    } catch (e) {
      throw new Error(`${c.name}: ${e instanceof SpecError ? e.diagnostics.map((d) => d.message).join('; ') : String(e)}`);
    }
  });
  const refused = (await planOnFlink(scripts)).filter((r) => !r.ok);
  expect(refused).toEqual([]);
});
