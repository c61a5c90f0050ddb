/**
 * Makes an event's filter true on a record: given a row (as the model reads it), the columns to
 * change and their new values, so that every event of a spec gets records, whatever filter
 * `validate` accepts.
 *
 * First a walk of the filter's tree, changing as little as it can: AND makes both sides true, OR
 * one of them, NOT the opposite; IN takes a member, BETWEEN a bound, LIKE a text built from its
 * pattern (honouring ESCAPE), a comparison the value at or just past the other side; arithmetic
 * over one column is inverted. Where the walk cannot (contradictions it does not see through,
 * arithmetic it cannot invert), random rows are drawn from the filter's own literals and checked.
 * Every answer is checked with the model's evaluator, so the solver never claims a row it did not
 * make true.
 */
import type { FilterExpr } from '../expressions/filter';
import { filterColumns } from '../expressions/filter';
import type { Row, Value } from '../model/decode';
import { evaluateFilter, matches } from '../model/evaluate';
import type { Column } from '../pipeline/types';
import { fits, someValues } from './values';

/** Walks tried, each with other random choices, before sampling. */
const WALKS = 4;
/** Random rows tried when the walks fail. */
const SAMPLES = 3_000;

export class FilterSolver {
  private readonly columns: ReadonlyMap<string, Column>;
  /** The columns the filter reads that the solver may set (not `fixed`). */
  private readonly free: readonly Column[];
  /** Per free column: values to sample from (the filter's literals and their neighbours, NULL, values of its type). */
  private readonly pools: ReadonlyMap<string, readonly Value[]>;
  /** The last assignment sampling found: tried first next time, as most rows need the same. */
  private found?: Row;
  /** Times sampling found nothing. */
  private fruitless = 0;

  constructor(
    readonly filter: FilterExpr,
    columns: readonly Column[],
    fixed: ReadonlySet<string>,
    private readonly random: () => number,
  ) {
    this.columns = new Map(columns.map((c) => [c.name, c]));
    this.free = filterColumns(filter)
      .filter((n) => !fixed.has(n))
      .map((n) => this.column(n));
    const seeds = literalValues(filter);
    this.pools = new Map(this.free.map((c) => [c.name, [null, ...new Set([...seeds, ...someValues(c)])].filter((v) => fits(c, v))]));
  }

  /**
   * The columns to set, and to what, for the filter to be true on `row`: none when it already is;
   * undefined when neither the walk nor sampling found a way.
   */
  satisfy(row: Row): Row | undefined {
    if (matches(this.filter, row)) return {};
    for (let i = 0; i < WALKS; i++) {
      const work: Row = { ...row };
      if (new Walk(work, this.columns, new Set(this.free.map((c) => c.name)), this.random).make(this.filter, true)) {
        if (matches(this.filter, work)) return changes(row, work);
      }
    }
    if (this.found && matches(this.filter, { ...row, ...this.found })) return this.found;
    // A filter sampling never met twice (one no row makes true, most likely) is not sampled again.
    if (!this.found && this.fruitless >= 2) return undefined;
    for (let i = 0; i < SAMPLES; i++) {
      const assignment: Row = {};
      for (const c of this.free) {
        const pool = this.pools.get(c.name) ?? [];
        // Half the columns keep their value: a filter often needs only a few of them changed.
        if (this.random() < 0.5) assignment[c.name] = pool[Math.floor(this.random() * pool.length)] ?? null;
      }
      if (matches(this.filter, { ...row, ...assignment })) return (this.found = assignment);
    }
    this.fruitless++;
    return undefined;
  }

  private column(name: string): Column {
    const c = this.columns.get(name);
    if (!c) throw new Error(`the filter reads ${name}, which is no column`);
    return c;
  }
}

/** The columns whose value differs between two rows, with the second's values. */
function changes(before: Row, after: Row): Row {
  return Object.fromEntries(Object.entries(after).filter(([k, v]) => before[k] !== v));
}

/** The filter's literals and values near them: what its comparisons turn on. */
function literalValues(f: FilterExpr): Value[] {
  const out: Value[] = [];
  const visit = (e: FilterExpr): void => {
    if (e.kind === 'literal') {
      if (typeof e.value === 'number') out.push(e.value, -e.value, e.value + 1, e.value - 1, e.value * 2, e.value / 2, Math.trunc(e.value));
      else if (typeof e.value === 'string') out.push(e.value, `${e.value}a`, ...likeTexts(e.value, '!'), ...likeTexts(e.value));
      else if (typeof e.value === 'boolean') out.push(true, false);
      return;
    }
    for (const child of Object.values(e)) {
      if (Array.isArray(child)) (child as FilterExpr[]).forEach(visit);
      else if (typeof child === 'object' && child !== null && 'kind' in child) visit(child as FilterExpr);
    }
  };
  visit(f);
  return out;
}

