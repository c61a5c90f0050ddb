import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Io } from '../../io/io';

/** `uvpv schema [-o FILE]`: the JSON Schema of a spec, for editors. */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('schema')
    .description(
      "print the JSON Schema of a pipeline spec, for editors' completion and checks (the package ships it as schema/uvpv-spec.schema.json)",
    )
    .option('-o, --output <file>', 'write it to this file instead of stdout')
    .action(async (opts: { output?: string }) => {
      const { specJsonSchema } = await import('../../pipeline/json-schema');
      const text = `${JSON.stringify(specJsonSchema(), null, 2)}\n`;
      if (opts.output) {
        writeFileSync(resolve(io.cwd, opts.output), text);
        io.stderr(`wrote ${opts.output}\n`);
      } else io.stdout(text);
      done(0);
    });
}
