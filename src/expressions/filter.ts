/**
 * Event filters: one boolean SQL expression over the source columns, e.g. `record_type = 0`.
 *
 * The text is parsed with node-sql-parser into a small expression tree of our own. The compiler
 * renders SQL from that tree (never pastes the user's text), so a filter cannot inject SQL, and
 * the reference model evaluates the same tree with SQL's three-valued logic.
 *
 * String literals are cut out of the text before node-sql-parser sees it: it reads backslash
 * escapes (`'\n'` becomes a newline) where Flink SQL has none, so each literal's value is taken
 * exactly as Flink reads it, and the parser only sees a numbered parameter in its place.
 * Filters are type-checked against the declared columns, because Flink converts neither
 * VARCHAR and INT nor most other pairs implicitly: a mismatch is a spec error, not a failed job.
 */
import { Parser } from 'node-sql-parser';
import type { SqlType } from '../pipeline/sql-types';
import { required } from '../util/required';

export type Literal = { kind: 'literal'; value: string | number | boolean | null; text: string };
export type FilterExpr =
  | Literal
  | { kind: 'column'; name: string }
  | { kind: 'compare'; op: '=' | '<>' | '<' | '<=' | '>' | '>='; left: FilterExpr; right: FilterExpr }
  | { kind: 'logic'; op: 'AND' | 'OR'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; expr: FilterExpr }
  | { kind: 'arith'; op: '+' | '-' | '*' | '/' | '%'; left: FilterExpr; right: FilterExpr }
  | { kind: 'negate'; expr: FilterExpr }
  | { kind: 'in'; expr: FilterExpr; list: FilterExpr[]; negated: boolean }
  | { kind: 'between'; expr: FilterExpr; low: FilterExpr; high: FilterExpr; negated: boolean }
  | { kind: 'like'; expr: FilterExpr; pattern: FilterExpr; negated: boolean; escape?: string }
  | { kind: 'isNull'; expr: FilterExpr; negated: boolean };

const FILTER_HELP =
  'comparisons (= <> < <= > >=), AND / OR / NOT, IN (...), BETWEEN, LIKE [ESCAPE], IS [NOT] NULL, + - * / %, column names and literals';

class FilterProblem extends Error {}

/** A problem with a filter, and where in its text it is (when known). */
export interface FilterError {
  message: string;
  offset?: number;
}

const PREFIX = 'SELECT * FROM t WHERE ';
/** Words that are not read as a column name unless backquoted, for a hint when parsing fails. */
const SQL_KEYWORDS = new Set(
  (
    'SELECT FROM WHERE TABLE ORDER GROUP BY USER DATE YEAR MONTH DAY HOUR MINUTE SECOND TIME TIMESTAMP KEY VALUE VALUES COUNT ' +
    'MEMBER WINDOW AND OR NOT IN IS LIKE BETWEEN NULL TRUE FALSE CASE WHEN THEN ELSE END AS ON JOIN LIMIT UNION ALL ' +
    'DISTINCT INTERVAL ESCAPE EXISTS HAVING INSERT INTO SET'
  ).split(' '),
);
/** Significant digits a number literal may have: exact in Flink and in the model's doubles alike. */
const MAX_DIGITS = 15;

/** Parses a filter; returns the tree or what is wrong. */
export function parseFilter(text: string, columns: ReadonlyMap<string, SqlType>): FilterExpr | FilterError {
  const r = parseFilterText(text, columns);
  return typeof r === 'string' ? { message: r } : r;
}

