/**
 * The one reader of SQL text: what uvpv reads back from a target (a script Oceanus returns, the
 * statements kept with a job) is split here, never by lines or by a pattern over the text.
 * A `;` inside a string, an identifier or a comment does not end a statement, and neither does
 * one inside `EXECUTE STATEMENT SET BEGIN ... END`. Comments are kept with the statement that follows.
 */

/** A token of SQL text: a comment, a string literal, a quoted identifier, a `;`, or a run of anything else. */
export interface SqlToken {
  readonly kind: 'comment' | 'string' | 'identifier' | 'semicolon' | 'code';
  readonly text: string;
  /** Where the token starts and ends in the text it came from. */
  readonly start: number;
  readonly end: number;
}

export function sqlTokens(text: string): SqlToken[] {
  const out: SqlToken[] = [];
  const n = text.length;
  let code = 0; // where the current run of code began
  const push = (kind: SqlToken['kind'], start: number, end: number) => {
    if (code < start) out.push({ kind: 'code', text: text.slice(code, start), start: code, end: start });
    out.push({ kind, text: text.slice(start, end), start, end });
    code = end;
  };
  let i = 0;
  while (i < n) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      push('comment', i, end < 0 ? n : end + 1);
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      push('comment', i, end < 0 ? n : end + 2);
    } else if (c === "'" || c === '`' || c === '"') {
      push(c === "'" ? 'string' : 'identifier', i, skipQuoted(text, i, c));
    } else if (c === ';') {
      push('semicolon', i, i + 1);
    } else {
      i++;
      continue;
    }
    i = code;
  }
  if (code < n) out.push({ kind: 'code', text: text.slice(code), start: code, end: n });
  return out;
}

/** Splits a SQL script into statements for a gateway that takes one at a time. */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let start = 0;
  let code = ''; // the current statement without comments or literals, to spot BEGIN ... END
  for (const t of sqlTokens(script)) {
    if (t.kind === 'comment') continue;
    if (t.kind === 'string' || t.kind === 'identifier') {
      code += ' ? ';
      continue;
    }
    if (t.kind === 'semicolon') {
      const inSet = /^\s*(EXECUTE\s+)?STATEMENT\s+SET\s+BEGIN\b/i.test(code) || /^\s*BEGIN\s+STATEMENT\s+SET\b/i.test(code);
      if (!inSet || /\bEND\s*$/i.test(code)) {
        const statement = script.slice(start, t.start).trim();
        if (statement) out.push(statement);
        start = t.end;
        code = '';
        continue;
      }
    }
    code += t.text;
  }
  const rest = script.slice(start).trim();
  if (rest && hasCode(rest)) out.push(rest);
  return out;
}

/** The INSERTs of an `EXECUTE STATEMENT SET BEGIN ... END` statement, each without its `;`; undefined for any other statement. */
export function statementSetInserts(statement: string): string[] | undefined {
  const set = /^EXECUTE\s+STATEMENT\s+SET\s+BEGIN\s+([\s\S]*?)\s*END$/i.exec(statement.trim());
  return set ? splitStatements(set[1]) : undefined;
}

function skipQuoted(s: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < s.length) {
    if (s[j] === quote) {
      if (s[j + 1] === quote)
        j += 2; // doubled quote is an escaped quote
      else return j + 1;
    } else j++;
  }
  return j;
}

/** True when the text holds more than comments and white space. */
function hasCode(s: string): boolean {
  return sqlTokens(s).some((t) => t.kind !== 'comment' && t.text.trim().length > 0);
}
