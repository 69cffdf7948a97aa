/**
 * A client of the admin API (/admin/v1/) for tests: requests signed by @smithy/signature-v4 (the AWS SDK's
 * signer, sharing no code with the server's verifier), or carrying a session cookie and CSRF token.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** node:crypto as the signer's hash (the SDK's own needs @aws-crypto, which the tests do not install). */
class Sha256 {
  readonly #h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key = secret === undefined || typeof secret === 'string' ? secret
      : secret instanceof ArrayBuffer ? Buffer.from(secret) : Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength);
    this.#h = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#h.update(typeof data === 'string' ? data : data instanceof ArrayBuffer ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  async digest(): Promise<Uint8Array> {
    return this.#h.digest();
  }
  reset(): void {}
}

/** An answer: status, the JSON body (undefined when empty), and the headers. */
export interface ApiAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers' fields freely
  body: any;
  headers: Headers;
}

/** How a call is made. */
export interface CallOptions {
  /** Extra headers (a Cookie, a CSRF token, another Content-Type). */
  headers?: Record<string, string>;
  /** The raw body instead of JSON.stringify(body). */
  raw?: string;
  /** Leave the request unsigned (sessions, refusals). */
  unsigned?: boolean;
}

/** The admin API at `admin` (http://host:port), signed with `credentials` for `region`. */
export class AdminApi {
  private readonly signer?: SignatureV4;

  /** `applyChecksum: false`: the payload hash is signed but not sent as x-amz-content-sha256 (SigV4 outside S3). */
  constructor(readonly admin: string, credentials?: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1', service = 's3', opts: { applyChecksum?: boolean } = {}) {
    if (credentials) this.signer = new SignatureV4({ credentials, region, service, sha256: Sha256, uriEscapePath: true, applyChecksum: opts.applyChecksum ?? true });
  }

  /** `method` on /admin/v1/`path` (path may carry a query), with `body` as JSON. */
  async call(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<ApiAnswer> {
    const url = new URL(`/admin/v1/${path}`, this.admin);
    const text = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const headers = this.signer && !opts.unsigned ? await this.signedHeaders(method, path, text, opts.headers)
      : { ...(text !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers };
    const r = await fetch(url, { method, headers, body: text, signal: AbortSignal.timeout(20_000) });
    const t = await r.text();
    return { status: r.status, body: t === '' ? undefined : JSON.parse(t), headers: r.headers };
  }

  /** The headers of `method` on /admin/v1/`path` with body `text`, signed (Host left for fetch to send). */
  async signedHeaders(method: string, path: string, text: string | undefined, extra: Record<string, string> = {}): Promise<Record<string, string>> {
    const url = new URL(`/admin/v1/${path}`, this.admin);
    const signed = await this.signer!.sign({
      method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, ...(text !== undefined ? { 'content-type': 'application/json' } : {}), ...extra }, body: text ?? '',
    });
    const headers = { ...signed.headers } as Record<string, string>;
    delete headers.host;
    return headers;
  }
}

/** A signed-in console session: its cookie and CSRF token, sent by `call`. */
export class ApiSession {
  private readonly api: AdminApi;

  constructor(admin: string, readonly cookie: string, readonly csrfToken: string) {
    this.api = new AdminApi(admin);
  }

  /** Signs in with a key pair; throws with the answer unless it succeeded. */
  static async signIn(admin: string, accessKeyId: string, secretAccessKey: string): Promise<{ session: ApiSession; answer: ApiAnswer }> {
    const answer = await new AdminApi(admin).call('POST', 'session', { accessKeyId, secretAccessKey });
    if (answer.status !== 201) throw new Error(`sign-in: ${answer.status} ${JSON.stringify(answer.body)}`);
    const cookie = answer.headers.get('set-cookie')!.split(';')[0]!;
    return { session: new ApiSession(admin, cookie, answer.body.csrfToken), answer };
  }

  /** A call with the session cookie, and the CSRF token unless `csrf` is false (or another value to send). */
  call(method: string, path: string, body?: unknown, csrf: string | false = this.csrfToken, opts: CallOptions = {}): Promise<ApiAnswer> {
    return this.api.call(method, path, body, { ...opts, headers: { cookie: this.cookie, ...(csrf !== false ? { 'x-dirbucket-csrf': csrf } : {}), ...opts.headers } });
  }
}
