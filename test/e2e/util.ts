/** Helpers for end-to-end tests: raw SigV4-signed HTTP requests, presigned URLs, aws-chunked bodies, checksums, XML. */

import { createHash } from 'node:crypto';
import http from 'node:http';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { GetObjectCommand, type CompletedPart, type S3Client } from '@aws-sdk/client-s3';
import { crc32c as nodeRsCrc32c } from '@node-rs/crc32';
import { XMLParser } from 'fast-xml-parser';
import {
  chunkSignature, presignQuery, sha256Hex, signV4, trailerSignature, uriEncode, type SignedV4,
} from '../helpers/sigv4.js';

/** Where and as whom raw requests are sent. */
export interface Target {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region?: string;
}

/** A raw HTTP answer, body read whole (tests only read small bodies). */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** How a raw request is authenticated. */
export type SignMode = 'header' | 'none';

export interface RawRequestOptions {
  method: string;
  /** The path exactly as sent on the wire (already percent-encoded), e.g. `/bucket/a%20b`. */
  path: string;
  /** Query parameters, sent and signed in this order (signing sorts them). */
  query?: ReadonlyArray<readonly [string, string]>;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** 'header' (default) signs with an Authorization header; 'none' sends the request anonymous. */
  sign?: SignMode;
  /** The x-amz-content-sha256 value; default: hex SHA-256 of the body. */
  payloadHash?: string;
  /** The signing time; default now. Used to test clock skew. */
  date?: Date;
  /** Override the credentials (wrong key / wrong secret tests). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Host header to send and sign (virtual-hosted style); default host:port of the endpoint. */
  host?: string;
  /** Replace the computed signature with this one (bad signature tests). */
  forceSignature?: string;
  /** Per-request time limit in ms (default 10 s). */
  timeoutMs?: number;
  agent?: http.Agent;
  /** Send to this endpoint instead of the target's (same signing). */
  endpoint?: string;
}

/** A key's path form: each segment encoded, `/` kept. */
export function encodeKey(key: string): string {
  return uriEncode(key, false);
}

/** Hex SHA-256. */
export { sha256Hex as sha256hex } from '../helpers/sigv4.js';

/** Hex MD5 (an S3 ETag without quotes). */
export function md5hex(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}

/** Base64 MD5 (Content-MD5). */
export function md5b64(data: Buffer | string): string {
  return createHash('md5').update(data).digest('base64');
}

function hostOf(endpoint: string): string {
  return new URL(endpoint).host;
}

/** Signs a request with an Authorization header; returns the headers to send, the seed signature and its context. */
export function signHeaders(
  t: Target,
  o: { method: string; path: string; query?: ReadonlyArray<readonly [string, string]>; headers?: Record<string, string>; payloadHash: string; date?: Date; host?: string; accessKeyId?: string; secretAccessKey?: string },
): SignedV4 & { headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.headers ?? {})) headers[k.toLowerCase()] = v;
  headers['host'] = o.host ?? hostOf(t.endpoint);
  // Hop-by-hop headers are not signed: proxies may change them. Content-Length is signed when the caller set it.
  const signable = Object.fromEntries(Object.entries(headers).filter(([n]) => n !== 'transfer-encoding' && n !== 'expect' && n !== 'connection'));
  const signed = signV4({
    method: o.method, canonicalUri: o.path, query: o.query, headers: signable, payloadHash: o.payloadHash, date: o.date,
    accessKeyId: o.accessKeyId ?? t.accessKeyId, secretAccessKey: o.secretAccessKey ?? t.secretAccessKey, region: t.region ?? 'us-east-1',
  });
  return { ...signed, headers: { ...headers, ...signed.headers } };
}

/** A presigned URL (query-string SigV4, UNSIGNED-PAYLOAD, only `host` signed). */
export function presignUrl(
  t: Target,
  o: { method: string; path: string; query?: ReadonlyArray<readonly [string, string]>; expiresSeconds: number; date?: Date; accessKeyId?: string; secretAccessKey?: string },
): string {
  const query = presignQuery({
    method: o.method, canonicalUri: o.path, query: o.query, host: hostOf(t.endpoint), expiresSeconds: o.expiresSeconds, date: o.date,
    accessKeyId: o.accessKeyId ?? t.accessKeyId, secretAccessKey: o.secretAccessKey ?? t.secretAccessKey, region: t.region ?? 'us-east-1',
  });
  return `${t.endpoint}${o.path}?${query}`;
}

