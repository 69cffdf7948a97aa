/** Sends one SigV4-signed request with node:http exactly as given: the path goes on the wire untouched. */
import { request } from 'node:http';
import { signV4, sha256Hex } from './sigv4.js';
import type { TestServer } from './server.js';

/** One raw request. */
export interface RawRequest {
  method: string;
  /** The request target as sent, e.g. `/b/%2e%2e/x` or an absolute form `http://127.0.0.1:PORT/b/x`. */
  path: string;
  /** The canonical URI to sign; default: the path part of `path`, as sent. */
  canonicalUri?: string;
  /** Query parameters, decoded; appended to the path and signed. */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Sign the body's SHA-256 (default) or send UNSIGNED-PAYLOAD; or give an explicit hash to send. */
  payloadHash?: 'sign' | 'UNSIGNED-PAYLOAD' | string;
  /** Sign with this secret instead of the server's (to provoke SignatureDoesNotMatch). */
  secretAccessKey?: string;
  accessKeyId?: string;
  /** Abort after this long; default 10 s. */
  timeoutMs?: number;
}

/** The answer to a raw request. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The S3 error code from an XML error body, if any. */
  code?: string;
}

/** Signs and sends a raw request to the server; resolves with status, headers and the whole body. */
export function rawRequest(server: TestServer, req: RawRequest): Promise<RawResponse> {
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body);
  const payloadHash = req.payloadHash === undefined || req.payloadHash === 'sign' ? sha256Hex(body) : req.payloadHash;
  const host = `127.0.0.1:${server.port}`;
  const queryString = Object.entries(req.query ?? {})
    .map(([k, v]) => (v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
    .join('&');
  const target = queryString ? `${req.path}${req.path.includes('?') ? '&' : '?'}${queryString}` : req.path;
  const headers: Record<string, string> = { host, ...(req.headers ?? {}) };
  if (body.length > 0 || ['PUT', 'POST'].includes(req.method)) headers['content-length'] = String(body.length);
  const { headers: signed } = signV4({
    method: req.method,
    canonicalUri: req.canonicalUri ?? pathPart(req.path),
    query: req.query,
    headers,
    payloadHash,
    accessKeyId: req.accessKeyId ?? server.accessKeyId,
    secretAccessKey: req.secretAccessKey ?? server.secretAccessKey,
    region: server.region,
  });
  return new Promise((resolve, reject) => {
    const r = request(
      { host: '127.0.0.1', port: server.port, method: req.method, path: target, headers: { ...headers, ...signed }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          const code = /<Code>([^<]*)<\/Code>/.exec(buf.toString('utf8'))?.[1];
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, code });
        });
        res.on('error', reject);
      },
    );
    r.setTimeout(req.timeoutMs ?? 10_000, () => r.destroy(new Error(`raw ${req.method} ${target}: no answer in time`)));
    r.on('error', reject);
    r.end(body);
  });
}

/** The path of a request target without its query; for absolute forms, the path after the authority. */
export function pathPart(target: string): string {
  let path = target;
  const abs = /^[a-z]+:\/\/[^/]*(\/.*)?$/i.exec(path);
  if (abs) path = abs[1] ?? '/';
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}
