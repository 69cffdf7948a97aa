/**
 * POST /admin/v1/presign: a presigned GET URL of an object, signed with the caller's own access key (the session's
 * key, or the key that signed the request: never another's), for the S3 listener. It is what any S3 client does
 * offline with its key; the server does it for the console, which never holds the secret. The URL grants no more
 * than the key: S3 checks the signer's rights when it is used, and refuses it once it expires or the key is revoked
 * or expires.
 */
import { MAX_EXPIRES_SECONDS } from '../../auth/sigv4/presigned-query.js';
import { S3Error } from '../../errors/s3-error.js';
import { headerOf } from '../../http/headers.js';
import { objectBody, stringField } from './api-checks.js';
import type { ApiRequest, Route } from './api-types.js';
import { objectPath, presignGetUrl } from './presign-url.js';

/** An hour, as the AWS CLI's `aws s3 presign` defaults to. */
const DEFAULT_EXPIRES_SECONDS = 3600;

/**
 * Where the S3 listener is reached: `endpoint` from the body (behind a proxy or a load balancer, only the caller
 * knows), else the listener's own address, its wildcard host (0.0.0.0, ::) replaced by the host name the caller
 * reached the admin listener at.
 */
function endpointOf(req: ApiRequest, given: string | undefined): URL {
  if (given !== undefined) {
    let u: URL;
    try {
      u = new URL(given);
    } catch {
      throw new S3Error('InvalidArgument', `endpoint: not a URL: ${given}`);
    }
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.pathname !== '/' || u.search || u.username) {
      throw new S3Error('InvalidArgument', `endpoint: an http:// or https:// origin (scheme, host and port) expected, not ${given}`);
    }
    return u;
  }
  const s3 = req.sources.listeners().find((l) => l.name === 's3');
  if (!s3) throw new S3Error('InternalError');
  const u = new URL(s3.endpoint);
  if (u.hostname === '0.0.0.0' || u.hostname === '[::]') {
    try {
      u.hostname = new URL(`http://${headerOf(req.http.headers, 'host') ?? ''}`).hostname;
    } catch { /* no usable Host: the listener's address stands */ }
  }
  return u;
}

/** The link's lifetime in seconds: a whole number from 1 to S3's week. */
function expiresOf(v: unknown): number {
  if (v === undefined) return DEFAULT_EXPIRES_SECONDS;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new S3Error('MalformedJSON', '"expiresIn" must be a whole number of seconds.');
  if (v < 1 || v > MAX_EXPIRES_SECONDS) throw new S3Error('InvalidArgument', `"expiresIn" must be from 1 to ${MAX_EXPIRES_SECONDS} seconds (a week, S3's limit for a presigned URL).`);
  return v;
}

/** The route of /admin/v1/presign. */
export const PRESIGN_ROUTES: Route[] = [
  {
    method: 'POST', path: 'presign',
    run: async (req) => {
      const o = objectBody(req);
      const bucket = stringField(o, 'bucket');
      const key = stringField(o, 'key');
      const versionId = stringField(o, 'versionId', true);
      const expiresSeconds = expiresOf(o.expiresIn);
      const endpoint = endpointOf(req, stringField(o, 'endpoint', true));
      if (bucket === '' || key === '') throw new S3Error('InvalidArgument', 'Name the bucket and the key of the object to link to.');
      // The caller's own key, as the request proved it (authentication checked it is active).
      const credential = req.sources.frontEnd.credentials.lookup(req.principal.accessKeyId);
      if (!credential || credential.user !== req.principal.user) throw new S3Error('AccessDenied', 'The key that signed this request is gone: sign in again.');
      const now = new Date();
      const url = presignGetUrl({
        endpoint, path: objectPath(bucket, key), ...(versionId !== undefined ? { versionId } : {}), accessKeyId: credential.accessKeyId,
        secretAccessKey: credential.secretAccessKey, region: req.sources.frontEnd.settings.region, expiresSeconds, now,
      });
      const expires = new Date(now.getTime() + expiresSeconds * 1000).toISOString();
      return {
        body: {
          url, accessKeyId: credential.accessKeyId, expires,
          // A key expiring first ends the link with it: said, so the console can warn.
          ...(credential.expires ? { keyExpires: credential.expires.toISOString() } : {}),
        },
      };
    },
  },
];
