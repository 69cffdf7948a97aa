/**
 * What a bucket policy's conditions can know of a request, gathered once per request from what the front end
 * has at hand: the client's address and transport, its user agent and referer, how it was signed, and S3's
 * own keys (listing parameters, ACL and copy headers, the tags it sets). Existing object tags are read later,
 * and only for policies that test them (authorize-request.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { headerOf, type HeaderBag } from '../../http/headers.js';
import type { RequestFacts } from '../policy/request-conditions.js';

/** How the request was signed, as policies see it; undefined for an anonymous request. */
export interface SignedBy {
  signatureVersion: 'AWS' | 'AWS4-HMAC-SHA256';
  authType: 'REST-HEADER' | 'REST-QUERY-STRING' | 'POST';
}

/** Request headers that become `s3:<header>` condition keys as they are. */
const HEADER_KEYS = [
  'x-amz-acl', 'x-amz-content-sha256', 'x-amz-copy-source', 'x-amz-metadata-directive', 'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id', 'x-amz-storage-class', 'x-amz-website-redirect-location',
  'x-amz-grant-read', 'x-amz-grant-write', 'x-amz-grant-read-acp', 'x-amz-grant-write-acp', 'x-amz-grant-full-control',
  'x-amz-object-ownership', 'if-match', 'if-none-match',
] as const;

/** The listing parameters S3 exposes to s3:ListBucket (and s3:ListBucketVersions) conditions. */
const LIST_KEYS = ['prefix', 'delimiter', 'max-keys'] as const;

/**
 * The request's facts for policy conditions (all but the principal, which authorization adds). `action` decides
 * which S3 keys apply: listing parameters only to listings, as S3 sets them. `fields` stands in for the headers
 * where a request carries them in its body (POST Object's form fields, lower-case names).
 */
export function requestFactsOf(req: IncomingMessage, query: URLSearchParams, action: string, signed?: SignedBy, fields: HeaderBag = req.headers): RequestFacts {
  const s3: Record<string, string | string[] | undefined> = {};
  for (const name of HEADER_KEYS) s3[`s3:${name}`] = headerOf(fields, name);
  if (action === 's3:ListBucket' || action === 's3:ListBucketVersions') {
    for (const name of LIST_KEYS) s3[`s3:${name}`] = query.get(name) ?? undefined;
  }
  const versionId = query.get('versionId');
  if (versionId !== null) s3['s3:VersionId'] = versionId;
  const tagging = headerOf(fields, 'x-amz-tagging');
  if (tagging !== undefined) {
    const keys: string[] = [];
    for (const [key, value] of new URLSearchParams(tagging)) {
      keys.push(key);
      s3[`s3:RequestObjectTag/${key}`] = value;
    }
    s3['s3:RequestObjectTagKeys'] = keys;
  }
  // Object lock on a write (PutObject, CopyObject, CreateMultipartUpload), from its headers, as S3 sets the keys.
  const mode = headerOf(fields, 'x-amz-object-lock-mode');
  if (mode !== undefined) s3['s3:object-lock-mode'] = mode;
  const until = headerOf(fields, 'x-amz-object-lock-retain-until-date');
  if (until !== undefined) {
    s3['s3:object-lock-retain-until-date'] = until;
    const ms = Date.parse(until);
    if (!Number.isNaN(ms)) s3['s3:object-lock-remaining-retention-days'] = String(Math.max(0, Math.ceil((ms - Date.now()) / 86_400_000)));
  }
  const hold = headerOf(fields, 'x-amz-object-lock-legal-hold');
  if (hold !== undefined) s3['s3:object-lock-legal-hold'] = hold;
  const socket = req.socket as Partial<TLSSocket> | undefined;
  return {
    sourceIp: socket?.remoteAddress,
    // Plain HTTP today; a TLS listener's sockets say so themselves.
    secure: socket?.encrypted === true,
    tlsVersion: socket?.encrypted === true ? socket.getProtocol?.() ?? undefined : undefined,
    now: new Date(),
    userAgent: headerOf(req.headers, 'user-agent'),
    referer: headerOf(req.headers, 'referer'),
    signatureVersion: signed?.signatureVersion,
    authType: signed?.authType,
    s3,
  };
}
