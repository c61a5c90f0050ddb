/** Loading a spec for a command that talks to a target: only that target is resolved. */
import { compileSpec } from '../compile';
import { definitionOf } from '../deploy/targets';
import type { PlanOverrides } from '../plan/build';
import { BUILTIN_LOCAL, loadSpec, type Loaded } from '../spec/load';
import type { Target } from '../spec/types';
import type { Io } from '../io/io';
import { printDiagnostics } from './output';

export interface TargetSpec {
  loaded: Loaded;
  target: Target;
}

export function loadForTarget(file: string, targetName: string | undefined, io: Io, revealSecrets: boolean, requireSecrets = true): TargetSpec {
  const loaded = loadSpec(file, { env: io.env, cwd: io.cwd, target: targetName ?? BUILTIN_LOCAL, revealSecrets, requireSecrets });
  io.redactor?.add(loaded.secrets);
  printDiagnostics(io, loaded.warnings, 'warning');
  return { loaded, target: loaded.spec.target! };
}

/** The SQL to submit (secrets resolved) and the same SQL safe to show, each as a script and as statements. */
export function sqlForTarget(file: string, targetName: string | undefined, io: Io, overrides: PlanOverrides = {}, requireSecrets = true) {
  const real = loadForTarget(file, targetName, io, true, requireSecrets);
  const shown = loadSpec(file, { env: io.env, cwd: io.cwd, target: targetName ?? BUILTIN_LOCAL, revealSecrets: false });
  io.redactor?.add(shown.secrets);
  const { dialect, dialectOptions } = definitionOf(real.target);
  const options = dialectOptions(real.target);
  const compiled = compileSpec(real.loaded, dialect, overrides, options);
  const dryRun = compileSpec(shown, dialect, overrides, options);
  for (const w of compiled.warnings ?? []) io.stderr(`warning: ${w}\n`);
  return {
    ...real,
    sql: compiled.sql,
    statements: compiled.statements,
    dryRunSql: dryRun.sql,
    dryRunStatements: dryRun.statements,
    sinks: compiled.plan.sinks.map((s) => ({ metric: s.metric, table: s.table })),
  };
}