/** Sends one HTTP request and reads the whole answer, bounded in time. */
export function send(
  url: string,
  o: { method: string; headers?: Record<string, string>; body?: Buffer | string; timeoutMs?: number; agent?: http.Agent },
): Promise<RawResponse> {
  const headers = { ...(o.headers ?? {}) };
  const names = Object.keys(headers).map((n) => n.toLowerCase());
  if (o.body !== undefined && !names.includes('content-length') && !names.includes('transfer-encoding')) {
    headers['content-length'] = String(Buffer.byteLength(o.body));
  }
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method, headers, agent: o.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.setTimeout(o.timeoutMs ?? 10_000, () => req.destroy(new Error(`request timed out: ${o.method} ${url}`)));
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Sends a CompleteMultipartUpload on a raw connection and does not wait for the answer (the server is about to die). */
export function fireComplete(t: Target, o: { bucket: string; key: string; uploadId: string; parts: CompletedPart[] }): void {
  const body = `<CompleteMultipartUpload>${o.parts.map((p) => `<Part><PartNumber>${p.PartNumber}</PartNumber><ETag>${p.ETag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  const query: [string, string][] = [['uploadId', o.uploadId]];
  const path = `/${o.bucket}/${o.key}`;
  const signed = signHeaders(t, { method: 'POST', path, query, headers: { 'content-length': String(Buffer.byteLength(body)) }, payloadHash: 'UNSIGNED-PAYLOAD' });
  const req = http.request(`${t.endpoint}${path}${queryString(query)}`, { method: 'POST', headers: signed.headers }, (res) => res.resume());
  req.on('error', () => {});
  req.end(body);
}

/** Builds, signs and sends a raw S3 request. */
export async function rawRequest(t: Target, o: RawRequestOptions): Promise<RawResponse> {
  const body = o.body === undefined ? Buffer.alloc(0) : Buffer.from(o.body);
  const query = o.query ?? [];
  const qs = queryString(query);
  let headers: Record<string, string> = { ...(o.headers ?? {}) };
  if ((o.sign ?? 'header') === 'header') {
    const signed = signHeaders(t, {
      method: o.method, path: o.path, query, headers, payloadHash: o.payloadHash ?? sha256Hex(body),
      date: o.date, host: o.host, accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey,
    });
    headers = signed.headers;
    if (o.forceSignature !== undefined) {
      headers['authorization'] = headers['authorization']!.replace(/Signature=[0-9a-f]+$/, `Signature=${o.forceSignature}`);
    }
  } else if (o.host !== undefined) {
    headers['host'] = o.host;
  }
  if (!('content-length' in lower(headers)) && !('transfer-encoding' in lower(headers))) headers['content-length'] = String(body.length);
  return send(`${o.endpoint ?? t.endpoint}${o.path}${qs}`, { method: o.method, headers, body, timeoutMs: o.timeoutMs, agent: o.agent });
}

/** `?name=value&…` in the order given (`?name` for an empty value), or '' for no parameters. */
function queryString(query: ReadonlyArray<readonly [string, string]> = []): string {
  if (!query.length) return '';
  return '?' + query.map(([k, v]) => (v === '' ? uriEncode(k) : `${uriEncode(k)}=${uriEncode(v)}`)).join('&');
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The streaming payload modes of SigV4 that carry the body as aws-chunked frames. */
export type StreamingMode =
  | 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'
  | 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER'
  | 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

export interface ChunkedPutOptions {
  path: string;
  /** Query parameters, sent and signed (e.g. partNumber and uploadId of an UploadPart). */
  query?: ReadonlyArray<readonly [string, string]>;
  data: Buffer;
  mode: StreamingMode;
  /** Payload bytes per chunk (S3 wants at least 8 KiB except the last; tests use smaller data). */
  chunkSize?: number;
  /** The trailing checksum header, e.g. ['x-amz-checksum-crc32', 'base64…']; required for *-TRAILER modes. */
  trailer?: readonly [string, string];
  /** Corrupt the signature of chunk N (0-based; the final empty chunk is index `chunks`). */
  badChunkSignature?: number;
  /** Corrupt the trailer signature. */
  badTrailerSignature?: boolean;
  /** Extra request headers (signed). */
  headers?: Record<string, string>;
  /** Declared x-amz-decoded-content-length; default the real length. */
  decodedLength?: number;
}

/** Sends a PutObject whose body is aws-chunked in the given streaming mode, each chunk signed where the mode wants it. */
export async function chunkedPut(t: Target, o: ChunkedPutOptions): Promise<RawResponse> {
  const { headers, body } = chunkedRequest(t, o);
  return send(`${t.endpoint}${o.path}${queryString(o.query)}`, { method: 'PUT', headers, body });
}

/** Builds the signed headers and the framed body of an aws-chunked PutObject (see chunkedPut). */
export function chunkedRequest(t: Target, o: ChunkedPutOptions & { date?: Date; host?: string }): { headers: Record<string, string>; body: Buffer } {
  const chunkSize = o.chunkSize ?? 64 * 1024;
  const signedChunks = o.mode !== 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
  const headers: Record<string, string> = {
    ...(o.headers ?? {}),
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': String(o.decodedLength ?? o.data.length),
  };
  if (o.trailer) headers['x-amz-trailer'] = o.trailer[0];
  const pieces: Buffer[] = [];
  for (let i = 0; i < o.data.length; i += chunkSize) pieces.push(o.data.subarray(i, i + chunkSize));
  pieces.push(Buffer.alloc(0));

  // The Content-Length is the framed length, which depends only on sizes (signatures are fixed width),
  // so it can be computed before signing.
  const frames = (sigs: string[] | null, trailerSig: string | null): Buffer => {
    const out: Buffer[] = [];
    pieces.forEach((p, i) => {
      const ext = sigs ? `;chunk-signature=${sigs[i]}` : '';
      out.push(Buffer.from(`${p.length.toString(16)}${ext}\r\n`));
      if (p.length > 0) out.push(p, Buffer.from('\r\n'));
    });
    if (o.trailer) {
      out.push(Buffer.from(`${o.trailer[0]}:${o.trailer[1]}\r\n`));
      if (trailerSig !== null) out.push(Buffer.from(`x-amz-trailer-signature:${trailerSig}\r\n`));
      out.push(Buffer.from('\r\n'));
    } else {
      out.push(Buffer.from('\r\n'));
    }
    return Buffer.concat(out);
  };
  const fakeSig = '0'.repeat(64);
  const lengthProbe = frames(signedChunks ? pieces.map(() => fakeSig) : null, signedChunks && o.trailer ? fakeSig : null);
  headers['content-length'] = String(lengthProbe.length);

  const signed = signHeaders(t, { method: 'PUT', path: o.path, query: o.query, headers, payloadHash: o.mode, date: o.date, host: o.host });
  let body = lengthProbe;
  if (signedChunks) {
    const { context } = signed;
    let prev = signed.signature;
    const sigs = pieces.map((p, i) => {
      prev = chunkSignature(context, prev, p);
      return o.badChunkSignature === i ? flipHex(prev) : prev;
    });
    let trailerSig: string | null = null;
    if (o.trailer) {
      trailerSig = trailerSignature(context, prev, `${o.trailer[0]}:${o.trailer[1]}\n`);
      if (o.badTrailerSignature) trailerSig = flipHex(trailerSig);
    }
    body = frames(sigs, trailerSig);
  }
  return { headers: signed.headers, body };
}

function flipHex(sig: string): string {
  return (sig[0] === '0' ? '1' : '0') + sig.slice(1);
}

/** Base64 of a big-endian CRC32 (x-amz-checksum-crc32). */
export function crc32b64(data: Buffer): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(zlibCrc32(data) >>> 0);
  return b.toString('base64');
}

/** Base64 of a big-endian CRC32C (x-amz-checksum-crc32c). */
export function crc32cb64(data: Buffer): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(nodeRsCrc32c(data) >>> 0);
  return b.toString('base64');
}

const CRC64_NVME_TABLE = (() => {
  // CRC-64/NVME, reflected polynomial of 0xad93d23594c935a9.
  const poly = 0x9a6c9329ac4bc9b5n;
  const table: bigint[] = [];
  for (let i = 0n; i < 256n; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    table.push(c);
  }
  return table;
})();

/** CRC-64/NVME as a bigint (slow, test data only). */
export function crc64nvme(data: Buffer): bigint {
  let c = 0xffffffffffffffffn;
  for (const byte of data) c = CRC64_NVME_TABLE[Number((c ^ BigInt(byte)) & 0xffn)]! ^ (c >> 8n);
  return c ^ 0xffffffffffffffffn;
}

/** Base64 of a big-endian CRC-64/NVME (x-amz-checksum-crc64nvme). */
export function crc64nvmeb64(data: Buffer): string {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(crc64nvme(data));
  return b.toString('base64');
}

/** Base64 SHA-1 / SHA-256 (x-amz-checksum-sha1 / -sha256). */
export function digestb64(alg: 'sha1' | 'sha256', data: Buffer): string {
  return createHash(alg).update(data).digest('base64');
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false });

