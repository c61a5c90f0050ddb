/**
 * Tencent Cloud API 3.0 request signing, TC3-HMAC-SHA256 ("Signature v3" in Tencent Cloud's API
 * docs). Small enough to own: node:crypto only, pinned by a unit test to the worked example the
 * docs publish (CVM DescribeInstances at timestamp 1551113065).
 *
 *   CanonicalRequest = POST \n / \n <query> \n <lower(name):trim(value)\n sorted> \n <signed names> \n hex(sha256(body))
 *   StringToSign     = TC3-HMAC-SHA256 \n <timestamp> \n <UTC date>/<service>/tc3_request \n hex(sha256(CanonicalRequest))
 *   SigningKey       = HMAC(HMAC(HMAC("TC3" + SecretKey, date), service), "tc3_request")
 *   Signature        = hex(HMAC(SigningKey, StringToSign))
 */
import { createHash, createHmac } from 'node:crypto';

const TC3_ALGORITHM = 'TC3-HMAC-SHA256';

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  /** Product name, the first label of its domain: `oceanus`, `cvm`. */
  service: string;
  /** Seconds since the epoch; also decides the (UTC) date of the credential scope. */
  timestamp: number;
  /** The exact request body as sent. */
  payload: string;
  /** Headers to sign, by name (any case); must include content-type and host. */
  headers: Readonly<Record<string, string>>;
  method?: string;
  /** Canonical query string; always empty for POST. */
  query?: string;
}

export interface Tc3Signature {
  canonicalRequest: string;
  stringToSign: string;
  credentialScope: string;
  signedHeaders: string;
  signature: string;
  /** The value of the `Authorization` header. */
  authorization: string;
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();

/** `YYYY-MM-DD` of a timestamp in UTC (never local time: the docs warn about 00:00 UTC+8). */
export function utcDate(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

export function tc3Sign(input: Tc3Input): Tc3Signature {
  const entries = Object.entries(input.headers)
    .map(([name, value]) => [name.trim().toLowerCase(), value.trim().toLowerCase()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const names = entries.map(([name]) => name);
  if (!names.includes('content-type') || !names.includes('host')) {
    throw new Error('TC3 signing needs the content-type and host headers');
  }
  const signedHeaders = names.join(';');
  const canonicalHeaders = entries.map(([name, value]) => `${name}:${value}\n`).join('');
  const canonicalRequest = [input.method ?? 'POST', '/', input.query ?? '', canonicalHeaders, signedHeaders, sha256Hex(input.payload)].join(
    '\n',
  );

  const date = utcDate(input.timestamp);
  const credentialScope = `${date}/${input.service}/tc3_request`;
  const stringToSign = [TC3_ALGORITHM, String(input.timestamp), credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${input.secretKey}`, date), input.service), 'tc3_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  const authorization = `${TC3_ALGORITHM} Credential=${input.secretId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { canonicalRequest, stringToSign, credentialScope, signedHeaders, signature, authorization };
}

export interface ParsedAuthorization {
  secretId: string;
  date: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

/** Splits an `Authorization: TC3-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` value. */
export function parseTc3Authorization(value: string): ParsedAuthorization | undefined {
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      value.trim(),
    );
  if (!m) return undefined;
  return { secretId: m[1], date: m[2], service: m[3], terminator: m[4], signedHeaders: m[5].split(';'), signature: m[6] };
}