/** Texts a LIKE pattern matches: `%` as nothing and as a letter, `_` as a letter; the escape character makes the next one plain. */
function likeTexts(pattern: string, escape?: string): string[] {
  const build = (percent: string) => {
    let s = '';
    const chars = [...pattern];
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i];
      if (escape !== undefined && c === escape && i + 1 < chars.length) s += chars[++i];
      else if (c === '%') s += percent;
      else if (c === '_') s += 'x';
      else s += c;
    }
    return s;
  };
  return [build(''), build('x')];
}

type Op = '=' | '<>' | '<' | '<=' | '>' | '>=';
const OPPOSITE: Record<Op, Op> = { '=': '<>', '<>': '=', '<': '>=', '<=': '>', '>': '<=', '>=': '<' };
const MIRROR: Record<Op, Op> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** One attempt at making a filter true on a row, changing the row in place. */
class Walk {
  constructor(
    private readonly row: Row,
    private readonly columns: ReadonlyMap<string, Column>,
    private readonly free: ReadonlySet<string>,
    private readonly random: () => number,
  ) {}

  private truth(e: FilterExpr): boolean | null {
    const v = evaluateFilter(e, this.row);
    return v === null ? null : Boolean(v);
  }

  private value(e: FilterExpr): Value {
    return evaluateFilter(e, this.row);
  }

  /** Makes `e` evaluate to `want` (TRUE or FALSE, never NULL); whether it did. */
  make(e: FilterExpr, want: boolean): boolean {
    return this.attempt(e, want) && this.truth(e) === want;
  }

  private attempt(e: FilterExpr, want: boolean): boolean {
    if (this.truth(e) === want) return true;
    switch (e.kind) {
      case 'literal':
        return false;
      case 'column':
        return this.set(e, want);
      case 'not':
        return this.make(e.expr, !want);
      case 'logic': {
        if ((e.op === 'AND') === want) return this.make(e.left, want) && this.make(e.right, want) && this.truth(e) === want;
        // One side decides: try them in a random order, the row as it was before each.
        const sides = this.random() < 0.5 ? [e.left, e.right] : [e.right, e.left];
        const before = { ...this.row };
        for (const side of sides) {
          Object.assign(this.row, before);
          if (this.make(side, want) && this.truth(e) === want) return true;
        }
        return false;
      }
      case 'isNull':
        return want !== e.negated ? this.set(e.expr, null) : this.notNull(e.expr);
      case 'compare':
        return this.compare(e.left, want ? e.op : OPPOSITE[e.op], e.right);
      case 'in': {
        const inside = want !== e.negated;
        if (!this.notNull(e.expr) || !e.list.every((x) => this.notNull(x))) return false;
        const members = e.list.map((x) => this.value(x)).filter((v): v is Exclude<Value, null> => v !== null);
        if (inside) return this.setAny(e.expr, this.shuffled(members));
        const outside = members.flatMap((m) => nextTo(m, '<>')).filter((x) => !members.includes(x as Exclude<Value, null>));
        return this.setAny(e.expr, this.shuffled(outside));
      }
      case 'between': {
        const inside = want !== e.negated;
        if (![e.expr, e.low, e.high].every((x) => this.notNull(x))) return false;
        const low = this.value(e.low);
        const high = this.value(e.high);
        if (low === null || high === null) return false;
        if (inside)
          return this.setAny(
            e.expr,
            this.shuffled([low, high, ...(typeof low === 'number' && typeof high === 'number' ? [(low + high) / 2] : [])]),
          );
        return this.setAny(e.expr, [...nextTo(low, '<'), ...nextTo(high, '>')]);
      }
      case 'like': {
        const hit = want !== e.negated;
        if (!this.notNull(e.pattern)) return false;
        const pattern = this.value(e.pattern);
        if (typeof pattern !== 'string') return false;
        const texts = likeTexts(pattern, e.escape);
        if (hit) return this.setAny(e.expr, texts);
        return this.setAny(e.expr, [...texts.map((t) => `${t}#`), '', '#', `#${texts[0]}`]);
      }
      default:
        // arith and negate are numbers, not conditions: the type checker lets none stand alone.
        return false;
    }
  }