function parseFilterText(text: string, columns: ReadonlyMap<string, SqlType>): FilterExpr | FilterError | string {
  const cut = cutStringLiterals(text);
  if ('message' in cut) return cut;
  const { code, literals } = cut;
  const semicolon = code.indexOf(';');
  if (semicolon >= 0) return { message: "must be a single expression: ';' is not allowed", offset: semicolon };
  const comment = code.search(/--|\/\*|#/);
  if (comment >= 0) return { message: 'comments are not allowed', offset: comment };
  if (!text.trim()) return 'is empty; write a boolean expression such as record_type = 0';
  let where: unknown;
  try {
    const ast = new Parser().astify(`${PREFIX}${code}`, { database: 'FlinkSQL' });
    if (Array.isArray(ast)) return 'must be a single expression';
    const select = ast as { type: string; where: unknown; groupby: unknown; orderby: unknown; limit: unknown };
    if (select.type !== 'select' || select.groupby || select.orderby || (select.limit as { value?: unknown[] })?.value?.length) {
      return 'must be a single boolean expression, not a statement';
    }
    where = select.where;
  } catch (e) {
    const err = e as { found?: string | null; location?: { start: { offset: number } } };
    const at = err.location ? Math.max(0, err.location.start.offset - PREFIX.length) : undefined;
    const offset = at === undefined ? undefined : cut.offsetInText(at);
    const near = err.found == null ? 'at the end' : `near '${text.slice(offset ?? 0, (offset ?? 0) + 12)}'`;
    const keywords = [...columns.keys()].filter(
      (c) => SQL_KEYWORDS.has(c.toUpperCase()) && new RegExp(`(^|[^\`\\w])${c}($|[^\`\\w])`).test(code),
    );
    const hint = keywords.length
      ? `; ${keywords.map((k) => `'${k}'`).join(', ')} ${keywords.length > 1 ? 'are SQL keywords' : 'is an SQL keyword'}: write a column of that name in backquotes, e.g. \`${keywords[0]}\``
      : '';
    return { message: `is not a valid SQL expression: unexpected ${err.found == null ? 'end' : `'${err.found}'`} ${near}${hint}`, offset };
  }
  try {
    const expr = new Converter(columns, literals).convert(where);
    if (new TypeChecker(columns).kind(expr) !== 'boolean') {
      return `'${text}' is not a boolean expression; compare it, e.g. '${text} = 0'`;
    }
    return expr;
  } catch (e) {
    if (e instanceof FilterProblem) return e.message;
    throw e;
  }
}

/**
 * Replaces every '...' literal with a numbered parameter (`:s0`, `:s1`, ...) and keeps its value
 * exactly as Flink SQL reads it: `''` is a quote, everything else (backslashes, newlines, `--`)
 * is itself. Backquoted identifiers are kept as they are. A `:` or `"` outside of both is refused,
 * so every parameter the parser reports is one of ours.
 */
function cutStringLiterals(text: string): { code: string; literals: string[]; offsetInText(codeOffset: number): number } | FilterError {
  let code = '';
  const literals: string[] = [];
  // [offset in code, offset in text] at each place where the two stop lining up.
  const shifts: [number, number][] = [];
  for (let i = 0; i < text.length;) {
    const c = text[i];
    if (c === "'" || c === '`') {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= text.length) {
          return { message: c === "'" ? "a string literal is not closed (a missing ')" : 'a `quoted` name is not closed', offset: i };
        }
        if (text[j] === c) {
          if (text[j + 1] === c) {
            value += c;
            j += 2;
            continue;
          }
          break;
        }
        value += text[j++];
      }
      if (c === '`') code += text.slice(i, j + 1);
      else if (/\bESCAPE\s*$/i.test(code)) {
        // node-sql-parser takes no parameter after ESCAPE: the one character stays inline.
        if ([...value].length !== 1 || value === "'" || value === '\\') {
          return { message: "ESCAPE takes one character in quotes, other than a quote or a backslash, e.g. ESCAPE '!'", offset: i };
        }
        code += `'${value}'`;
      } else {
        shifts.push([code.length, i]);
        code += `:s${literals.length}`;
        literals.push(value);
        shifts.push([code.length, j + 1]);
      }
      i = j + 1;
      continue;
    }
    if (c === ':') return { message: "':' is not allowed outside a string literal", offset: i };
    if (c === '"')
      return { message: "double quotes are not string quotes in Flink SQL; write strings in single quotes ('...')", offset: i };
    code += c;
    i++;
  }
  return {
    code,
    literals,
    offsetInText(at) {
      let best: [number, number] = [0, 0];
      for (const s of shifts) if (s[0] <= at) best = s;
      return best[1] + (at - best[0]);
    },
  };
}

type Node = { type: string; [k: string]: unknown };

const COMPARE = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);
const ARITH = new Set(['+', '-', '*', '/', '%']);

class Converter {
  constructor(
    private readonly columns: ReadonlyMap<string, SqlType>,
    private readonly literals: readonly string[],
  ) {}

