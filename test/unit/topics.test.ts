/** The source topic's partitions against the job's parallelism, with a fake Kafka admin (no Kafka). */
import { partitionCounts } from '../../src/kafka/client';
import { spreadOver } from '../../src/kafka/client';
import { ensureTopic, partitionWarning, topicReport, type TopicAdmin } from '../../src/kafka/topics';
import { RuntimeFailure } from '../../src/errors';
import { required } from '../../src/util/required';

/** A fake admin over a map of topic → partition count; `calls` records what was asked. */
function fakeAdmin(topics: Record<string, number>, fail: { connect?: boolean; create?: boolean; raceCreate?: number } = {}) {
  const calls: string[] = [];
  const admin: TopicAdmin = {
    connect: async () => {
      calls.push('connect');
      if (fail.connect) throw new Error('Connection error: ECONNREFUSED');
    },
    disconnect: async () => {
      calls.push('disconnect');
    },
    listTopics: async () => Object.keys(topics),
    createTopics: async ({ topics: wanted }) => {
      const [t] = wanted;
      calls.push(`create ${t.topic} ${t.numPartitions}`);
      if (fail.create) throw new Error('Invalid partition count');
      if (fail.raceCreate !== undefined) {
        topics[t.topic] = fail.raceCreate; // someone else was first
        return false;
      }
      topics[t.topic] = required(t.numPartitions, 'the partitions asked for');
      return true;
    },
    fetchTopicMetadata: async (opts) => ({
      topics: (opts?.topics ?? []).map((name) => ({
        name,
        partitions: Array.from({ length: topics[name] ?? 0 }, (_, partitionId) => ({
          partitionErrorCode: 0,
          partitionId,
          leader: 1,
          replicas: [1],
          isr: [1],
        })),
      })),
    }),
  };
  return { admin, calls, topics };
}

test('an existing topic is not created again: its partition count is read', async () => {
  const { admin, calls } = fakeAdmin({ events: 2 });
  expect(await ensureTopic(admin, 'events', 4)).toEqual({ kind: 'present', partitions: 2, created: false });
  expect(calls).toEqual(['connect', 'disconnect']);
});

test('a missing topic is created with as many partitions as asked, or reported missing when not to be created', async () => {
  const f = fakeAdmin({});
  expect(await ensureTopic(f.admin, 'events')).toEqual({ kind: 'missing' });
  expect(f.calls).toEqual(['connect', 'disconnect']);
  expect(await ensureTopic(f.admin, 'events', 4)).toEqual({ kind: 'present', partitions: 4, created: true });
  expect(f.calls).toContain('create events 4');
  expect(f.topics).toEqual({ events: 4 });
});

test('a topic created by someone else in between keeps its own partition count', async () => {
  const { admin } = fakeAdmin({}, { raceCreate: 1 });
  expect(await ensureTopic(admin, 'events', 4)).toEqual({ kind: 'present', partitions: 1, created: false });
});

test('Kafka not answering is unreachable; a refused create is a RuntimeFailure; the admin is disconnected either way', async () => {
  const down = fakeAdmin({}, { connect: true });
  expect(await ensureTopic(down.admin, 'events', 4)).toEqual({ kind: 'unreachable' });
  expect(down.calls).toEqual(['connect', 'disconnect']);
  const refused = fakeAdmin({}, { create: true });
  const err = await ensureTopic(refused.admin, 'events', 4).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RuntimeFailure);
  expect((err as Error).message).toBe('cannot create Kafka topic events: Invalid partition count');
  expect(refused.calls.at(-1)).toBe('disconnect');
});

test('fewer partitions than the parallelism is a warning naming both; as many or more is not', () => {
  expect(partitionWarning('events', 1, 4)).toBe(
    "warning: Kafka topic events has 1 partition, fewer than the job's parallelism 4: 3 of its 4 Kafka source tasks will sit idle; " +
      'recreate the topic with 4 partitions, or lower job.parallelism',
  );
  expect(partitionWarning('events', 4, 4)).toBeUndefined();
  expect(partitionWarning('events', 8, 4)).toBeUndefined();
  expect(topicReport('events', { partitions: 4, created: true }, 4)).toEqual({ line: 'created Kafka topic events with 4 partitions' });
  const existing = topicReport('events', { partitions: 2, created: false }, 3);
  expect(existing.line).toBe('Kafka topic events has 2 partitions');
  expect(existing.warning).toContain("has 2 partitions, fewer than the job's parallelism 3: 1 of its 3 Kafka source tasks will sit idle");
});

test('messages go round the partitions across batches, the split partitionCounts gives', () => {
  const values = Array.from({ length: 23 }, (_, i) => Buffer.from(String(i)));
  expect(spreadOver(values.slice(0, 3), 1)).toEqual(values.slice(0, 3).map((value) => ({ value })));
  for (const partitions of [2, 3, 4, 7]) {
    const counts = new Array<number>(partitions).fill(0);
    // Batches of uneven sizes, each continuing where the last left off.
    let sent = 0;
    for (const size of [5, 1, 10, 7]) {
      const messages = spreadOver(values.slice(sent, sent + size), partitions, sent);
      messages.forEach((m, j) => {
        expect(m.value).toBe(values[sent + j]);
        expect(m.partition).toBe((sent + j) % partitions);
        counts[required(m.partition, 'the partition of a message')]++;
      });
      sent += size;
    }
    expect(counts).toEqual(partitionCounts(values.length, partitions));
  }
});
