/** Kafka through kafkajs: topics and batched sends, quiet unless something fails. */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { RuntimeFailure } from '../errors';
import type { KafkaSecurity } from '../pipeline/types';
import { kafkaRefusal, kafkaSecurityConfig } from './security';

export interface KafkaOptions {
  /** Names the client in the brokers' logs (default `uvpv`). */
  clientId?: string;
  /** Retries of a failed request (default 3); 0 for a quick yes-or-no probe. */
  retries?: number;
  /** How long connecting to a broker may take (default 3000 ms). */
  connectionTimeoutMs?: number;
  /** How long a request may take (default: kafkajs's own). */
  requestTimeoutMs?: number;
  /** How to reach a secured Kafka (a spec's `source.security`); undefined: plaintext. */
  security?: KafkaSecurity;
}

/** A kafkajs client for `bootstrap` (comma-separated host:port), logging nothing. */
export function kafka(bootstrap: string, opts: KafkaOptions = {}): Kafka {
  return new Kafka({
    clientId: opts.clientId ?? 'uvpv',
    brokers: bootstrap.split(',').map((b) => b.trim()),
    logLevel: logLevel.NOTHING,
    connectionTimeout: opts.connectionTimeoutMs ?? 3000,
    ...(opts.requestTimeoutMs === undefined ? {} : { requestTimeout: opts.requestTimeoutMs }),
    retry: { retries: opts.retries ?? 3, initialRetryTime: 100 },
    ...kafkaSecurityConfig(opts.security),
  });
}

/**
 * Connects once and lists the topics: a Kafka that refuses the login or the certificate, or does
 * not answer, is a RuntimeFailure whose `fix` says what to change, before any work starts.
 */
export async function reachKafka(k: Kafka, bootstrap: string, security: KafkaSecurity | undefined): Promise<void> {
  const admin = k.admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (e) {
    const refusal = kafkaRefusal(e, security);
    throw new RuntimeFailure(
      `Kafka at ${bootstrap}: ${refusal?.detail ?? `does not answer (${(e as Error).message})`}`,
      undefined,
      'service-unreachable',
      refusal?.fix ?? 'start that Kafka, or fix source.bootstrapServers (and source.security.protocol for a secured listener)',
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function createTopic(k: Kafka, topic: string, partitions = 1): Promise<void> {
  const admin = k.admin();
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  } catch (e) {
    throw new RuntimeFailure(`cannot create Kafka topic ${topic}: ${(e as Error).message}`);
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopic(k: Kafka, topic: string): Promise<void> {
  const admin = k.admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics: [topic], timeout: 5000 });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Sends each value as one message, in order, in batches; `onProgress` gets the count sent. With
 * `partitions` above 1, message i goes to partition i mod partitions (the same split `partitionCounts` gives).
 */
export async function sendValues(
  k: Kafka,
  topic: string,
  values: readonly Buffer[],
  onProgress?: (sent: number) => void,
  batchSize = 5000,
  partitions = 1,
  firstIndex = 0,
): Promise<void> {
  const producer: Producer = k.producer({ allowAutoTopicCreation: false, idempotent: false, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < values.length; i += batchSize) {
      const batch = spreadOver(values.slice(i, i + batchSize), partitions, firstIndex + i);
      await producer.send({ topic, messages: batch, acks: -1 });
      onProgress?.(Math.min(i + batchSize, values.length));
    }
  } catch (e) {
    throw new RuntimeFailure(`sending to Kafka topic ${topic} failed: ${(e as Error).message}`);
  } finally {
    await producer.disconnect();
  }
}

/** Splits a JSON-lines file into message values, byte for byte: only the \n between lines goes. */
export function splitLines(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      out.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}

/** Whether `topic` exists; undefined when Kafka cannot be reached from here within a few seconds. */
export async function topicExists(k: Kafka, topic: string): Promise<boolean | undefined> {
  const admin = k.admin();
  try {
    await admin.connect();
    return (await admin.listTopics()).includes(topic);
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** How many of `count` messages sent by `sendValues` land in each of `partitions` partitions. */
export function partitionCounts(count: number, partitions: number): number[] {
  return Array.from({ length: partitions }, (_, p) => Math.floor(count / partitions) + (p < count % partitions ? 1 : 0));
}

/**
 * Kafka messages for `values`: value i (counted from `firstIndex`) goes to partition i mod
 * `partitions`, the split `partitionCounts` counts; with one partition, none is named.
 */
export function spreadOver(values: readonly Buffer[], partitions: number, firstIndex = 0): { value: Buffer; partition?: number }[] {
  return values.map((value, j) => (partitions > 1 ? { value, partition: (firstIndex + j) % partitions } : { value }));
}
