/**
 * The deploy targets, one entry per `type:` a spec's target may have. An entry is everything uvpv
 * knows about that kind of target: how the spec declares it, the SQL dialect it runs, how to
 * deploy to it and what `doctor` checks. A new kind of target is a folder under deploy/ and an
 * entry here. The deployer and the checks are loaded only when used, so that reading a spec
 * loads no service's client.
 */
import type { z } from 'zod';
import type { CheckResult } from '../doctor/result';
import type { DialectName } from '../sql/compiler';
import type { DialectOptions } from '../sql/dialects';
import type { Spec, Target } from '../pipeline/types';
import type { Deployer, DeployerContext, DeployerFactory } from './deployer';
import { gatewayTargetSchema } from './gateway/target';
import { oceanusTargetSchema } from './oceanus/target';

export interface TargetDefinition<T extends Target> {
  /** The keys of `targets.<name>` and their types (their meaning is checked in pipeline/check.ts). */
  schema: z.ZodObject<{ type: z.ZodLiteral<T['type']> } & z.ZodRawShape>;
  dialect: DialectName;
  /** What the dialect must know about the target's cluster. */
  dialectOptions: (target: T) => DialectOptions;
  deployer: () => Promise<DeployerFactory<T>>;
  doctor: () => Promise<(spec: Spec, target: T, env: NodeJS.ProcessEnv) => Promise<CheckResult[]>>;
}

/** Every resolved target type has its entry, and nothing else does. */
export const TARGETS = {
  gateway: {
    schema: gatewayTargetSchema,
    dialect: 'flink',
    dialectOptions: (t) => ({ redisConnector: t.redisConnector }),
    deployer: async () => (await import('./gateway/deployer')).createGatewayDeployer,
    doctor: async () => (await import('./gateway/doctor')).gatewayChecks,
  },
  oceanus: {
    schema: oceanusTargetSchema,
    dialect: 'oceanus',
    dialectOptions: (t) => ({ statementSet: t.statementSet }),
    deployer: async () => (await import('./oceanus/deployer')).createOceanusDeployer,
    doctor: async () => (await import('./oceanus/doctor')).oceanusChecks,
  },
} satisfies { [T in Target as T['type']]: TargetDefinition<T> };

export type TargetType = keyof typeof TARGETS;

export const TARGET_TYPES = Object.keys(TARGETS) as TargetType[];

/** A target's entry, typed for it (TypeScript does not relate `TARGETS[t.type]` to `t` by itself). */
export function definitionOf<T extends Target>(target: T): TargetDefinition<T> {
  return TARGETS[target.type] as unknown as TargetDefinition<T>;
}

export function isTargetType(type: unknown): type is TargetType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(TARGETS, type);
}

/** How to deploy to a target. */
export async function deployerFor(target: Target, ctx: DeployerContext): Promise<Deployer> {
  const create = await definitionOf(target).deployer();
  return create(target, ctx);
}
