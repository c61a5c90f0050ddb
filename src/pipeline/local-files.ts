/**
 * The files a spec names (a Kafka truststore and keystore, a Redis CA) are read by Flink's
 * TaskManagers, wherever they run; uvpv never reads them. When they run on this machine (the local
 * stack, a gateway on loopback), a file missing here is a job that cannot start: said before it is
 * submitted, with the spec line.
 */
import { existsSync } from 'node:fs';
import type { Diagnostic } from '../errors';
import { DEFERRED } from './schema';
import type { Loaded } from './load';
import type { Spec } from './types';
import type { Path } from './yaml-doc';

/** Each file the spec names, with where it names it. */
export function specFiles(spec: Spec): { path: Path; file: string }[] {
  const k = spec.source.security;
  const files: { path: Path; file: string | undefined }[] = [
    { path: ['source', 'security', 'truststore'], file: k?.truststore },
    { path: ['source', 'security', 'keystore', 'cert'], file: k?.keystore?.cert },
    { path: ['source', 'security', 'keystore', 'key'], file: k?.keystore?.key },
    { path: ['redis', 'tls', 'ca'], file: spec.redis.tls?.ca },
  ];
  return files.flatMap(({ path, file }) => (file === undefined || DEFERRED.test(file) ? [] : [{ path, file }]));
}

/** The files of the spec that do not exist on this machine, located. */
export function missingLocalFiles(loaded: Loaded): Diagnostic[] {
  return specFiles(loaded.spec)
    .filter(({ file }) => !existsSync(file))
    .map(({ path, file }) =>
      loaded.locate(
        path,
        `${file} does not exist on this machine: a Flink here (the local stack) cannot read it, and a remote one needs it on every TaskManager`,
      ),
    );
}

/** Whether a URL names this machine (a target whose Flink reads this machine's files). */
export function isLoopback(url: string): boolean {
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}
