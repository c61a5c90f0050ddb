/**
 * A small Oceanus API client: one signed JSON POST per action, `Response.Error` as a typed error,
 * and bounded retries. A throttled request (`RequestLimitExceeded`) was not carried out, so it is
 * simply sent again; after a network failure or an internal error the request may have had its
 * effect, so the caller's `recheck` is asked first and a non-mutating answer wins over a resend.
 * Credentials stay in here: every text that leaves (API messages, network errors) is redacted.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { OCEANUS_SERVICE, OCEANUS_VERSION, type ApiEnvelope } from './api';
import { isThrottled, isTransient, OceanusApiError, OceanusNetworkError } from './errors';
import { tc3Sign } from './sign';
import { sleep } from '../../util/http';
import { maskSecretValues } from '../../sql/parts';

export interface OceanusCredentials {
  secretId: string;
  secretKey: string;
  /** Session token of temporary credentials, sent as X-TC-Token. */
  token?: string;
}

export interface ClientOptions {
  endpoint: string;
  region: string;
  credentials: OceanusCredentials;
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** First backoff delay; doubled per attempt, capped at 20 s. */
  retryBaseMs: number;
  requestTimeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch (the signing time). */
  now?: () => number;
  /** Told before each retry, for progress output. */
  onRetry?: (action: string, attempt: number, reason: string) => void;
}

export interface CallOptions<T> {
  /** Asked before resending a request that may have had its effect; a value is taken as the result. */
  recheck?: () => Promise<T | undefined>;
}

export class OceanusClient {
  private readonly url: URL;
  private readonly secrets: string[];

  constructor(private readonly opts: ClientOptions) {
    this.url = new URL(opts.endpoint);
    const { secretId, secretKey, token } = opts.credentials;
    this.secrets = [secretId, secretKey, token ?? ''];
  }

  /** Calls `action` and returns its `Response` (without `Error`), retrying what may be retried. */
  async call<T>(action: string, params: object, callOpts: CallOptions<T> = {}): Promise<T> {
    const pause = this.opts.sleep ?? sleep;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(action, params);
      } catch (e) {
        const retry = classify(e);
        if (!retry || attempt >= this.opts.maxAttempts) {
          // How many times it was sent: an answer to a resend may mean the first one took effect.
          if (e instanceof OceanusApiError || e instanceof OceanusNetworkError) e.attempts = attempt;
          throw e;
        }
        this.opts.onRetry?.(action, attempt, (e as Error).message);
        await pause(Math.min(this.opts.retryBaseMs * 2 ** (attempt - 1), 20_000));
        if (retry === 'maybe-done' && callOpts.recheck) {
          const done = await callOpts.recheck();
          if (done !== undefined) return done;
        }
      }
    }
  }

  /** The text with every credential replaced by `******`. */
  redact(text: string): string {
    return maskSecretValues(text, this.secrets);
  }

  private async once<T>(action: string, params: object): Promise<T> {
    const body = JSON.stringify(params);
    const timestamp = Math.floor((this.opts.now?.() ?? Date.now()) / 1000);
    const host = this.url.host;
    const contentType = 'application/json; charset=utf-8';
    const { authorization } = tc3Sign({
      secretId: this.opts.credentials.secretId,
      secretKey: this.opts.credentials.secretKey,
      service: OCEANUS_SERVICE,
      timestamp,
      payload: body,
      headers: { 'content-type': contentType, host, 'x-tc-action': action },
    });
    const headers: Record<string, string> = {
      Authorization: authorization,
      'Content-Type': contentType,
      Host: host,
      'X-TC-Action': action,
      'X-TC-Version': OCEANUS_VERSION,
      'X-TC-Timestamp': String(timestamp),
      'X-TC-Region': this.opts.region,
      'X-TC-Language': 'en-US',
    };
    if (this.opts.credentials.token) headers['X-TC-Token'] = this.opts.credentials.token;

    let answer: { status: number; text: string };
    try {
      answer = await post(this.url, headers, body, this.opts.requestTimeoutMs);
    } catch (e) {
      throw new OceanusNetworkError(action, this.redact(errorText(e)));
    }
    let envelope: ApiEnvelope;
    try {
      envelope = JSON.parse(answer.text) as ApiEnvelope;
    } catch {
      throw new OceanusNetworkError(action, `HTTP ${answer.status} with a body that is not JSON`);
    }
    const response = envelope?.Response;
    if (!response || typeof response !== 'object') {
      throw new OceanusNetworkError(action, `HTTP ${answer.status} without a "Response" object`);
    }
    if (response.Error) {
      const code = String(response.Error.Code ?? 'UnknownError');
      throw new OceanusApiError(action, code, this.redact(String(response.Error.Message ?? '')), response.RequestId);
    }
    return response as unknown as T;
  }
}

/** 'resend': nothing happened, send again; 'maybe-done': recheck, then resend; undefined: give up. */
function classify(e: unknown): 'resend' | 'maybe-done' | undefined {
  if (e instanceof OceanusApiError) {
    if (isThrottled(e.code)) return 'resend';
    return isTransient(e.code) ? 'maybe-done' : undefined;
  }
  return e instanceof OceanusNetworkError ? 'maybe-done' : undefined;
}

function errorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err?.code ? `${err.code}: ${err.message}` : String(err?.message ?? e);
}

function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      {
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port || undefined,
        method: 'POST',
        path: '/',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
