/** Reading a client library's error: what it wraps, and whether it is a TLS certificate problem. */

/**
 * The error and the errors it wraps, outermost first: `cause`, kafkajs's `originalError`, an
 * ioredis cluster's `lastNodeError` (the error of the last node it tried).
 */
export function errorChain(e: unknown): Error[] {
  const out: Error[] = [];
  let x: unknown = e;
  while (out.length < 8) {
    if (!isError(x)) {
      if (typeof x === 'string' && out.length === 0) out.push(new Error(x));
      break;
    }
    out.push(x);
    const next = x as { lastNodeError?: unknown; cause?: unknown; originalError?: unknown };
    x = next.lastNodeError ?? next.cause ?? next.originalError;
  }
  return out;
}

/** Node's code for a certificate that was not trusted (`SELF_SIGNED_CERT_IN_CHAIN`, `ERR_TLS_CERT_ALTNAME_INVALID`, ...). */
export function tlsCertificateCode(e: unknown): string | undefined {
  return errorChain(e)
    .map((x) => (x as { code?: unknown }).code)
    .find((c): c is string => typeof c === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL/.test(c));
}

/** True when a TLS handshake met a server that does not speak TLS. */
export function tlsHandshakeFailed(e: unknown): boolean {
  return errorChain(e).some((x) => /wrong version number|EPROTO|packet length too long|disconnected before secure TLS/i.test(x.message));
}

/** Why a service refused a client, and the fix (naming the setting, never a value), as doctor and verify print them. */
export interface Refusal {
  kind: 'authentication' | 'tls';
  detail: string;
  fix: string;
}

/**
 * A TLS refusal read from an error: a certificate that was not trusted (the caller's words for it,
 * given Node's code), or a handshake with a server that does not speak TLS; undefined for anything else.
 */
export function tlsRefusal(
  e: unknown,
  words: { untrusted: (code: string) => Omit<Refusal, 'kind'>; handshake: Omit<Refusal, 'kind'> },
): Refusal | undefined {
  const code = tlsCertificateCode(e);
  if (code) return { kind: 'tls', ...words.untrusted(code) };
  if (tlsHandshakeFailed(e)) return { kind: 'tls', ...words.handshake };
  return undefined;
}

/** An Error, also one made in another realm (Node's own, as seen from a test sandbox), where instanceof fails. */
export function isError(x: unknown): x is Error {
  return x instanceof Error || (typeof x === 'object' && x !== null && typeof (x as { message?: unknown }).message === 'string');
}
