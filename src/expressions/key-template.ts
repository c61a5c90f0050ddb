/**
 * Redis key templates: literal text with `{window_start}` / `{window_end}` placeholders and, for
 * a metric broken down `by` a column, `{<that column>}`. The one parser of the syntax: the spec
 * check, the plan, the reference model and the dashboard all read a key through here, so they
 * cannot disagree on what a key means.
 */

import { windowType, type WindowType } from '../windows';
import type { TypeFamily } from '../pipeline/sql-types';

/** The window placeholders a key may use, in the order messages list them. */
const KEY_PLACEHOLDERS = ['window_start', 'window_end'] as const;
export type KeyPlaceholder = (typeof KEY_PLACEHOLDERS)[number];

/** A key: literal text, window placeholders and the `by` column's placeholder, in order. */
export type KeyPart = { readonly text: string } | { readonly placeholder: KeyPlaceholder } | { readonly column: string };

/** What a key's placeholders stand for in one write: the window's bounds and the `by` value. */
export interface KeyValues {
  readonly window_start: string;
  readonly window_end: string;
  /** The `by` column's value as plain text; only for a key that names it. */
  readonly by?: string;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** What is wrong with a key as written in a spec, or undefined when it is a valid template. */
export function keyProblem(key: string, by?: string): string | undefined {
  if (!key) return 'a Redis key must not be empty';
  const allowed = [...KEY_PLACEHOLDERS, ...(by === undefined ? [] : [by])].map((p) => `{${p}}`).join(', ');
  for (const m of key.matchAll(PLACEHOLDER)) {
    if (!isPlaceholder(m[1]) && m[1] !== by) {
      const hint = by === undefined ? " (a column's placeholder needs the metric's 'by')" : '';
      return `unknown placeholder '{${m[1]}}' in key '${key}'; allowed: ${allowed}${hint}`;
    }
  }
  const rest = key.replace(PLACEHOLDER, '');
  if (rest.includes('{') || rest.includes('}')) return `unbalanced '{' or '}' in key '${key}'`;
  return undefined;
}

/** The parts of a key that `keyProblem(key, by)` accepted. */
export function parseKey(key: string, by?: string): KeyPart[] {
  const parts: KeyPart[] = [];
  let last = 0;
  for (const m of key.matchAll(PLACEHOLDER)) {
    const part = isPlaceholder(m[1]) ? { placeholder: m[1] } : m[1] === by ? { column: m[1] } : undefined;
    if (!part) continue;
    if (m.index > last) parts.push({ text: key.slice(last, m.index) });
    parts.push(part);
    last = m.index + m[0].length;
  }
  if (last < key.length) parts.push({ text: key.slice(last) });
  return parts;
}

/** Every placeholder a key uses, as written: `{window_end}`, `{product_id}`. */
export function placeholderTexts(parts: readonly KeyPart[]): string[] {
  return parts.flatMap((p) => ('text' in p ? [] : [partText(p)]));
}

/**
 * Whether each window writes keys of its own: the key has a placeholder that names one window of
 * the type (its end; its start, unless windows share one, as cumulate windows of a period do).
 */
export function namesOneWindow(parts: readonly KeyPart[], window: WindowType): boolean {
  const names = placeholdersOf(parts);
  return windowType(window).namedBy.placeholders.some((p) => names.includes(p));
}

/** A window time as keys carry it, `yyyy-MM-ddTHH:mm:ss`: matched strictly, so it is never mistaken for part of a value. */
const TIME = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}';

/**
 * How the value of `by` shows in a key: its plain text as Flink's CAST(… AS STRING) writes it.
 * Text may hold anything (':' too), so it is matched lazily: the literal parts and the strict
 * times around it decide.
 */
function valuePattern(family: TypeFamily | undefined): string {
  if (family === 'integer') return '-?\\d+';
  if (family === 'boolean') return 'TRUE|FALSE';
  return '[\\s\\S]*?';
}

/**
 * The keys a template renders, as a regular expression: named groups `window_start`,
 * `window_end` and `value` (the value of `by`, of the column type `family`). A placeholder used
 * twice must carry the same text twice.
 */
export function keyRegex(parts: readonly KeyPart[], family?: TypeFamily): RegExp {
  const seen = new Set<string>();
  const group = (name: string, body: string) => {
    if (seen.has(name)) return `\\k<${name}>`;
    seen.add(name);
    return `(?<${name}>${body})`;
  };
  const source = parts
    .map((p) =>
      'text' in p
        ? p.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        : 'placeholder' in p
          ? group(p.placeholder, TIME)
          : group('value', valuePattern(family)),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

/** The window placeholders a key uses, in order. */
export function placeholdersOf(parts: readonly KeyPart[]): KeyPlaceholder[] {
  return parts.flatMap((p) => ('placeholder' in p ? [p.placeholder] : []));
}

/** Whether the key names a window (its start or its end; see namesOneWindow for whether windows share it). */
export function namesWindow(parts: readonly KeyPart[]): boolean {
  return parts.some((p) => 'placeholder' in p);
}

/** Whether the key names the `by` column's value. */
export function namesColumn(parts: readonly KeyPart[]): boolean {
  return parts.some((p) => 'column' in p);
}

/** The key with each placeholder replaced by its value. */
export function renderKey(parts: readonly KeyPart[], values: KeyValues): string {
  return parts.map((p) => ('text' in p ? p.text : 'placeholder' in p ? values[p.placeholder] : (values.by ?? ''))).join('');
}

/** The key with every placeholder as `{}`: two keys of one shape can render the same Redis key. */
export function keyShape(key: string): string {
  return key.replace(PLACEHOLDER, '{}');
}

/** The key as the spec writes it: `uv:{window_end}`. */
export function keyText(parts: readonly KeyPart[]): string {
  return parts.map(partText).join('');
}

/** A part as the spec writes it: its text, or `{window_end}`, `{product_id}`. */
function partText(p: KeyPart): string {
  return 'text' in p ? p.text : `{${'placeholder' in p ? p.placeholder : p.column}}`;
}

function isPlaceholder(name: string): name is KeyPlaceholder {
  return (KEY_PLACEHOLDERS as readonly string[]).includes(name);
}