  /** `left op right` made TRUE: the side that can change set next to the other's value. */
  private compare(left: FilterExpr, op: Op, right: FilterExpr): boolean {
    const order =
      this.random() < 0.5
        ? ([
            [left, op, right],
            [right, MIRROR[op], left],
          ] as const)
        : ([
            [right, MIRROR[op], left],
            [left, op, right],
          ] as const);
    const before = { ...this.row };
    for (const [side, o, other] of order) {
      Object.assign(this.row, before);
      if (!this.notNull(other)) continue;
      const v = this.value(other);
      if (v !== null && this.setAny(side, nextTo(v, o))) return true;
    }
    return false;
  }

  /** Makes every column the expression reads not NULL (those that are NULL get a value of their type). */
  private notNull(e: FilterExpr): boolean {
    for (const name of filterColumns(e)) {
      if (this.row[name] !== null && this.row[name] !== undefined) continue;
      const c = this.columns.get(name);
      if (!c || !this.free.has(name)) return false;
      this.row[name] = someValues(c)[0] ?? null;
    }
    return this.value(e) !== null;
  }

  /** Sets the expression to the first of the targets it can take. */
  private setAny(e: FilterExpr, targets: readonly Value[]): boolean {
    const before = { ...this.row };
    for (const t of targets) {
      Object.assign(this.row, before);
      if (this.set(e, t) && this.value(e) === t) return true;
    }
    Object.assign(this.row, before);
    return false;
  }

  /** Makes `e` evaluate to `target` by setting a column it reads: arithmetic is inverted on the side that holds one. */
  private set(e: FilterExpr, target: Value): boolean {
    switch (e.kind) {
      case 'column': {
        const c = this.columns.get(e.name);
        if (!c || !this.free.has(e.name) || !fits(c, target)) return false;
        this.row[e.name] = target;
        return true;
      }
      case 'negate':
        if (target === null) return this.set(e.expr, null);
        return typeof target === 'number' && this.set(e.expr, -target);
      case 'arith': {
        if (target === null) return this.set(e.left, null) || this.set(e.right, null);
        if (typeof target !== 'number') return false;
        for (const [side, other, isLeft] of [
          [e.left, e.right, true],
          [e.right, e.left, false],
        ] as const) {
          if (!filterColumns(side).some((n) => this.free.has(n)) || !this.notNull(other)) continue;
          const w = this.value(other);
          if (typeof w !== 'number') continue;
          for (const x of inverse(e.op, target, w, isLeft)) {
            const before = { ...this.row };
            if (this.set(side, x) && this.value(e) === target) return true;
            Object.assign(this.row, before);
          }
        }
        return false;
      }
      default:
        return false;
    }
  }

  private shuffled<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

/** Values `x` with `x op v` true, nearest first: v itself where op allows it, else just past it. */
function nextTo(v: Exclude<Value, null>, op: Op): Value[] {
  const equal = op === '=' || op === '<=' || op === '>=' ? [v] : [];
  if (op === '=') return equal;
  if (typeof v === 'number') {
    // A second apart for timestamps (milliseconds), which a TIMESTAMP(0) column still tells apart.
    const above = [v + 1, v + 0.5, Math.floor(v) + 1, v + 1000];
    const below = [v - 1, v - 0.5, Math.ceil(v) - 1, v - 1000];
    if (op === '<>') return [...above, ...below];
    return [...equal, ...(op === '<' || op === '<=' ? below : above)];
  }
  if (typeof v === 'boolean') return op === '<>' ? [!v] : [...equal, !v];
  // Text: 'a' sorts after any text it extends; only '' sorts before the others.
  const above = [`${v}a`, `${v}~`];
  const below = v === '' ? [] : ['', v.slice(0, -1)];
  if (op === '<>') return [...above, ...below];
  return [...equal, ...(op === '<' || op === '<=' ? below : above)];
}

/** Values of one side of `op` for the whole to be `target`, the other side being `w`. */
function inverse(op: '+' | '-' | '*' | '/' | '%', target: number, w: number, isLeft: boolean): number[] {
  switch (op) {
    case '+':
      return [target - w];
    case '-':
      return isLeft ? [target + w] : [w - target];
    case '*':
      return w === 0 ? [] : [target / w];
    case '/':
      // Only the left side can change (the divisor is a literal): x / w = target for x = target * w.
      return isLeft ? [target * w, target * w + Math.sign(target * w || 1) * (Math.abs(w) - 1)] : [];
    case '%':
      return isLeft ? [target, target + Math.abs(w), target - Math.abs(w)] : [];
  }
}
