/**
 * A pipeline's SQL kept with its Flink job, so that any machine can read back what runs: a plan
 * can compare it with a new spec, and `deploy --replace` starts it again when the new job fails.
 *
 * It travels as a global job parameter (`pipeline.global-job-parameters`, shown by Flink's REST
 * API under the job's `user-config`), gzipped and base64url-encoded so that it holds none of the
 * map's `:` and `,` separators. What is kept is the printable SQL: secrets stay placeholders
 * (`${REDIS_PASSWORD}`, or a mask; a placeholder's default is masked too), never their values; they are resolved again on the way back.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseTemplate, resolveTemplate } from '../../spec/interpolate';
import { PASSWORD_OPTION } from '../../sql/compiler';
import { quoteString } from '../../sql/escape';
import type { GatewayClient } from './client';

/** The job parameter's name. */
export const JOB_SQL_PARAMETER = 'uvpv.sql';

/** What a placeholder's default (`${VAR:-default}`) is kept as: the default may be the password itself. */
const MASKED_DEFAULT = '******';

/**
 * The statements (each without its `;`) as a SET that puts them into the job's parameters, a
 * placeholder's default masked.
 */
export function keepSqlStatement(statements: readonly string[]): string {
  const masked = statements.map((st) =>
    st.replace(PASSWORD_OPTION, (whole, option: string, quoted: string) => `${option}${quoteString(maskDefaults(quoted.replace(/''/g, "'")))}`),
  );
  const packed = gzipSync(Buffer.from(JSON.stringify(masked), 'utf8')).toString('base64url');
  return `SET 'pipeline.global-job-parameters' = ${quoteString(`${JOB_SQL_PARAMETER}:${packed}`)}`;
}

function maskDefaults(placeholder: string): string {
  const parts = parseTemplate(placeholder);
  if (typeof parts === 'string') return placeholder;
  return parts.map((p) => ('text' in p ? p.text.replace(/\$\{/g, '$${') : p.fallback ? `\${${p.variable}:-${MASKED_DEFAULT}}` : `\${${p.variable}}`)).join('');
}

export function unpackSql(packed: string): string[] | undefined {
  try {
    const statements: unknown = JSON.parse(gunzipSync(Buffer.from(packed, 'base64url')).toString('utf8'));
    return Array.isArray(statements) && statements.every((s) => typeof s === 'string') ? statements : undefined;
  } catch {
    return undefined;
  }
}

/** The statements a job was submitted with, or undefined when it was not deployed by uvpv (or before it kept them). */
export async function readJobSql(client: GatewayClient, jobId: string): Promise<string[] | undefined> {
  const config = await client.rest<{ 'execution-config'?: { 'user-config'?: Record<string, string> } }>(`/jobs/${jobId}/config`).catch(() => undefined);
  const packed = config?.['execution-config']?.['user-config']?.[JOB_SQL_PARAMETER];
  return packed === undefined ? undefined : unpackSql(packed);
}

/**
 * The kept statements with their secrets resolved, to run them again: a `${VAR}` placeholder
 * from the environment, as when the spec was loaded; a masked literal from `masked` (this spec's
 * value of it). Returns the variables that could not be resolved instead, when there are any.
 */
export function resolveKeptSecrets(statements: readonly string[], env: NodeJS.ProcessEnv, masked?: string): { statements: string[] } | { missing: string[] } {
  const missing = new Set<string>();
  const resolveOne = (placeholder: string): string | undefined => {
    const parts = parseTemplate(placeholder);
    // A literal (masked) password, or a variable left unset whose default was masked: this spec's value.
    const unsetMaskedDefault = typeof parts !== 'string' && parts.some((p) => 'variable' in p && p.fallback === MASKED_DEFAULT && !env[p.variable]);
    if (typeof parts === 'string' || !parts.some((p) => 'variable' in p) || unsetMaskedDefault) {
      if (masked === undefined) missing.add('the Redis password (masked in the kept SQL)');
      return masked;
    }
    const r = resolveTemplate(parts, env);
    if ('missing' in r) r.missing.forEach((v) => missing.add(v));
    return 'value' in r ? r.value : undefined;
  };
  // The only secret in the gateway SQL is the Redis password option.
  const resolved = statements.map((st) =>
    st.replace(PASSWORD_OPTION, (whole, option: string, quoted: string) => {
      const value = resolveOne(quoted.replace(/''/g, "'"));
      return value === undefined ? whole : `${option}${quoteString(value)}`;
    }),
  );
  return missing.size ? { missing: [...missing] } : { statements: resolved };
}
