/**
 * Plans generated SQL on Flink 1.20's own planner (connector/src/test/java/dev/uvpv/plannercheck),
 * with the Kafka connector, the JSON format and the Redis sink on the classpath and no cluster.
 * One JVM plans every script given to it, so a few hundred specs take a minute, not an hour.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlStatement } from '../../src/sql/compiler';
import { renderSql } from '../../src/sql/parts';
import { JAVA17_FLAGS } from '../../src/stack/components';

const CONNECTOR = join(__dirname, '..', '..', 'connector');
const TARGET = join(CONNECTOR, 'target');
const CLASSPATH_FILE = join(TARGET, 'test-classpath.txt');
const MAIN_CLASS = 'dev.uvpv.plannercheck.PlannerCheck';

export interface Script {
  id: string;
  statements: readonly SqlStatement[];
}

export type Planned = { id: string; ok: true } | { id: string; ok: false; statement: number; error: string };

/** Compiles the checker with Maven when `npm run test:connector` has not already. */
function classpath(): string {
  const compiled = join(TARGET, 'test-classes', ...MAIN_CLASS.split('.')) + '.class';
  if (!existsSync(CLASSPATH_FILE) || !existsSync(compiled)) {
    const r = spawnSync('mvn', ['-B', '-q', '-ntp', '-f', join(CONNECTOR, 'pom.xml'), 'test-compile'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('mvn test-compile of connector/ failed');
  }
  return [join(TARGET, 'test-classes'), join(TARGET, 'classes'), readFileSync(CLASSPATH_FILE, 'utf8').trim()].join(':');
}

/** Plans each script; the results in the same order. */
export async function planOnFlink(scripts: readonly Script[]): Promise<Planned[]> {
  const child = spawn('java', ['-Xmx1g', ...JAVA17_FLAGS, '-cp', classpath(), MAIN_CLASS], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-20_000)));
  const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
  for (const s of scripts) {
    // Length framing (in UTF-16 units, as Java reads chars): no SQL text can end a statement early.
    let frame = `script ${s.id} ${s.statements.length}\n`;
    for (const st of s.statements) {
      const sql = renderSql(st.parts, 'placeholder');
      frame += `${st.kind} ${sql.length}\n${sql}\n`;
    }
    child.stdin.write(frame);
  }
  child.stdin.end();
  const code = await ended;
  const results = out
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Planned);
  if (code !== 0 || results.length !== scripts.length) {
    throw new Error(`PlannerCheck exited ${code} after ${results.length} of ${scripts.length} scripts:\n${err}`);
  }
  return results;
}
