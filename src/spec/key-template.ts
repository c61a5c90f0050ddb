/**
 * Redis key templates: literal text with `{window_start}` / `{window_end}` placeholders. The one
 * parser of the syntax: the spec check, the plan, the reference model and the dashboard all read
 * a key through here, so they cannot disagree on what a key means.
 */

/** The placeholders a key may use, in the order messages list them. */
const KEY_PLACEHOLDERS = ['window_start', 'window_end'] as const;
export type KeyPlaceholder = (typeof KEY_PLACEHOLDERS)[number];

/** A key: literal text and placeholders, in order. */
export type KeyPart = { readonly text: string } | { readonly placeholder: KeyPlaceholder };

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** What is wrong with a key as written in a spec, or undefined when it is a valid template. */
export function keyProblem(key: string): string | undefined {
  if (!key) return 'a Redis key must not be empty';
  for (const m of key.matchAll(PLACEHOLDER)) {
    if (!isPlaceholder(m[1])) {
      return `unknown placeholder '{${m[1]}}' in key '${key}'; allowed: ${KEY_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`;
    }
  }
  const rest = key.replace(PLACEHOLDER, '');
  if (rest.includes('{') || rest.includes('}')) return `unbalanced '{' or '}' in key '${key}'`;
  return undefined;
}

/** The parts of a key that `keyProblem` accepted. */
export function parseKey(key: string): KeyPart[] {
  const parts: KeyPart[] = [];
  let last = 0;
  for (const m of key.matchAll(PLACEHOLDER)) {
    if (!isPlaceholder(m[1])) continue;
    if (m.index > last) parts.push({ text: key.slice(last, m.index) });
    parts.push({ placeholder: m[1] });
    last = m.index + m[0].length;
  }
  if (last < key.length) parts.push({ text: key.slice(last) });
  return parts;
}

/** The placeholders a key uses, in order. */
export function placeholdersOf(parts: readonly KeyPart[]): KeyPlaceholder[] {
  return parts.flatMap((p) => ('placeholder' in p ? [p.placeholder] : []));
}

/** The key with each placeholder replaced by its value. */
export function renderKey(parts: readonly KeyPart[], values: Readonly<Record<KeyPlaceholder, string>>): string {
  return parts.map((p) => ('text' in p ? p.text : values[p.placeholder])).join('');
}

/** The key as the spec writes it: `uv:{window_end}`. */
export function keyText(parts: readonly KeyPart[]): string {
  return parts.map((p) => ('text' in p ? p.text : `{${p.placeholder}}`)).join('');
}

function isPlaceholder(name: string): name is KeyPlaceholder {
  return (KEY_PLACEHOLDERS as readonly string[]).includes(name);
}
