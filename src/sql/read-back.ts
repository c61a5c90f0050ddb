/**
 * SQL read back from a target is text, without the parts the compiler keeps secrets in: Oceanus
 * returns the script it runs, secrets resolved. Before a plan shows it, the value of every option
 * that may hold a secret (SECRET_OPTIONS) is replaced, found with the one SQL tokenizer (split.ts).
 */
import { SECRET_OPTIONS } from './compiler';
import { MASK } from './parts';
import { sqlTokens, type SqlToken } from './split';

/**
 * `readBack`'s statements with each secret option's value replaced by the same option's value in
 * `next` (the new statements, masked), so that a secret changed only in the environment is no
 * change; by `'******'` where `next` has no such option.
 */
export function maskSecretOptions(readBack: readonly string[], next: readonly string[]): string[] {
  const shown = new Map<string, string>();
  for (const st of next) {
    for (const o of secretOptionValues(sqlTokens(st))) if (!shown.has(o.key)) shown.set(o.key, o.value.text);
  }
  return readBack.map((st) => {
    let out = '';
    let from = 0;
    for (const o of secretOptionValues(sqlTokens(st))) {
      out += st.slice(from, o.value.start) + (shown.get(o.key) ?? `'${MASK}'`);
      from = o.value.end;
    }
    return out + st.slice(from);
  });
}

/** The `'key' = 'value'` pairs whose key is one of SECRET_OPTIONS: the key, and the value's token. */
function secretOptionValues(tokens: readonly SqlToken[]): { key: string; value: SqlToken }[] {
  const out: { key: string; value: SqlToken }[] = [];
  for (let i = 0; i + 2 < tokens.length; i++) {
    const [key, equals, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (key.kind !== 'string' || equals.kind !== 'code' || equals.text.trim() !== '=' || value.kind !== 'string') continue;
    const name = key.text.slice(1, -1).replace(/''/g, "'");
    if (SECRET_OPTIONS.has(name)) out.push({ key: name, value });
  }
  return out;
}
