/**
 * Event filters: one boolean SQL expression over the source columns, e.g. `record_type = 0`.
 *
 * The text is parsed with node-sql-parser into a small expression tree of our own. The compiler
 * renders SQL from that tree (never pastes the user's text), so a filter cannot inject SQL, and
 * the reference model evaluates the same tree with SQL's three-valued logic.
 */
import { Parser } from 'node-sql-parser';
import type { SqlType } from './sql-types';

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
  | { kind: 'like'; expr: FilterExpr; pattern: FilterExpr; negated: boolean }
  | { kind: 'isNull'; expr: FilterExpr; negated: boolean };

export const FILTER_HELP =
  'comparisons (= <> < <= > >=), AND / OR / NOT, IN (...), BETWEEN, LIKE, IS [NOT] NULL, + - * / %, column names and literals';

class FilterProblem extends Error {}

/** A problem with a filter, and where in its text it is (when known). */
export interface FilterError {
  message: string;
  offset?: number;
}

const PREFIX = 'SELECT * FROM t WHERE ';

/** Parses a filter; returns the tree or what is wrong. */
export function parseFilter(text: string, columns: ReadonlyMap<string, SqlType>): FilterExpr | FilterError {
  const r = parseFilterText(text, columns);
  return typeof r === 'string' ? { message: r } : r;
}

function parseFilterText(text: string, columns: ReadonlyMap<string, SqlType>): FilterExpr | FilterError | string {
  const outside = stripStringLiterals(text);
  const semicolon = outside.indexOf(';');
  if (semicolon >= 0) return { message: "must be a single expression: ';' is not allowed", offset: semicolon };
  const comment = outside.search(/--|\/\*|#/);
  if (comment >= 0) return { message: 'comments are not allowed', offset: comment };
  if (!text.trim()) return 'is empty; write a boolean expression such as record_type = 0';
  let where: unknown;
  try {
    const ast = new Parser().astify(`${PREFIX}${text}`, { database: 'FlinkSQL' });
    if (Array.isArray(ast)) return 'must be a single expression';
    const select = ast as { type: string; where: unknown; groupby: unknown; orderby: unknown; limit: unknown };
    if (select.type !== 'select' || select.groupby || select.orderby || (select.limit as { value?: unknown[] })?.value?.length) {
      return 'must be a single boolean expression, not a statement';
    }
    where = select.where;
  } catch (e) {
    const err = e as { found?: string | null; location?: { start: { offset: number } } };
    const offset = err.location ? Math.max(0, err.location.start.offset - PREFIX.length) : undefined;
    const near = err.found == null ? 'at the end' : `near '${text.slice(offset ?? 0, (offset ?? 0) + 12)}'`;
    return { message: `is not a valid SQL expression: unexpected ${err.found == null ? 'end' : `'${err.found}'`} ${near}`, offset };
  }
  try {
    const expr = convert(where, columns);
    if (inferType(expr, columns) !== 'boolean') {
      return `'${text}' is not a boolean expression; compare it, e.g. '${text} = 0'`;
    }
    return expr;
  } catch (e) {
    if (e instanceof FilterProblem) return e.message;
    throw e;
  }
}

/** Replaces the contents of '...' literals so that checks on the text ignore what is quoted. */
function stripStringLiterals(text: string): string {
  return text.replace(/'(?:[^']|'')*'/g, "''");
}

type Node = { type: string; [k: string]: unknown };

const COMPARE = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);
const ARITH = new Set(['+', '-', '*', '/', '%']);

function convert(raw: unknown, columns: ReadonlyMap<string, SqlType>): FilterExpr {
  const node = raw as Node;
  switch (node.type) {
    case 'column_ref': {
      const name = columnName(node.column);
      if (node.table) throw new FilterProblem(`write '${name}' without a table name`);
      if (!columns.has(name)) {
        throw new FilterProblem(`unknown column '${name}'; declared columns: ${[...columns.keys()].join(', ')}`);
      }
      return { kind: 'column', name };
    }
    case 'number':
      return { kind: 'literal', value: Number(node.value), text: String(node.value) };
    case 'single_quote_string':
    case 'string': {
      const value = String(node.value).replace(/''/g, "'");
      return { kind: 'literal', value, text: value };
    }
    case 'bool':
      return { kind: 'literal', value: Boolean(node.value), text: node.value ? 'TRUE' : 'FALSE' };
    case 'null':
      return { kind: 'literal', value: null, text: 'NULL' };
    case 'unary_expr': {
      const op = String(node.operator).toUpperCase();
      const expr = convert(node.expr, columns);
      if (op === 'NOT') return { kind: 'not', expr };
      if (op === '-') return { kind: 'negate', expr };
      if (op === '+') return expr;
      break;
    }
    case 'function': {
      const name = functionName(node);
      const args = (node.args as { value?: unknown[] } | undefined)?.value ?? [];
      if (name === 'NOT' && args.length === 1) return { kind: 'not', expr: convert(args[0], columns) };
      throw new FilterProblem(`function ${name}(...) is not supported in event filters; allowed: ${FILTER_HELP}`);
    }
    case 'binary_expr':
      return convertBinary(node, columns);
  }
  if ((node as { ast?: unknown }).ast) throw new FilterProblem('sub-queries are not allowed in event filters');
  throw new FilterProblem(`'${node.type}' is not supported in event filters; allowed: ${FILTER_HELP}`);
}

