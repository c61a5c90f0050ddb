/**
 * Starts the local stack for the integration tests unless it already runs (a developer's own
 * stack is left as it is). The teardown stops it only when this setup started it.
 */
import { memoryIo } from '../../src/io/io';
import { progress } from '../../src/io/progress';
import { stackLayout } from '../../src/stack/layout';
import { LocalStack } from '../../src/stack/stack';

export default async function globalSetup(): Promise<void> {
  const io = memoryIo(process.env);
  const stack = new LocalStack(stackLayout(process.env), progress({ ...io, stderr: (t) => process.stderr.write(t) }));
  const up = await stack.isUp();
  process.env.UVPV_TESTS_STARTED_STACK = up ? '' : '1';
  if (!up) {
    process.stderr.write('\nstarting the local stack for the integration tests\n');
    await stack.up();
  }
}
