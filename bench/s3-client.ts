/** A raw node:http S3 client for the bench: keep-alive sockets, SigV4 headers, and nothing it does not need. */
import http from 'node:http';
import { createHash } from 'node:crypto';
import {
  EMPTY_SHA256, canonicalQuery, sha256Hex, signV4, uriEncode, type Credentials,
} from '../test/helpers/sigv4.js';

export interface S3Request {
  method: 'GET' | 'PUT' | 'HEAD' | 'DELETE';
  bucket: string;
  key?: string;
  query?: Record<string, string>;
  body?: Buffer;
  /** Sign the body's SHA-256 (what most SDKs do for small bodies); otherwise UNSIGNED-PAYLOAD. Default true. */
  signPayload?: boolean;
  /** What to keep of a 2xx response body: its text, only its length, or its MD5 (length is always kept). */
  keep?: 'text' | 'length' | 'md5';
}

export interface S3Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Body bytes received. */
  bytes: number;
  /** The body, when `keep` was text or the status was an error (first 64 KiB). */
  text?: string;
  /** Hex MD5 of the body, when `keep` was md5. */
  md5?: string;
}

export interface S3ClientOptions {
  /** e.g. http://127.0.0.1:PORT */
  endpoint: string;
  credentials: Credentials;
  /** Sockets kept open: the number of concurrent clients. */
  maxSockets: number;
  /** A request that takes longer is destroyed, so no bench step can hang. */
  timeoutMs: number;
}

/** What the measuring code needs of a client: either this pooled one or a RawS3Connection. */
export interface S3Sender {
  expectOk(req: S3Request): Promise<S3Response>;
}

/** How much of an error body a client keeps for its message. */
export const ERROR_BODY_LIMIT = 64 * 1024;

/** The wire path of a bucket or an object: each key segment encoded, `/` kept. */
export function objectPath(bucket: string, key?: string): string {
  return key === undefined ? '/' + uriEncode(bucket) : '/' + uriEncode(bucket) + '/' + uriEncode(key, false);
}

/** One request to sign: the wire path, the query (unencoded), the headers to send (lower case, with `host`). */
export interface SignInput {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  /** Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`. */
  payloadHash: string;
  /** Defaults to now. */
  date?: Date;
}

/** The headers to send: the input's plus x-amz-date, x-amz-content-sha256 and authorization (region us-east-1). */
export function signedHeaders(credentials: Credentials, input: SignInput): Record<string, string> {
  const { headers } = signV4({
    method: input.method, canonicalUri: input.path, query: input.query, headers: input.headers, payloadHash: input.payloadHash,
    date: input.date, accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, region: 'us-east-1',
  });
  return { ...input.headers, ...headers };
}

/** The request target (path and query) and the signed headers for one request. */
export function signRequest(credentials: Credentials, host: string, req: S3Request): { target: string; headers: Record<string, string> } {
  const path = objectPath(req.bucket, req.key);
  const query = canonicalQuery(req.query);
  const base: Record<string, string> = { host };
  if (req.body) base['content-length'] = String(req.body.length);
  const payloadHash = !req.body ? EMPTY_SHA256 : req.signPayload === false ? 'UNSIGNED-PAYLOAD' : sha256Hex(req.body);
  const headers = signedHeaders(credentials, { method: req.method, path, query: req.query, headers: base, payloadHash });
  return { target: query ? `${path}?${query}` : path, headers };
}

/** Returns `res` if it is 2xx, else throws with the S3 error body in the message. */
export function checkOk(req: S3Request, res: S3Response): S3Response {
  if (res.status >= 300) {
    throw new Error(`${req.method} /${req.bucket}/${req.key ?? ''} answered ${res.status}: ${res.text?.slice(0, 500)}`);
  }
  return res;
}

/** Sends signed S3 requests over a keep-alive agent; one instance per server. */
export class BenchS3Client {
  readonly #agent: http.Agent;
  readonly #host: string;
  readonly #port: number;

  constructor(private readonly options: S3ClientOptions) {
    const url = new URL(options.endpoint);
    this.#host = url.hostname;
    this.#port = Number(url.port);
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  }

  /** Sends one request; resolves with the status whatever it is, rejects only on transport errors or timeout. */
  send(req: S3Request): Promise<S3Response> {
    const { target, headers } = signRequest(this.options.credentials, `${this.#host}:${this.#port}`, req);
    return new Promise<S3Response>((resolve, reject) => {
      const out = http.request(
        { agent: this.#agent, host: this.#host, port: this.#port, method: req.method, path: target, headers },
        (res) => {
          const status = res.statusCode ?? 0;
          const keep = status >= 300 ? 'text' : (req.keep ?? 'length');
          const hash = keep === 'md5' ? createHash('md5') : undefined;
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (hash) hash.update(chunk);
            else if (keep === 'text' && (status < 300 || bytes <= ERROR_BODY_LIMIT)) chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({
              status,
              headers: res.headers,
              bytes,
              text: keep === 'text' ? Buffer.concat(chunks).toString('utf8') : undefined,
              md5: hash?.digest('hex'),
            }),
          );
          res.on('error', reject);
        },
      );
      out.setTimeout(this.options.timeoutMs, () => out.destroy(new Error(`${req.method} ${target} timed out`)));
      out.on('error', reject);
      out.end(req.body);
    });
  }

  /** Like send, but throws unless the status is 2xx; the message carries the S3 error body. */
  async expectOk(req: S3Request): Promise<S3Response> {
    return checkOk(req, await this.send(req));
  }

  /** Closes the idle keep-alive sockets. */
  close(): void {
    this.#agent.destroy();
  }
}
