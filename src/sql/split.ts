/**
 * Splits a SQL script into statements for a gateway that takes one at a time. A `;` inside a
 * string, an identifier or a comment does not end a statement, and neither does one inside
 * `EXECUTE STATEMENT SET BEGIN ... END`. Comments are kept with the statement that follows.
 */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  let code = ''; // the current statement without comments or literals, to spot BEGIN ... END
  const n = script.length;
  while (i < n) {
    const c = script[i];
    const next = script[i + 1];
    if (c === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === "'" || c === '`' || c === '"') {
      i = skipQuoted(script, i, c);
      code += ' ? ';
      continue;
    }
    if (c === ';') {
      const inSet = /^\s*(EXECUTE\s+)?STATEMENT\s+SET\s+BEGIN\b/i.test(code) || /^\s*BEGIN\s+STATEMENT\s+SET\b/i.test(code);
      if (!inSet || /\bEND\s*$/i.test(code)) {
        const statement = stripTrailingNoise(script.slice(start, i));
        if (statement) out.push(statement);
        start = i + 1;
        code = '';
        i++;
        continue;
      }
    }
    code += c;
    i++;
  }
  const rest = stripTrailingNoise(script.slice(start));
  if (rest && hasCode(rest)) out.push(rest);
  return out;
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

function stripTrailingNoise(s: string): string {
  return s.trim();
}

/** True when the text holds more than comments and white space. */
function hasCode(s: string): boolean {
  return (
    s
      .replace(/--[^\n]*/g, '')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .trim().length > 0
  );
}