function convertBinary(node: Node, columns: ReadonlyMap<string, SqlType>): FilterExpr {
  const op = String(node.operator).toUpperCase();
  const left = () => convert(node.left, columns);
  const list = () => ((node.right as { value?: unknown[] }).value ?? []).map((v) => convert(v, columns));
  if (op === 'AND' || op === 'OR') {
    // node-sql-parser does not give AND precedence over OR, so mixing them is only accepted
    // where parentheses make the grouping explicit.
    for (const child of [node.left, node.right] as Node[]) {
      const childOp = child.type === 'binary_expr' ? String(child.operator).toUpperCase() : '';
      if ((childOp === 'AND' || childOp === 'OR') && childOp !== op && !child.parentheses) {
        throw new FilterProblem('mixes AND and OR without parentheses; add parentheses to say which goes first');
      }
    }
    return { kind: 'logic', op, left: left(), right: convert(node.right, columns) };
  }
  if (COMPARE.has(op)) {
    return { kind: 'compare', op: op === '!=' ? '<>' : (op as '='), left: left(), right: convert(node.right, columns) };
  }
  if (ARITH.has(op)) return { kind: 'arith', op: op as '+', left: left(), right: convert(node.right, columns) };
  if (op === 'IN' || op === 'NOT IN') {
    if ((node.right as Node).type !== 'expr_list') throw new FilterProblem('IN takes a list of values');
    return { kind: 'in', expr: left(), list: list(), negated: op === 'NOT IN' };
  }
  if (op === 'BETWEEN' || op === 'NOT BETWEEN') {
    const [low, high] = list();
    return { kind: 'between', expr: left(), low, high, negated: op === 'NOT BETWEEN' };
  }
  if (op === 'LIKE' || op === 'NOT LIKE') {
    return { kind: 'like', expr: left(), pattern: convert(node.right, columns), negated: op === 'NOT LIKE' };
  }
  if (op === 'IS' || op === 'IS NOT') {
    if ((node.right as Node).type !== 'null') throw new FilterProblem(`${op} is only supported with NULL`);
    return { kind: 'isNull', expr: left(), negated: op === 'IS NOT' };
  }
  throw new FilterProblem(`operator ${op} is not supported in event filters; allowed: ${FILTER_HELP}`);
}

function columnName(column: unknown): string {
  if (typeof column === 'string') return column;
  const expr = (column as { expr?: { value?: unknown } }).expr;
  return String(expr?.value ?? column);
}

function functionName(node: Node): string {
  const name = node.name as { name?: { value: string }[] } | string;
  if (typeof name === 'string') return name.toUpperCase();
  return (name.name ?? []).map((n) => n.value).join('.').toUpperCase();
}

type Kind = 'boolean' | 'number' | 'string' | 'temporal' | 'null' | 'other';

/** A light type check: enough to reject `record_type` (an INT) where a condition is expected. */
function inferType(e: FilterExpr, columns: ReadonlyMap<string, SqlType>): Kind {
  switch (e.kind) {
    case 'literal':
      return e.value === null ? 'null' : typeof e.value === 'boolean' ? 'boolean' : typeof e.value === 'number' ? 'number' : 'string';
    case 'column': {
      const f = columns.get(e.name)!.family;
      if (f === 'boolean') return 'boolean';
      if (f === 'integer' || f === 'decimal' || f === 'float') return 'number';
      if (f === 'string') return 'string';
      if (f === 'date' || f === 'time' || f === 'timestamp' || f === 'timestamp_ltz') return 'temporal';
      return 'other';
    }
    case 'logic':
    case 'not':
      for (const side of e.kind === 'not' ? [e.expr] : [e.left, e.right]) {
        const t = inferType(side, columns);
        if (t !== 'boolean' && t !== 'null') throw new FilterProblem(`${e.kind === 'not' ? 'NOT' : e.op} needs conditions on both sides`);
      }
      return 'boolean';
    case 'arith':
    case 'negate':
      return 'number';
    default:
      return 'boolean';
  }
}

/** Renders a filter as Flink SQL. Identifiers are quoted and literals escaped. */
export function renderFilter(e: FilterExpr, quoteIdent: (s: string) => string, quoteString: (s: string) => string): string {
  const r = (x: FilterExpr): string => renderFilter(x, quoteIdent, quoteString);
  const group = (x: FilterExpr): string => (x.kind === 'column' || x.kind === 'literal' ? r(x) : `(${r(x)})`);
  switch (e.kind) {
    case 'literal':
      return typeof e.value === 'string' ? quoteString(e.value) : e.text;
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
      return `-${group(e.expr)}`;
    case 'in':
      return `${group(e.expr)} ${e.negated ? 'NOT IN' : 'IN'} (${e.list.map(r).join(', ')})`;
    case 'between':
      return `${group(e.expr)} ${e.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${group(e.low)} AND ${group(e.high)}`;
    case 'like':
      return `${group(e.expr)} ${e.negated ? 'NOT LIKE' : 'LIKE'} ${group(e.pattern)}`;
    case 'isNull':
      return `${group(e.expr)} ${e.negated ? 'IS NOT NULL' : 'IS NULL'}`;
  }
}
