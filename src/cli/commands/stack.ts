import { existsSync, readFileSync, statSync, watch } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors';
import type { Io } from '../../io/io';
import { progress } from '../../io/progress';

/** `uvpv stack up | down | status | logs`: the local Kafka + Flink + SQL Gateway (+ Redis). */
export function register(program: Command, io: Io, done: (code: number) => void): void {
  const stack = program.command('stack').description('the local stack: Kafka, a Flink session cluster, its SQL Gateway, and Redis');
  const local = async () => {
    const { LocalStack } = await import('../../stack/stack');
    const { stackLayout } = await import('../../stack/layout');
    return new LocalStack(stackLayout(io.env), progress(io));
  };

  stack
    .command('up')
    .description('start the local stack (idempotent) and wait until every part answers')
    .option('--with <extras>', 'also start opt-in servers, comma-separated: secure, cluster, sentinel, tls (see docs/local-stack.md)')
    .action(async (opts: { with?: string }) => {
      const { parseExtras } = await import('../../stack/extras');
      const extras = parseExtras(opts.with);
      const s = await local();
      const started = Date.now();
      const { started: base, redis } = await s.up();
      const names = [...base, ...(await s.upExtras(extras))];
      const took = ((Date.now() - started) / 1000).toFixed(1);
      io.stdout(
        `${names.length ? `stack up in ${took}s` : 'stack already up'}: Kafka ${s.urls.kafka}, Flink ${s.urls.flinkRest}, SQL Gateway ${s.urls.gateway}, Redis ${redis.host}:${redis.port}${redis.managed ? ' (own)' : ''}\n`,
      );
      if (extras.length) {
        const { credentialsFile } = await import('../../stack/extras');
        io.stdout(`extras: ${extras.join(', ')}; their passwords: ${credentialsFile(s.layout)}\n`);
      }
      io.stdout(`logs: ${s.layout.logsDir}\n`);
      done(0);
    });

  stack
    .command('down')
    .description('stop the processes the stack started (and nothing else)')
    .action(async () => {
      const lines = await (await local()).down();
      io.stdout(lines.length ? `${lines.join('\n')}\nstack down\n` : 'stack was not running\n');
      done(0);
    });

  stack
    .command('status')
    .description('show which parts run and answer; exit 1 when any is down')
    .action(async () => {
      const s = await local();
      const { components, redis } = await s.status();
      let ok = true;
      for (const c of components) {
        const state = c.pid ? (c.healthy ? `up     ${c.healthy}` : 'STARTING or UNHEALTHY') : 'down';
        if (!c.pid || !c.healthy) ok = false;
        io.stdout(`${c.name.padEnd(12)} ${state}${c.pid ? `  (pid ${c.pid}, ${c.rssMb ?? '?'} MB)` : ''}\n`);
      }
      if (redis)
        io.stdout(
          `${'redis'.padEnd(12)} ${redis.healthy ? 'up    ' : 'DOWN  '} ${redis.host}:${redis.port}${redis.managed ? ' (own redis-server)' : " (the machine's)"}\n`,
        );
      else {
        io.stdout(`${'redis'.padEnd(12)} not chosen yet (uvpv stack up picks one)\n`);
        ok = false;
      }
      for (const e of await s.extras()) {
        if (!e.healthy) ok = false;
        io.stdout(`${e.name.padEnd(12)} ${e.healthy ? `up     ${e.healthy}` : 'UNHEALTHY'}  (pid ${e.pid}, --with ${e.extra})\n`);
      }
      const stale = s.staleConnector();
      if (stale) io.stderr(`warning: ${stale}\n`);
      done(ok ? 0 : 1);
    });

  stack
    .command('logs')
    .description("print the last lines of a component's log (or list the log files)")
    .argument('[component]', 'kafka | jobmanager | taskmanager | sql-gateway | maven')
    .option('-n, --lines <n>', 'how many lines', '50')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .action(async (component: string | undefined, opts: { lines: string; follow?: boolean }) => {
      const files = (await local()).logFiles();
      if (!component) {
        for (const [name, file] of Object.entries(files))
          io.stdout(`${name.padEnd(12)} ${file}${existsSync(file) ? '' : ' (not written yet)'}\n`);
        done(0);
        return;
      }
      const file = files[component];
      if (!file) throw new UsageError(`unknown component '${component}'; expected one of ${Object.keys(files).join(', ')}`);
      if (!existsSync(file)) throw new UsageError(`${file} does not exist yet: has the stack been started?`);
      const n = Number(opts.lines);
      io.stdout(
        readFileSync(file, 'utf8')
          .split('\n')
          .slice(-n - 1)
          .join('\n'),
      );
      if (!opts.follow) {
        done(0);
        return;
      }
      let size = statSync(file).size;
      await new Promise<void>((resolve) => {
        const w = watch(file, () => {
          const now = statSync(file).size;
          if (now > size) io.stdout(readFileSync(file).subarray(size, now).toString());
          size = now;
        });
        process.once('SIGINT', () => {
          w.close();
          resolve();
        });
      });
      done(0);
    });
}