  convert(raw: unknown): FilterExpr {
    const node = raw as Node;
    switch (node.type) {
      case 'column_ref': {
        const name = columnName(node.column);
        if (node.table) throw new FilterProblem(`write '${name}' without a table name`);
        if (!this.columns.has(name)) {
          throw new FilterProblem(`unknown column '${name}'; declared columns: ${[...this.columns.keys()].join(', ')}`);
        }
        return { kind: 'column', name };
      }
      case 'number':
      case 'bigint':
        return numberLiteral(String(node.value));
      case 'param': {
        const value = this.literals[Number(String(node.value).slice(1))];
        return { kind: 'literal', value, text: value };
      }
      case 'bool':
        return { kind: 'literal', value: Boolean(node.value), text: node.value ? 'TRUE' : 'FALSE' };
      case 'null':
        return { kind: 'literal', value: null, text: 'NULL' };
      case 'unary_expr': {
        const op = String(node.operator).toUpperCase();
        const expr = this.convert(node.expr);
        if (op === 'NOT') return { kind: 'not', expr };
        if (op === '-') return { kind: 'negate', expr };
        if (op === '+') return expr;
        break;
      }
      case 'function': {
        const name = functionName(node);
        const args = (node.args as { value?: unknown[] } | undefined)?.value ?? [];
        if (name === 'NOT' && args.length === 1) return { kind: 'not', expr: this.convert(args[0]) };
        throw new FilterProblem(`function ${name}(...) is not supported in event filters; allowed: ${FILTER_HELP}`);
      }
      case 'binary_expr':
        return this.binary(node);
    }
    if ((node as { ast?: unknown }).ast) throw new FilterProblem('sub-queries are not allowed in event filters');
    throw new FilterProblem(`'${node.type}' is not supported in event filters; allowed: ${FILTER_HELP}`);
  }

  private binary(node: Node): FilterExpr {
    const op = String(node.operator).toUpperCase();
    const left = () => this.convert(node.left);
    const list = () => ((node.right as { value?: unknown[] }).value ?? []).map((v) => this.convert(v));
    if (op === 'AND' || op === 'OR') {
      // node-sql-parser does not give AND precedence over OR, so mixing them is only accepted
      // where parentheses make the grouping explicit.
      for (const child of [node.left, node.right] as Node[]) {
        const childOp = child.type === 'binary_expr' ? String(child.operator).toUpperCase() : '';
        if ((childOp === 'AND' || childOp === 'OR') && childOp !== op && !child.parentheses) {
          throw new FilterProblem('mixes AND and OR without parentheses; add parentheses to say which goes first');
        }
      }
      return { kind: 'logic', op, left: left(), right: this.convert(node.right) };
    }
    if (COMPARE.has(op)) {
      return { kind: 'compare', op: op === '!=' ? '<>' : (op as '='), left: left(), right: this.convert(node.right) };
    }
    if (ARITH.has(op)) return { kind: 'arith', op: op as '+', left: left(), right: this.convert(node.right) };
    if (op === 'IN' || op === 'NOT IN') {
      if ((node.right as Node).type !== 'expr_list') throw new FilterProblem('IN takes a list of values');
      return { kind: 'in', expr: left(), list: list(), negated: op === 'NOT IN' };
    }
    if (op === 'BETWEEN' || op === 'NOT BETWEEN') {
      const [low, high] = list();
      return { kind: 'between', expr: left(), low, high, negated: op === 'NOT BETWEEN' };
    }
    if (op === 'LIKE' || op === 'NOT LIKE') {
      const right = node.right as Node & { escape?: { value?: unknown } };
      const pattern = this.convert({ ...right, escape: undefined });
      const like: FilterExpr = { kind: 'like', expr: left(), pattern, negated: op === 'NOT LIKE' };
      if (!right.escape) return like;
      const escape = right.escape.value as Node;
      if (escape.type !== 'single_quote_string') throw new FilterProblem("ESCAPE takes one character in quotes, e.g. ESCAPE '!'");
      return { ...like, escape: likeEscape(String(escape.value), pattern) };
    }
    if (op === 'IS' || op === 'IS NOT') {
      if ((node.right as Node).type !== 'null') throw new FilterProblem(`${op} is only supported with NULL`);
      return { kind: 'isNull', expr: left(), negated: op === 'IS NOT' };
    }
    throw new FilterProblem(`operator ${op} is not supported in event filters; allowed: ${FILTER_HELP}`);
  }
}

/** A number as written: plain decimal digits, few enough to be exact everywhere. */
function numberLiteral(text: string): Literal {
  if (!/^-?(\d+(\.\d+)?|\.\d+)$/.test(text)) {
    throw new FilterProblem(`number ${text}: write numbers as plain decimals such as 1000 or 0.5`);
  }
  if (text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').length > MAX_DIGITS) {
    throw new FilterProblem(`number ${text} has more than ${MAX_DIGITS} digits`);
  }
  return { kind: 'literal', value: Number(text), text: text.startsWith('.') ? `0${text}` : text.replace(/^-\./, '-0.') };
}

/**
 * `LIKE pattern ESCAPE 'c'`: one character, and a literal pattern in which it only ever escapes
 * `%`, `_` or itself (Flink fails the job on any other use).
 */
