/**
 * A connection to Oceanus for one target: the settings (UVPV_OCEANUS_*), the credentials, what
 * error messages may name, and clients that retry and report retries as progress. Deploy, status,
 * stop and doctor all connect through here.
 */
import { UsageError } from '../../errors';
import type { Progress } from '../../io/progress';
import { Settings, type OceanusSettings } from '../../io/settings';
import { parseTemplate, templateVariables } from '../../pipeline/interpolate';
import type { OceanusTarget, Secret } from '../../pipeline/types';
import { sleep } from '../../util/http';
import { OceanusClient, type OceanusCredentials } from './client';
import type { ErrorHints } from './errors';
import { OceanusJobs } from './jobs';

export interface OceanusSession {
  readonly settings: OceanusSettings & { endpoint: string };
  readonly hints: ErrorHints;
  /** Undefined when the secret id or key is not set. */
  readonly credentials: OceanusCredentials | undefined;
  /** The usage error for missing credentials; its fix names where to set them. */
  missingCredentials(): UsageError;
  client(credentials: OceanusCredentials): OceanusClient;
  jobs(credentials: OceanusCredentials): OceanusJobs;
}

export function oceanusSession(target: OceanusTarget, env: NodeJS.ProcessEnv, progress: Progress): OceanusSession {
  const settings = readSettings(target, env);
  const hints: ErrorHints = {
    secretIdSource: sourceOf(target, 'secretId'),
    secretKeySource: sourceOf(target, 'secretKey'),
    tokenSource: sourceOf(target, 'token'),
    endpoint: settings.endpoint,
    region: target.region,
    clusterId: target.clusterId,
    jobName: '',
    parallelism: target.parallelism,
    cuMem: target.cuMem,
  };
  const client = (credentials: OceanusCredentials) =>
    new OceanusClient({
      endpoint: settings.endpoint,
      region: target.region,
      credentials,
      maxAttempts: settings.maxAttempts,
      retryBaseMs: settings.retryBaseMs,
      requestTimeoutMs: settings.requestTimeoutMs,
      onRetry: (_action, attempt, reason) =>
        progress.info(`Oceanus ${reason}; retrying (attempt ${attempt + 1} of ${settings.maxAttempts})`),
    });
  return {
    settings,
    hints,
    credentials: credentialsOf(target),
    missingCredentials: () => missingCredentials(target),
    client,
    jobs: (credentials) =>
      new OceanusJobs(client(credentials), target, { pollMs: settings.pollMs, timeoutMs: settings.timeoutMs, sleep, progress }),
  };
}

/** The UVPV_OCEANUS_* settings, with the endpoint to call: the environment's, else the target's. */
function readSettings(target: OceanusTarget, env: NodeJS.ProcessEnv): OceanusSettings & { endpoint: string } {
  const read = new Settings(env).oceanus();
  const endpoint = read.endpoint ?? target.endpoint;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol)) {
    throw new UsageError(
      `the Oceanus endpoint '${endpoint}' is not an http:// or https:// URL (targets.${target.name}.endpoint or UVPV_OCEANUS_ENDPOINT)`,
    );
  }
  return { ...read, endpoint: url.origin };
}

/** Where a secret comes from, for messages: its variables, or its key in the spec. */
function sourceOf(target: OceanusTarget, key: 'secretId' | 'secretKey' | 'token'): string {
  const secret: Secret | undefined = target[key];
  const parts = secret ? parseTemplate(secret.placeholder) : [];
  const vars = typeof parts === 'string' ? [] : templateVariables(parts);
  return vars.length ? vars.join(', ') : `targets.${target.name}.${key}`;
}

const valueOf = (secret: Secret | undefined) => (secret && !secret.empty && secret.value ? secret.value : undefined);

function credentialsOf(target: OceanusTarget): OceanusCredentials | undefined {
  const secretId = valueOf(target.secretId);
  const secretKey = valueOf(target.secretKey);
  if (!secretId || !secretKey) return undefined;
  return { secretId, secretKey, token: valueOf(target.token) };
}

function missingCredentials(target: OceanusTarget): UsageError {
  const missing = (['secretId', 'secretKey'] as const).filter((k) => !valueOf(target[k])).map((k) => sourceOf(target, k));
  return new UsageError(
    `the Oceanus target '${target.name}' needs Tencent Cloud API credentials`,
    `set ${missing.join(' and ')} (an API key from the CAM console)`,
  );
}
