/**
 * The one AWS Signature Version 4 signer of the tests and the bench: header signing, presigned URLs, and the
 * chunk and trailer signatures of aws-chunked bodies, on node:crypto alone. It shares no code with src/ on
 * purpose: a test signed with the server's own canonicalization would mirror any bug in it and never see it.
 * Proven against AWS's published examples (sigv4.test.ts) and, when the bench starts, @smithy/signature-v4.
 */
import { createHash, createHmac } from 'node:crypto';

/** An access key pair. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Query parameters, decoded: a record, or pairs where a name repeats or the order sent matters. */
export type QueryInput = Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;

/** What signV4 needs; header names may be in any case. */
export interface SignV4Input extends Credentials {
  method: string;
  /** The canonical URI to sign (already URI-encoded, as the server is expected to rebuild it). */
  canonicalUri: string;
  /** Query parameters, decoded; signed in canonical order. */
  query?: QueryInput;
  /** The headers to sign, all of them (leave hop-by-hop headers out). */
  headers: Record<string, string>;
  /** Hex SHA-256 of the body, `UNSIGNED-PAYLOAD`, or a `STREAMING-…` mode. */
  payloadHash: string;
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

/** What a signature is computed in: the day's signing key, the credential scope and the request time. */
export interface SigningContext {
  key: Buffer;
  /** `YYYYMMDD/region/s3/aws4_request`. */
  scope: string;
  /** `YYYYMMDDTHHMMSSZ`. */
  amzDate: string;
}

/** A signed request: the headers to add, and the seed signature and context that chunk signatures chain from. */
export interface SignedV4 {
  headers: SignV4Headers;
  signature: string;
  context: SigningContext;
}

/** The SHA-256 of an empty body, used by every GET, HEAD and DELETE. */
export const EMPTY_SHA256 = sha256Hex('');

/** Hex SHA-256 of a body, for x-amz-content-sha256. */
export function sha256Hex(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** AWS's UriEncode: every UTF-8 byte but A-Z a-z 0-9 - . _ ~ is %XX (upper case); `/` kept unless encodeSlash. */
export function uriEncode(value: string, encodeSlash = true): string {
  let out: string;
  try {
    out = encodeURIComponent(value);
  } catch {
    // A lone surrogate: UTF-8 encoding (the server's, too) turns it into U+FFFD, encodeURIComponent throws.
    out = encodeURIComponent(Buffer.from(value, 'utf8').toString('utf8'));
  }
  // encodeURIComponent leaves !'()* alone; SigV4 does not.
  out = out.replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return encodeSlash ? out : out.replaceAll('%2F', '/');
}

/** `YYYYMMDDTHHMMSSZ`, the x-amz-date form of a time. */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** The canonical (and wire) query string: encoded pairs sorted by name, then value. */
export function canonicalQuery(query: QueryInput | undefined): string {
  if (!query) return '';
  const pairs: ReadonlyArray<readonly [string, string]> = Array.isArray(query) ? query : Object.entries(query);
  return pairs
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

// The signing key depends only on secret, day and region, so the bench derives it once a day, not four HMACs a request.
const keyCache = new Map<string, Buffer>();

/** The signing key, scope and x-amz-date of a request signed at `date` (service s3). */
export function signingContext(secretAccessKey: string, region: string, date: Date = new Date()): SigningContext {
  const stamp = amzDate(date);
  const day = stamp.slice(0, 8);
  const cacheKey = `${day}\n${region}\n${secretAccessKey}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = hmac(hmac(hmac(hmac('AWS4' + secretAccessKey, day), region), 's3'), 'aws4_request');
    if (keyCache.size >= 64) keyCache.clear();
    keyCache.set(cacheKey, key);
  }
  return { key, scope: `${day}/${region}/s3/aws4_request`, amzDate: stamp };
}

/** Signs a request with SigV4 (service s3): every given header is signed, plus x-amz-date and x-amz-content-sha256. */
export function signV4(input: SignV4Input): SignedV4 {
  const context = signingContext(input.secretAccessKey, input.region, input.date);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) headers[k.toLowerCase()] = v;
  headers['x-amz-date'] = context.amzDate;
  headers['x-amz-content-sha256'] = input.payloadHash;
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    input.method,
    input.canonicalUri,
    canonicalQuery(input.query),
    names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, ' ')}\n`).join(''),
    signedHeaders,
    input.payloadHash,
  ].join('\n');
  const signature = requestSignature(context, canonicalRequest);
  return {
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${context.scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
      'x-amz-date': context.amzDate,
      'x-amz-content-sha256': input.payloadHash,
    },
    signature,
    context,
  };
}

/** What presign needs: only `host` is signed, the payload is UNSIGNED-PAYLOAD. */
export interface PresignInput extends Credentials {
  method: string;
  canonicalUri: string;
  query?: ReadonlyArray<readonly [string, string]>;
  host: string;
  expiresSeconds: number;
  region: string;
  /** Defaults to now. */
  date?: Date;
}

/** The query string of a presigned URL (query-string SigV4): the given parameters, the X-Amz-* ones and the signature. */
export function presignQuery(input: PresignInput): string {
  const context = signingContext(input.secretAccessKey, input.region, input.date);
  const query: Array<readonly [string, string]> = [
    ...(input.query ?? []),
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${input.accessKeyId}/${context.scope}`],
    ['X-Amz-Date', context.amzDate],
    ['X-Amz-Expires', String(input.expiresSeconds)],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  const canonicalRequest = [input.method, input.canonicalUri, canonicalQuery(query), `host:${input.host}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  return canonicalQuery([...query, ['X-Amz-Signature', requestSignature(context, canonicalRequest)]]);
}

/** The signature of one aws-chunked chunk, chained from the previous one (the seed signature for the first). */
export function chunkSignature(context: SigningContext, previous: string, chunk: Buffer): string {
  return sign(context, ['AWS4-HMAC-SHA256-PAYLOAD', context.amzDate, context.scope, previous, EMPTY_SHA256, sha256Hex(chunk)]);
}

/** The signature of an aws-chunked trailer (`name:value\n` lines), chained from the last chunk's. */
export function trailerSignature(context: SigningContext, previous: string, trailer: string): string {
  return sign(context, ['AWS4-HMAC-SHA256-TRAILER', context.amzDate, context.scope, previous, sha256Hex(trailer)]);
}

function requestSignature(context: SigningContext, canonicalRequest: string): string {
  return sign(context, ['AWS4-HMAC-SHA256', context.amzDate, context.scope, sha256Hex(canonicalRequest)]);
}

function sign(context: SigningContext, stringToSign: string[]): string {
  return createHmac('sha256', context.key).update(stringToSign.join('\n'), 'utf8').digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
