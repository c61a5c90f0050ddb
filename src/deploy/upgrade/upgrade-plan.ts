/** What `deploy` would do to a running pipeline: the answer `uvpv plan` prints and `deploy --replace` checks. */
import type { MetricChange, StatementChange } from './diff';
import type { StatefulPart } from './state';

/** A target's running job as a plan shows it: a Flink job (gateway) or an Oceanus job. */
export interface RunningJob {
  /** The target's job id: a Flink job id, or an Oceanus `cql-…` id. */
  jid: string;
  name: string;
  state: string;
}

export interface UpgradePlan {
  /** The pipeline's running job; undefined when none runs (deploy would start one). */
  running?: RunningJob;
  /** False when the running job carries no SQL (deployed by hand, or by an older uvpv). */
  sqlKept: boolean;
  statements: StatementChange[];
  metrics: MetricChange[];
  /** Undefined when there is nothing to compare with. */
  state?: StatefulPart[];
}

/** True when deploying would change something: no job runs, its SQL is unknown, or a statement differs. */
export function wouldChange(plan: UpgradePlan): boolean {
  return !plan.running || !plan.sqlKept || plan.statements.some((s) => s.change !== 'unchanged');
}
