/** Reading and writing expectation files (contract: verify-expect-v1), strictly and with positions. */
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { SpecError, UsageError, type Diagnostic } from '../errors';
import type { Expectation, Expected } from '../model/expectation';
import { YamlFile } from '../spec/yaml-doc';

const TYPES = ['set', 'list', 'string', 'hash', 'hll'] as const;

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
  if (doc.exact !== undefined && typeof doc.exact !== 'boolean') fail(['exact'], `got ${JSON.stringify(doc.exact)}; expected true or false`);
  const redis = new Map<string, Expected>();
  const keys = doc.redis;
  if (!keys || typeof keys !== 'object' || Array.isArray(keys)) fail(['redis'], 'expected a map of Redis key to its expected content');
  else {
    for (const [key, raw] of Object.entries(keys as Record<string, unknown>)) {
      const at = ['redis', key];
      const entries = raw && typeof raw === 'object' && !Array.isArray(raw) ? Object.entries(raw) : [];
      if (entries.length !== 1 || !(TYPES as readonly string[]).includes(entries[0][0])) {
        fail(at, `expected exactly one of ${TYPES.join(' | ')}, e.g. {set: ["1", "2"]}`);
        continue;
      }
      const [type, value] = entries[0];
      const bad = checkValue(type as (typeof TYPES)[number], value);
      if (bad) fail([...at, type], bad);
      else redis.set(key, normalise(type as (typeof TYPES)[number], value));
    }
  }
  if (problems.length) throw new SpecError(problems);
  return { redis, exact: (doc.exact as boolean | undefined) ?? true };
}

function checkValue(type: (typeof TYPES)[number], v: unknown): string | undefined {
  const scalar = (x: unknown) => typeof x === 'string' || typeof x === 'number';
  switch (type) {
    case 'set':
      return Array.isArray(v) && v.every(scalar) ? undefined : 'a set is a list of members, e.g. ["1", "2"]';
    case 'list':
      return Array.isArray(v) ? undefined : 'a list is a list of entries, index 0 first';
    case 'string':
      return scalar(v) ? undefined : 'a string is one value, e.g. "0.5000"';
    case 'hash':
      return v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(scalar) ? undefined : 'a hash is a map of field to value';
    case 'hll':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : 'an hll is the expected PFCOUNT, a whole number';
  }
}

function normalise(type: (typeof TYPES)[number], v: unknown): Expected {
  switch (type) {
    case 'set':
      return { set: (v as unknown[]).map(String) };
    case 'string':
      return { string: String(v) };
    case 'hash':
      return { hash: Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, String(x)])) };
    case 'hll':
      return { hll: v as number };
    case 'list':
      return { list: v as Record<string, unknown>[] };
  }
}

/** An expectation as YAML, in the contract's form (for --write-expect and the model's output). */
export function expectationYaml(e: Expectation, header: string): string {
  const redis: Record<string, unknown> = {};
  for (const [key, value] of e.redis) redis[key] = value;
  const body = stringify({ redis, exact: e.exact }, { flowCollectionPadding: false, lineWidth: 0, collectionStyle: 'any' });
  return `${header.split('\n').map((l) => `# ${l}`).join('\n')}\n${body}`;
}
