/**
 * A stack started before uvpv's connector changed (an upgrade while it runs) says so: its
 * TaskManager runs the old build, which may lack what the generated SQL asks of it.
 */
import { cpSync, mkdtempSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stackLayout } from '../../src/stack/layout';
import { LocalStack } from '../../src/stack/stack';

const ROOT = resolve(__dirname, '..', '..');
const quiet = { step: () => () => undefined, info: () => undefined };

test('the running TaskManager has the connector of this checkout: no warning', () => {
  expect(new LocalStack(stackLayout(process.env), quiet).staleConnector()).toBeUndefined();
});

test('connector sources that changed since the stack started: a warning that says how to restart it', () => {
  const root = mkdtempSync(join(tmpdir(), 'uvpv-upgraded-'));
  cpSync(join(ROOT, 'connector', 'pom.xml'), join(root, 'connector', 'pom.xml'));
  cpSync(join(ROOT, 'connector', 'src', 'main'), join(root, 'connector', 'src', 'main'), { recursive: true });
  const same = new LocalStack({ ...stackLayout(process.env), projectRoot: root }, quiet);
  expect(same.staleConnector()).toBeUndefined();
  appendFileSync(join(root, 'connector', 'src', 'main', 'java', 'dev', 'uvpv', 'redis', 'RedisOptions.java'), '\n// a newer build\n');
  const upgraded = new LocalStack({ ...stackLayout(process.env), projectRoot: root }, quiet);
  expect(upgraded.staleConnector()).toMatch(/another build of the Redis connector.*uvpv stack down && uvpv stack up/);
});
