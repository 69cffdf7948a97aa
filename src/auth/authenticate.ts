/**
 * Authentication of one request — SigV4 or SigV2, by Authorization header or presigned URL: who signed it,
 * and what the body must then satisfy (payload mode, plus what the aws-chunked decoder needs to check chunk
 * signatures). Pure: no I/O besides the credential lookup, errors are S3Errors.
 */
import { headerOf } from '../http/headers.js';
import { S3Error } from '../errors/s3-error.js';
import { V2_MESSAGE } from './auth-checks.js';
import type { Credential, CredentialStore } from '../accounts/credentials.js';
import { headerAuth } from './header-auth.js';
import type { PayloadMode } from './payload-mode.js';
import { presignedAuth } from './presigned-auth.js';
import { queryParams, splitTarget } from './sigv4/request-target.js';
import { authenticateV2, isSigV2 } from './sigv2/verify-v2.js';

export { MAX_SKEW_MS } from './auth-checks.js';
export type { PayloadMode } from './payload-mode.js';

export interface RequestToAuth {
  method: string;
  /** The raw request target as received: path + '?' + query, still percent-encoded. */
  url: string;
  /** Node's IncomingMessage.headers (lower-case names). */
  headers: Record<string, string | string[] | undefined>;
  /** Node's IncomingMessage.headersDistinct, when available: keeps repeated headers apart (Node joins them with ', ', SigV4 with ','). */
  headersDistinct?: Record<string, string[] | undefined>;
}

export interface AuthResult {
  credential: Credential;
  payload: PayloadMode;
  /** What the chunk decoder needs to check chunk signatures (SigV4 only). */
  signing?: { seedSignature: string; signingKey: Buffer; amzDate: string; scope: string };
  presigned: boolean;
  /** 'AWS' for Signature V2, 'AWS4-HMAC-SHA256' for V4 (as the s3:signatureversion condition key names them). */
  signatureVersion: 'AWS' | 'AWS4-HMAC-SHA256';
}

export interface AuthOptions {
  /**
   * The gateway's region. Requests signed for it or for us-east-1 (what clients without a region setting
   * use) are accepted; another region is AuthorizationHeaderMalformed, as S3 answers, naming this one.
   * The signing key is always derived from the region the client signed with.
   */
  region: string;
  /** Accept a scope with any region at all. */
  anyRegion?: boolean;
  /** The current time (tests). */
  now?: Date;
  /** Accept Signature Version 2 (default true); false refuses it with the V4-only message. */
  sigv2?: boolean;
  /** For V2: the bucket named by the Host header (virtual-hosted style), which V2 signs as `/bucket`. */
  hostBucket?: string;
}

/**
 * Verify a SigV4 or SigV2 request (Authorization header or presigned query). Throws S3Error. Returns undefined
 * for an anonymous request (no Authorization header and no signature in the query).
 */
export function authenticate(req: RequestToAuth, store: CredentialStore, opts: AuthOptions): AuthResult | undefined {
  const { rawPath, rawQuery } = splitTarget(req.url);
  const query = queryParams(rawQuery);
  const authorization = headerOf(req.headers, 'authorization');
  const presigned = query.has('X-Amz-Signature') || query.has('X-Amz-Credential') || query.has('X-Amz-Algorithm');
  const v2Query = query.has('AWSAccessKeyId') || (query.has('Signature') && query.has('Expires'));
  if (authorization === undefined && !presigned && !v2Query) return undefined;
  if (authorization !== undefined && (presigned || v2Query)) {
    throw new S3Error('InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, '
      + 'Signature query string parameter or the Authorization header should be specified', { ArgumentName: 'Authorization' });
  }
  const now = opts.now ?? new Date();
  if (isSigV2(req)) {
    if (opts.sigv2 === false) throw new S3Error('InvalidRequest', `${V2_MESSAGE} (Signature Version 2 is switched off on this server.)`);
    const v2 = authenticateV2(req, store, { hostBucket: opts.hostBucket, now });
    // V2 signs Content-MD5, not the body: a signed digest must then hold for the body received.
    const md5 = headerOf(req.headers, 'content-md5')?.trim();
    return { credential: v2.credential, presigned: v2.presigned, signatureVersion: 'AWS', payload: md5 ? { kind: 'md5', digest: md5 } : { kind: 'unsigned' } };
  }
  if (authorization !== undefined) return headerAuth({ req, rawPath, rawQuery, store, now, opts }, authorization);
  if (!presigned) throw new S3Error('InvalidRequest', V2_MESSAGE);
  return presignedAuth({ req, rawPath, rawQuery, store, now, opts }, query);
}

