/**
 * Running `uvpv` in process against the fake Oceanus. Every run asserts that no credential
 * (the fake's and any other passed in `secrets`) shows up in stdout or stderr.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { memoryIo } from '../../src/io/io';
import { run } from '../../src/cli/run';
import { startFakeOceanus, type FakeOceanus, type FakeOceanusOptions } from './server';

export const ROOT = resolve(__dirname, '..', '..');
export const SPEC = 'pipelines/uvpv.yaml';
export const SECRET_ID = 'AKIDuvpvTestSecretId0123456789';
export const SECRET_KEY = 'uvpvTestSecretKey-9876543210';
export const CLUSTER = 'cluster-uvpv01';

export interface Result {
  code: number;
  out: string;
  err: string;
}

/** Secrets that must never be printed, whatever the test: every run checks them. */
const watched = new Set<string>([SECRET_ID, SECRET_KEY]);

export function watchSecret(...secrets: string[]): void {
  for (const s of secrets) watched.add(s);
}

export async function uvpv(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<Result> {
  const io = memoryIo(env, cwd);
  const code = await run(args, io);
  for (const secret of watched) {
    expect(io.out).not.toContain(secret);
    expect(io.err).not.toContain(secret);
  }
  return { code, out: io.out, err: io.err };
}

export function startFake(opts: Partial<FakeOceanusOptions> = {}): Promise<FakeOceanus> {
  return startFakeOceanus({ secretId: SECRET_ID, secretKey: SECRET_KEY, region: 'ap-guangzhou', clusterIds: [CLUSTER], ...opts });
}

/** The environment of a deploy against `fake`, with tiny poll and retry delays. */
export function envFor(fake: FakeOceanus, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    UVPV_OCEANUS_ENDPOINT: fake.url,
    OCEANUS_CLUSTER_ID: CLUSTER,
    TENCENTCLOUD_SECRET_ID: SECRET_ID,
    TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
    UVPV_OCEANUS_POLL_MS: '1',
    UVPV_OCEANUS_RETRY_MS: '1',
    ...extra,
  };
}

/** The actions the fake was called with, in order. */
export const actions = (fake: FakeOceanus) => fake.state.requests.map((r) => r.action);

export const MUTATING = ['CreateJob', 'CreateJobConfig', 'RunJobs', 'StopJobs'];

/** The reference spec with more keys in its oceanus target, or other text replaced; written to a temp folder. */
export function specWith(targetKeys: string, replace: [string, string][] = []): { file: string; dir: string } {
  let text = readFileSync(join(ROOT, SPEC), 'utf8').replace(
    '    endpoint: ${UVPV_OCEANUS_ENDPOINT:-https://oceanus.tencentcloudapi.com}\n',
    `    endpoint: \${UVPV_OCEANUS_ENDPOINT:-https://oceanus.tencentcloudapi.com}\n${targetKeys}`,
  );
  for (const [from, to] of replace) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-oceanus-target-'));
  writeFileSync(join(dir, 'pipeline.yaml'), text);
  return { file: join(dir, 'pipeline.yaml'), dir };
}

/**
 * What `uvpv generate --dialect oceanus` prints for the same environment (revealed: not through
 * the secret guard), with more `flags`, for `spec` in `cwd`.
 */
async function generated(env: NodeJS.ProcessEnv, reveal: boolean, flags: string[], spec: string, cwd: string): Promise<string> {
  const io = memoryIo(env, cwd);
  expect(await run(['generate', spec, '--dialect', 'oceanus', ...(reveal ? ['--reveal-secrets'] : []), ...flags], io)).toBe(0);
  return io.out;
}

/** The generated script as Oceanus gets it: the same statements, without the comment lines. */
export async function uploaded(env: NodeJS.ProcessEnv, reveal = false, flags: string[] = [], spec = SPEC, cwd = ROOT): Promise<string> {
  const text = await generated(env, reveal, flags, spec, cwd);
  const lines = text.split('\n').filter((l) => !/^\s*--/.test(l));
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
