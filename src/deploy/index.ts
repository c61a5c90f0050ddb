/** Target type → how to deploy to it, and which SQL dialect it runs. */
import type { DialectName } from '../sql/compiler';
import type { Target } from '../spec/types';
import type { Deployer, DeployerContext } from './deployer';
import { createGatewayDeployer } from './gateway/deployer';
import { createOceanusDeployer } from './oceanus/deployer';

export const TARGET_DIALECT: Readonly<Record<Target['type'], DialectName>> = {
  gateway: 'flink',
  oceanus: 'oceanus',
};

export function deployerFor(target: Target, ctx: DeployerContext): Deployer {
  switch (target.type) {
    case 'gateway':
      return createGatewayDeployer(target, ctx);
    case 'oceanus':
      return createOceanusDeployer(target, ctx);
  }
}
