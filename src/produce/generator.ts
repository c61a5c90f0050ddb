/**
 * Synthetic activity records that fit a spec: deterministic for a seed, and shaped like real
 * traffic. Popular products get far more views than others (Zipf), most events come from
 * returning users, a purchase follows an earlier view of the same user and product, and the
 * purchase/view ratio stays near a set conversion rate.
 *
 * Which rows are "views" and "purchases" is read from the spec: the ratio metric's denominator
 * and numerator events (else the first two events), each made true by the `column = literal`
 * its filter tests, or, where its filter is more than that, by the filter solver (solve.ts),
 * which changes the few columns the filter needs. Every other event gets one record in ten
 * (EXTRA_EVERY), in turn, made true the same way: no event is left without records.
 *
 * A spec with breakdowns (`by`, `topn`) also gets the two cases they must get right, at small
 * rates: NULL values of the `by` columns, and ties in a top-N's counts where it cuts (see
 * NULL_SHARE and `cuts` below). A spec without gets exactly the records it got before.
 */
import { filterColumns, type FilterExpr } from '../expressions/filter';
import { decodeRecord } from '../model/decode';
import { matches } from '../model/evaluate';
import type { Column, Spec } from '../pipeline/types';
import type { ProduceOptions } from './api';
import { FilterSolver } from './solve';
import { fits, jsonText, someValues, sqlTimestamp } from './values';
import { prng } from '../util/random';
import { required } from '../util/required';

/** Column assignments that make an event's filter true, where its filter says `col = literal`. */
function equalities(f: FilterExpr): Record<string, string | number | boolean> {
  if (f.kind === 'compare' && f.op === '=' && f.left.kind === 'column' && f.right.kind === 'literal' && f.right.value !== null) {
    return { [f.left.name]: f.right.value };
  }
  if (f.kind === 'logic' && f.op === 'AND') return { ...equalities(f.left), ...equalities(f.right) };
  return {};
}

interface Roles {
  /** The events views and purchases make true, where the spec has them. */
  viewEvent?: string;
  purchaseEvent?: string;
  view: Record<string, string | number | boolean>;
  purchase: Record<string, string | number | boolean>;
  user?: string;
  product?: string;
  /** The `by` columns that may be NULL: not the event time, nor a column the view's or purchase's filter reads. */
  nullable: string[];
  /** The `n` of each top-N of views ranked by the product column: where its cut falls. */
  cuts: number[];
}

function roles(spec: Spec): Roles {
  const ratio = spec.metrics.find((m) => m.type === 'ratio');
  const uv = spec.metrics.find((m) => m.type === 'uv');
  const viewName = ratio?.type === 'ratio' ? ratio.denominator : spec.events[0]?.name;
  const purchaseName = ratio?.type === 'ratio' ? ratio.numerator : spec.events[1]?.name;
  const filters = new Map(spec.events.map((e) => [e.name, e.filter]));
  const of = (name?: string) => (name ? equalities(required(filters.get(name), `event ${name}`)) : {});
  // Users and products are numbers up to a few thousand: a column that holds them (TINYINT does not).
  const wide = spec.source.columns.filter((c) => c.type.family === 'integer' && (c.type.precision ?? 32) >= 16).map((c) => c.name);
  const textual = spec.source.columns.filter((c) => c.type.family === 'string').map((c) => c.name);
  const user = uv?.type === 'uv' ? [...wide, ...textual].find((n) => n === uv.column) : wide.find((n) => /user|uid|visitor/i.test(n));
  const product = wide.find((n) => /product|item|sku|goods/i.test(n)) ?? wide.find((n) => n !== user && !(n in of(viewName)));
  const view = of(viewName);
  const purchase = of(purchaseName);
  const read = new Set([viewName, purchaseName].flatMap((e) => (e ? filterColumns(required(filters.get(e), `event ${e}`)) : [])));
  const byColumns = new Set(spec.metrics.flatMap((m) => (m.by === undefined ? [] : [m.by])));
  const nullable = [...byColumns].filter((c) => c !== spec.source.eventTime && !read.has(c) && !(c in view) && !(c in purchase));
  const cuts = spec.metrics.flatMap((m) => (m.type === 'topn' && m.by === product && m.event === viewName ? [m.n] : []));
  return { viewEvent: viewName, purchaseEvent: purchaseName, view, purchase, user, product, nullable, cuts };
}

