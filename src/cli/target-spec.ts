/** Loading a spec for a command that talks to a target: only that target is resolved. */
import { compileSpec } from '../compile';
import { TARGET_DIALECT } from '../deploy';
import type { PlanOverrides } from '../plan/build';
import { BUILTIN_LOCAL, loadSpec, type Loaded } from '../spec/load';
import type { Target } from '../spec/types';
import type { Io } from './io';
import { printDiagnostics } from './output';

export interface TargetSpec {
  loaded: Loaded;
  target: Target;
}

export function loadForTarget(file: string, targetName: string | undefined, io: Io, revealSecrets: boolean, requireSecrets = true): TargetSpec {
  const loaded = loadSpec(file, { env: io.env, cwd: io.cwd, target: targetName ?? BUILTIN_LOCAL, revealSecrets, requireSecrets });
  printDiagnostics(io, loaded.warnings, 'warning');
  return { loaded, target: loaded.spec.target! };
}

/** The SQL to submit (secrets resolved) and the same SQL safe to show. */
export function sqlForTarget(file: string, targetName: string | undefined, io: Io, overrides: PlanOverrides = {}, requireSecrets = true) {
  const real = loadForTarget(file, targetName, io, true, requireSecrets);
  const shown = loadSpec(file, { env: io.env, cwd: io.cwd, target: targetName ?? BUILTIN_LOCAL, revealSecrets: false });
  const dialect = TARGET_DIALECT[real.target.type];
  return {
    ...real,
    sql: compileSpec(real.loaded, dialect, overrides).sql,
    dryRunSql: compileSpec(shown, dialect, overrides).sql,
  };
}
