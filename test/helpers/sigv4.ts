/**
 * A minimal AWS Signature Version 4 signer for raw requests, so hostile tests can send exact bytes on the wire
 * (paths an SDK would normalise or refuse) and still pass authentication.
 */
import { createHash, createHmac } from 'node:crypto';

/** What signV4 needs; header names may be in any case. */
export interface SignV4Input {
  method: string;
  /** The canonical URI to sign (already URI-encoded, as the server is expected to rebuild it). */
  canonicalUri: string;
  /** Query parameters, decoded; signed in canonical order. */
  query?: Record<string, string>;
  headers: Record<string, string>;
  /** Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`. */
  payloadHash: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Defaults to now. */
  date?: Date;
}

/** The headers to add to the request: Authorization, x-amz-date and x-amz-content-sha256. */
export interface SignV4Headers {
  authorization: string;
  'x-amz-date': string;
  'x-amz-content-sha256': string;
}

/** AWS's UriEncode: every byte but A-Z a-z 0-9 - . _ ~ is %XX (upper case); `/` kept unless encodeSlash. */
export function uriEncode(value: string, encodeSlash = true): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(ch) || (ch === '/' && !encodeSlash)) out += ch;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Hex SHA-256 of a body, for x-amz-content-sha256. */
export function sha256Hex(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Signs a request with SigV4 (service s3) and returns the headers to send with it. */
export function signV4(input: SignV4Input): SignV4Headers {
  const date = input.date ?? new Date();
  const amzDate = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) headers[k.toLowerCase()] = v;
  headers['x-amz-date'] = amzDate;
  headers['x-amz-content-sha256'] = input.payloadHash;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalQuery = Object.entries(input.query ?? {})
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [
    input.method,
    input.canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    names.join(';'),
    input.payloadHash,
  ].join('\n');
  const scope = `${day}/${input.region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${input.secretAccessKey}`, day);
  for (const part of [input.region, 's3', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': input.payloadHash,
  };
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
