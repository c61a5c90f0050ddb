/**
 * What `deploy` would do to a gateway target, changing nothing: the running job's SQL (read back
 * from the job itself, see job-sql.ts) against the new SQL, by statement and per metric, and what
 * becomes of each stateful operator's state, from Flink's execution plans of both (explain.ts).
 */
import { diffStatements, metricChanges } from '../upgrade/diff';
import { stateVerdicts, type StatefulPart } from '../upgrade/state';
import type { UpgradePlan } from '../upgrade/upgrade-plan';
import type { GatewayClient, FlinkJob } from './client';
import { executionPlan } from './explain';
import { readJobSql } from './job-sql';
import { renderSql } from '../../sql/parts';

export interface PlanRequest {
  /** The new job's statements, secrets masked (`jobStatements(…, 'mask')`). */
  statements: readonly string[];
  /** Each metric's sink table in the new job. */
  sinks: readonly { metric: string; table: string }[];
}

export async function planUpgrade(client: GatewayClient, running: FlinkJob | undefined, req: PlanRequest): Promise<UpgradePlan> {
  const keptParts = running ? await readJobSql(client, running.jid) : undefined;
  const kept = keptParts?.map((st) => renderSql(st, 'mask'));
  const statements = diffStatements(kept ?? [], req.statements);
  const plan: UpgradePlan = { running, sqlKept: kept !== undefined, statements, metrics: metricChanges(statements, req.sinks) };
  return kept ? { ...plan, state: await stateOfUpgrade(client, kept, req.statements) } : plan;
}

/** What becomes of each stateful operator's state, from Flink's execution plans of the running job's kept SQL and the new SQL. */
export async function stateOfUpgrade(client: GatewayClient, kept: readonly string[], next: readonly string[]): Promise<StatefulPart[]> {
  return stateVerdicts(await executionPlan(client, kept, 'the running job'), await executionPlan(client, next, 'the new job'));
}
