/**
 * Starts the local stack for the integration tests unless it already runs (a developer's own
 * stack is left as it is). The teardown stops it only when this setup started it.
 */
import { memoryIo } from '../../src/cli/io';
import { progress } from '../../src/cli/progress';
import { stackLayout } from '../../src/stack/layout';
import { LocalStack } from '../../src/stack/stack';

export default async function globalSetup(): Promise<void> {
  const io = memoryIo(process.env);
  const stack = new LocalStack(stackLayout(process.env), progress({ ...io, stderr: (t) => process.stderr.write(t) }));
  const status = await stack.status();
  const up = status.components.every((c) => c.healthy) && status.redis?.healthy;
  process.env.UVPV_TESTS_STARTED_STACK = up ? '' : '1';
  if (!up) {
    process.stderr.write('\nstarting the local stack for the integration tests\n');
    await stack.up();
  }
}
