/**
 * What becomes of a running job's state when a new job starts from its savepoint, per stateful
 * operator, derived from the two jobs' execution plans: Flink restores an operator's state into
 * the operator of the same id (operator-ids.ts) and refuses to start while a savepoint holds state
 * no operator claims (unless told to drop it: `execution.state-recovery.ignore-unclaimed-state`).
 */
import { required } from '../../util/required';
import { operatorIds, type ExecutionPlan, type PlanNode } from './operator-ids';

/**
 * - `carries over`: an operator of the same id, kind and description takes the state;
 * - `dropped`: no operator has its id any more (the graph's shape before it changed), so the state
 *   is left behind, which Flink refuses unless allowed to drop it;
 * - `cannot restore`: the operator of that id is now another one, or computes something else, so
 *   its state does not fit: Flink fails to load it, or loads it into an operator that reads it
 *   with another meaning (window counts of 10 minutes as if of 15); either way not to be restored;
 *   a Kafka source is the exception: its state is its read offsets, which fit whatever it reads;
 * - `new`: a stateful operator of the new job only, which starts empty.
 */
export type StateVerdict = 'carries over' | 'dropped' | 'cannot restore' | 'new';

export interface StatefulPart {
  /** The operator, without Flink's node number: `Deduplicate`, `Source: input_web_record`. */
  operator: string;
  /** The sink tables it feeds, in the job it comes from. */
  feeds: string[];
  verdict: StateVerdict;
  /** One line on why. */
  why: string;
}

/** Operators that keep state in a savepoint: sources (their offsets), deduplication, aggregations, top-N, joins. */
const STATEFUL =
  /^(Source: |Deduplicate|WindowDeduplicate|GlobalWindowAggregate|WindowAggregate|GroupWindowAggregate|GroupAggregate|GlobalGroupAggregate|IncrementalGroupAggregate|Rank|WindowRank|Join|WindowJoin|IntervalJoin|OverAggregate)/;

/** A source operator's name, `Source: <table>`: its state is its read offsets. */
const isSource = (operator: string) => operator.startsWith('Source: ');

/** What dropping a source's state means, said wherever it is dropped. */
const OFFSETS_LOST =
  '; dropping it loses the read offsets: the new source reads from its startup mode again (earliest-offset: the whole topic, counting its windows again)';

/** `Deduplicate[12]` → `Deduplicate`; `[12]:Deduplicate(...)` → `Deduplicate(...)`: node numbers change with every plan. */
const operatorName = (n: PlanNode) => n.type.replace(/\[\d+\]/g, '').trim();
const description = (n: PlanNode) => n.contents.replace(/\[\d+\]:?/g, '').trim();

/** The sink tables downstream of a node (`redis_uv[7]: Writer` → `redis_uv`). */
function feeds(plan: ExecutionPlan, from: PlanNode): string[] {
  const seen = new Set<number>([from.id]);
  const queue = [from.id];
  const sinks = new Set<string>();
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const n of plan.nodes) {
      if (seen.has(n.id) || !(n.predecessors ?? []).some((p) => p.id === id)) continue;
      seen.add(n.id);
      queue.push(n.id);
      const sink = /^([^\s[]+)\[\d+\]: Writer$/.exec(n.type);
      if (sink) sinks.add(sink[1]);
    }
  }
  return [...sinks].sort();
}

/** The parts of two operator descriptions that differ, widened to whole parameters (`size=[10 min]`). */
export function difference(a: string, b: string): [string, string] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const cut = (s: string) => {
    const from = Math.max(s.lastIndexOf(', ', start), s.lastIndexOf('(', start - 1)) + 1;
    const tail = s.length - end;
    const stops = [', ', ')'].map((t) => s.indexOf(t, tail)).filter((i) => i >= 0);
    return s.slice(from, stops.length ? Math.min(...stops) : s.length).replace(/^ /, '');
  };
  return [cut(a), cut(b)];
}

