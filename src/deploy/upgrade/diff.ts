/**
 * Two versions of a job's SQL compared statement by statement (never line by line): each
 * statement is known by what it defines (a SET by its key, a table or view by its name, an INSERT
 * by its target), so a statement that moved is not a change, and one that changed shows where.
 */
import { statementSetInserts } from '../../sql/split';

export type Change = 'added' | 'removed' | 'changed' | 'unchanged';

/** A statement in the running job's SQL (`before`), in the new SQL (`after`), or in both. */
export type StatementChange = {
  /** What the statement defines: `SET 'pipeline.name'`, `TABLE redis_uv`, `INSERT INTO redis_uv`. */
  subject: string;
} & (
  | { change: 'added'; before?: undefined; after: string }
  | { change: 'removed'; before: string; after?: undefined }
  | { change: 'changed' | 'unchanged'; before: string; after: string }
);

/** Statements as `jobStatements` gives them; a statement set is split into its INSERTs (by split.ts, as any SQL read back). */
function bySubject(statements: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const st of statements.flatMap((s) => statementSetInserts(s) ?? [s.trim()])) out.set(subjectOf(st), st);
  return out;
}

function subjectOf(st: string): string {
  const set = /^(SET|RESET)\s+('(?:[^']|'')*')/i.exec(st);
  if (set) return `SET ${set[2]}`;
  const create = /^CREATE\s+(?:TEMPORARY\s+)?(TABLE|VIEW)\s+(`(?:[^`]|``)*`|\S+)/i.exec(st);
  if (create) return `${create[1].toUpperCase()} ${create[2].replace(/^`|`$/g, '').replace(/``/g, '`')}`;
  const insert = /^INSERT\s+INTO\s+(`(?:[^`]|``)*`|\S+)/i.exec(st);
  if (insert) return `INSERT INTO ${insert[1].replace(/^`|`$/g, '').replace(/``/g, '`')}`;
  return st;
}

export function diffStatements(running: readonly string[], next: readonly string[]): StatementChange[] {
  const before = bySubject(running);
  const after = bySubject(next);
  const out: StatementChange[] = [];
  for (const [subject, st] of after) {
    const old = before.get(subject);
    if (old === undefined) out.push({ subject, change: 'added', after: st });
    else out.push({ subject, change: old === st ? 'unchanged' : 'changed', before: old, after: st });
  }
  for (const [subject, st] of before) if (!after.has(subject)) out.push({ subject, change: 'removed', before: st });
  return out;
}

/** The lines of a changed statement that differ, `-` before and `+` after (the lines in common left out). */
export function changedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const inB = new Set(b);
  const inA = new Set(a);
  return [...a.filter((l) => !inB.has(l)).map((l) => `- ${l.trim()}`), ...b.filter((l) => !inA.has(l)).map((l) => `+ ${l.trim()}`)];
}

export interface MetricChange {
  /** The metric's name; for a metric only the running job has, its sink table. */
  name: string;
  change: Change;
}

/** The tables and views a statement reads or writes, by the backquoted names it holds. */
function namesIn(statement: string, known: ReadonlySet<string>): string[] {
  return [...statement.matchAll(/`((?:[^`]|``)+)`/g)].map((m) => m[1].replace(/``/g, '`')).filter((n) => known.has(n));
}

/**
 * Per metric: added when its sink table and INSERT are new; changed when either changed, or any
 * table or view its INSERT reads, however indirectly (the source, the shared window counts, a
 * job option); else unchanged. Then the sink tables no longer there.
 */
export function metricChanges(changes: readonly StatementChange[], sinks: readonly { metric: string; table: string }[]): MetricChange[] {
  const of = (subject: string) => changes.find((c) => c.subject === subject);
  const relations = new Map(
    changes.flatMap((c) => (/^(TABLE|VIEW) /.test(c.subject) ? [[c.subject.replace(/^(TABLE|VIEW) /, ''), c] as const] : [])),
  );
  const known = new Set(relations.keys());
  /** Whether a statement, or what it reads, changed. */
  const touched = (c: StatementChange | undefined, seen = new Set<string>()): boolean => {
    if (!c) return false;
    if (c.change !== 'unchanged') return true;
    return namesIn(c.after ?? '', known).some((n) => !seen.has(n) && (seen.add(n), touched(relations.get(n), seen)));
  };
  const options = changes.some((c) => c.subject.startsWith('SET ') && c.change !== 'unchanged');
  const out: MetricChange[] = sinks.map(({ metric, table }) => {
    const [sink, insert] = [of(`TABLE ${table}`), of(`INSERT INTO ${table}`)];
    if (sink?.change === 'added' && insert?.change === 'added') return { name: metric, change: 'added' };
    return { name: metric, change: options || touched(sink) || touched(insert) ? 'changed' : 'unchanged' };
  });
  const tables = new Set(sinks.map((s) => s.table));
  for (const c of changes) {
    const removed = /^INSERT INTO (.+)$/.exec(c.subject);
    if (c.change === 'removed' && removed && !tables.has(removed[1])) out.push({ name: `(sink table ${removed[1]})`, change: 'removed' });
  }
  return out;
}