function likeEscape(escape: string, pattern: FilterExpr): string {
  if (pattern.kind !== 'literal' || typeof pattern.value !== 'string') {
    throw new FilterProblem('with ESCAPE the LIKE pattern must be a string literal');
  }
  const chars = [...pattern.value];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] !== escape) continue;
    if (!['%', '_', escape].includes(chars[i + 1])) {
      throw new FilterProblem(`in LIKE '${pattern.value}' ESCAPE '${escape}', '${escape}' must be followed by %, _ or '${escape}'`);
    }
    i++;
  }
  return escape;
}

function columnName(column: unknown): string {
  if (typeof column === 'string') return column;
  const expr = (column as { expr?: { value?: unknown } }).expr;
  return String(expr?.value ?? column);
}

function functionName(node: Node): string {
  const name = node.name as { name?: { value: string }[] } | string;
  if (typeof name === 'string') return name.toUpperCase();
  return (name.name ?? [])
    .map((n) => n.value)
    .join('.')
    .toUpperCase();
}

/** What a filter expression is, for type checks: a column type's family or a literal's. */
type Kind = 'boolean' | 'number' | 'string' | 'null' | `temporal:${string}` | `other:${string}`;

/**
 * The rules Flink 1.20's planner applies to these expressions, made strict: both sides of a
 * comparison, IN or BETWEEN are of one kind (numbers with numbers, text with text, ...), since
 * Flink has no implicit conversion between VARCHAR and INT and converts others only sometimes;
 * arithmetic is on numbers; NULL may be compared but not computed with; a division's divisor is a
 * non-zero number, because Flink fails the job on an integer division by zero.
 */
class TypeChecker {
  constructor(private readonly columns: ReadonlyMap<string, SqlType>) {}

  kind(e: FilterExpr): Kind {
    switch (e.kind) {
      case 'literal':
        return e.value === null ? 'null' : typeof e.value === 'boolean' ? 'boolean' : typeof e.value === 'number' ? 'number' : 'string';
      case 'column': {
        const t = this.columnType(e.name);
        const f = t.family;
        if (f === 'boolean') return 'boolean';
        if (f === 'integer' || f === 'decimal' || f === 'float') return 'number';
        if (f === 'string') return 'string';
        if (f === 'date' || f === 'time' || f === 'timestamp' || f === 'timestamp_ltz') return `temporal:${f}`;
        return `other:${t.sql}`;
      }
      case 'logic':
      case 'not':
        for (const side of e.kind === 'not' ? [e.expr] : [e.left, e.right]) {
          const k = this.kind(side);
          if (k !== 'boolean' && k !== 'null')
            throw new FilterProblem(`${e.kind === 'not' ? 'NOT' : e.op} needs conditions on both sides; got ${this.what(side, k)}`);
        }
        return 'boolean';
      case 'arith': {
        this.number(e.left, e.op);
        this.number(e.right, e.op);
        if (e.op === '%') {
          for (const side of [e.left, e.right]) {
            if (!this.exact(side)) throw new FilterProblem(`'%' works on whole numbers and DECIMALs; got ${this.what(side)}`);
          }
        }
        if ((e.op === '/' || e.op === '%') && !(e.right.kind === 'literal' && typeof e.right.value === 'number' && e.right.value !== 0)) {
          throw new FilterProblem(
            `the divisor of '${e.op}' must be a number other than 0 (Flink fails the job on a division by zero); got ${this.what(e.right)}`,
          );
        }
        return 'number';
      }
      case 'negate':
        this.number(e.expr, '-');
        return 'number';
      case 'compare':
        this.comparable(e.left, [e.right], e.op);
        return 'boolean';
      case 'in':
        this.comparable(e.expr, e.list, e.negated ? 'NOT IN' : 'IN');
        return 'boolean';
      case 'between':
        this.comparable(e.expr, [e.low, e.high], e.negated ? 'NOT BETWEEN' : 'BETWEEN');
        return 'boolean';
      case 'like':
        for (const side of [e.expr, e.pattern]) {
          const k = this.kind(side);
          if (k !== 'string' && k !== 'null') throw new FilterProblem(`LIKE works on text; got ${this.what(side, k)}`);
        }
        return 'boolean';
      case 'isNull':
        this.kind(e.expr);
        return 'boolean';
    }
  }

  /** The type of a column the expression names (the parser let only declared columns in). */
  private columnType(name: string): SqlType {
    return required(this.columns.get(name), `column ${name}`);
  }

