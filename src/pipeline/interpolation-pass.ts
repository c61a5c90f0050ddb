/**
 * Resolves `${VAR}` templates in the raw YAML tree before it is decoded. Only what the running
 * command needs is resolved: other targets are left alone, and secrets are resolved only on
 * purpose (their value is otherwise used just to learn whether they are empty).
 */
import type { Diagnostic } from '../errors';
import { hasTemplate, parseTemplate, resolveTemplate } from './interpolate';
import { isSecretPath } from './schema';
import type { Secret } from './types';
import { pathText, type Path, type YamlFile } from './yaml-doc';

export interface ResolveOptions {
  env: NodeJS.ProcessEnv;
  /** `strict`: a missing required variable is an error; `lenient` (validate): it is left as is. */
  mode: 'strict' | 'lenient';
  /** Resolve secrets' values (deploy, verify, `--reveal-secrets`). */
  revealSecrets: boolean;
  /** With revealSecrets: a missing secret is an error (default), or left unresolved (--dry-run). */
  requireSecrets?: boolean;
  /** The target the command uses; other targets' values are not resolved. */
  target?: string;
}

export interface Resolved {
  tree: unknown;
  secrets: Map<string, Secret>;
  /** The values of the secrets resolved (revealed or not), so that a run can keep them out of what it prints. */
  secretValues: string[];
  errors: Diagnostic[];
  /** Paths with an error already reported, so that later checks stay quiet about them. */
  reported: Set<string>;
}

export function resolveTree(raw: unknown, yaml: YamlFile, opts: ResolveOptions): Resolved {
  const secrets = new Map<string, Secret>();
  const secretValues: string[] = [];
  const errors: Diagnostic[] = [];
  const reported = new Set<string>();

  const visit = (value: unknown, path: Path): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => visit(v, [...path, i]));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v, [...path, k])]));
    }
    const secret = isSecretPath(path);
    if (typeof value !== 'string' || !hasTemplate(value)) {
      if (secret && value !== undefined && value !== null) {
        const literal = scalarText(value);
        secretValues.push(literal);
        secrets.set(pathText(path), {
          placeholder: '******',
          empty: literal === '',
          value: opts.revealSecrets ? literal : undefined,
        });
        return literal === '' ? '' : '******';
      }
      return value;
    }
    const parts = parseTemplate(value);
    if (typeof parts === 'string') {
      errors.push(yaml.diag(path, parts));
      reported.add(pathText(path));
      return value;
    }
    const inOtherTarget = path[0] === 'targets' && path[1] !== opts.target;
    if (inOtherTarget) return value;
    const resolution = resolveTemplate(parts, opts.env);
    if ('missing' in resolution) {
      if (opts.mode === 'strict' && (!secret || (opts.revealSecrets && opts.requireSecrets !== false))) {
        const vars = resolution.missing.map((v) => `\${${v}}`).join(', ');
        errors.push(yaml.diag(path, `${vars} is not set and has no default; set it in the environment or write \${VAR:-default}`));
        reported.add(pathText(path));
      }
      if (secret) secrets.set(pathText(path), { placeholder: value, empty: false });
      return value;
    }
    if (secret) {
      secretValues.push(resolution.value);
      secrets.set(pathText(path), {
        placeholder: value,
        empty: resolution.value === '',
        value: opts.revealSecrets ? resolution.value : undefined,
      });
      return value;
    }
    // A whole-value template such as `${REDIS_PORT:-6379}` yields a number where one is expected.
    return /^-?\d+$/.test(resolution.value) && DEFERRED_WHOLE.test(value) ? Number(resolution.value) : resolution.value;
  };

  return { tree: visit(raw, []), secrets, secretValues, errors, reported };
}

const DEFERRED_WHOLE = /^\$\{[^}]*\}$/;

/** The text of a scalar written without a template: a secret `password: 1234` is the text 1234. */
function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  throw new Error(`a YAML scalar is text, a number or a boolean, not a ${typeof value}`);
}
