/**
 * The source topic and the job's parallelism: a topic made for a job gets one partition per
 * source task, and messages are spread over the partitions a topic has. A Kafka source task
 * with no partition of its own reads nothing, so a topic with fewer partitions than the
 * parallelism is worth a warning.
 */
import type { Admin } from 'kafkajs';
import { RuntimeFailure } from '../errors';

/** The admin calls used here: a kafkajs `Admin`, or a fake of one in tests. */
export type TopicAdmin = Pick<Admin, 'connect' | 'disconnect' | 'listTopics' | 'createTopics' | 'fetchTopicMetadata'>;

export type TopicState =
  /** Kafka did not answer. */
  | { kind: 'unreachable' }
  /** No such topic, and it was not to be created. */
  | { kind: 'missing' }
  /** The topic, with how many partitions it has; `created` when it was created here. */
  | { kind: 'present'; partitions: number; created: boolean };

/**
 * Looks `topic` up and reads its partition count; when it is missing and `createWith` is given,
 * creates it with that many partitions first. Kafka not answering is `unreachable`; a failed
 * create is a RuntimeFailure.
 */
export async function ensureTopic(admin: TopicAdmin, topic: string, createWith?: number): Promise<TopicState> {
  try {
    try {
      await admin.connect();
      if ((await admin.listTopics()).includes(topic))
        return { kind: 'present', partitions: await partitionCount(admin, topic), created: false };
    } catch (e) {
      if (e instanceof RuntimeFailure) throw e;
      return { kind: 'unreachable' };
    }
    if (createWith === undefined) return { kind: 'missing' };
    let created: boolean;
    try {
      // false: someone else created it in between; its partition count is what it is.
      created = await admin.createTopics({ topics: [{ topic, numPartitions: createWith, replicationFactor: 1 }], waitForLeaders: true });
    } catch (e) {
      throw new RuntimeFailure(`cannot create Kafka topic ${topic}: ${(e as Error).message}`);
    }
    return { kind: 'present', partitions: await partitionCount(admin, topic), created };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function partitionCount(admin: TopicAdmin, topic: string): Promise<number> {
  let found: { name: string; partitions: unknown[] } | undefined;
  try {
    found = (await admin.fetchTopicMetadata({ topics: [topic] })).topics.find((t) => t.name === topic);
  } catch (e) {
    throw new RuntimeFailure(`cannot read the partitions of Kafka topic ${topic}: ${(e as Error).message}`);
  }
  if (!found || found.partitions.length === 0) throw new RuntimeFailure(`Kafka lists topic ${topic} but reports no partitions for it`);
  return found.partitions.length;
}

export function partitionsText(n: number): string {
  return `${n} partition${n === 1 ? '' : 's'}`;
}

/** What to say about a present topic: its partitions, and a warning when the job's parallelism is higher. */
export function topicReport(
  topic: string,
  state: { partitions: number; created: boolean },
  parallelism: number,
): { line: string; warning?: string } {
  const line = `${state.created ? 'created Kafka topic' : 'Kafka topic'} ${topic} ${state.created ? 'with' : 'has'} ${partitionsText(state.partitions)}`;
  return { line, warning: partitionWarning(topic, state.partitions, parallelism) };
}

/** Undefined when every source task of a job at `parallelism` gets a partition. */
export function partitionWarning(topic: string, partitions: number, parallelism: number): string | undefined {
  if (partitions >= parallelism) return undefined;
  const idle = parallelism - partitions;
  return (
    `warning: Kafka topic ${topic} has ${partitionsText(partitions)}, fewer than the job's parallelism ${parallelism}: ` +
    `${idle} of its ${parallelism} Kafka source tasks will sit idle; recreate the topic with ${parallelism} partitions, or lower job.parallelism`
  );
}
