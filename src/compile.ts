/** Spec → plan → SQL for one dialect, with the dialect's objections located in the spec. */
import { SpecError } from './errors';
import { buildPlan, type PlanOverrides } from './plan/build';
import type { Plan } from './plan/nodes';
import type { DialectName, SqlStatement } from './sql/compiler';
import { DIALECTS, type DialectOptions } from './sql/dialects';
import type { Loaded } from './spec/load';

export interface Compiled {
  plan: Plan;
  sql: string;
  /** The same script as statements, for tools that take one at a time. */
  statements: SqlStatement[];
}

export function compileSpec(loaded: Loaded, dialect: DialectName, overrides: PlanOverrides = {}, options: DialectOptions = {}): Compiled {
  const compiler = DIALECTS[dialect](options);
  const plan = buildPlan(loaded.spec, overrides);
  const problems = compiler.check(plan);
  if (problems.length) {
    throw new SpecError(
      problems.map((p) => {
        const index = loaded.spec.metrics.findIndex((m) => m.name === p.metric);
        return loaded.locate(['metrics', index, ...p.field.split('.')], `${p.message} (dialect ${dialect})`);
      }),
    );
  }
  const statements = compiler.statements(plan);
  return { plan, sql: compiler.render(plan, statements), statements };
}
