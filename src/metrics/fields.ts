/** The schema fields every metric type shares: its name and its Redis sink; and `by`, for the types that take it. */
import { z } from 'zod';
import { REDIS_TYPE_NAMES, REDIS_TYPES } from '../redis-types';
import { name, text } from '../pipeline/schema-primitives';

/** Commands a spec may choose: those of the types that have more than one. */
const CHOSEN_COMMANDS = [...new Set(REDIS_TYPE_NAMES.flatMap((t) => (REDIS_TYPES[t].commands.length > 1 ? REDIS_TYPES[t].commands : [])))];

const redisSink = z.strictObject({
  type: z.enum(REDIS_TYPE_NAMES),
  key: text,
  command: z.enum(CHOSEN_COMMANDS).optional(),
});

/** A metric's name and Redis sink. */
export const metricFields = { name, redis: redisSink };

/** What `by` adds to the metric types that accept it. */
export const optionalBy = { by: name.optional() };
