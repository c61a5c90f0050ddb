/**
 * Property: every spec that `validate` accepts is planned by Flink (its flink script for each
 * Redis connector); every spec it refuses gets a clear, located error (never a crash). Specs come
 * from test/support/random-spec.ts with a fixed seed; a failure is shrunk to a small spec and
 * printed as YAML.
 *
 *   UVPV_PROPERTY_SEED=7 UVPV_PROPERTY_COUNT=2000 npx jest --selectProjects planner test/planner/random-specs.test.ts
 */
import { compileSpec } from '../../src/compile';
import { SpecError } from '../../src/errors';
import { DIALECTS } from '../../src/sql/dialects';
import type { RedisConnectorName, SqlStatement } from '../../src/sql/compiler';
import { loadSpecText } from '../../src/pipeline/load';
import { planOnFlink } from '../support/flink-planner';
import { randomSpec, shrinkSteps, specYaml, type SpecTree } from '../support/random-spec';

const SEED = Number(process.env.UVPV_PROPERTY_SEED ?? 20261130);
const COUNT = Number(process.env.UVPV_PROPERTY_COUNT ?? 300);

/** An accepted spec's flink scripts: for jeff-zou's Redis connector, and for uvpv's, which compiles some metrics differently. */
type Outcome =
  { kind: 'refused'; messages: string[] } | { kind: 'accepted'; scripts: { connector: RedisConnectorName; statements: SqlStatement[] }[] };

const CONNECTORS: readonly RedisConnectorName[] = ['jeff-zou', 'uvpv'];

/** What `validate` and `generate --dialect flink` (for each connector) make of a spec; throws on anything but a spec error. */
function compile(spec: SpecTree): Outcome {
  const text = specYaml(spec);
  try {
    const loaded = loadSpecText('pipeline.yaml', text, { env: {}, cwd: '.' });
    for (const dialect of Object.keys(DIALECTS) as (keyof typeof DIALECTS)[]) {
      if (dialect !== 'flink') {
        try {
          compileSpec(loaded, dialect); // a dialect may refuse, with a located error, never crash
        } catch (e) {
          if (!(e instanceof SpecError)) throw e;
        }
      }
    }
    return {
      kind: 'accepted',
      scripts: CONNECTORS.map((connector) => ({
        connector,
        statements: compileSpec(loaded, 'flink', {}, { redisConnector: connector }).statements,
      })),
    };
  } catch (e) {
    if (!(e instanceof SpecError)) throw new Error(`uvpv crashed on this spec:\n${text}\n${(e as Error).stack}`);
    return { kind: 'refused', messages: e.diagnostics.map((d) => `${d.line}:${d.col}: ${d.path}: ${d.message}`) };
  }
}

/** Specs validate accepts and Flink refuses, by index, with Flink's error. */
async function refusedByFlink(specs: SpecTree[]): Promise<Map<number, string>> {
  const scripts = specs.flatMap((s, i) => {
    const o = compile(s);
    return o.kind === 'accepted' ? o.scripts.map(({ connector, statements }) => ({ i, connector, statements })) : [];
  });
  // One word per id: the planner reads it as one.
  const planned = await planOnFlink(scripts.map(({ i, connector, statements }) => ({ id: `${i}/${connector}`, statements })));
  const out = new Map<number, string>();
  planned.forEach((p, k) => {
    if (!p.ok && !out.has(scripts[k].i)) out.set(scripts[k].i, `(${scripts[k].connector}'s connector) ${p.error}`);
  });
  return out;
}

/** Greedy shrinking: the first smaller spec that still fails, until none does. */
async function shrink(spec: SpecTree, error: string): Promise<{ spec: SpecTree; error: string }> {
  for (let round = 0; round < 25; round++) {
    const steps = shrinkSteps(spec);
    const failing = await refusedByFlink(steps);
    const first = [...failing].sort(([a], [b]) => a - b).at(0);
    if (first === undefined) break;
    [spec, error] = [steps[first[0]], first[1]];
  }
  return { spec, error };
}

test(`${COUNT} random specs (seed ${SEED}): refused with a located error, or planned by Flink`, async () => {
  const specs = Array.from({ length: COUNT }, (_, i) => randomSpec(SEED + i));
  const outcomes = specs.map(compile);
  for (const o of outcomes) {
    if (o.kind !== 'refused') continue;
    expect(o.messages.length).toBeGreaterThan(0);
    for (const m of o.messages) expect(m).toMatch(/^\d+:\d+: \S*: \S.*$/s);
    for (const m of o.messages) expect(m).not.toMatch(/undefined|\[object|NaN/);
  }
  const accepted = outcomes.filter((o) => o.kind === 'accepted').length;
  // The generator must exercise both sides: enough specs that validate, and enough that do not.
  expect(accepted).toBeGreaterThan(COUNT * 0.2);
  expect(COUNT - accepted).toBeGreaterThan(COUNT * 0.1);

  const failures = await refusedByFlink(specs);
  if (failures.size) {
    const [i, error] = [...failures.entries()][0];
    const small = await shrink(specs[i], error);
    throw new Error(
      `${failures.size} of ${accepted} accepted specs were refused by Flink. The first (seed ${SEED + i}), shrunk:\n\n` +
        `${specYaml(small.spec)}\nFlink: ${small.error}`,
    );
  }
  console.log(
    `property: ${COUNT} specs from seed ${SEED}: ${accepted} accepted and planned by Flink, ${COUNT - accepted} refused by validate`,
  );
}, 1_800_000);
