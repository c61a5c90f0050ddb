import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors';
import { DIALECT_NAMES } from '../../sql/dialects/names';
import type { Io } from '../../io/io';
import { printDiagnostics } from '../output';

interface GenerateOptions {
  dialect: string;
  output?: string;
  revealSecrets?: boolean;
  redisConnector: string;
  /** Undefined unless --statement-set or --no-statement-set is given: the dialect's default. */
  statementSet?: boolean;
}

/** `uvpv generate <spec> [--dialect flink|oceanus] [-o FILE] [--reveal-secrets] [--redis-connector NAME] [--[no-]statement-set]`. */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('generate')
    .description('compile a pipeline spec into one Flink SQL script')
    .argument('<spec>', 'pipeline spec (YAML)')
    .option('-d, --dialect <name>', `SQL dialect: ${DIALECT_NAMES.join(' | ')}`, 'flink')
    .option('-o, --output <file>', 'write the SQL to a file instead of standard output')
    .option('--reveal-secrets', 'write secrets (the Redis password) into the SQL instead of ${VAR} placeholders')
    .option(
      '--redis-connector <name>',
      "flink dialect: the cluster's Redis SQL connector, jeff-zou | uvpv (uvpv's own, as on the local stack)",
      'jeff-zou',
    )
    .option('--statement-set', 'oceanus dialect: the inserts as one EXECUTE STATEMENT SET')
    .option('--no-statement-set', 'oceanus dialect: the inserts as plain INSERT INTO statements (the default)')
    .action(async (file: string, opts: GenerateOptions) => {
      if (opts.redisConnector !== 'jeff-zou' && opts.redisConnector !== 'uvpv') {
        throw new UsageError(`unknown --redis-connector '${opts.redisConnector}'; expected jeff-zou or uvpv`);
      }
      const { DIALECT_OPTIONS, isDialect } = await import('../../sql/dialects');
      if (!isDialect(opts.dialect)) {
        throw new UsageError(`unknown dialect '${opts.dialect}'; expected one of ${DIALECT_NAMES.join(', ')}`);
      }
      if (opts.statementSet !== undefined && !DIALECT_OPTIONS[opts.dialect].includes('statementSet')) {
        throw new UsageError(
          `--${opts.statementSet ? '' : 'no-'}statement-set is for dialects that may write plain inserts (${DIALECT_NAMES.filter((d) => DIALECT_OPTIONS[d].includes('statementSet')).join(', ')}); ` +
            `the ${opts.dialect} dialect always writes one EXECUTE STATEMENT SET`,
        );
      }
      const { loadSpec } = await import('../../pipeline/load');
      const { compileSpec } = await import('../../compile');
      const loaded = loadSpec(file, { env: io.env, cwd: io.cwd, revealSecrets: Boolean(opts.revealSecrets) });
      io.redactor?.add(loaded.secrets);
      printDiagnostics(io, loaded.warnings, 'warning');
      const { script, warnings } = compileSpec(
        loaded,
        opts.dialect,
        {},
        {
          redisConnector: opts.redisConnector,
          statementSet: opts.statementSet,
        },
      );
      const sql = script(opts.revealSecrets ? 'reveal' : 'placeholder');
      for (const w of warnings ?? []) io.stderr(`warning: ${w}\n`);
      if (opts.output) {
        writeFileSync(resolve(io.cwd, opts.output), sql);
        io.stderr(`wrote ${opts.output} (${opts.dialect} dialect)\n`);
      } else {
        io.stdout(sql);
      }
      done(0);
    });
}
