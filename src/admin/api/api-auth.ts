/**
 * Who an admin API request is: SigV4 (header or presigned, signed for service s3 and the server's region, by
 * the same access keys as S3) or the console's session cookie. A session's changes must carry its CSRF token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { authenticate } from '../../auth/authenticate.js';
import { S3Error } from '../../errors/s3-error.js';
import { headerOf } from '../../http/headers.js';
import type { Principal } from '../../accounts/principal.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../session.js';
import type { ApiRequest, ApiSources } from './api-types.js';

/** The signer and how they signed, or AccessDenied. */
export async function whoIsAsking(http: IncomingMessage, body: Buffer, sources: ApiSources): Promise<{ principal: Principal; via: ApiRequest['via'] }> {
  const { credentials, settings } = sources.frontEnd;
  let { headers, headersDistinct } = http;
  if (headerOf(headers, 'x-amz-content-sha256') === undefined) {
    // S3 makes signers send the payload hash as a header; SigV4 elsewhere (curl --aws-sigv4, botocore's SigV4Auth
    // for other services) signs the body's SHA-256 without sending it. Supplying it here accepts both: it is not
    // among the signed headers, and a body changed in transit still fails the signature.
    const hash = createHash('sha256').update(body).digest('hex');
    headers = { ...headers, 'x-amz-content-sha256': hash };
    headersDistinct = { ...headersDistinct, 'x-amz-content-sha256': [hash] };
  }
  const auth = authenticate({ method: http.method ?? 'GET', url: http.url ?? '/', headers, headersDistinct }, credentials,
    // SigV2 signs no body: the admin API takes SigV4 only.
    { region: settings.region, sigv2: false });
  if (auth) {
    if (auth.payload.kind === 'sha256') {
      const hash = createHash('sha256').update(body).digest('hex');
      if (hash !== auth.payload.hash) throw new S3Error('XAmzContentSHA256Mismatch');
    } else if (auth.payload.kind !== 'unsigned') {
      throw new S3Error('InvalidRequest', 'The admin API takes a body signed whole (x-amz-content-sha256: its SHA-256, or UNSIGNED-PAYLOAD), not aws-chunked.');
    }
    return {
      principal: credentials.principal(auth.credential),
      via: { kind: 'sigv4', signedBy: { signatureVersion: auth.signatureVersion, authType: auth.presigned ? 'REST-QUERY-STRING' : 'REST-HEADER' } },
    };
  }
  return bySession(http, sources, 'Sign in first (POST /admin/v1/session), or sign the request with SigV4.');
}

/**
 * The signer of a request made with the console's session cookie (a change carrying its CSRF token), or
 * AccessDenied with `missing` when there is no cookie. The console's S3 proxy takes sessions only.
 */
export async function bySession(http: IncomingMessage, sources: ApiSources, missing: string): Promise<{ principal: Principal; via: ApiRequest['via'] & { kind: 'session' } }> {
  const { credentials } = sources.frontEnd;
  const token = cookieOf(headerOf(http.headers, 'cookie'), SESSION_COOKIE);
  if (token === undefined) throw new S3Error('AccessDenied', missing);
  const session = await sources.sessions.find(token);
  // A session lives no longer than its key: revoked, expired or removed, the key ends the session too.
  const credential = session && credentials.lookup(session.accessKeyId);
  const now = Date.now();
  if (!session || !credential || credential.user !== session.user || credential.revoked || (credential.expires && credential.expires.getTime() <= now)) {
    if (session) await sources.sessions.end(token);
    throw new S3Error('AccessDenied', 'The session has ended (signed out, expired, or its key revoked): sign in again.');
  }
  const method = http.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    // Cross-site pages cannot set this header (the admin listener answers no CORS preflight), nor read the token.
    const sent = headerOf(http.headers, CSRF_HEADER) ?? '';
    const a = Buffer.from(sent);
    const b = Buffer.from(session.csrfToken);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new S3Error('AccessDenied', `A change made with a session must carry its CSRF token in the ${CSRF_HEADER} header.`);
  }
  return { principal: credentials.principal(credential), via: { kind: 'session', session, token } };
}

/** The value of cookie `name` in a Cookie header. */
export function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