/** A fixed start for reproducible data sets: 2024-01-01T00:00:00. */
export const DEFAULT_START = Date.UTC(2024, 0, 1);
/** Event time between two records when none is paced by the clock. */
export const EVENT_STEP_MS = 100;

/**
 * Share of records (views and purchases) in which each `by` column is NULL, half as JSON `null`,
 * half as a missing field (only `null` where the spec fails on missing fields, which would drop
 * the whole row). Such a row still counts for every metric without that `by`. 2%: a few rows of a
 * verify-sized run (300 records: about 6), too few to change the breakdowns' shape.
 */
export const NULL_SHARE = 0.02;

/**
 * One record in this many goes to the events other than views and purchases, each in turn (the
 * 5th, 15th, ...): all of them get records within the first few hundred.
 */
export const EXTRA_EVERY = 10;

/** A record: its event time, its user and product, which of its `by` columns are NULL and how, and the event it makes true. */
interface Draft {
  kind: 'view' | 'purchase';
  event?: string;
  user: number;
  product: number;
  t: number;
  nulls: ReadonlyMap<string, 'null' | 'missing'>;
}

const NO_NULLS: ReadonlyMap<string, 'null' | 'missing'> = new Map();

export class RecordGenerator {
  private readonly random: () => number;
  private readonly roles: Roles;
  private readonly columns: readonly Column[];
  private readonly pending: { user: number; product: number }[] = [];
  /** Views that go out next, as they are, ahead of any other record: the twins of a top-N's cut. */
  private readonly echoes: Draft[] = [];
  private readonly cuts: ReadonlySet<number>;
  private readonly zipf: number[];
  private readonly products = 1000;
  private readonly delayMs: number;
  /** The events that are neither views nor purchases: they get records of their own. */
  private readonly extras: readonly string[];
  /** Events whose filter the view's or purchase's `column = literal` values make true on their own: no check needed. */
  private readonly plain: ReadonlySet<string>;
  private readonly solvers = new Map<string, FilterSolver>();
  /** Per event, the records made to match it and those the solver could not. */
  private readonly fed = new Map<string, { made: number; failed: number }>();
  private newest = 0;
  count = 0;

  constructor(
    private readonly spec: Spec,
    private readonly opts: ProduceOptions,
  ) {
    this.random = prng(opts.seed);
    this.roles = roles(spec);
    this.columns = spec.source.columns;
    this.delayMs = spec.source.watermarkDelay.millis;
    // Cumulative Zipf(s = 1.1) weights over the products: item 1 is by far the most viewed.
    let sum = 0;
    this.zipf = Array.from({ length: this.products }, (_, i) => (sum += 1 / Math.pow(i + 1, 1.1)));
    this.zipf = this.zipf.map((x) => x / sum);
    // Ties where a top-N cuts, made sure of: the product at Zipf rank n+1 is only ever viewed as
    // the twin of rank n's views (the next record: same user, same event time), so the two have
    // equal counts in every window and in expectation sit at ranks n and n+1, each about as often
    // as rank n alone would be (n = 10: 1.4% of views each, n = 3: 5.3%). The Zipf tail ties by
    // itself only where windows are small: at 3,000 views per window the 3rd and 4th tie in about
    // 3% of windows, the 10th and 11th in about 2%.
    this.cuts = new Set(this.roles.cuts.filter((n) => n < this.products));
    const { viewEvent, purchaseEvent } = this.roles;
    this.extras = spec.events.map((e) => e.name).filter((n) => n !== viewEvent && n !== purchaseEvent);
    const plain = new Set<string>();
    for (const [event, fixed] of [
      [viewEvent, this.roles.view],
      [purchaseEvent, this.roles.purchase],
    ] as const) {
      const filter = event && spec.events.find((e) => e.name === event)?.filter;
      const holds = (c: string) =>
        c in fixed &&
        fits(
          required(
            this.columns.find((col) => col.name === c),
            `column ${c}`,
          ),
          fixed[c],
        );
      if (filter && filterColumns(filter).every(holds) && matches(filter, fixed)) plain.add(event);
    }
    this.plain = plain;
  }

