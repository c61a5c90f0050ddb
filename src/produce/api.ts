/**
 * The interface of synthetic traffic, shared by `uvpv produce`, the bench and `uvpv demo`.
 * (Implementation: src/produce/generator.ts and src/produce/sink.ts.)
 */
import type { Io } from '../io/io';
import type { KafkaSecurity, Spec } from '../pipeline/types';

export interface ProduceOptions {
  /** Stop after this many records (default when neither is given: 10,000). */
  events?: number;
  /** Or stop after this long. */
  durationMs?: number;
  /** Records per second to aim for; unlimited when undefined. */
  rate?: number;
  /** Distinct users to draw from. */
  users: number;
  /** Same seed, same records. */
  seed: number;
  /** Share of records that are malformed (bad JSON, wrong types, missing fields). */
  badRatio: number;
  /** Share of records whose event time is late (behind the newest by more than the watermark delay). */
  lateRatio: number;
  /** Conversion rate to aim for (purchases / views). */
  conversion?: number;
  /** Event time of the first record (epoch ms); default: now. */
  startTime?: number;
  /** Event time between records of a count-bounded run (default 100 ms): a longer step spans more windows. */
  stepMs?: number;
}

export type ProduceTarget =
  /** `security`: the spec's, when the brokers are the spec's (undefined: plaintext). */
  { kind: 'kafka'; bootstrap: string; topic: string; security?: KafkaSecurity } | { kind: 'file'; path: string };

export interface ProduceResult {
  sent: number;
  seconds: number;
  /** How many partitions the Kafka topic has (records go round them in turn); undefined for a file. */
  partitions?: number;
}

export type ProduceFn = (spec: Spec, target: ProduceTarget, opts: ProduceOptions, io: Io, signal?: AbortSignal) => Promise<ProduceResult>;