  /** An exact number (integer or DECIMAL), as Flink's '%' needs: no FLOAT or DOUBLE anywhere in it. */
  private exact(e: FilterExpr): boolean {
    switch (e.kind) {
      case 'literal':
        return typeof e.value === 'number' && !/[eE]/.test(e.text);
      case 'column':
        return ['integer', 'decimal'].includes(this.columnType(e.name).family);
      case 'negate':
        return this.exact(e.expr);
      case 'arith':
        return this.exact(e.left) && this.exact(e.right);
      default:
        return false;
    }
  }

  private number(e: FilterExpr, op: string): void {
    const k = this.kind(e);
    if (k !== 'number') throw new FilterProblem(`'${op}' works on numbers; got ${this.what(e, k)}`);
  }

  private comparable(left: FilterExpr, rights: FilterExpr[], op: string): void {
    const l = this.kind(left);
    for (const right of rights) {
      const r = this.kind(right);
      if (l === 'null' || r === 'null') continue;
      if (l.startsWith('other:') || r.startsWith('other:')) {
        const side = l.startsWith('other:') ? left : right;
        throw new FilterProblem(`${this.what(side)} can only be tested with IS [NOT] NULL in a filter`);
      }
      if (l !== r) {
        throw new FilterProblem(
          `${op} compares ${this.what(left, l)} with ${this.what(right, r)}; Flink does not convert between them, so compare like with like`,
        );
      }
    }
  }

  /** `client_ip (VARCHAR)`, `1 (a number)`: what a side of an operator is, for messages. */
  private what(e: FilterExpr, k: Kind = this.kind(e)): string {
    if (e.kind === 'column') return `${e.name} (${this.columnType(e.name).sql})`;
    const text = e.kind === 'literal' ? (typeof e.value === 'string' ? `'${e.value.replace(/'/g, "''")}'` : e.text) : 'an expression';
    return `${text} (${describe(k)})`;
  }
}

function describe(k: Kind): string {
  if (k.startsWith('temporal:')) return `a ${k.slice('temporal:'.length).toUpperCase()}`;
  if (k.startsWith('other:')) return `a ${k.slice('other:'.length)}`;
  return { boolean: 'a condition', number: 'a number', string: 'text', null: 'NULL' }[k as 'boolean'];
}

/** The columns a filter reads, each once, in the order it first names them. */
export function filterColumns(e: FilterExpr): string[] {
  const found = new Set<string>();
  const visit = (x: FilterExpr): void => {
    switch (x.kind) {
      case 'literal':
        return;
      case 'column':
        found.add(x.name);
        return;
      case 'compare':
      case 'arith':
      case 'logic':
        visit(x.left);
        visit(x.right);
        return;
      case 'not':
      case 'negate':
      case 'isNull':
        visit(x.expr);
        return;
      case 'in':
        [x.expr, ...x.list].forEach(visit);
        return;
      case 'between':
        [x.expr, x.low, x.high].forEach(visit);
        return;
      case 'like':
        [x.expr, x.pattern].forEach(visit);
        return;
    }
  };
  visit(e);
  return [...found];
}

/** Renders a filter as Flink SQL. Identifiers are quoted and literals escaped. */
export function renderFilter(e: FilterExpr, quoteIdent: (s: string) => string, quoteString: (s: string) => string): string {
  const r = (x: FilterExpr): string => renderFilter(x, quoteIdent, quoteString);
  const group = (x: FilterExpr): string => (x.kind === 'column' || x.kind === 'literal' ? r(x) : `(${r(x)})`);
  switch (e.kind) {
    case 'literal':
      if (typeof e.value === 'string') return quoteString(e.value);
      // A negative number is parenthesized, so that no '-' ever follows another one: `--` is a comment.
      return e.text.startsWith('-') ? `(${e.text})` : e.text;
    case 'column':
      return quoteIdent(e.name);
    case 'compare':
    case 'arith':
      return `${group(e.left)} ${e.op} ${group(e.right)}`;
    case 'logic':
      return `${group(e.left)} ${e.op} ${group(e.right)}`;
    case 'not':
      return `NOT ${group(e.expr)}`;
    case 'negate':
      return `-(${r(e.expr)})`;
    case 'in':
      return `${group(e.expr)} ${e.negated ? 'NOT IN' : 'IN'} (${e.list.map(r).join(', ')})`;
    case 'between':
      return `${group(e.expr)} ${e.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${group(e.low)} AND ${group(e.high)}`;
    case 'like': {
      const escape = e.escape === undefined ? '' : ` ESCAPE ${quoteString(e.escape)}`;
      return `${group(e.expr)} ${e.negated ? 'NOT LIKE' : 'LIKE'} ${group(e.pattern)}${escape}`;
    }
    case 'isNull':
      return `${group(e.expr)} ${e.negated ? 'IS NOT NULL' : 'IS NULL'}`;
  }
}
