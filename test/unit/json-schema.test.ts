/**
 * The JSON Schema editors read: made from the zod schemas that validate a spec, shipped as
 * schema/uvpv-spec.schema.json, and checked here with a real JSON Schema validator (ajv) against
 * every spec of the test cases: it must accept and reject exactly what the structural check does.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { run } from '../../src/cli/run';
import { memoryIo } from '../../src/io/io';
import { specJsonSchema, structuralSpec } from '../../src/pipeline/json-schema';
import { findCases } from '../support/cases';

const ROOT = resolve(__dirname, '../..');
const SHIPPED = join(ROOT, 'schema', 'uvpv-spec.schema.json');
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(SHIPPED, 'utf8')) as object);

test('`uvpv schema` prints the shipped schema (regenerate it with `uvpv schema -o schema/uvpv-spec.schema.json`)', async () => {
  const io = memoryIo({}, ROOT);
  expect(await run(['schema'], io)).toBe(0);
  expect(io.out).toBe(readFileSync(SHIPPED, 'utf8'));
  expect(JSON.parse(io.out)).toEqual(specJsonSchema());
});

/** Each case's spec as YAML parses it; a file YAML itself refuses (or an empty one) is no question for a schema. */
const specs = findCases()
  .map((c) => {
    try {
      return { name: c.name, value: parse(c.read('pipeline.yaml')) as unknown };
    } catch {
      return undefined;
    }
  })
  .filter((s): s is { name: string; value: unknown } => s !== undefined && s.value !== null && s.value !== undefined);

test('every valid case, verify case and the reference pipeline pass the schema', () => {
  const valid = specs.filter((s) => /^(valid|verify)\//.test(s.name) || s.name === 'reference');
  expect(valid.length).toBeGreaterThan(20);
  for (const s of valid)
    expect({ name: s.name, ok: validate(s.value), errors: validate.errors ?? null }).toEqual({ name: s.name, ok: true, errors: null });
});

test('every shipped pipeline passes the schema its first line names', () => {
  const shipped = readdirSync(join(ROOT, 'pipelines')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.expected.yaml'));
  expect(shipped).toEqual(expect.arrayContaining(['uvpv.yaml', 'shop-breakdown.yaml']));
  for (const f of shipped) {
    const text = readFileSync(join(ROOT, 'pipelines', f), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/uvpv-spec.schema.json');
    expect({ f, ok: validate(parse(text)), errors: validate.errors ?? null }).toEqual({ f, ok: true, errors: null });
  }
});

test("the schema accepts and rejects each case's spec as the structural check does", () => {
  const verdicts = specs.map((s) => ({ name: s.name, schema: validate(s.value), structural: structuralSpec.safeParse(s.value).success }));
  expect(verdicts.filter((v) => v.schema !== v.structural)).toEqual([]);
  // Both kinds are there: structural mistakes the schema flags, and specs it passes to `validate`.
  expect(verdicts.filter((v) => !v.structural).length).toBeGreaterThan(5);
  expect(verdicts.filter((v) => v.structural).length).toBeGreaterThan(20);
});

test('a whole-value ${VAR} passes wherever validate takes one for a number (it reads the resolved number)', async () => {
  const text = readFileSync(join(ROOT, 'test/cases/reference/pipeline.yaml'), 'utf8').replace(
    'redis: { type: string, key: conversion_rate }',
    'precision: ${PRECISION:-5}\n    redis: { type: string, key: conversion_rate }',
  );
  expect(validate(parse(text))).toBe(true);
  expect(validate(parse(text.replace('${PRECISION:-5}', 'five')))).toBe(false);
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-schema-'));
  writeFileSync(join(dir, 'p.yaml'), text);
  const io = memoryIo({}, dir);
  expect(await run(['validate', 'p.yaml'], io)).toBe(0);
});
