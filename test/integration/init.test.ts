/**
 * `uvpv init` as a user runs it: from a file of the reference events, the spec it writes
 * validates and verifies on those same events against the model; from a Kafka topic holding the
 * same records, it proposes the same spec.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../src/cli/run';
import { memoryIo } from '../../src/io/io';
import { createTopic, deleteTopic, kafka, sendValues } from '../../src/kafka/client';

const ROOT = resolve(__dirname, '..', '..');
const EVENTS = join(ROOT, 'test/cases/reference/events.jsonl');
const dir = mkdtempSync(join(tmpdir(), 'uvpv-init-'));
const TOPIC = 'uvpv-init-sample';
const k = kafka('127.0.0.1:9092');

async function uvpv(args: string[]) {
  const io = memoryIo({ ...process.env }, dir);
  const code = await run(args, io);
  return { code, out: io.out, err: io.err };
}

afterAll(async () => {
  await deleteTopic(k, TOPIC).catch(() => undefined);
});

test('init --from-file writes a spec that validates, and verify on the same events passes against the model', async () => {
  const r = await uvpv(['init', '--from-file', EVENTS, '-o', 'spec.yaml']);
  expect(r.err).toMatch(/^wrote spec\.yaml: 5 columns, event time create_time, 2 events; check it with 'uvpv validate spec\.yaml'$/m);
  expect(r.code).toBe(0);
  // It never replaces what is there unless told.
  const again = await uvpv(['init', '--from-file', EVENTS, '-o', 'spec.yaml']);
  expect(again.code).toBe(2);
  expect(again.err).toBe('error: spec.yaml exists; choose another file, or pass --force to replace it\n');

  const valid = await uvpv(['validate', 'spec.yaml']);
  expect(valid.out).toMatch(/valid \(pipeline events, 3 metrics, hop window\)/);
  expect(valid.code).toBe(0);
  const verified = await uvpv(['verify', 'spec.yaml', '--events', EVENTS]);
  expect(verified.err).not.toMatch(/error:/);
  expect(verified.out).toMatch(/^verify: PASS: (\d+) of \1 keys match/m);
  expect(verified.code).toBe(0);
});

test('init --from-topic samples the local Kafka and proposes the spec the file gives', async () => {
  await deleteTopic(k, TOPIC).catch(() => undefined);
  await createTopic(k, TOPIC, 1);
  const records = readFileSync(EVENTS, 'utf8').split('\n').filter(Boolean);
  await sendValues(
    k,
    TOPIC,
    records.map((l) => Buffer.from(l)),
  );
  const fromTopic = await uvpv([
    'init',
    '--from-topic',
    TOPIC,
    '--bootstrap-servers',
    '127.0.0.1:9092',
    '--samples',
    String(records.length),
  ]);
  expect(fromTopic.err).toMatch(new RegExp(`sampling up to ${records.length} messages of topic ${TOPIC}: ${records.length} messages`));
  expect(fromTopic.code).toBe(0);
  const fromFile = await uvpv(['init', '--from-file', EVENTS]);
  // The same proposal; only where the records came from differs (header, name, table, topic).
  const body = (spec: string) =>
    spec
      .split('\n')
      .filter((l) => !/^(# Written by|name:|\s+table:|\s+topic:)/.test(l))
      .join('\n');
  expect(fromTopic.out).toContain(`# Written by \`uvpv init\` from ${records.length} records of topic ${TOPIC} on 127.0.0.1:9092.`);
  expect(fromTopic.out).toMatch(new RegExp(`^  topic: ${TOPIC}$`, 'm'));
  expect(body(fromTopic.out)).toBe(body(fromFile.out));
});

test('a missing topic is a clear error, not a wait', async () => {
  const r = await uvpv(['init', '--from-topic', 'uvpv-no-such-topic', '--bootstrap-servers', '127.0.0.1:9092']);
  expect(r.code).toBe(1);
  expect(r.err).toBe('error: Kafka topic uvpv-no-such-topic does not exist on 127.0.0.1:9092\n');
});
