/**
 * SigV2 authentication of one request: by `Authorization: AWS AKID:signature` (with Date or x-amz-date,
 * within the allowed clock skew) or by a presigned URL (`AWSAccessKeyId`, `Expires`, `Signature`). Pure
 * besides the key lookup; errors are S3Errors as S3 words them. Content-MD5, when signed, is only as good
 * as the body check that follows: the caller must verify it against the body.
 */
import { S3Error } from '../../errors/s3-error.js';
import type { Credential, CredentialStore } from '../../accounts/credentials.js';
import { credentialFor, isoSeconds, MAX_SKEW_MS } from '../auth-checks.js';
import { headerOf } from '../../http/headers.js';
import { parseHttpDate } from '../../http/http-date.js';
import type { RequestToAuth } from '../authenticate.js';
import { parseAmzDate } from '../sigv4/amz-date.js';
import { queryParams, splitTarget } from '../sigv4/request-target.js';
import { signaturesEqualV2, signV2 } from './signature.js';
import { canonicalResource, stringToSignV2 } from './string-to-sign.js';

/** Who signed a V2 request, and how. */
export interface V2AuthResult {
  credential: Credential;
  presigned: boolean;
}

/** What V2 verification needs besides the request. */
export interface V2Options {
  /** The bucket, when the request named it in the Host header (virtual-hosted style): it is signed as `/bucket`. */
  hostBucket?: string;
  now?: Date;
}

/** Whether a request carries V2 credentials (an `AWS ` Authorization header, or AWSAccessKeyId in the query). */
export function isSigV2(req: RequestToAuth): boolean {
  const authorization = headerOf(req.headers, 'authorization');
  if (authorization !== undefined) return /^AWS /.test(authorization);
  const { rawQuery } = splitTarget(req.url);
  return /(^|&)AWSAccessKeyId=/.test(rawQuery);
}

/** Every value of each x-amz-* header (and, for presigned URLs, x-amz-* query parameters, as botocore moves them there). */
function amzHeaders(req: RequestToAuth, query?: ReadonlyMap<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith('x-amz-') || value === undefined) continue;
    out.set(name, req.headersDistinct?.[name] ?? (Array.isArray(value) ? value : [value]));
  }
  for (const [name, value] of query ?? []) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-') && !out.has(lower)) out.set(lower, [value]);
  }
  return out;
}

/** `list-type=2`, which botocore signs with ListObjectsV2 (it is part of the operation's URI in its model). */
const BOTOCORE_LIST = new Set(['list-type']);

/**
 * The canonical resources a request may have been signed with: S3's, and the forms botocore signs — a bucket
 * addressed path-style as `/bucket/` (its virtual-hosted form) while it sends `/bucket`, and ListObjectsV2 with
 * `?list-type=2`. Each names the same resource, so accepting them opens nothing more.
 */
function resourceForms(rawPath: string, rawQuery: string, hostBucket: string | undefined): string[] {
  const forms = new Set([canonicalResource(rawPath, rawQuery, hostBucket), canonicalResource(rawPath, rawQuery, hostBucket, BOTOCORE_LIST)]);
  if (hostBucket === undefined && /^\/[^/]+$/.test(rawPath)) {
    for (const f of [...forms]) forms.add(f.replace(/^(\/[^/?]+)/, '$1/'));
  }
  return [...forms];
}

function mismatch(accessKeyId: string, toSign: string, provided: string): S3Error {
  return new S3Error('SignatureDoesNotMatch', undefined, {
    AWSAccessKeyId: accessKeyId,
    StringToSign: toSign,
    SignatureProvided: provided,
    StringToSignBytes: Buffer.from(toSign, 'utf8').toString('hex').replace(/(..)(?!$)/g, '$1 '),
  });
}

/** Verify a V2 request by Authorization header or presigned query. Throws S3Error. */
export function authenticateV2(req: RequestToAuth, store: CredentialStore, opts: V2Options = {}): V2AuthResult {
  const now = opts.now ?? new Date();
  const { rawPath, rawQuery } = splitTarget(req.url);
  const resources = resourceForms(rawPath, rawQuery, opts.hostBucket);
  const authorization = headerOf(req.headers, 'authorization');
  const contentMd5 = headerOf(req.headers, 'content-md5')?.trim() ?? '';
  const contentType = headerOf(req.headers, 'content-type')?.trim() ?? '';
  const method = req.method.toUpperCase();

  if (authorization !== undefined) {
    const m = /^AWS ([^:\s]+):(\S+)$/.exec(authorization.trim());
    if (!m) throw new S3Error('InvalidArgument', 'AWS authorization header is invalid.  Expected AwsAccessKeyId:signature', { ArgumentName: 'Authorization', ArgumentValue: authorization });
    const [, accessKeyId, provided] = m;
    const xAmzDate = headerOf(req.headers, 'x-amz-date')?.trim();
    const dateHeader = headerOf(req.headers, 'date')?.trim();
    const time = xAmzDate !== undefined ? parseAmzDate(xAmzDate) ?? parseHttpDate(xAmzDate) : dateHeader !== undefined ? parseHttpDate(dateHeader) : undefined;
    if (!time) throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
    const credential = credentialFor(store, accessKeyId, now);
    if (Math.abs(now.getTime() - time.getTime()) > MAX_SKEW_MS) {
      throw new S3Error('RequestTimeTooSkewed', undefined, {
        RequestTime: xAmzDate ?? dateHeader ?? '', ServerTime: isoSeconds(now), MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
      });
    }
    const amz = amzHeaders(req);
    // With x-amz-date the Date line is empty (the documented rule); some clients still put Date there.
    const dates = xAmzDate !== undefined ? ['', ...(dateHeader !== undefined ? [dateHeader] : [])] : [dateHeader ?? ''];
    const candidates = dates.flatMap((date) => resources.map((r) => stringToSignV2({ method, contentMd5, contentType, date, amzHeaders: amz, resource: r })));
    if (!candidates.some((sts) => signaturesEqualV2(signV2(credential.secretAccessKey, sts), provided))) {
      throw mismatch(accessKeyId, candidates[0], provided);
    }
    return { credential, presigned: false };
  }

  const query = queryParams(rawQuery);
  const accessKeyId = query.get('AWSAccessKeyId');
  const expires = query.get('Expires');
  const provided = query.get('Signature');
  if (accessKeyId === undefined || expires === undefined || provided === undefined) {
    throw new S3Error('AccessDenied', 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters');
  }
  if (!/^\d+$/.test(expires)) throw new S3Error('AccessDenied', 'Invalid date (should be seconds since epoch): ' + expires);
  const credential = credentialFor(store, accessKeyId, now);
  const expiresAt = Number(expires) * 1000;
  if (now.getTime() > expiresAt) {
    throw new S3Error('AccessDenied', 'Request has expired', { Expires: isoSeconds(new Date(expiresAt)), ServerTime: isoSeconds(now) });
  }
  const candidates = resources.map((r) => stringToSignV2({
    method,
    contentMd5: contentMd5 || query.get('content-md5') || '',
    contentType: contentType || query.get('content-type') || '',
    date: expires,
    amzHeaders: amzHeaders(req, query),
    resource: r,
  }));
  if (!candidates.some((sts) => signaturesEqualV2(signV2(credential.secretAccessKey, sts), provided))) throw mismatch(accessKeyId, candidates[0], provided);
  return { credential, presigned: true };
}