/** Parses an XML body into plain objects (every leaf a string). */
export function parseXml(text: string): Record<string, any> {
  return parser.parse(text) as Record<string, any>;
}

/** The fields of an S3 XML error body; throws if the body is not one. */
export function errorOf(r: RawResponse): { Code: string; Message: string; Resource?: string; RequestId: string; [k: string]: unknown } {
  const doc = parseXml(r.text);
  if (!doc['Error']) throw new Error(`not an S3 error body (status ${r.status}): ${r.text.slice(0, 300)}`);
  return doc['Error'];
}

/** A value that may be one item or an array (XML lists with one element) as an array. */
export function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Reads an SDK GetObject body (a Node stream with transformToByteArray) into a Buffer. */
export async function bodyBytes(body: unknown): Promise<Buffer> {
  const b = body as { transformToByteArray?: () => Promise<Uint8Array> } | undefined;
  if (!b?.transformToByteArray) throw new Error('no body');
  return Buffer.from(await b.transformToByteArray());
}

/** Hex MD5 of an object's body, read through the SDK as a stream. */
export async function objectMd5(s3: S3Client, bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const h = createHash('md5');
  for await (const chunk of out.Body as AsyncIterable<Buffer>) h.update(chunk);
  return h.digest('hex');
}

/** Runs `fn`, expecting it to throw an SDK service error; returns the error's name, status and fields. */
export async function sdkError(fn: () => Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string; requestId: string | undefined; raw: any }> {
  try {
    await fn();
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message, requestId: err.$metadata?.requestId, raw: e };
  }
  throw new Error('expected the call to fail, it succeeded');
}
