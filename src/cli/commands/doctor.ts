import type { Command } from 'commander';
import { redactedStdout, type Io } from '../../io/io';

/** `uvpv doctor <spec> [--target NAME]`: a checklist; exit 1 if any check fails. */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('doctor')
    .description('check the spec, the tools and every service the pipeline needs, with a fix for each failure')
    .argument('<spec>', 'pipeline spec (YAML)')
    .option('-t, --target <name>', "target from the spec's targets (default: local)", 'local')
    .action(async (file: string, opts: { target: string }) => {
      // What a service reports (a failure's text) may quote the spec's secrets: they stay hidden.
      const shown = redactedStdout(io);
      const { runDoctor } = await import('../../doctor/checks');
      const results = await runDoctor({ file, target: opts.target, env: io.env, cwd: io.cwd, redactor: io.redactor });
      const width = Math.max(...results.map((r) => r.label.length));
      for (const r of results) {
        const [first, ...rest] = r.detail.split('\n');
        shown(`${!r.ok ? 'FAIL' : r.warning ? 'WARN' : 'OK  '} ${r.label.padEnd(width)}  ${first}\n`);
        for (const line of rest) shown(`     ${''.padEnd(width)}  ${line}\n`);
        if (r.fix) shown(`     ${''.padEnd(width)}  fix: ${r.fix}\n`);
      }
      const failed = results.filter((r) => !r.ok).length;
      shown(failed ? `${failed} of ${results.length} checks failed\n` : `all ${results.length} checks passed\n`);
      done(failed ? 1 : 0);
    });
}
