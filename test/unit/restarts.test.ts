/**
 * A job's restarts are read from Flink's exception history and numRestarts metric, and verify's
 * verdict on them depends only on what was read: the same history gives the same report, exit code
 * and JUnit properties every time.
 */
import { restartsOf, restartLines, restartsLine, type ExceptionEntry } from '../../src/deploy/gateway/restarts';
import { restartVerdict } from '../../src/verify/restarts';
import { junitXml } from '../../src/verify/junit';
import { required } from '../../src/util/required';

const T0 = Date.parse('2024-05-01T10:00:00.000Z');
const entry = (seconds: number, cause: string, task?: string): ExceptionEntry => ({
  timestamp: T0 + seconds * 1000,
  exceptionName: 'org.apache.flink.runtime.JobException',
  stacktrace: `org.apache.flink.runtime.JobException: Recovery is suppressed\n\tat a.b(C.java:1)\nCaused by: ${cause}\n\tat d.e(F.java:2)`,
  taskName: task ?? null,
});
// Flink answers newest first.
const HISTORY = [entry(9, 'java.io.IOException: second', 'Sink: redis_pv (1/1)'), entry(3, 'java.net.ConnectException: first')];

describe('restartsOf', () => {
  test('a finished job: every entry is a restart, oldest first, with its deepest cause and task', () => {
    expect(restartsOf('FINISHED', HISTORY, 2)).toEqual({
      count: 2,
      listed: [
        { at: T0 + 3000, rootCause: 'java.net.ConnectException: first' },
        { at: T0 + 9000, rootCause: 'java.io.IOException: second', task: 'Sink: redis_pv (1/1)' },
      ],
    });
  });

  test('a job that FAILED: its newest entry is the failure that ended it, not a restart', () => {
    const r = restartsOf('FAILED', HISTORY, 1);
    expect(r.count).toBe(1);
    expect(r.listed.map((x) => x.rootCause)).toEqual(['java.net.ConnectException: first']);
    expect(restartsOf('FAILED', [HISTORY[1]], 0)).toEqual({ count: 0, listed: [] });
  });

  test('the order the entries come in does not matter', () => {
    expect(restartsOf('RUNNING', [...HISTORY].reverse(), 2)).toEqual(restartsOf('RUNNING', HISTORY, 2));
  });

  test('a history cut short (Flink keeps the last 16) still counts them all, from numRestarts', () => {
    const r = restartsOf('RUNNING', HISTORY, 20);
    expect(r.count).toBe(20);
    expect(restartLines(r)).toEqual([
      "(Flink's exception history keeps the last 2; 18 earlier restart(s) not shown)",
      'restart 19 at 2024-05-01T10:00:03.000Z: java.net.ConnectException: first',
      'restart 20 at 2024-05-01T10:00:09.000Z: java.io.IOException: second (in Sink: redis_pv (1/1))',
    ]);
  });

  test('a metric below the history (failures that shared one restart) does not hide a failure', () => {
    expect(restartsOf('FINISHED', HISTORY, 1).count).toBe(2);
  });

  test('without the metric (an archived job) the history alone counts; without either, none', () => {
    expect(restartsOf('CANCELED', HISTORY, undefined).count).toBe(2);
    expect(restartsOf('RUNNING', undefined, undefined)).toEqual({ count: 0, listed: [] });
  });

  test('an entry with no stack trace is named by its exception', () => {
    expect(restartsOf('RUNNING', [{ timestamp: T0, exceptionName: 'java.lang.OutOfMemoryError' }], 1).listed[0].rootCause).toBe(
      'java.lang.OutOfMemoryError',
    );
  });

  test('the one-line form names the last restart', () => {
    expect(restartsLine(restartsOf('RUNNING', HISTORY, 2))).toBe('2 (last at 2024-05-01T10:00:09.000Z: java.io.IOException: second)');
    expect(restartsLine({ count: 0, listed: [] })).toBe('none');
  });
});

describe("verify's verdict on restarts", () => {
  const two = restartsOf('FINISHED', HISTORY, 2);

  test('none: reported, never a failure', () => {
    for (const flag of [false, true])
      expect(restartVerdict({ count: 0, listed: [] }, flag)).toEqual({
        fails: false,
        lines: ['restarts: none'],
        properties: [['restarts', '0']],
      });
  });

  test('by default restarts are reported, each with its time and cause, and the results decide', () => {
    const v = restartVerdict(two, false);
    expect(v.fails).toBe(false);
    expect(v.failure).toBeUndefined();
    expect(v.lines).toEqual([
      'restarts: Flink restarted the job 2 times from its last checkpoint; the results decide (--fail-on-restart fails on any restart)',
      '  restart 1 at 2024-05-01T10:00:03.000Z: java.net.ConnectException: first',
      '  restart 2 at 2024-05-01T10:00:09.000Z: java.io.IOException: second (in Sink: redis_pv (1/1))',
    ]);
    expect(v.properties).toEqual([
      ['restarts', '2'],
      ['restart.1', '2024-05-01T10:00:03.000Z: java.net.ConnectException: first'],
      ['restart.2', '2024-05-01T10:00:09.000Z: java.io.IOException: second (in Sink: redis_pv (1/1))'],
    ]);
  });

  test('--fail-on-restart: any restart fails the run, with the same report', () => {
    const v = restartVerdict(two, true);
    expect(v.fails).toBe(true);
    expect(v.lines[0]).toBe('restarts: Flink restarted the job 2 times; --fail-on-restart makes that a failure');
    expect(v.lines.slice(1)).toEqual(restartVerdict(two, false).lines.slice(1));
    expect(v.failure?.name).toBe('restarts');
    expect(v.failure?.message.split('\n')[0]).toBe('the job restarted 2 times');
  });

  test('the same history gives the same verdict, whenever it is read', () => {
    expect(restartVerdict(restartsOf('FINISHED', [...HISTORY], 2), true)).toEqual(restartVerdict(two, true));
  });

  test('the JUnit file carries them as properties, and the failing case under --fail-on-restart', () => {
    const v = restartVerdict(two, true);
    const xml = junitXml('uvpv verify p', [{ key: 'pv', ok: true, problems: [] }], 1, {
      properties: v.properties,
      failures: [required(v.failure, 'the restarts failure')],
    });
    expect(xml).toContain('<testsuite name="uvpv verify p" tests="2" failures="1"');
    expect(xml).toContain('    <properties>\n      <property name="restarts" value="2"/>\n');
    expect(xml).toContain(
      '<property name="restart.2" value="2024-05-01T10:00:09.000Z: java.io.IOException: second (in Sink: redis_pv (1/1))"/>',
    );
    expect(xml).toContain('<testcase classname="uvpv verify p" name="restarts">\n      <failure message="the job restarted 2 times">');
    const passing = junitXml('uvpv verify p', [{ key: 'pv', ok: true, problems: [] }], 1, {
      properties: restartVerdict(two, false).properties,
    });
    expect(passing).toContain('failures="0"');
    expect(passing).toContain('<property name="restarts" value="2"/>');
  });
});
