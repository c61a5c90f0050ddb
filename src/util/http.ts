/** JSON over HTTP with a timeout, and failures that say which service did not answer. */
import { RuntimeFailure } from '../errors';

export interface HttpOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export class HttpError extends RuntimeFailure {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message, undefined, 'service-error');
  }
}

/** Calls `url`; `service` names it in errors ("Flink SQL Gateway at http://..."). */
export async function requestJson<T>(service: string, url: string, opts: HttpOptions = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
      headers: { ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; errors?: { code?: string }[] } };
    const code = err.cause?.code ?? err.cause?.errors?.find((x) => x.code)?.code;
    const why = err.name === 'TimeoutError' ? `no answer within ${(opts.timeoutMs ?? 30_000) / 1000}s` : (code ?? err.message);
    throw new RuntimeFailure(`${service} did not answer (${why})`, undefined, 'service-unreachable');
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  if (!res.ok) throw new HttpError(`${service} answered HTTP ${res.status}`, res.status, body);
  return body as T;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
