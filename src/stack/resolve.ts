/**
 * Gets the stack's jars once: Kafka's and Flink's from Maven Central through the shipped
 * templates/stack/pom.xml, and the project's own Redis SQL connector built from connector/.
 * Each set lands in a directory named after a hash of what produced it, so a changed pom or
 * connector source is resolved again and an unchanged one never is.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import type { Progress } from '../io/progress';
import { RuntimeFailure } from '../errors';
import type { StackLayout } from './layout';

export interface StackJars {
  kafka: string;
  flink: string;
  redisSink: string;
}

const COMPLETE = '.complete';

/**
 * Where the Redis connector's jars are: another connector's (UVPV_REDIS_CONNECTOR_DIR), or the
 * build of connector/ as it is now, in a folder named after its sources' hash.
 */
export function redisSinkDir(layout: StackLayout): string {
  if (layout.redisConnectorDir) return layout.redisConnectorDir;
  return ownRedisSinkDir(layout);
}

function ownRedisSinkDir(layout: StackLayout): string {
  const connector = join(layout.projectRoot, 'connector');
  return join(layout.libDir, `redis-sink-${hashFiles(connector, listFiles(connector, ['pom.xml', 'src/main']))}`);
}

export async function resolveJars(layout: StackLayout, progress: Progress): Promise<StackJars> {
  const pom = join(layout.projectRoot, 'templates', 'stack', 'pom.xml');
  const pomHash = hashFiles(layout.projectRoot, [pom]);
  const kafka = join(layout.libDir, `kafka-${pomHash}`);
  const flink = join(layout.libDir, `flink-${pomHash}`);
  const redisSink = redisSinkDir(layout);
  mkdirSync(layout.libDir, { recursive: true });
  mkdirSync(layout.logsDir, { recursive: true });
  const log = join(layout.logsDir, 'maven.log');

  if (!done(kafka) || !done(flink)) {
    const end = progress.step('downloading the Kafka and Flink jars with Maven (once; about 200 MB)');
    await intoDir(kafka, (tmp) => mvn(layout, log, ['-f', pom, '-Pkafka', 'dependency:copy-dependencies', `-DoutputDirectory=${tmp}`]));
    await intoDir(flink, (tmp) =>
      mvn(layout, log, ['-f', pom, '-Pflink', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${tmp}`]),
    );
    end(`${countJars(kafka)} Kafka jars, ${countJars(flink)} Flink jars`);
  }
  // Another `redis` SQL connector (e.g. jeff-zou's, where it can be had) instead of ours.
  const override = layout.redisConnectorDir;
  if (override) {
    if (!existsSync(override) || countJars(override) === 0) throw new RuntimeFailure(`UVPV_REDIS_CONNECTOR_DIR=${override} holds no jars`);
    return { kafka, flink, redisSink: override };
  }
  await buildRedisSink(layout, progress);
  return { kafka, flink, redisSink };
}

/**
 * Builds uvpv's Redis SQL connector from connector/ (once per source hash) and returns the folder
 * of its jars: the connector's own and its runtime dependencies (Jedis and what Jedis needs), which
 * is what a Flink cluster's lib/ folder needs too (`uvpv connector --out`).
 */
export async function buildRedisSink(layout: StackLayout, progress: Progress): Promise<string> {
  const connectorDir = join(layout.projectRoot, 'connector');
  const redisSink = ownRedisSinkDir(layout);
  if (done(redisSink)) return redisSink;
  mkdirSync(layout.libDir, { recursive: true });
  mkdirSync(layout.logsDir, { recursive: true });
  const log = join(layout.logsDir, 'maven.log');
  const end = progress.step('building the Redis SQL connector (connector/) with Maven');
  await intoDir(redisSink, async (tmp) => {
    // Build in a copy, so an installed (read-only) uvpv can build too.
    const build = join(layout.buildDir, `redis-sink-${process.pid}`);
    rmSync(build, { recursive: true, force: true });
    cpSync(connectorDir, build, { recursive: true, filter: (src) => !src.includes(`${connectorDir}/target`) });
    try {
      await mvn(layout, log, ['-f', join(build, 'pom.xml'), 'package', '-DskipTests']);
      await mvn(layout, log, [
        '-f',
        join(build, 'pom.xml'),
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${tmp}`,
      ]);
      for (const f of readdirSync(join(build, 'target')).filter((f) => f.endsWith('.jar'))) cpSync(join(build, 'target', f), join(tmp, f));
    } finally {
      rmSync(build, { recursive: true, force: true });
    }
  });
  end(`${countJars(redisSink)} jars`);
  return redisSink;
}

function done(dir: string): boolean {
  return existsSync(join(dir, COMPLETE));
}

/** Fills `dir` through a temporary sibling, so an interrupted download is never taken as done. */
async function intoDir(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  if (done(dir)) return;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await fill(tmp);
  writeFileSync(join(tmp, COMPLETE), new Date().toISOString() + '\n');
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

function mvn(layout: StackLayout, logFile: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = openSync(logFile, 'a');
    const child = spawn(layout.mvn, ['-B', ...args], { stdio: ['ignore', out, out] });
    child.on('error', (e) => {
      closeSync(out);
      reject(
        new RuntimeFailure(
          `cannot run Maven ('${layout.mvn}'): ${(e as NodeJS.ErrnoException).code ?? e.message}`,
          undefined,
          undefined,
          'install Maven (Debian/Ubuntu: apt-get install maven) or set UVPV_MVN',
        ),
      );
    });
    child.on('exit', (code) => {
      closeSync(out);
      if (code === 0) resolve();
      else {
        const tail = readFileSync(logFile, 'utf8')
          .split('\n')
          .filter((l) => /ERROR|BUILD FAILURE/.test(l))
          .slice(-8)
          .join('\n');
        reject(new RuntimeFailure(`Maven failed (exit ${code}): mvn ${args.join(' ')}; full log: ${logFile}`, tail));
      }
    });
  });
}

function listFiles(root: string, parts: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
    else out.push(p);
  };
  for (const part of parts) walk(join(root, part));
  return out;
}

/** The files' paths below `base` and their contents: the same wherever the project is installed. */
function hashFiles(base: string, files: string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(relative(base, f)).update(readFileSync(f));
  return h.digest('hex').slice(0, 10);
}

function countJars(dir: string): number {
  return readdirSync(dir).filter((f) => f.endsWith('.jar')).length;
}
