import type { Command } from 'commander';
import { SpecError } from '../../errors';
import type { Io } from '../../io/io';
import { printDiagnostics } from '../output';

/** `uvpv validate <spec> [--json]`: every problem at once; needs no environment variable set. */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('validate')
    .description('check a pipeline spec and report every problem with its line')
    .argument('<spec>', 'pipeline spec (YAML)')
    .option('--json', 'print the result as JSON (for editors and CI)')
    .action(async (file: string, opts: { json?: boolean }) => {
      const { loadSpec } = await import('../../pipeline/load');
      const { missingLocalFiles } = await import('../../pipeline/local-files');
      try {
        const loaded = loadSpec(file, { env: io.env, cwd: io.cwd, mode: 'lenient' });
        const { spec, secrets } = loaded;
        // A file the spec names may be on a remote cluster's machines only: a warning here, an error where this machine runs the job.
        const warnings = [...loaded.warnings, ...missingLocalFiles(loaded)];
        io.redactor?.add(secrets);
        if (opts.json) io.stdout(JSON.stringify({ valid: true, errors: [], warnings }, null, 2) + '\n');
        else {
          printDiagnostics(io, warnings, 'warning');
          io.stdout(`${spec.file}: valid (pipeline ${spec.name}, ${spec.metrics.length} metrics, ${spec.window.type} window)\n`);
        }
        done(0);
      } catch (e) {
        if (!(e instanceof SpecError) || !opts.json) throw e;
        io.stdout(JSON.stringify({ valid: false, errors: e.diagnostics, warnings: [] }, null, 2) + '\n');
        done(2);
      }
    });
}
