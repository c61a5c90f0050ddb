/**
 * A pipeline's SQL kept with its Flink job, so that any machine can read back what runs: a plan
 * can compare it with a new spec, and `deploy --replace` starts it again when the new job fails.
 *
 * It travels as a global job parameter (`pipeline.global-job-parameters`, shown by Flink's REST
 * API under the job's `user-config`), gzipped and base64url-encoded so that it holds none of the
 * map's `:` and `,` separators. What is kept is the job's statements as parts (sql/parts.ts), each
 * secret as its masked placeholder (`${REDIS_PASSWORD}`, `${VAR:-******}`, or `******` for a
 * literal) and never its value; on the way back each secret is resolved again by its spec key.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseTemplate, resolveTemplate } from '../../pipeline/interpolate';
import { jobParts, type JobSql } from '../../sql/compiler';
import { quoteString } from '../../sql/escape';
import { MASK, maskedPlaceholder, renderSql, type SqlPart, type SqlSecret, type SqlText } from '../../sql/parts';
import type { GatewayClient } from './client';

/** The job parameter's name. */
export const JOB_SQL_PARAMETER = 'uvpv.sql';

/** The kept SQL's layout; what an older uvpv kept (text, its secrets found by pattern) is not read. */
const KEPT_FORMAT = 2;

/** The job's statements as the gateway runs them, ready to keep: no secret's value, every default masked. */
export function keptStatements(job: JobSql): SqlText[] {
  return jobParts(job).map(withoutValues);
}

/** The kept statements as a SET that puts them into the job's parameters. */
export function keepSqlStatement(kept: readonly SqlText[]): string {
  const payload = { format: KEPT_FORMAT, statements: kept.map(withoutValues) };
  const packed = gzipSync(Buffer.from(JSON.stringify(payload), 'utf8')).toString('base64url');
  return `SET 'pipeline.global-job-parameters' = ${quoteString(`${JOB_SQL_PARAMETER}:${packed}`)}`;
}

function withoutValues(text: SqlText): SqlText {
  return text.map((p) =>
    typeof p === 'string' ? p : { secret: { path: p.secret.path, placeholder: maskedPlaceholder(p.secret.placeholder) } },
  );
}

export function unpackSql(packed: string): SqlText[] | undefined {
  try {
    const kept: unknown = JSON.parse(gunzipSync(Buffer.from(packed, 'base64url')).toString('utf8'));
    if (typeof kept !== 'object' || kept === null || !('format' in kept) || kept.format !== KEPT_FORMAT || !('statements' in kept))
      return undefined;
    const { statements } = kept;
    return Array.isArray(statements) && statements.every(isKeptStatement) ? statements : undefined;
  } catch {
    return undefined;
  }
}

function isKeptStatement(st: unknown): st is SqlText {
  return Array.isArray(st) && st.every(isKeptPart);
}

function isKeptPart(p: unknown): p is SqlPart {
  if (typeof p === 'string') return true;
  const secret = typeof p === 'object' && p !== null && 'secret' in p ? (p.secret as Partial<SqlSecret> | null) : undefined;
  return typeof secret?.path === 'string' && typeof secret.placeholder === 'string';
}

/** The statements a job was submitted with, or undefined when it was not deployed by uvpv (or before it kept them). */
export async function readJobSql(client: GatewayClient, jobId: string): Promise<SqlText[] | undefined> {
  const config = await client
    .rest<{ 'execution-config'?: { 'user-config'?: Record<string, string> } }>(`/jobs/${jobId}/config`)
    .catch(() => undefined);
  const packed = config?.['execution-config']?.['user-config']?.[JOB_SQL_PARAMETER];
  return packed === undefined ? undefined : unpackSql(packed);
}

/**
 * The kept statements with their secrets resolved, to run them again: a `${VAR}` placeholder
 * from the environment, as when the spec was loaded; a masked one (a literal, or a default whose
 * variable is unset) from `current`, the new job's secrets, by spec key. Returns what could not
 * be resolved instead, when anything could not.
 */
export function resolveKeptSecrets(
  kept: readonly SqlText[],
  env: NodeJS.ProcessEnv,
  current: readonly SqlSecret[],
): { statements: string[] } | { missing: string[] } {
  const missing = new Set<string>();
  const resolveOne = (secret: SqlSecret): string | undefined => {
    const parts = parseTemplate(secret.placeholder);
    const masked =
      typeof parts === 'string' ||
      !parts.some((p) => 'variable' in p) ||
      parts.some((p) => 'variable' in p && p.fallback === MASK && !env[p.variable]);
    if (masked) {
      const value = current.find((s) => s.path === secret.path)?.value;
      if (value === undefined) missing.add(`${secret.path} (masked in the kept SQL)`);
      return value;
    }
    const r = resolveTemplate(parts, env);
    if ('missing' in r) r.missing.forEach((v) => missing.add(v));
    return 'value' in r ? r.value : undefined;
  };
  const resolved = kept.map((st) => st.map((p) => (typeof p === 'string' ? p : { secret: { ...p.secret, value: resolveOne(p.secret) } })));
  return missing.size ? { missing: [...missing] } : { statements: resolved.map((st) => renderSql(st, 'reveal')) };
}
