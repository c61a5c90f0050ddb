/** JUnit XML for CI: one test case per Redis key, failures with their differences. */
import type { KeyResult } from './compare';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function junitXml(suite: string, results: KeyResult[], seconds: number, error?: string): string {
  const failures = results.filter((r) => !r.ok).length + (error ? 1 : 0);
  const cases = results.map((r) =>
    r.ok
      ? `    <testcase classname="${esc(suite)}" name="${esc(r.key)}"/>`
      : `    <testcase classname="${esc(suite)}" name="${esc(r.key)}">\n      <failure message="${esc(r.problems[0])}">${esc(r.problems.join('\n'))}</failure>\n    </testcase>`,
  );
  if (error)
    cases.push(
      `    <testcase classname="${esc(suite)}" name="job">\n      <failure message="${esc(error.split('\n')[0])}">${esc(error)}</failure>\n    </testcase>`,
    );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${cases.length}" failures="${failures}" time="${seconds.toFixed(3)}">`,
    `  <testsuite name="${esc(suite)}" tests="${cases.length}" failures="${failures}" time="${seconds.toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
