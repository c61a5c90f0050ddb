/** How a spec declares a gateway target (`targets.<name>` with `type: gateway`): its keys and their types. */
import { z } from 'zod';
import { text } from '../../pipeline/schema-primitives';

/**
 * The Redis SQL connector a gateway target's cluster has: jeff-zou's `flink-connector-redis`, or
 * uvpv's own (the local stack's), which can also push list entries idempotently.
 */
export const REDIS_CONNECTORS = ['jeff-zou', 'uvpv'] as const;

export const gatewayTargetSchema = z.strictObject({
  type: z.literal('gateway'),
  gateway: text,
  flinkRest: text,
  redisConnector: z.enum(REDIS_CONNECTORS).default('jeff-zou'),
});
