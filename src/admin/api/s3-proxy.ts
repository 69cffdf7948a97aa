/**
 * /admin/v1/s3/<bucket>/<key>?<query>: the console's way to the S3 API, on its own origin. The request is the
 * S3 request itself (path-style, same query, headers and streamed body), run by the S3 front end's own pipeline
 * (handleRequest: the operation table, authorization by bucket policy, rights and ACL grants, the handler, the
 * one writer), as the session's user. Only the signature is replaced, by the session (and, for a change, its CSRF
 * token): so whatever the console does with objects, the user could do by S3 with their key, and nothing more.
 *
 * Why a proxy and not presigned URLs to the S3 listener: the S3 listener is another origin, so a browser's upload
 * and listing there need each bucket's CORS rules to admit the console, and the address the server listens on is
 * not always the one a browser reaches; a presigned URL would also be a bearer credential for its lifetime.
 */
import { handleRequest } from '../../s3/handle-request.js';
import { isS3Error, S3Error } from '../../errors/s3-error.js';
import type { AdminExchange } from '../admin-exchange.js';
import { json } from '../health.js';
import { bySession } from './api-auth.js';
import type { ApiSources } from './api-types.js';

/** Where the proxy lives on the admin listener. */
export const S3_PROXY_PREFIX = '/admin/v1/s3/';

/**
 * Headers on every proxied answer. An object is a user's content served on the console's origin: a sandboxed
 * document with no scripts (CSP sandbox gives it an opaque origin), never sniffed into HTML, and not loadable by
 * other origins, so an uploaded page cannot act with the viewer's session.
 */
const CONTENT_GUARDS: Record<string, string> = {
  'Content-Security-Policy': "sandbox; default-src 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** One proxied S3 request, answered; never throws. */
export async function proxyS3(sources: ApiSources, ex: AdminExchange): Promise<void> {
  const url = '/' + (ex.req.url ?? '/').slice(S3_PROXY_PREFIX.length);
  for (const [name, value] of Object.entries(CONTENT_GUARDS)) ex.res.setHeader(name, value);
  let who: Awaited<ReturnType<typeof bySession>>;
  try {
    who = await bySession(ex.req, sources, 'The S3 proxy is for the console: sign in first (POST /admin/v1/session); S3 clients sign their requests to the S3 listener.');
  } catch (e) {
    const err = isS3Error(e) ? e : new S3Error('InternalError');
    ex.operation = 'admin-s3-proxy';
    ex.error = err.code;
    // The body, unread, cannot be skipped reliably: close rather than misparse the next request.
    if (!ex.req.complete) ex.res.setHeader('Connection', 'close');
    await ex.send(json(err.status, { code: err.code, message: err.message, requestId: ex.id })).catch(() => {});
    return;
  }
  // A session stands for a SigV4 sign-in: policies see its requests as header-signed (as the admin API's do).
  await handleRequest(sources.frontEnd, ex, {
    principal: who.principal, url, signedBy: { signatureVersion: 'AWS4-HMAC-SHA256', authType: 'REST-HEADER' },
  });
}
