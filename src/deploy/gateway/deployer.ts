import { RuntimeFailure } from '../../errors';
import type { GatewayTarget } from '../../spec/types';
import type { Deployer, DeployerContext } from '../deployer';

export function createGatewayDeployer(_target: GatewayTarget, _ctx: DeployerContext): Deployer {
  const missing = async (): Promise<never> => {
    throw new RuntimeFailure('the gateway target is not implemented yet');
  };
  return { deploy: missing, status: missing, stop: missing };
}
