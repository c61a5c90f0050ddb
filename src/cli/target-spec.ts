/** Loading a spec for a command that talks to a target: only that target is resolved. */
import { compileSpec, type Compiled } from '../compile';
import { definitionOf } from '../deploy/targets';
import type { PlanOverrides } from '../ir/build';
import { secretValues } from '../sql/parts';
import { SpecError } from '../errors';
import { isLoopback, missingLocalFiles } from '../pipeline/local-files';
import { BUILTIN_LOCAL, loadSpec, type Loaded } from '../pipeline/load';
import type { Target } from '../pipeline/types';
import type { Io } from '../io/io';
import { required } from '../util/required';
import { printDiagnostics } from './output';

export interface TargetSpec {
  loaded: Loaded;
  target: Target;
}

export function loadForTarget(
  file: string,
  targetName: string | undefined,
  io: Io,
  revealSecrets: boolean,
  requireSecrets = true,
): TargetSpec {
  const loaded = loadSpec(file, { env: io.env, cwd: io.cwd, target: targetName ?? BUILTIN_LOCAL, revealSecrets, requireSecrets });
  io.redactor?.add(loaded.secrets);
  printDiagnostics(io, loaded.warnings, 'warning');
  // loadSpec resolves the target it is given, or throws a SpecError naming the targets there are.
  return { loaded, target: required(loaded.spec.target, `the resolved target ${targetName ?? BUILTIN_LOCAL}`) };
}

export interface TargetJob extends TargetSpec {
  /** The job, compiled once: submitted with its secrets revealed, printed and planned with them hidden. */
  job: Compiled;
  /** Each metric's sink table. */
  sinks: { metric: string; table: string }[];
}

/**
 * The spec loaded and compiled once for its target, secrets resolved where the environment has
 * them (all of them unless `requireSecrets` is false: a dry run or a plan shows placeholders).
 */
export function compileForTarget(
  file: string,
  targetName: string | undefined,
  io: Io,
  overrides: PlanOverrides = {},
  requireSecrets = true,
): TargetJob {
  const { loaded, target } = loadForTarget(file, targetName, io, true, requireSecrets);
  // A Flink on this machine reads the spec's files here: one missing is a job that cannot start.
  const missing = target.type === 'gateway' && isLoopback(target.flinkRest) ? missingLocalFiles(loaded) : [];
  if (missing.length) throw new SpecError(missing);
  const { dialect, dialectOptions } = definitionOf(target);
  const job = compileSpec(loaded, dialect, overrides, dialectOptions(target));
  // What a target answers (an error quoting a table's options) never shows the secrets the job holds.
  io.redactor?.add(secretValues(job.statements.map((st) => st.parts)));
  for (const w of job.warnings ?? []) io.stderr(`warning: ${w}\n`);
  return { loaded, target, job, sinks: job.plan.sinks.map((s) => ({ metric: s.metric, table: s.table })) };
}
