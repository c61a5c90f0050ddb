/**
 * The CLI entry: `run(argv, io)` returns an exit code and never throws, so tests call it in
 * process. This is the one place where typed errors become exit codes and messages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { RuntimeFailure, SpecError, UsageError, UvpvError } from '../errors';
import { COMMANDS } from './commands';
import { processIo, type Io } from '../io/io';
import { settings } from '../io/settings';
import { printDiagnostics } from './output';
import { Redactor } from '../util/redact';

/** package.json's, found from this file: src/cli/ and dist/cli/ both sit two levels below it. */
const VERSION = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

export async function run(argv: readonly string[], outside: Io = processIo()): Promise<number> {
  // The secrets this run resolves, and no other run's: commands that load a spec hand theirs over.
  const redactor = new Redactor();
  const io: Io = { ...outside, redactor };
  let exitCode: number | undefined;
  const done = (code: number) => {
    exitCode = code;
  };
  const program = new Command('uvpv')
    .description('Real-time UV / PV / conversion-rate pipelines on Flink: generate, deploy, verify, watch.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run uvpv --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  for (const register of COMMANDS) register(program, io, done);
  program.commands.forEach((c) => c.exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) }));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode ?? 0;
  } catch (e) {
    return report(e, io, redactor);
  }
}

function report(e: unknown, rawIo: Io, redactor: Redactor): number {
  // Whatever an error quotes (a server's message, Flink's table options), secrets stay hidden.
  const io: Io = { ...rawIo, stderr: (t) => rawIo.stderr(redactor.redact(t)) };
  if (e instanceof CommanderError) {
    // Commander already printed its message; help and version exit 0.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return 2;
  }
  if (e instanceof SpecError) {
    printDiagnostics(io, e.diagnostics);
    io.stderr(`${e.message}\n`);
    return e.exitCode;
  }
  if (e instanceof UsageError) {
    io.stderr(`error: ${e.message}\n`);
    if (e.fix) io.stderr(`fix: ${e.fix}\n`);
    return e.exitCode;
  }
  if (e instanceof RuntimeFailure) {
    io.stderr(`error: ${e.message}\n`);
    if (e.detail) io.stderr(`${e.detail.trimEnd()}\n`);
    if (e.fix) io.stderr(`fix: ${e.fix}\n`);
    return e.exitCode;
  }
  if (e instanceof UvpvError) {
    io.stderr(`error: ${e.message}\n`);
    return e.exitCode;
  }
  // A bug in uvpv: say so plainly; the stack only on request.
  io.stderr(`internal error: ${(e as Error)?.message ?? String(e)}\n`);
  if (settings(io.env).debug()) io.stderr(`${(e as Error)?.stack ?? ''}\n`);
  else io.stderr('(set UVPV_DEBUG=1 for details, and please report it)\n');
  return 1;
}
