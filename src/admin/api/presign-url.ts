/**
 * A SigV4 presigned GET URL, as any S3 client makes one offline with its key (the query-string form of AWS's
 * "Authenticating Requests: Using Query Parameters", whose example is its unit test): host the only signed header,
 * the payload UNSIGNED-PAYLOAD. Built from the verifier's own canonicalization steps, so the two cannot disagree.
 */
import { formatAmzDate } from '../../auth/sigv4/amz-date.js';
import { canonicalHeaders } from '../../auth/sigv4/canonical-headers.js';
import { canonicalQueryFromPairs } from '../../auth/sigv4/canonical-query.js';
import { canonicalRequest } from '../../auth/sigv4/canonical-request.js';
import { canonicalUri } from '../../auth/sigv4/canonical-uri.js';
import { ALGORITHM, credentialScope, sign, stringToSign } from '../../auth/sigv4/signature.js';
import { signingKey } from '../../auth/sigv4/signing-key.js';
import { uriEncode } from '../../auth/sigv4/uri-encode.js';

/** What to presign. */
export interface PresignInput {
  /** The S3 endpoint's origin, e.g. `https://s3.example:9000`. */
  endpoint: URL;
  /** The object's path, percent-encoded: `/bucket/key` (path-style). */
  path: string;
  versionId?: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  expiresSeconds: number;
  now?: Date;
}

/** The path-style path of `key` in `bucket`, encoded as SigV4 encodes it ('/' kept in the key). */
export function objectPath(bucket: string, key: string): string {
  return `/${uriEncode(bucket, false)}/${uriEncode(key, true)}`;
}

/** The presigned URL, as text (a URL object would normalise `.` and `..` segments of a key). */
export function presignGetUrl(p: PresignInput): string {
  const amzDate = formatAmzDate(p.now ?? new Date());
  const date = amzDate.slice(0, 8);
  const scope = credentialScope(date, p.region, 's3');
  const pairs: [string, string][] = [
    ['X-Amz-Algorithm', ALGORITHM],
    ['X-Amz-Credential', `${p.accessKeyId}/${scope}`],
    ['X-Amz-Date', amzDate],
    ['X-Amz-Expires', String(p.expiresSeconds)],
    ['X-Amz-SignedHeaders', 'host'],
    ...(p.versionId !== undefined ? [['versionId', p.versionId] as [string, string]] : []),
  ];
  const query = canonicalQueryFromPairs(pairs);
  const canonical = canonicalRequest({
    method: 'GET', canonicalUri: canonicalUri(p.path), canonicalQuery: query,
    canonicalHeaders: canonicalHeaders(['host'], () => [p.endpoint.host]), signedHeaders: 'host', payloadHash: 'UNSIGNED-PAYLOAD',
  });
  const signature = sign(signingKey(p.secretAccessKey, date, p.region, 's3'), stringToSign(amzDate, scope, canonical));
  return `${p.endpoint.origin}${p.path}?${query}&X-Amz-Signature=${signature}`;
}
