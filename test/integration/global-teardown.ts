import { readdirSync, readFileSync } from 'node:fs';
import { memoryIo } from '../../src/io/io';
import { progress } from '../../src/io/progress';
import { stackLayout } from '../../src/stack/layout';
import { LocalStack } from '../../src/stack/stack';

/** Stops the stack the setup started, and fails if any of its processes is left behind. */
export default async function globalTeardown(): Promise<void> {
  if (process.env.UVPV_TESTS_STARTED_STACK !== '1') return;
  const layout = stackLayout(process.env);
  await new LocalStack(layout, progress(memoryIo())).down();
  const left = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`-Duvpv.stack=${layout.stateDir}/`);
      } catch {
        return false;
      }
    });
  if (left.length) throw new Error(`uvpv stack down left stack processes behind: ${left.join(', ')}`);
  process.stderr.write('stack down: no stack process left\n');
}
