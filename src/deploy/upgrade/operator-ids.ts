/**
 * The operator ids Flink will give a job's operators, from its execution plan (the StreamGraph
 * JSON that `EXPLAIN JSON_EXECUTION_PLAN` prints). A savepoint keys each operator's state by this
 * id, and a SQL job sets no uids (`table.exec.uid.generation` is PLAN_ONLY), so Flink derives it
 * from the graph's shape: Flink's StreamGraphHasherV2, which Flink keeps unchanged across
 * versions, re-done here. A breadth-first walk from the sources (in id order) numbers each node
 * by the count of nodes hashed before it; the node's hash is murmur3_128 of that number, once for
 * the node and once more per output edge it chains to, then mixed with each input's hash.
 *
 * Chaining is read off the plan: a FORWARD edge between operators of equal parallelism into an
 * operator with one input, as Flink chains the operators a SQL job is made of (tests compare the
 * result with the vertex ids of jobs Flink really ran).
 */
import { required } from '../../util/required';
import { intsLittleEndian, murmur3x64_128 } from './murmur3';

export interface PlanEdge {
  id: number;
  ship_strategy: string;
}

export interface PlanNode {
  id: number;
  type: string;
  pact: string;
  contents: string;
  parallelism: number;
  predecessors?: PlanEdge[];
}

export interface ExecutionPlan {
  nodes: PlanNode[];
}

/** Whether Flink chains `to` onto `from` over `edge`. */
function chains(from: PlanNode, to: PlanNode, edge: PlanEdge): boolean {
  return edge.ship_strategy === 'FORWARD' && from.parallelism === to.parallelism && (to.predecessors ?? []).length === 1;
}

/** Each node's operator id (32 hex digits, as Flink prints ids), by node id. */
export function operatorIds(plan: ExecutionPlan): Map<number, string> {
  const inputs = (n: PlanNode) => n.predecessors ?? [];
  const outputs = new Map<number, { target: PlanNode; edge: PlanEdge }[]>();
  for (const n of [...plan.nodes].sort((a, b) => a.id - b.id)) {
    for (const edge of inputs(n)) outputs.set(edge.id, [...(outputs.get(edge.id) ?? []), { target: n, edge }]);
  }

  const hashes = new Map<number, Uint8Array>();
  const queue = plan.nodes.filter((n) => n.pact === 'Data Source').sort((a, b) => a.id - b.id);
  const visited = new Set(queue.map((n) => n.id));
  for (let next = queue.shift(); next; next = queue.shift()) {
    const node = next; // a const: the callbacks below see it narrowed
    const inputHashes = inputs(node).map((e) => hashes.get(e.id));
    if (!inputHashes.every((h) => h !== undefined)) {
      visited.delete(node.id); // visited again once its last input is hashed
      continue;
    }
    const position = hashes.size;
    const outs = outputs.get(node.id) ?? [];
    const ints = [position, ...outs.filter((o) => chains(node, o.target, o.edge)).map(() => position)];
    const hash = murmur3x64_128(intsLittleEndian(ints));
    for (const other of inputHashes) {
      for (let j = 0; j < hash.length; j++) hash[j] = ((hash[j] * 37) ^ other[j]) & 0xff;
    }
    hashes.set(node.id, hash);
    for (const { target } of outs) {
      if (!visited.has(target.id)) {
        visited.add(target.id);
        queue.push(target);
      }
    }
  }
  return new Map([...hashes].map(([id, h]) => [id, Buffer.from(h).toString('hex')]));
}

/** The heads of the chains Flink makes: their operator ids are the job's vertex ids. */
export function chainHeads(plan: ExecutionPlan): PlanNode[] {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  return plan.nodes.filter((n) => {
    const ins = n.predecessors ?? [];
    return ins.length !== 1 || !chains(required(byId.get(ins[0].id), `node ${ins[0].id} of the execution plan`), n, ins[0]);
  });
}
