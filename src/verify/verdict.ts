/**
 * What a verify run concludes from its key results: PASS only when something was compared. A run
 * whose expectation holds no key and whose job wrote none compared nothing, and says so (exit 1),
 * unless the caller said an empty result is expected (`--allow-empty`). Events that matched no
 * row of the input are named, with the metrics over them, since those metrics are not checked.
 */
import { metricDefinition } from '../metrics';
import type { Spec } from '../pipeline/types';
import type { KeyResult } from './compare';

export interface Verdict {
  ok: boolean;
  /** The last line of the report, after `verify: `: PASS or FAIL and why. */
  summary: string;
}

/** Why a run with no key result compared nothing; `exact`: whether keys the job wrote beyond the expectation count. */
export function nothingToCompare(exact: boolean): string {
  const why = exact
    ? 'the expectation holds no key and the pipeline wrote none'
    : 'the expectation holds no key (and exact: false checks no other)';
  return `nothing to compare: ${why}; check that the events match the spec's filters, or pass --allow-empty if an empty result is expected`;
}

/**
 * `restartedWhenForbidden`: how many times the job restarted, when `--fail-on-restart` makes any
 * restart a failure (undefined when it did not restart, or restarts are only reported).
 */
export function verdict(
  results: readonly KeyResult[],
  opts: { allowEmpty: boolean; exact: boolean; restartedWhenForbidden?: number },
): Verdict {
  const n = opts.restartedWhenForbidden;
  const restarted = n ? `, but the job restarted ${n} time${n === 1 ? '' : 's'} (--fail-on-restart)` : '';
  if (results.length === 0) {
    return opts.allowEmpty
      ? { ok: !n, summary: `${n ? 'FAIL' : 'PASS'}: no key expected and none compared (--allow-empty)${restarted}` }
      : { ok: false, summary: `FAIL: ${nothingToCompare(opts.exact)}${restarted}` };
  }
  const bad = results.filter((r) => !r.ok).length;
  const ok = bad === 0 && !n;
  return { ok, summary: `${ok ? 'PASS' : 'FAIL'}: ${results.length - bad} of ${results.length} keys match${restarted}` };
}

/**
 * One line per event that matched no row with an event time: which metrics it leaves unchecked.
 * `rows`: per event, the rows of the input that match it (the reference model counts them).
 */
export function unmatchedEvents(spec: Spec, rows: ReadonlyMap<string, number>, messages: number): string[] {
  return spec.events
    .filter((e) => (rows.get(e.name) ?? 0) === 0)
    .map((e) => {
      const metrics = spec.metrics
        .filter((m) =>
          metricDefinition(m)
            .events(m)
            .some((x) => x.event === e.name),
        )
        .map((m) => m.name);
      const what = metrics.length ? `; ${metrics.join(', ')} ${metrics.length === 1 ? 'has' : 'have'} nothing of it to check` : '';
      return `event ${e.name} matched no row of the ${messages} ${messages === 1 ? 'message' : 'messages'}${what}`;
    });
}
