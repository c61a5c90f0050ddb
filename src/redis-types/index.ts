/** The Redis write types a spec may use. A new type is one file here and one line below. */
import type { RedisClient } from '../util/redis';
import type { MetricType } from '../metrics';
import type { RedisTypeDefinition } from './definition';
import { hash } from './hash';
import { hll } from './hll';
import { list } from './list';
import { set } from './set';
import { string } from './string';
import { zset } from './zset';

/** In the order messages list them. */
export const REDIS_TYPES = { set, hll, string, list, hash, zset } as const;

export type RedisType = keyof typeof REDIS_TYPES;

/** A Redis command a sink runs, lower case as the connectors name it: one that some type runs. */
export type RedisCommand = (typeof REDIS_TYPES)[RedisType]['commands'][number];

export const REDIS_TYPE_NAMES = Object.keys(REDIS_TYPES) as [RedisType, ...RedisType[]];

/** Every command some type runs, in registry order. */
export const REDIS_COMMANDS: readonly RedisCommand[] = [...new Set(REDIS_TYPE_NAMES.flatMap((t) => REDIS_TYPES[t].commands))];

type ContentOf<T> = T extends RedisTypeDefinition<infer C> ? C : never;
/** What one key holds, as an expectation states it and verify reads it: `{set: [...]}`, `{hll: 3}`, ... */
export type Expected = { [K in RedisType]: { [P in K]: ContentOf<(typeof REDIS_TYPES)[K]> } }[RedisType];

/** The definition of a type, typed loosely, for code that handles every type alike. */
export function redisType(name: RedisType): RedisTypeDefinition {
  return REDIS_TYPES[name];
}

/** The command a spec's Redis sink runs: the one it chose (`redis.command`), or its type's default. */
export function commandOf(sink: { readonly type: RedisType; readonly command?: RedisCommand }): RedisCommand {
  return sink.command ?? REDIS_TYPES[sink.type].commands[0];
}

/** Whether a type pushes one entry per window (a list): a window written twice shows twice. */
export function pushesWindowEntries(name: RedisType): boolean {
  return REDIS_TYPES[name].columns.some((c) => c.slot === 'window_entry');
}

/** The types a metric type may write, in registry order. */
export function redisTypesFor(metric: MetricType): RedisType[] {
  return REDIS_TYPE_NAMES.filter((t) => REDIS_TYPES[t].metrics.includes(metric));
}

/** The type of an expectation's content. */
export function typeOf(e: Expected): RedisType {
  return Object.keys(e)[0] as RedisType;
}

export function contentOf(e: Expected): unknown {
  return Object.values(e)[0];
}

/** An `Expected` of `type` from its content. */
export function expectedOf(type: RedisType, content: unknown): Expected {
  return { [type]: content } as Expected;
}

/** A key's content as verify compares it; undefined for a Redis type no write type is stored as. */
export async function snapshotKey(redis: RedisClient, key: string): Promise<Expected | undefined> {
  const stored = await redis.type(key);
  for (const name of REDIS_TYPE_NAMES) {
    if (REDIS_TYPES[name].storedAs !== stored) continue;
    const content = await redisType(name).snapshot(redis, key);
    if (content !== undefined) return expectedOf(name, content);
  }
  return undefined;
}

export type { ListEntry } from './list';
export type { Point, Ranked, RedisReader, RedisTypeDefinition, SinkColumn, ColumnSlot, WindowValue } from './definition';
