/**
 * Finding a metric's keys in Redis from its key template: the SCAN pattern, and what a key's name
 * says (its window time and, for a metric with `by`, the value of `by`). The template is read by
 * `parseKey`, the one parser of the syntax.
 */
import { keyRegex, parseKey, placeholdersOf } from '../expressions/key-template';
import type { TypeFamily } from '../pipeline/sql-types';

/** What a key's name carries: its window time (the end when the key has both) and the value of `by`. */
export interface KeyName {
  t?: string;
  value?: string;
}

export interface KeyMatcher {
  /** SCAN MATCH pattern: the literal parts escaped, each placeholder `*`. */
  pattern: string;
  /** What the key's name carries, or undefined when it does not fit the template. */
  parse(key: string): KeyName | undefined;
  /** Which window time a key's name carries; undefined when the key names no window. */
  axis?: 'window end' | 'window start';
  /** Whether the key names the value of `by`. */
  namesValue: boolean;
}

/**
 * The matcher of a key with placeholders (`{window_start}`, `{window_end}`, and `{<by>}` when `by`
 * is given); undefined for a fixed key.
 */
export function keyMatcher(key: string, by?: string, family?: TypeFamily): KeyMatcher | undefined {
  const parts = parseKey(key, by);
  if (parts.every((p) => 'text' in p)) return undefined;
  const names = placeholdersOf(parts);
  const regex = keyRegex(parts, family);
  const time = names.includes('window_end') ? 'window_end' : names.length ? 'window_start' : undefined;
  return {
    pattern: parts.map((p) => ('text' in p ? p.text.replace(/[*?[\]\\]/g, '\\$&') : '*')).join(''),
    parse(k) {
      const g = regex.exec(k)?.groups;
      if (!g) return undefined;
      return { ...(time && { t: g[time] }), ...(g.value !== undefined && { value: g.value }) };
    },
    ...(time && { axis: time === 'window_end' ? ('window end' as const) : ('window start' as const) }),
    namesValue: parts.some((p) => 'column' in p),
  };
}

/** The keys that fit the matcher, each once (SCAN may return a key twice), with what their names carry. */
export async function scanKeys(
  redis: { scan(cursor: string, pattern: string, count: number): Promise<[string, string[]]> },
  matcher: KeyMatcher,
): Promise<Map<string, KeyName>> {
  const keys = new Map<string, KeyName>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, matcher.pattern, 1000);
    cursor = next;
    for (const key of batch) {
      const name = matcher.parse(key);
      if (name) keys.set(key, name);
    }
  } while (cursor !== '0');
  return keys;
}
