/** Reading and writing expectation files (docs/verify.md), strictly and with positions. */
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { SpecError, UsageError, type Diagnostic } from '../errors';
import type { Expectation } from '../model/expectation';
import { expectedOf, REDIS_TYPE_NAMES, redisType, type Expected } from '../redis-types';
import type { RedisType } from '../pipeline/types';
import { YamlFile } from '../pipeline/yaml-doc';

export function readExpectation(file: string, shownAs = file): Expectation {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read expectation file ${shownAs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { yaml, errors } = YamlFile.parse(shownAs, text);
  if (errors.length) throw new SpecError(errors);
  const doc = yaml.toJS() as Record<string, unknown> | null;
  const problems: Diagnostic[] = [];
  const fail = (path: (string | number)[], message: string, onKey = false) => problems.push(yaml.diag(path, message, onKey));
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new SpecError([yaml.diag([], 'an expectation file is a YAML map with keys redis and exact')]);
  }
  for (const k of Object.keys(doc)) if (k !== 'redis' && k !== 'exact') fail([k], `unknown key '${k}'; allowed here: redis, exact`, true);
  if (doc.exact !== undefined && typeof doc.exact !== 'boolean')
    fail(['exact'], `got ${JSON.stringify(doc.exact)}; expected true or false`);
  const redis = new Map<string, Expected>();
  const keys = doc.redis;
  if (!keys || typeof keys !== 'object' || Array.isArray(keys)) fail(['redis'], 'expected a map of Redis key to its expected content');
  else {
    for (const [key, raw] of Object.entries(keys as Record<string, unknown>)) {
      const at = ['redis', key];
      const entries = raw && typeof raw === 'object' && !Array.isArray(raw) ? Object.entries(raw) : [];
      if (entries.length !== 1 || !(REDIS_TYPE_NAMES as readonly string[]).includes(entries[0][0])) {
        fail(at, `expected exactly one of ${REDIS_TYPE_NAMES.join(' | ')}, e.g. {set: ["1", "2"]}`);
        continue;
      }
      const [name, value] = entries[0] as [RedisType, unknown];
      const type = redisType(name);
      const bad = type.checkExpected(value);
      if (bad) fail([...at, name], bad);
      else redis.set(key, expectedOf(name, type.expected(value)));
    }
  }
  if (problems.length) throw new SpecError(problems);
  return { redis, exact: (doc.exact as boolean | undefined) ?? true };
}

/** An expectation as YAML, in the expectation file's form (for --write-expect and the model's output). */
export function expectationYaml(e: Expectation, header: string): string {
  const redis: Record<string, unknown> = {};
  for (const [key, value] of e.redis) redis[key] = value;
  const body = stringify({ redis, exact: e.exact }, { flowCollectionPadding: false, lineWidth: 0, collectionStyle: 'any' });
  return `${header
    .split('\n')
    .map((l) => `# ${l}`)
    .join('\n')}\n${body}`;
}