export function stateVerdicts(running: ExecutionPlan, next: ExecutionPlan): StatefulPart[] {
  const oldIds = operatorIds(running);
  const newIds = operatorIds(next);
  const newNode = (node: number) =>
    required(
      next.nodes.find((n) => n.id === node),
      `node ${node} of the new job's execution plan`,
    );
  const newById = new Map([...newIds].map(([node, id]) => [id, newNode(node)]));
  const oldHashes = new Set(oldIds.values());
  const parts: StatefulPart[] = [];
  for (const node of running.nodes.filter((n) => STATEFUL.test(operatorName(n)))) {
    const base = { operator: operatorName(node), feeds: feeds(running, node) };
    const oldId = oldIds.get(node.id);
    const successor = oldId === undefined ? undefined : newById.get(oldId);
    if (!successor) {
      const offsets = isSource(base.operator) ? OFFSETS_LOST : '';
      parts.push({
        ...base,
        verdict: 'dropped',
        why: `the graph up to it changed shape, and Flink derives operator ids from that shape: no operator of the new job has its id${offsets}`,
      });
    } else if (operatorName(successor) !== base.operator || (!isSource(base.operator) && description(successor) !== description(node))) {
      const [was, now] = difference(description(node), description(successor));
      const what =
        operatorName(successor) === base.operator
          ? `${base.operator} with ${now}, where it had ${was}`
          : `${operatorName(successor)}, where it was ${base.operator}`;
      parts.push({ ...base, verdict: 'cannot restore', why: `its id now belongs to ${what}: its state does not fit it` });
    } else if (isSource(base.operator)) {
      parts.push({ ...base, verdict: 'carries over', why: 'the same source at the same id: it resumes at its read offsets' });
    } else {
      parts.push({ ...base, verdict: 'carries over', why: 'the same operator, computing the same, at the same id' });
    }
  }
  const isNew = (n: PlanNode) => {
    const id = newIds.get(n.id);
    return id === undefined || !oldHashes.has(id);
  };
  for (const node of next.nodes.filter((n) => STATEFUL.test(operatorName(n)) && isNew(n))) {
    parts.push({
      operator: operatorName(node),
      feeds: feeds(next, node),
      verdict: 'new',
      why: 'no operator of the running job had its id',
    });
  }
  return parts;
}

const named = (p: StatefulPart) => `${p.operator}${p.feeds.length ? ` (feeding ${p.feeds.join(', ')})` : ''}`;

/** The stateful parts whose state a replacement would leave behind, named. */
export function droppedParts(parts: readonly StatefulPart[]): string {
  return parts
    .filter((p) => p.verdict === 'dropped')
    .map(named)
    .join(', ');
}

/**
 * Why a replacement must not start from the running job's savepoint, or undefined when it may:
 * state that cannot be restored stops it always; state left behind unless the user accepts
 * dropping it (`--allow-non-restored-state`).
 */
export function refusal(parts: readonly StatefulPart[], allowDrop: boolean): string | undefined {
  const cannot = parts.filter((p) => p.verdict === 'cannot restore');
  if (cannot.length) {
    return (
      `the running job's state cannot be restored into the new job: ${cannot.map((p) => `${named(p)}: ${p.why}`).join('; ')}. ` +
      `To start the new job without the old state, stop the pipeline ('uvpv stop') and deploy it again`
    );
  }
  const dropped = parts.filter((p) => p.verdict === 'dropped');
  if (dropped.length && !allowDrop) {
    const source = dropped.some((p) => isSource(p.operator)) ? `; the source's among them${OFFSETS_LOST}` : '';
    return (
      `the new job would leave the state of ${droppedParts(parts)} behind (${dropped.find((p) => !isSource(p.operator))?.why ?? dropped[0].why})${source}; ` +
      `deploy with --allow-non-restored-state to accept dropping it (Flink's allow-non-restored-state), or run 'uvpv plan' to see what changes`
    );
  }
  return undefined;
}
