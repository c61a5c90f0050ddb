import { RuntimeFailure } from '../../errors';
import type { OceanusTarget } from '../../spec/types';
import type { Deployer, DeployerContext } from '../deployer';

// Placeholder until the Oceanus client lands (issue 5): every call says so plainly.
export function createOceanusDeployer(_target: OceanusTarget, _ctx: DeployerContext): Deployer {
  const missing = async (): Promise<never> => {
    throw new RuntimeFailure('the oceanus target is not implemented yet');
  };
  return { deploy: missing, status: missing, stop: missing };
}
