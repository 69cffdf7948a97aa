/** A minimal SigV4 header signer on node:crypto, cheap enough that the bench client measures the server, not itself. */
import { createHash, createHmac } from 'node:crypto';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignInput {
  method: string;
  /** The path as sent on the wire, already URI-encoded (S3 does not encode it twice). */
  path: string;
  /** Query parameters, unencoded; encoded and sorted here. */
  query?: Record<string, string>;
  /** Headers to send and sign; names in lower case. Must include `host`. */
  headers: Record<string, string>;
  /** Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`. */
  payloadHash: string;
  /** Defaults to now. */
  date?: Date;
}

/** The SHA-256 of an empty body, used by every GET, HEAD and DELETE. */
export const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

/** Hex SHA-256 of a body, for signed payloads. */
export function sha256Hex(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** RFC 3986 encoding as SigV4 wants it: encodeURIComponent leaves !'()* alone, SigV4 does not. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** The wire path of an object: each key segment encoded, `/` kept. */
export function objectPath(bucket: string, key?: string): string {
  if (key === undefined) return '/' + uriEncode(bucket);
  return '/' + uriEncode(bucket) + '/' + key.split('/').map(uriEncode).join('/');
}

/** The canonical (and wire) query string: encoded pairs sorted by name, then value. */
export function canonicalQuery(query: Record<string, string> | undefined): string {
  if (!query) return '';
  return Object.entries(query)
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort((a, b) => (a[0] === b[0] ? cmp(a[1], b[1]) : cmp(a[0], b[0])))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A signer for one key pair and region. The signing key depends only on the day, so it is derived once per
 * day instead of four HMACs per request.
 */
export class SigV4Signer {
  #keyDay = '';
  #key: Buffer = Buffer.alloc(0);

  constructor(
    private readonly credentials: Credentials,
    private readonly region = 'us-east-1',
    private readonly service = 's3',
  ) {}

  /** Returns the headers to send: the input headers plus x-amz-date, x-amz-content-sha256 and authorization. */
  sign(input: SignInput): Record<string, string> {
    const amzDate = (input.date ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const day = amzDate.slice(0, 8);
    const headers: Record<string, string> = {
      ...input.headers,
      'x-amz-date': amzDate,
      'x-amz-content-sha256': input.payloadHash,
    };
    const names = Object.keys(headers).map((n) => n.toLowerCase()).sort();
    const lower: Record<string, string> = {};
    for (const [n, v] of Object.entries(headers)) lower[n.toLowerCase()] = String(v).trim().replace(/\s+/g, ' ');
    const signedHeaders = names.join(';');
    const canonicalRequest = [
      input.method,
      input.path,
      canonicalQuery(input.query),
      names.map((n) => `${n}:${lower[n]}\n`).join(''),
      signedHeaders,
      input.payloadHash,
    ].join('\n');
    const scope = `${day}/${this.region}/${this.service}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
    const signature = createHmac('sha256', this.#signingKey(day)).update(stringToSign).digest('hex');
    headers['authorization'] =
      `AWS4-HMAC-SHA256 Credential=${this.credentials.accessKeyId}/${scope}, ` +
      `SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  }

  #signingKey(day: string): Buffer {
    if (day !== this.#keyDay) {
      const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
      const kDate = hmac('AWS4' + this.credentials.secretAccessKey, day);
      this.#key = hmac(hmac(hmac(kDate, this.region), this.service), 'aws4_request');
      this.#keyDay = day;
    }
    return this.#key;
  }
}
