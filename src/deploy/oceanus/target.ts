/** How a spec declares an Oceanus target (`targets.<name>` with `type: oceanus`): its keys and their types. */
import { z } from 'zod';
import { bool, help, int, text } from '../../pipeline/schema-primitives';

/** An Oceanus JobManager or TaskManager size: CUs of 1 core and `cuMem` GB each. */
export const CU_SIZES = [0.5, 1, 2] as const;
const CU_HELP = help(`expected ${CU_SIZES.join(', ')} (CU: 1 core and cuMem GB each)`);

export const oceanusTargetSchema = z.strictObject({
  type: z.literal('oceanus'),
  region: text,
  clusterId: text,
  workspaceId: text.default(''),
  flinkVersion: text.default('Flink-1.16'),
  parallelism: int.default(1),
  cuMem: int.default(4),
  secretId: text,
  secretKey: text,
  token: text.optional(),
  endpoint: text.default('https://oceanus.tencentcloudapi.com'),
  properties: z.record(z.string(), text).default({}),
  jobManagerCu: z.number({ error: CU_HELP }).default(1),
  taskManagerCu: z.number({ error: CU_HELP }).default(1),
  connectors: z.enum(['auto', 'none']).default('auto'),
  // The inserts as one EXECUTE STATEMENT SET instead of plain INSERT INTO statements (docs/oceanus-first-deploy.md).
  statementSet: bool.default(false),
  // Log collection and the COS bucket of a configuration version, by the SDK models' names
  // (CreateJobConfig's LogCollect, ClsLogsetId, ClsTopicId, COSBucket).
  logCollect: bool.default(false),
  clsLogsetId: text.optional(),
  clsTopicId: text.optional(),
  cosBucket: text.optional(),
  resourceRefs: z
    .array(z.strictObject({ resourceId: text, version: int.default(-1), type: int.default(0) }), {
      error: help('expected a list of {resourceId, version, type}'),
    })
    .optional(),
});
