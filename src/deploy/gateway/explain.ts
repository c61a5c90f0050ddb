/**
 * A job's execution plan, from the target's own Flink: its statements run in a throwaway gateway
 * session (options and tables only: nothing is submitted), then
 * `EXPLAIN JSON_EXECUTION_PLAN STATEMENT SET ...` prints the StreamGraph Flink would build.
 */
import { RuntimeFailure } from '../../errors';
import type { ExecutionPlan } from '../upgrade/operator-ids';
import type { GatewayClient } from './client';

const STATEMENT_SET = /^EXECUTE\s+STATEMENT\s+SET\b/i;

/** `statements`: as `jobStatements` gives them, the inserts last as one statement set. */
export async function executionPlan(client: GatewayClient, statements: readonly string[], label: string): Promise<ExecutionPlan> {
  const inserts = statements.find((s) => STATEMENT_SET.test(s));
  if (!inserts) throw new RuntimeFailure(`${label} has no statement set to plan`);
  const session = await client.openSession('uvpv-plan');
  try {
    for (const st of statements) if (st !== inserts) await client.execute(session, st);
    const { rows } = await client.execute(session, `EXPLAIN JSON_EXECUTION_PLAN ${inserts.replace(STATEMENT_SET, 'STATEMENT SET')}`);
    const text = rows.map((r) => String(r[0])).join('\n');
    const at = text.indexOf('== Physical Execution Plan ==');
    const json = at < 0 ? undefined : text.slice(text.indexOf('{', at));
    try {
      const plan = JSON.parse(json ?? '') as ExecutionPlan;
      if (!Array.isArray(plan.nodes)) throw new Error('no nodes');
      return plan;
    } catch {
      throw new RuntimeFailure(`Flink's EXPLAIN of ${label} printed no execution plan uvpv can read`, text.slice(0, 2000));
    }
  } catch (e) {
    if (e instanceof RuntimeFailure && e.code === 'service-error')
      throw new RuntimeFailure(`Flink could not plan ${label}: ${e.message}`, e.detail, e.code);
    throw e;
  } finally {
    await client.closeSession(session);
  }
}
