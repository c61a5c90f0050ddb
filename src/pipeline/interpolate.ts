/**
 * `${VAR}` (required) and `${VAR:-default}` (falls back, may be empty) inside spec strings.
 * `$${` writes a literal `${`. Resolution is per value, so a command resolves only what it needs.
 */

export type TemplatePart = { text: string } | { variable: string; fallback?: string };

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function hasTemplate(text: string): boolean {
  return text.includes('${');
}

/** Splits a string into literal text and variable references; returns a message when malformed. */
export function parseTemplate(text: string): TemplatePart[] | string {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      literal += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      literal += text[i++];
      continue;
    }
    const close = text.indexOf('}', i);
    if (close < 0) return `unclosed '\${' in '${text}'; write \${VAR} or \${VAR:-default}`;
    const body = text.slice(i + 2, close);
    const sep = body.indexOf(':-');
    const variable = sep < 0 ? body : body.slice(0, sep);
    if (!VAR_NAME.test(variable)) {
      return `'\${${body}}' is not a variable reference; write \${VAR} or \${VAR:-default} with VAR made of letters, digits and '_'`;
    }
    if (literal) parts.push({ text: literal });
    literal = '';
    parts.push(sep < 0 ? { variable } : { variable, fallback: body.slice(sep + 2) });
    i = close + 1;
  }
  if (literal) parts.push({ text: literal });
  return parts;
}

export type Resolution = { value: string } | { missing: string[] };

export function resolveTemplate(parts: TemplatePart[], env: NodeJS.ProcessEnv): Resolution {
  let value = '';
  const missing: string[] = [];
  for (const part of parts) {
    if ('text' in part) {
      value += part.text;
      continue;
    }
    const v = env[part.variable];
    if (v !== undefined && v !== '') value += v;
    else if (part.fallback !== undefined) value += part.fallback;
    else if (v === '') value += v;
    else missing.push(part.variable);
  }
  return missing.length ? { missing } : { value };
}

/** The variables a template reads, for placeholders and messages. */
export function templateVariables(parts: TemplatePart[]): string[] {
  return parts.flatMap((p) => ('variable' in p ? [p.variable] : []));
}
