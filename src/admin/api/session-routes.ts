/**
 * /admin/v1/session: sign in with an access key and secret (a session cookie back), see who is signed in, sign
 * out. A refused sign-in says the same whatever was wrong (no such key, wrong secret, revoked, expired), so the
 * answer never confirms that a key exists.
 */
import { S3Error } from '../../errors/s3-error.js';
import { SESSION_COOKIE, sameSecret } from '../session.js';
import { headerOf } from '../../http/headers.js';
import { cookieOf } from './api-auth.js';
import { objectBody, stringField } from './api-checks.js';
import type { ApiRequest, Route } from './api-types.js';

const REFUSED = 'Sign-in refused: the access key and secret do not match an active key.';
/** Compared against when the key is unknown, so that an unknown key takes as long to refuse as a wrong secret. */
const NO_SECRET = 'x'.repeat(40);

/** The Set-Cookie value of a session (token '' and age 0: the cookie removed). */
export function sessionCookie(req: ApiRequest, token: string, maxAgeSeconds: number): string {
  // Secure whenever the request came over TLS; HttpOnly: scripts never see the token; Strict: no cross-site request carries it.
  const secure = (req.http.socket as { encrypted?: boolean }).encrypted ? '; Secure' : '';
  return `${SESSION_COOKIE}=${token}; Path=/admin/v1; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`;
}

/** What GET /session (and a sign-in) answers: who, with what rights. */
function whoami(req: ApiRequest, extra: Record<string, unknown> = {}) {
  const p = req.principal;
  return { user: p.user, accessKeyId: p.accessKeyId, admin: p.admin, canCreateBuckets: p.canCreateBuckets, ...extra };
}

/** The routes of /admin/v1/session: sign in (open), who is signed in, sign out. */
export const SESSION_ROUTES: Route[] = [
  {
    method: 'POST', path: 'session', open: true,
    run: async (req) => {
      const o = objectBody(req);
      const accessKeyId = stringField(o, 'accessKeyId');
      const secret = stringField(o, 'secretAccessKey');
      const s = req.sources;
      const credential = s.frontEnd.credentials.lookup(accessKeyId);
      const matches = sameSecret(secret, credential?.secretAccessKey ?? NO_SECRET);
      const now = Date.now();
      if (!credential || !matches || credential.revoked || (credential.expires && credential.expires.getTime() <= now)) {
        throw new S3Error('AccessDenied', REFUSED);
      }
      // A user this gateway cannot serve (another identity without the right to chown) is refused here, with why.
      const principal = s.frontEnd.credentials.principal(credential);
      // Signing in again (as another user, say) ends the session this browser had: its file goes now, not at expiry.
      const previous = cookieOf(headerOf(req.http.headers, 'cookie'), SESSION_COOKIE);
      if (previous !== undefined) await s.sessions.end(previous);
      const { token, session } = await s.sessions.create(principal.user, accessKeyId);
      const signedIn: ApiRequest = { ...req, principal };
      return {
        status: 201,
        headers: { 'Set-Cookie': sessionCookie(req, token, Math.floor((new Date(session.expires).getTime() - now) / 1000)) },
        body: whoami(signedIn, { expires: session.expires, csrfToken: session.csrfToken }),
      };
    },
  },
  {
    method: 'GET', path: 'session',
    run: async (req) => ({
      body: whoami(req, req.via.kind === 'session' ? { via: 'session', expires: req.via.session.expires, csrfToken: req.via.session.csrfToken } : { via: 'sigv4' }),
    }),
  },
  {
    method: 'DELETE', path: 'session',
    run: async (req) => {
      if (req.via.kind !== 'session') throw new S3Error('InvalidRequest', 'There is no session to sign out of: this request is signed with SigV4.');
      await req.sources.sessions.end(req.via.token);
      return { status: 204, headers: { 'Set-Cookie': sessionCookie(req, '', 0) } };
    },
  },
];
