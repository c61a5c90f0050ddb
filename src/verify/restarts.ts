/**
 * What verify makes of the job's restarts. They are read once the job has ended (see
 * deploy/gateway/restarts.ts), never from whichever state a poll happened to see, so the same run
 * gets the same report and the same verdict every time: by default the results decide and the
 * restarts are reported; with --fail-on-restart any restart fails the run.
 */
import { restartLines, type Restarts } from '../deploy/gateway/restarts';

export interface RestartVerdict {
  /** The run fails because of them (--fail-on-restart and at least one). */
  fails: boolean;
  /** For the report, every time. */
  lines: string[];
  /** For the JUnit file's <properties>: `restarts`, then `restart.<n>` per listed restart. */
  properties: [string, string][];
  /** The JUnit case that fails the run, when it does. */
  failure?: { name: string; message: string };
}

export function restartVerdict(r: Restarts, failOnRestart: boolean): RestartVerdict {
  const each = restartLines(r);
  const properties: [string, string][] = [['restarts', String(r.count)]];
  const first = r.count - r.listed.length + 1;
  r.listed.forEach((x, i) =>
    properties.push([`restart.${first + i}`, `${new Date(x.at).toISOString()}: ${x.rootCause}${x.task ? ` (in ${x.task})` : ''}`]),
  );
  if (r.count === 0) return { fails: false, lines: ['restarts: none'], properties };
  const times = `${r.count} time${r.count === 1 ? '' : 's'}`;
  const head = failOnRestart
    ? `restarts: Flink restarted the job ${times}; --fail-on-restart makes that a failure`
    : `restarts: Flink restarted the job ${times} from its last checkpoint; the results decide (--fail-on-restart fails on any restart)`;
  const lines = [head, ...each.map((l) => `  ${l}`)];
  if (!failOnRestart) return { fails: false, lines, properties };
  return { fails: true, lines, properties, failure: { name: 'restarts', message: [`the job restarted ${times}`, ...each].join('\n') } };
}
