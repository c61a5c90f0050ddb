/** Quoting for Flink SQL: nothing a user writes can end a literal or an identifier early. */

/** `name` → `` `name` ``, with backticks doubled. */
export function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** `it's` → `'it''s'`. Flink SQL string literals have no backslash escapes. */
export function quoteString(value: string): string {
  return "'" + escapeLiteral(value) + "'";
}

/** The text of a string literal between its quotes: each quote doubled. */
export function escapeLiteral(value: string): string {
  return value.replace(/'/g, "''");
}

/** Text for a `--` comment: one line, whatever it contains. */
export function commentText(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}
