/** `uvpv plan`'s report: what runs, the statements and metrics that change, and each stateful part's fate. */
import { wouldChange, type UpgradePlan } from './upgrade-plan';
import { changedLines } from './diff';
import { droppedParts, refusal, type StateVerdict } from './state';

const VERDICT: Readonly<Record<StateVerdict, string>> = {
  'carries over': 'state carries over',
  dropped: 'state is dropped',
  'cannot restore': 'cannot restore',
  new: 'starts empty',
};

export function renderPlan(pipeline: string, target: string, plan: UpgradePlan): string[] {
  if (!plan.running)
    return [`${pipeline}: no job runs on target ${target}; deploy would start one:`, ...plan.statements.map((s) => `  + ${s.subject}`)];
  const lines = [`${pipeline}: job ${plan.running.jid} (${plan.running.state}) on target ${target}`];
  if (!plan.sqlKept) {
    return [
      ...lines,
      '  it carries no SQL uvpv kept with it (deployed by hand, or by an older uvpv): what would change cannot be told; deploy --replace would replace it',
    ];
  }
  const counts = (['changed', 'added', 'removed', 'unchanged'] as const)
    .map((c) => [c, plan.statements.filter((s) => s.change === c).length] as const)
    .filter(([, n]) => n > 0);
  lines.push(
    '',
    `statements (the running job's SQL, read back from the job, against the new): ${counts.map(([c, n]) => `${n} ${c}`).join(', ')}`,
  );
  for (const s of plan.statements.filter((x) => x.change !== 'unchanged')) {
    lines.push(`  ${s.change === 'added' ? '+' : s.change === 'removed' ? '-' : '~'} ${s.subject}`);
    if (s.change === 'changed') lines.push(...changedLines(s.before, s.after).map((l) => `      ${l}`));
  }
  const width = Math.max(...plan.metrics.map((m) => m.name.length), 6);
  lines.push('', 'metrics:', ...plan.metrics.map((m) => `  ${m.name.padEnd(width)}  ${m.change}`));
  if (plan.state) {
    lines.push('', "state (from Flink's execution plans of both jobs):");
    for (const p of plan.state) {
      lines.push(`  ${p.operator}${p.feeds.length ? ` → ${p.feeds.join(', ')}` : ''}`, `      ${VERDICT[p.verdict]}: ${p.why}`);
    }
    const refused = refusal(plan.state, true);
    const start = `stop job ${plan.running.jid} with a savepoint and start the new SQL from it`;
    lines.push(
      '',
      !wouldChange(plan)
        ? 'deploy --replace would change nothing'
        : refused
          ? `deploy --replace would refuse: ${refused}`
          : refusal(plan.state, false)
            ? `deploy --replace would refuse, as state would be left behind; with --allow-non-restored-state it would ${start}, dropping the state of ${droppedParts(plan.state)}`
            : `deploy --replace would ${start}, every state carried over`,
    );
  }
  return lines;
}
