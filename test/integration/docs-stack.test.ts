/**
 * The docs' examples that need the local stack (fences marked `sh stack`), run in process against
 * the stack the integration setup started, in document order, each exiting as the docs say.
 * Unit-level examples (`sh runnable`) run in test/unit/docs.test.ts.
 */
import { docFiles, fences, readDoc, runExamples } from '../support/docs';

const FLINK_REST = 'http://127.0.0.1:8081';

async function runningJobs(): Promise<{ jid: string; name: string }[]> {
  const res = await fetch(`${FLINK_REST}/jobs/overview`);
  const { jobs } = (await res.json()) as { jobs: { jid: string; name: string; state: string }[] };
  return jobs.filter((j) => j.state === 'RUNNING');
}

let before = new Set<string>();
beforeAll(async () => {
  before = new Set((await runningJobs()).map((j) => j.jid));
});

afterEach(async () => {
  // An example that failed half way may leave its job running; the next test file expects none.
  for (const j of await runningJobs()) if (!before.has(j.jid)) await fetch(`${FLINK_REST}/jobs/${j.jid}?mode=cancel`, { method: 'PATCH' });
});

const FILES = docFiles().filter((f) => fences(f, readDoc(f)).some((b) => b.marks.includes('stack')));

test('some page has stack examples', () => {
  expect(FILES.length).toBeGreaterThan(0);
});

test.each(FILES)('%s: every stack example exits as the docs say, and prints what they show', async (file) => {
  expect(await runExamples(file, 'stack', { ...process.env })).toEqual([]);
});
