/**
 * JUnit XML for CI: one test case per Redis key, failures with their differences; what the run
 * observed beside the keys (the job's restarts) as the suite's properties, and as a failing case
 * when the run was told to fail on it.
 */
import type { KeyResult } from './compare';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface JunitExtras {
  /** The job failed (or could not run): its message and detail. */
  error?: string;
  /** Name/value pairs written as the suite's <properties>, in order. */
  properties?: readonly (readonly [string, string])[];
  /** More failing cases, by name (e.g. `restarts` under --fail-on-restart). */
  failures?: readonly { name: string; message: string }[];
}

export function junitXml(suite: string, results: KeyResult[], seconds: number, extras: JunitExtras = {}): string {
  const failure = (name: string, message: string) =>
    `    <testcase classname="${esc(suite)}" name="${esc(name)}">\n      <failure message="${esc(message.split('\n')[0])}">${esc(message)}</failure>\n    </testcase>`;
  const cases = results.map((r) =>
    r.ok ? `    <testcase classname="${esc(suite)}" name="${esc(r.key)}"/>` : failure(r.key, r.problems.join('\n')),
  );
  for (const f of extras.failures ?? []) cases.push(failure(f.name, f.message));
  if (extras.error) cases.push(failure('job', extras.error));
  const failures = results.filter((r) => !r.ok).length + (extras.failures?.length ?? 0) + (extras.error ? 1 : 0);
  const properties = extras.properties?.length
    ? [
        '    <properties>',
        ...extras.properties.map(([name, value]) => `      <property name="${esc(name)}" value="${esc(value)}"/>`),
        '    </properties>',
      ]
    : [];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${cases.length}" failures="${failures}" time="${seconds.toFixed(3)}">`,
    `  <testsuite name="${esc(suite)}" tests="${cases.length}" failures="${failures}" time="${seconds.toFixed(3)}">`,
    ...properties,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
