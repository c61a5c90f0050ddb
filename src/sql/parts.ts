/**
 * SQL with its secrets kept apart. The compiler writes each statement as parts: SQL text, and
 * secrets, each of which stands inside a string literal (an option's value, or part of one, such
 * as the password in a JAAS line). A statement becomes text only when it is rendered, in one of
 * three modes, so that nothing ever edits rendered SQL to put a secret in or take one out:
 *
 * - `reveal`: the secret's value, for what is submitted to a target;
 * - `placeholder`: what the spec wrote (`${REDIS_PASSWORD}`, or `******` for a literal), for
 *   printed SQL (`generate`, `deploy --dry-run`);
 * - `mask`: the placeholder with any default hidden (`${REDIS_PASSWORD:-******}`: a default may be
 *   the secret itself), for SQL kept with a job and for plans.
 *
 * In every mode the secret's text is escaped as the string literal around it needs.
 */
import { parseTemplate } from '../pipeline/interpolate';
import { escapeLiteral } from './escape';

export type RenderMode = 'reveal' | 'placeholder' | 'mask';

/** A secret as the compiler writes it: the spec key it comes from, what printed SQL shows, and its value when resolved. */
export interface SqlSecret {
  /** The spec key, as `redis.password`. */
  readonly path: string;
  /** The spec's text: `${VAR}` or `${VAR:-default}`, or `******` for a literal secret. */
  readonly placeholder: string;
  /** The value, when the command resolved it (deploy, verify, `generate --reveal-secrets`). */
  readonly value?: string;
}

/**
 * A secret inside a string literal: the literal's quotes are SQL text around it. `within`: the
 * quoted string inside the literal that holds it, whose own escaping applies first (`jaas`: a
 * JAAS option value in double quotes, as in `password="..."`).
 */
export interface SecretPart {
  readonly secret: SqlSecret;
  readonly within?: 'jaas';
}

/** A piece of SQL: text, written as it is (already quoted and escaped), or a secret. */
export type SqlPart = string | SecretPart;

/** A statement, or any piece of one, as parts. */
export type SqlText = readonly SqlPart[];

/** A string value before quoting: plain text, or text with secrets within it (a JAAS line holding a password). */
export type SqlValue = string | readonly (string | SecretPart)[];

/** What a masked secret, or a masked default, shows. */
export const MASK = '******';

/**
 * Joins SQL text and pieces of SQL as parts: `` sql`CREATE TABLE ${name} ${options}` ``. A string
 * interpolated is SQL text (quote values first); an `SqlText` keeps its secrets as parts.
 */
export function sql(strings: TemplateStringsArray, ...pieces: readonly (string | SqlText)[]): SqlText {
  const parts: SqlPart[] = [];
  strings.forEach((text, i) => {
    parts.push(text);
    if (i < pieces.length) parts.push(...(typeof pieces[i] === 'string' ? [pieces[i]] : pieces[i]));
  });
  return merged(parts);
}

/** The pieces joined by `separator`, as one piece. */
export function joinSql(pieces: readonly SqlText[], separator: string): SqlText {
  return merged(pieces.flatMap((p, i) => (i === 0 ? p : [separator, ...p])));
}

/** `value` as a string literal: `it's` → `'it''s'`; a secret within it stays a part, escaped when rendered. */
export function stringLiteral(value: SqlValue): SqlText {
  const pieces = typeof value === 'string' ? [value] : value;
  return merged(["'", ...pieces.map((p) => (typeof p === 'string' ? escapeLiteral(p) : p)), "'"]);
}

/** Every line of `text` starting with `prefix`, except inside a secret (whose value may hold a newline). */
export function indentSql(text: SqlText, prefix: string): SqlText {
  return merged([prefix, ...text.map((p) => (typeof p === 'string' ? p.replace(/\n/g, () => `\n${prefix}`) : p))]);
}

export function renderSql(text: SqlText, mode: RenderMode): string {
  return text.map((p) => (typeof p === 'string' ? p : escapeLiteral(escapeWithin(secretText(p.secret, mode), p.within)))).join('');
}

/** A JAAS option value between its double quotes: a backslash or a double quote escaped with a backslash. */
export function escapeJaas(value: string): string {
  return value.replace(/[\\"]/g, (c) => `\\${c}`);
}

function escapeWithin(text: string, within: SecretPart['within']): string {
  return within === 'jaas' ? escapeJaas(text) : text;
}

/** The secrets `text` holds, in order. */
export function secretsIn(text: SqlText): SqlSecret[] {
  return text.flatMap((p) => (typeof p === 'string' ? [] : [p.secret]));
}

/**
 * The values of the secrets in `texts` that were resolved: what error text from a target must not
 * show. Each as it is, and as the SQL writes it (escaped inside a JAAS line, then in the literal),
 * since a target quotes an option's value back as it was given (Flink: "Table options are: ...").
 */
export function secretValues(texts: readonly SqlText[]): string[] {
  const values = texts.flatMap((t) =>
    t.flatMap((p) => {
      if (typeof p === 'string' || !p.secret.value) return [];
      const inner = escapeWithin(p.secret.value, p.within);
      return [p.secret.value, inner, escapeLiteral(inner)];
    }),
  );
  return [...new Set(values)];
}

/** Values shorter than this are too common in text to hide. */
const SHORTEST_MASKED = 3;

/**
 * `text` (a message a target returned, an error's detail) with every one of `values` replaced by
 * `******`, longest first, so that a secret containing another is hidden whole.
 */
export function maskSecretValues(text: string, values: Iterable<string>): string {
  const known = [...new Set(values)].filter((v) => v.length >= SHORTEST_MASKED).sort((a, b) => b.length - a.length);
  return known.reduce((t, v) => t.split(v).join(MASK), text);
}

function secretText(secret: SqlSecret, mode: RenderMode): string {
  switch (mode) {
    case 'reveal':
      if (secret.value === undefined) throw new Error(`the secret ${secret.path} is rendered for a target but was not resolved`);
      return secret.value;
    case 'placeholder':
      return secret.placeholder;
    case 'mask':
      return maskedPlaceholder(secret.placeholder);
  }
}

/** `${VAR:-default}` → `${VAR:-******}`; `${VAR}` and a literal's `******` as they are. */
export function maskedPlaceholder(placeholder: string): string {
  const parts = parseTemplate(placeholder);
  if (typeof parts === 'string') return MASK;
  return parts
    .map((p) => ('text' in p ? p.text.replace(/\$\{/g, () => '$${') : p.fallback ? `\${${p.variable}:-${MASK}}` : `\${${p.variable}}`))
    .join('');
}

/** Adjacent text parts as one, and no empty ones: a statement without secrets is one string. */
function merged(parts: readonly SqlPart[]): SqlText {
  const out: SqlPart[] = [];
  for (const p of parts) {
    if (p === '') continue;
    const last = out.length - 1;
    if (typeof p === 'string' && typeof out[last] === 'string') out[last] = out[last] + p;
    else out.push(p);
  }
  return out;
}