  /**
   * The events no record was made to match (the solver found no way, e.g. a filter no row can
   * make true, as \`x = NULL\`), of those records were meant for.
   */
  unfed(): string[] {
    return [...this.fed.entries()].filter(([, f]) => f.made === 0 && f.failed > 0).map(([event]) => event);
  }

  /** The next record as a Kafka message value; `now` is its event time before jitter. */
  next(now: number): Buffer {
    this.count++;
    const echo = this.echoes.shift();
    if (echo) return this.emit(echo);
    const r = this.random;
    if (this.extras.length && this.count % EXTRA_EVERY === EXTRA_EVERY / 2) {
      const event = this.extras[Math.floor(this.count / EXTRA_EVERY) % this.extras.length];
      return this.emit({ kind: 'view', event, user: this.user(), product: this.product(true), t: now, nulls: NO_NULLS });
    }
    if (r() < this.opts.badRatio) return this.bad(now);
    const conversion = this.opts.conversion ?? 0.05;
    const nulls = this.nulls();
    let kind: 'view' | 'purchase' = 'view';
    let user: number;
    let product: number;
    // Each view schedules a purchase with probability `conversion`; scheduled purchases go out a
    // little faster than they are scheduled, so the queue stays short and purchases/views -> conversion.
    const scheduled = this.pending.at(0);
    if (scheduled && r() < (1.2 * conversion) / (1 + conversion)) {
      this.pending.shift();
      ({ user, product } = scheduled);
      kind = 'purchase';
    } else {
      user = this.user();
      product = this.product();
      // A view of no known product leads to no purchase: a purchase follows a view of its product.
      if (r() < conversion && !(this.roles.product && nulls.has(this.roles.product))) this.pending.push({ user, product });
    }
    let t = now + Math.floor((r() - 0.5) * Math.min(this.delayMs / 2, 2000)); // slightly out of order
    if (r() < this.opts.lateRatio) t = this.newest - this.delayMs - 1000 - Math.floor(r() * this.delayMs);
    this.newest = Math.max(this.newest, t);
    const event = kind === 'view' ? this.roles.viewEvent : this.roles.purchaseEvent;
    return this.emit({ kind, event, user, product, t, nulls });
  }

  /** The record as JSON; a view of a top-N's cut queues its twin (which may queue its own). */
  private emit(d: Draft): Buffer {
    if (d.kind === 'view' && d.event === this.roles.viewEvent && this.cuts.has(d.product - 100))
      this.echoes.push({ ...d, product: d.product + 1 });
    const parts = this.parts(d.kind, d.user, d.product, d.t, d.nulls);
    if (d.event !== undefined && !this.plain.has(d.event)) this.satisfy(d.event, parts);
    return Buffer.from(textOf(parts));
  }

  /** Sets the columns the event's filter needs, where the record does not match it yet. */
  private satisfy(event: string, parts: Map<string, string>): void {
    const { source } = this.spec;
    const row = decodeRecord(Buffer.from(textOf(parts)), source.columns, source);
    const fed = this.fed.get(event) ?? { made: 0, failed: 0 };
    this.fed.set(event, fed);
    const set = row && this.solver(event).satisfy(row);
    if (!set) {
      fed.failed++;
      return;
    }
    fed.made++;
    for (const [name, v] of Object.entries(set)) {
      const column = required(
        this.columns.find((c) => c.name === name),
        `column ${name}`,
      );
      parts.set(name, jsonText(column, v));
    }
  }

  private solver(event: string): FilterSolver {
    let s = this.solvers.get(event);
    if (!s) {
      const filter = required(this.spec.events.find((e) => e.name === event)?.filter, `event ${event}`);
      // The event time stays as drawn: it places the record in its windows (and NULL would drop the row).
      s = new FilterSolver(filter, this.columns, new Set([this.spec.source.eventTime]), this.random);
      this.solvers.set(event, s);
    }
    return s;
  }

