/** Spec → plan → SQL for one dialect, with the dialect's objections located in the spec. */
import { SpecError } from './errors';
import { buildPlan, type PlanOverrides } from './ir/build';
import type { Plan } from './ir/nodes';
import type { DialectName, JobSql, SqlCompiler, SqlStatement } from './sql/compiler';
import type { RenderMode } from './sql/parts';
import { pushesWindowEntries } from './redis-types';
import { DIALECTS, type DialectOptions } from './sql/dialects';
import type { Loaded } from './pipeline/load';

/** What a deployer takes of a compiled job: its statements, how its inserts are written, and the whole script to print. */
export interface CompiledJob extends JobSql {
  /** The job's statements, their secrets as parts: each use renders them in its mode. */
  readonly statements: readonly SqlStatement[];
  /** The script with its header and comments, rendered in `mode` (a function of its own: callers may pass it on). */
  readonly script: (mode: RenderMode) => string;
}

export interface Compiled extends CompiledJob {
  plan: Plan;
  readonly statements: SqlStatement[];
  /** Guarantees the target's connector cannot give (see guaranteeWarnings). */
  warnings?: string[];
}

/**
 * Where a result is weaker than the guarantee "nothing lost, nothing doubled" (docs/guarantees.md) after a failure:
 * a list whose connector cannot skip a window it already holds gets a replayed window twice, and
 * a connector that drops the writes Redis does not take loses them for every metric.
 */
export function guaranteeWarnings(compiled: Compiled, compiler: SqlCompiler): string[] {
  const { idempotentListPush, dropsFailedWrites } = compiler.capabilities;
  const lists = idempotentListPush
    ? []
    : compiled.plan.sinks
        .filter((s) => pushesWindowEntries(s.redisType))
        .map(
          (s) =>
            `metric ${s.metric}: with ${compiler.describe}, a list is written at least once: after a failure, the windows since the last checkpoint may be pushed again (uvpv's own connector pushes each window once)`,
        );
  const outage = dropsFailedWrites
    ? [
        `with ${compiler.describe}, writes Redis does not take (an outage, a timeout) are lost without failing the job, for every metric: ` +
          `nothing restarts to write them again (uvpv's own connector fails the job, which restarts from its last checkpoint)`,
      ]
    : [];
  return [...lists, ...outage];
}

export function compileSpec(loaded: Loaded, dialect: DialectName, overrides: PlanOverrides = {}, options: DialectOptions = {}): Compiled {
  const compiler = DIALECTS[dialect](options);
  const plan = buildPlan(loaded.spec, overrides, compiler.capabilities);
  const problems = compiler.check(plan);
  if (problems.length) {
    const located = problems.map((p) => {
      const field = p.field.split('.');
      const path = p.metric === undefined ? field : ['metrics', loaded.spec.metrics.findIndex((m) => m.name === p.metric), ...field];
      return loaded.locate(path, `${p.message} (dialect ${dialect})`);
    });
    throw new SpecError(located.sort((a, b) => a.line - b.line || a.col - b.col));
  }
  const statements = compiler.statements(plan);
  const compiled = {
    plan,
    statements,
    statementSet: compiler.statementSet,
    script: (mode: RenderMode) => compiler.render(plan, statements, mode),
  };
  return { ...compiled, warnings: guaranteeWarnings(compiled, compiler) };
}
