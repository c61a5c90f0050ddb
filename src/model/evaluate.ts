/** SQL three-valued evaluation of an event filter over one row: TRUE, FALSE or NULL (unknown). */
import type { FilterExpr } from '../expressions/filter';
import type { Row, Value } from './decode';

type Tri = boolean | null;

export function matches(f: FilterExpr, row: Row): boolean {
  return truth(evaluate(f, row)) === true;
}

/** The value of a filter or of any expression in it over one row: NULL where SQL's is unknown. */
export function evaluateFilter(e: FilterExpr, row: Row): Value {
  return evaluate(e, row);
}

function truth(v: Value): Tri {
  return v === null ? null : Boolean(v);
}

function evaluate(e: FilterExpr, row: Row): Value {
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'column':
      return row[e.name] ?? null;
    case 'logic': {
      const l = truth(evaluate(e.left, row));
      const r = truth(evaluate(e.right, row));
      if (e.op === 'AND') return l === false || r === false ? false : l === null || r === null ? null : true;
      return l === true || r === true ? true : l === null || r === null ? null : false;
    }
    case 'not': {
      const v = truth(evaluate(e.expr, row));
      return v === null ? null : !v;
    }
    case 'compare': {
      const c = compare(evaluate(e.left, row), evaluate(e.right, row));
      if (c === null) return null;
      return { '=': c === 0, '<>': c !== 0, '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0 }[e.op];
    }
    case 'arith': {
      const a = evaluate(e.left, row);
      const b = evaluate(e.right, row);
      if (a === null || b === null) return null;
      const x = Number(a);
      const y = Number(b);
      switch (e.op) {
        case '+':
          return x + y;
        case '-':
          return x - y;
        case '*':
          return x * y;
        case '/':
          return y === 0 ? null : Number.isInteger(x) && Number.isInteger(y) ? Math.trunc(x / y) : x / y;
        case '%':
          return y === 0 ? null : x % y;
      }
      break;
    }
    case 'negate': {
      const v = evaluate(e.expr, row);
      return v === null ? null : -Number(v);
    }
    case 'in': {
      const v = evaluate(e.expr, row);
      if (v === null) return null;
      let unknown = false;
      for (const item of e.list) {
        const c = compare(v, evaluate(item, row));
        if (c === 0) return !e.negated;
        if (c === null) unknown = true;
      }
      return unknown ? null : e.negated;
    }
    case 'between': {
      const v = evaluate(e.expr, row);
      const lo = compare(v, evaluate(e.low, row));
      const hi = compare(v, evaluate(e.high, row));
      if (lo === null || hi === null) return null;
      const inside = lo >= 0 && hi <= 0;
      return e.negated ? !inside : inside;
    }
    case 'like': {
      const v = evaluate(e.expr, row);
      const p = evaluate(e.pattern, row);
      if (v === null || p === null) return null;
      const hit = likePattern(String(p), e.escape).test(String(v));
      return e.negated ? !hit : hit;
    }
    case 'isNull': {
      const isNull = evaluate(e.expr, row) === null;
      return e.negated ? !isNull : isNull;
    }
  }
  return null;
}

/** -1 / 0 / 1, or null when either side is NULL. Numbers compare as numbers, text as text. */
function compare(a: Value, b: Value): number | null {
  if (a === null || b === null) return null;
  if (typeof a === 'number' || typeof b === 'number') {
    const x = Number(a);
    const y = Number(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return null;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Patterns already made into expressions: a filter's pattern is nearly always a literal, so few. */
const LIKE_CACHE = new Map<string, RegExp>();

/** SQL LIKE as a regular expression: `%` any text, `_` one character, `escape` makes the next one literal. */
function likePattern(pattern: string, escape?: string): RegExp {
  const key = `${escape ?? ''}\u0000${pattern}`;
  let re = LIKE_CACHE.get(key);
  if (!re) {
    if (LIKE_CACHE.size > 1000) LIKE_CACHE.clear();
    LIKE_CACHE.set(key, (re = likeExpression(pattern, escape)));
  }
  return re;
}

function likeExpression(pattern: string, escape?: string): RegExp {
  let re = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (escape !== undefined && c === escape && i + 1 < chars.length) re += literal(chars[++i]);
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += literal(c);
  }
  return new RegExp(`^${re}$`, 'u');
}

function literal(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