  /** Which `by` columns this record leaves NULL (none, and no draw, where the spec has no `by`). */
  private nulls(): ReadonlyMap<string, 'null' | 'missing'> {
    let out: Map<string, 'null' | 'missing'> | undefined;
    for (const c of this.roles.nullable) {
      if (this.random() >= NULL_SHARE) continue;
      const missing = this.random() < 0.5 && !this.spec.source.failOnMissingField;
      (out ??= new Map()).set(c, missing ? 'missing' : 'null');
    }
    return out ?? NO_NULLS;
  }

  /** Returning users: 80% of events come from the most active 20% of users. */
  private user(): number {
    const u = this.opts.users;
    const hot = Math.max(1, Math.floor(u * 0.2));
    return this.random() < 0.8 ? 1 + Math.floor(this.random() * hot) : 1 + hot + Math.floor(this.random() * Math.max(1, u - hot));
  }

  /**
   * A product id (100 + its Zipf rank). A rank just below a top-N's cut is only viewed as a twin,
   * so it is drawn again; so is the rank at the cut for a malformed record (`twinless`), which
   * gets no twin and could still count.
   */
  private product(twinless = false): number {
    for (;;) {
      const x = this.random();
      let lo = 0;
      let hi = this.zipf.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.zipf[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      const rank = lo + 1;
      if (!this.cuts.has(rank - 1) && !(twinless && this.cuts.has(rank))) return 100 + rank;
    }
  }

  /** Each column's JSON text, in the columns' order; a missing field has none. */
  private parts(kind: 'view' | 'purchase', user: number, product: number, t: number, nulls = NO_NULLS): Map<string, string> {
    const fixed = kind === 'view' ? this.roles.view : this.roles.purchase;
    const parts = new Map<string, string>();
    for (const c of this.columns) {
      const none = nulls.get(c.name);
      if (none !== 'missing') parts.set(c.name, none === 'null' ? 'null' : this.value(c, fixed, user, product, t));
    }
    return parts;
  }

  private value(c: Column, fixed: Record<string, string | number | boolean>, user: number, product: number, t: number): string {
    if (c.name in fixed) return JSON.stringify(fixed[c.name]);
    if (c.name === this.spec.source.eventTime) return `"${sqlTimestamp(t)}"`;
    if (c.name === this.roles.user) return String(user);
    if (c.name === this.roles.product) return String(product);
    switch (c.type.family) {
      case 'integer':
        return String(Math.floor(this.random() * 100));
      case 'float':
      case 'decimal':
        return (this.random() * 100).toFixed(2);
      case 'boolean':
        return this.random() < 0.5 ? 'true' : 'false';
      case 'timestamp':
        return `"${sqlTimestamp(t)}"`;
      case 'string':
        return /ip/i.test(c.name)
          ? `"100.0.${(user >> 8) & 255}.${user & 255}"`
          : `"${['home', 'search', 'cart', 'detail'][Math.floor(this.random() * 4)]}"`;
      default:
        // DATE, TIME, BYTES, ARRAY, ... : a value Flink reads, so that IS NOT NULL holds.
        return jsonText(c, someValues(c)[0] ?? null);
    }
  }

  /** A malformed record: not JSON, a value of the wrong type, or fields missing. */
  private bad(now: number): Buffer {
    const which = Math.floor(this.random() * 3);
    const good = textOf(this.parts('view', this.user(), this.product(true), now));
    if (which === 0) return Buffer.from(good.slice(0, Math.floor(good.length / 2))); // cut off: not JSON
    if (which === 1 && this.roles.user)
      return Buffer.from(good.replace(new RegExp(`"${this.roles.user}":\\d+`), `"${this.roles.user}":"not-a-number"`));
    return Buffer.from(`{"${this.spec.source.eventTime}":"${sqlTimestamp(now)}"}`); // every other field missing
  }
}

const textOf = (parts: ReadonlyMap<string, string>) => `{${[...parts].map(([name, text]) => `${JSON.stringify(name)}:${text}`).join(',')}}`;
