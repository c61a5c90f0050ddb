/** The records `uvpv init` looks at: the first lines of a JSONL file, or the first messages of a Kafka topic. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { RuntimeFailure, UsageError } from '../errors';
import type { Progress } from '../io/progress';
import { kafka, reachKafka } from '../kafka/client';
import type { KafkaSecurity } from '../pipeline/types';

/** How long after the last message the sample of a topic with fewer than `limit` ends. */
const IDLE_MS = 2_000;
/** How long joining the consumer group may take, at most, before the wait for messages starts. */
const JOIN_MS = 20_000;

export interface Sample {
  records: unknown[];
  /** Lines or messages that were not JSON. */
  unparsed: number;
  /** A topic's: the partition of each record. */
  partitions?: number[];
  /** Fields that held a number written with a point or an exponent (`1.0`, which JSON.parse makes 1). */
  decimalFields: Set<string>;
}

/** `"amount": 1.0` or `"x": 2e3`: the field names of numbers written as decimals in a record's text. */
const DECIMAL_NUMBER = /"((?:[^"\\]|\\.)*)"\s*:\s*-?\d+(?:\.\d+(?:[eE][+-]?\d+)?|[eE][+-]?\d+)/g;

function parseAll(texts: readonly string[], partitionOf?: readonly number[]): Sample {
  const records: unknown[] = [];
  const partitions: number[] = [];
  const decimalFields = new Set<string>();
  let unparsed = 0;
  texts.forEach((t, i) => {
    try {
      records.push(JSON.parse(t));
      partitions.push(partitionOf?.[i] ?? 0);
      for (const m of t.matchAll(DECIMAL_NUMBER)) decimalFields.add(JSON.parse(`"${m[1]}"`) as string);
    } catch {
      unparsed++;
    }
  });
  return { records, unparsed, decimalFields, ...(partitionOf ? { partitions } : {}) };
}

export function sampleFile(path: string, limit: number): Sample {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--from-file: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseAll(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(0, limit),
  );
}

/**
 * The topic's first `limit` messages from its earliest offsets; fewer when the topic has fewer:
 * the sample ends 2 s after the last message that came, or after `waitMs` with none at all.
 */
export async function sampleTopic(
  bootstrap: string,
  topic: string,
  limit: number,
  waitMs: number,
  progress: Progress,
  security?: KafkaSecurity,
): Promise<Sample> {
  const k = kafka(bootstrap, { clientId: 'uvpv-init', retries: 1, security });
  // A refused login or certificate is told with its fix.
  await reachKafka(k, bootstrap, security);
  const admin = k.admin();
  try {
    await admin.connect();
    if (!(await admin.listTopics()).includes(topic)) throw new RuntimeFailure(`Kafka topic ${topic} does not exist on ${bootstrap}`);
  } catch (e) {
    if (e instanceof RuntimeFailure) throw e;
    throw new RuntimeFailure(`Kafka at ${bootstrap} does not answer: ${(e as Error).message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  // A group of its own, never committed: sampling moves no one's offsets.
  const consumer = k.consumer({ groupId: `uvpv-init-${randomBytes(4).toString('hex')}`, allowAutoTopicCreation: false });
  const texts: string[] = [];
  const partitions: number[] = [];
  const end = progress.step(`sampling up to ${limit} messages of topic ${topic}`);
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      // The wait for a first message starts once the consumer has joined its group (a few seconds).
      let timer = setTimeout(resolve, waitMs + JOIN_MS);
      consumer.on(consumer.events.GROUP_JOIN, () => {
        if (texts.length > 0) return;
        clearTimeout(timer);
        timer = setTimeout(resolve, waitMs);
      });
      consumer
        .run({
          autoCommit: false,
          // kafkajs takes a promise from the handler; keeping a message has nothing to wait for.
          eachMessage: ({ message, partition }) => {
            if (texts.length < limit) {
              texts.push(message.value?.toString('utf8') ?? '');
              partitions.push(partition);
              clearTimeout(timer);
              if (texts.length >= limit) resolve();
              else timer = setTimeout(resolve, IDLE_MS);
            }
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
  } catch (e) {
    throw new RuntimeFailure(`cannot read Kafka topic ${topic} on ${bootstrap}: ${(e as Error).message}`);
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  end(`${texts.length} messages`);
  return parseAll(texts, partitions);
}
