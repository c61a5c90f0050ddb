/** What `uvpv init` writes must validate: checked before it is written, as `uvpv validate` would. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpecError } from '../errors';
import { loadSpec } from '../pipeline/load';

export function checkWritten(text: string, env: NodeJS.ProcessEnv): void {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-init-'));
  try {
    writeFileSync(join(dir, 'pipeline.yaml'), text);
    loadSpec('pipeline.yaml', { env, cwd: dir, mode: 'lenient' });
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    // A proposal that does not validate is uvpv's own mistake, not the user's: say so, with the spec.
    throw new Error(
      `uvpv init wrote a spec that does not validate:\n${e.diagnostics.map((d) => `  ${d.line}:${d.col}: ${d.path}: ${d.message}`).join('\n')}\n\n${text}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
