/**
 * The command line acting through a running server's admin API (`--endpoint URL`): each request signed with
 * SigV4 by the credentials of --access-key/--secret-key or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. An error
 * answer becomes a ConfigError with the server's message, so it is printed and exits 2 like a local one.
 */
import { signRequest } from '../auth/sigv4/sign-request.js';
import { ConfigError } from '../config/config.js';

/** Where and as whom to call the admin API. */
export interface AdminClientOptions {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The region to sign for; the server accepts its own and us-east-1 (the default). */
  region?: string;
}

/** A signed client of /admin/v1/. */
export class AdminClient {
  private readonly base: URL;

  constructor(private readonly opts: AdminClientOptions) {
    try {
      this.base = new URL(opts.endpoint);
    } catch {
      throw new ConfigError(`--endpoint ${opts.endpoint}: not a URL (e.g. http://gateway:9001, the server's Admin line)`);
    }
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new ConfigError(`--endpoint ${opts.endpoint}: http:// or https:// expected`);
  }

  /** `method` on /admin/v1/ + `path` (segments already encoded), with `body` as JSON; the answer's JSON (undefined for none). */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(`${this.base.pathname.replace(/\/$/, '')}/admin/v1/${path}`, this.base);
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers = signRequest({
      method, target: url.pathname + url.search,
      headers: { host: url.host, ...(text ? { 'content-type': 'application/json' } : {}) },
      body: Buffer.from(text), accessKeyId: this.opts.accessKeyId, secretAccessKey: this.opts.secretAccessKey,
      region: this.opts.region ?? 'us-east-1', service: 's3',
    });
    delete headers.host; // fetch sets it, from the same URL
    let r: Response;
    try {
      r = await fetch(url, { method, headers, body: text || undefined, signal: AbortSignal.timeout(60_000) });
    } catch (e) {
      throw new ConfigError(`cannot reach ${this.opts.endpoint}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`);
    }
    const answer = await r.text();
    let parsed: unknown;
    try {
      parsed = answer === '' ? undefined : JSON.parse(answer);
    } catch {
      throw new ConfigError(`${this.opts.endpoint} answered ${r.status} with something other than JSON: is it the admin listener (the server's Admin line)?`);
    }
    if (!r.ok) {
      const e = parsed as { code?: string; message?: string } | undefined;
      throw new ConfigError(`${e?.message ?? `HTTP ${r.status}`}${e?.code ? ` (${e.code})` : ''}`);
    }
    return parsed as T;
  }
}

/** The path segment of `name`, encoded. */
export function seg(name: string): string {
  return encodeURIComponent(name);
}
