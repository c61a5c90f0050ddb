/** Reading a spec file: parse YAML with positions, resolve what the command needs, decode, check. */
import { readFileSync } from 'node:fs';
import { resolve as resolvePath, relative } from 'node:path';
import { SpecError, UsageError, type Diagnostic } from '../errors';
import { settings } from '../io/settings';
import { SpecChecker } from './check';
import { resolveTree, type ResolveOptions } from './interpolation-pass';
import type { GatewayTarget, Spec, Target } from './types';
import { YamlFile, type Path } from './yaml-doc';

export interface LoadOptions extends Partial<ResolveOptions> {
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Loaded {
  spec: Spec;
  warnings: Diagnostic[];
  /** The values of the secrets this load resolved: a run keeps them out of what it prints (see Redactor). */
  secrets: readonly string[];
  /** Locates a path of the spec, for checks made later (e.g. by a dialect). */
  locate(path: Path, message: string): Diagnostic;
}

/** The loaded spec with its job at `parallelism` instead of the spec's (verify, bench); as it is when undefined. */
export function withParallelism(loaded: Loaded, parallelism: number | undefined): Loaded {
  if (parallelism === undefined) return loaded;
  return { ...loaded, spec: { ...loaded.spec, job: { ...loaded.spec.job, parallelism } } };
}

/** The built-in target used when a spec declares no `targets`: the local stack. */
export const BUILTIN_LOCAL = 'local';

export function loadSpec(file: string, opts: LoadOptions): Loaded {
  const absolute = resolvePath(opts.cwd, file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT' ? `spec file not found: ${file}` : `cannot read spec file ${file}: ${code ?? (e as Error).message}`,
    );
  }
  const shown = relative(opts.cwd, absolute) || file;
  return loadSpecText(shown, text, opts);
}

export function loadSpecText(file: string, text: string, opts: LoadOptions): Loaded {
  const { yaml, errors: syntax } = YamlFile.parse(file, text);
  if (syntax.length) throw new SpecError(syntax);
  const resolved = resolveTree(yaml.toJS(), yaml, {
    env: opts.env,
    mode: opts.mode ?? 'strict',
    revealSecrets: opts.revealSecrets ?? false,
    requireSecrets: opts.requireSecrets,
    target: opts.target,
  });
  const checker = new SpecChecker(yaml, resolved.secrets, opts.target, resolved.reported);
  const d = checker.decode(resolved.tree);
  const errors = [...resolved.errors, ...checker.errors];

  let target: Target | undefined = d.target;
  if (opts.target && !target && !errors.length) {
    if (d.targetNames.includes(opts.target)) {
      // It was declared but did not decode: its errors are already reported.
    } else if (opts.target === BUILTIN_LOCAL && d.targetNames.length === 0) {
      target = localTarget(settings(opts.env).localTargetUrls(), settings(opts.env).redisConnectorDir() !== undefined);
    } else {
      const known = d.targetNames.length
        ? d.targetNames.join(', ')
        : `none declared (the built-in '${BUILTIN_LOCAL}' applies only without a targets block)`;
      errors.push(yaml.diag(['targets'], `no target named '${opts.target}'; targets: ${known}`));
    }
  }
  if (errors.length) throw new SpecError(sortDiagnostics(errors));
  // A section that does not decode is reported, here or by the interpolation pass.
  if (!d.sections) throw new Error('a section of the spec did not decode, and no error says why');

  const spec: Spec = { file, ...d.sections, target, targetNames: d.targetNames };
  return { spec, warnings: checker.warnings, secrets: resolved.secretValues, locate: (path, message) => yaml.diag(path, message) };
}

/**
 * The `local` target: the local stack's SQL Gateway and Flink REST API. Built-in for a spec
 * without targets (at FLINK_SQL_GATEWAY / FLINK_REST, else the stack's default ports); verify,
 * the demo and the bench pass the running stack's own URLs. Its Redis connector is the stack's:
 * uvpv's own, or another one the stack was given (UVPV_REDIS_CONNECTOR_DIR), whose SQL options are
 * taken to be jeff-zou's.
 */
export function localTarget(urls: { gateway: string; flinkRest: string }, otherConnector: boolean): GatewayTarget {
  return {
    name: BUILTIN_LOCAL,
    type: 'gateway',
    gateway: urls.gateway,
    flinkRest: urls.flinkRest,
    redisConnector: otherConnector ? 'jeff-zou' : 'uvpv',
  };
}

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path));
}
