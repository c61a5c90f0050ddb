import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors';
import type { Io } from '../../io/io';
import { progress } from '../../io/progress';

/**
 * `uvpv connector --out DIR`: uvpv's own Redis SQL connector, built with Maven from the copy the
 * package ships, for a Flink cluster of the user's own (the guarantees need it; jeff-zou's
 * connector, the flink dialect's default, writes each row at once).
 */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('connector')
    .description("build uvpv's Redis SQL connector (Java 17 and Maven) and copy its jars into a folder, for your Flink cluster's lib/")
    .requiredOption('-o, --out <dir>', 'the folder to copy the jars into (made if missing)')
    .action(async (opts: { out: string }) => {
      const out = resolve(io.cwd, opts.out);
      if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${opts.out}: not a folder`);
      const { stackLayout } = await import('../../stack/layout');
      const { buildRedisSink } = await import('../../stack/resolve');
      const jars = await buildRedisSink(stackLayout(io.env), progress(io));
      mkdirSync(out, { recursive: true });
      const names = readdirSync(jars).filter((f) => f.endsWith('.jar'));
      for (const name of names) cpSync(join(jars, name), join(out, name));
      io.stdout(`${names.map((n) => `${join(opts.out, n)}\n`).join('')}`);
      io.stderr(
        [
          `copied ${names.length} jars into ${opts.out}. Next:`,
          "  1. put them in the lib/ folder of every Flink JobManager and TaskManager (and the SQL Gateway's), and",
          "     remove any other connector whose factory identifier is 'redis' (jeff-zou's): Flink refuses two;",
          '  2. restart the cluster;',
          "  3. set `redisConnector: uvpv` on the spec's gateway target, so that uvpv writes SQL for this connector.",
          '',
        ].join('\n'),
      );
      done(0);
    });
}
