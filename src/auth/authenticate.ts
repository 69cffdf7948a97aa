/**
 * SigV4 authentication of one request, by Authorization header or presigned URL: who signed it, and what
 * the body must then satisfy (payload mode, plus what the aws-chunked decoder needs to check chunk
 * signatures). Pure: no I/O besides the credential lookup, errors are S3Errors.
 */
import { S3Error } from '../s3/errors.js';
import type { Credential, CredentialStore } from './credentials.js';
import { parsePayloadMode, type PayloadMode } from './payload-mode.js';
import { formatAmzDate, parseAmzDate, parseHttpDate } from './sigv4/amz-date.js';
import { authorizationScheme, parseAuthorizationHeader } from './sigv4/authorization-header.js';
import type { CredentialScopeParts } from './sigv4/credential-scope.js';
import { parsePresignedParams } from './sigv4/presigned-query.js';
import { queryParams, splitTarget } from './sigv4/request-target.js';
import { ALGORITHM, credentialScope } from './sigv4/signature.js';
import { signingKey } from './sigv4/signing-key.js';
import { verifySignature } from './sigv4/verify-signature.js';

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
  /** What the chunk decoder needs to check chunk signatures. */
  signing: { seedSignature: string; signingKey: Buffer; amzDate: string; scope: string };
  presigned: boolean;
}

export interface AuthOptions {
  /** The gateway's region. Requests signed for another region are accepted (the key is derived from the scope). */
  region: string;
  /** The current time (tests). */
  now?: Date;
}

/** How far a header-signed request's time may be from ours, as in S3. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

const V2_MESSAGE = `The authorization mechanism you have provided is not supported. Please use ${ALGORITHM}.`;

function headerValue(headers: RequestToAuth['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function valuesOf(req: RequestToAuth): (name: string) => readonly string[] {
  return (name) => {
    const distinct = req.headersDistinct?.[name];
    if (distinct) return distinct;
    const v = req.headers[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
}

/**
 * Verify a SigV4 request (Authorization header or presigned query). Throws S3Error. Returns undefined
 * for an anonymous request (no Authorization header and no X-Amz-Signature/X-Amz-Credential query).
 */
export function authenticate(req: RequestToAuth, store: CredentialStore, opts: AuthOptions): AuthResult | undefined {
  const { rawPath, rawQuery } = splitTarget(req.url);
  const query = queryParams(rawQuery);
  const authorization = headerValue(req.headers, 'authorization');
  const presigned = query.has('X-Amz-Signature') || query.has('X-Amz-Credential') || query.has('X-Amz-Algorithm');
  const v2Query = query.has('AWSAccessKeyId') || (query.has('Signature') && query.has('Expires'));
  if (authorization === undefined && !presigned && !v2Query) return undefined;
  if (authorization !== undefined && (presigned || v2Query)) {
    throw new S3Error('InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, '
      + 'Signature query string parameter or the Authorization header should be specified', { ArgumentName: 'Authorization' });
  }
  const now = opts.now ?? new Date();
  if (authorization !== undefined) return headerAuth(req, authorization, rawPath, rawQuery, store, now);
  if (!presigned) throw new S3Error('InvalidRequest', V2_MESSAGE);
  return presignedAuth(req, query, rawPath, rawQuery, store, now);
}

/** The key named by a scope, refused when unknown or expired. */
function credentialFor(store: CredentialStore, accessKeyId: string, now: Date): Credential {
  const credential = store.lookup(accessKeyId);
  if (!credential) {
    throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });
  }
  if (credential.expires && credential.expires.getTime() <= now.getTime()) {
    throw new S3Error('InvalidAccessKeyId', 'The AWS access key ID you provided has expired.', { AWSAccessKeyId: accessKeyId });
  }
  return credential;
}

function checkScope(scope: CredentialScopeParts, amzDate: string, code: 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError'): void {
  const prefix = code === 'AuthorizationHeaderMalformed' ? 'The authorization header is malformed; ' : 'Error parsing the X-Amz-Credential parameter; ';
  if (scope.service !== 's3') {
    throw new S3Error(code, `${prefix}incorrect service "${scope.service}". This endpoint belongs to "s3".`);
  }
  if (scope.terminator !== 'aws4_request') {
    throw new S3Error(code, `${prefix}incorrect terminal "${scope.terminator}". This endpoint uses "aws4_request".`);
  }
  if (scope.date !== amzDate.slice(0, 8)) {
    throw new S3Error(code, `${prefix}Invalid credential date "${scope.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`);
  }
}

function headerAuth(req: RequestToAuth, authorization: string, rawPath: string, rawQuery: string, store: CredentialStore, now: Date): AuthResult {
  const scheme = authorizationScheme(authorization);
  if (scheme === 'AWS') throw new S3Error('InvalidRequest', V2_MESSAGE);
  if (scheme === 'AWS4-ECDSA-P256-SHA256') {
    throw new S3Error('NotImplemented', 'Signature Version 4A (AWS4-ECDSA-P256-SHA256) is not supported.');
  }
  if (scheme !== ALGORITHM) {
    throw new S3Error('InvalidArgument', 'Unsupported Authorization Type', { ArgumentName: 'Authorization', ArgumentValue: authorization });
  }
  const parsed = parseAuthorizationHeader(authorization);

  // The request time: x-amz-date wins over Date (both may be present and signed, as in AWS's PUT example).
  const xAmzDate = headerValue(req.headers, 'x-amz-date');
  const dateHeader = headerValue(req.headers, 'date');
  let time: Date | undefined;
  let amzDate: string;
  if (xAmzDate !== undefined) {
    time = parseAmzDate(xAmzDate.trim());
    amzDate = xAmzDate.trim();
  } else {
    time = dateHeader !== undefined ? parseHttpDate(dateHeader) : undefined;
    amzDate = time ? formatAmzDate(time) : '';
  }
  if (!time) throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  checkScope(parsed, amzDate, 'AuthorizationHeaderMalformed');
  if (!parsed.signedHeaders.includes('host')) {
    throw new S3Error('AuthorizationHeaderMalformed', 'The authorization header is malformed; SignedHeaders must include "host".');
  }

  const contentSha256 = headerValue(req.headers, 'x-amz-content-sha256');
  if (contentSha256 === undefined) {
    throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  }
  const payload = parsePayloadMode(contentSha256.trim());

  const credential = credentialFor(store, parsed.accessKeyId, now);
  if (Math.abs(now.getTime() - time.getTime()) > MAX_SKEW_MS) {
    throw new S3Error('RequestTimeTooSkewed', undefined, {
      RequestTime: xAmzDate ?? dateHeader ?? '',
      ServerTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
    });
  }

  const scope = credentialScope(parsed.date, parsed.region, parsed.service);
  const key = signingKey(credential.secretAccessKey, parsed.date, parsed.region, parsed.service);
  verifySignature({
    method: req.method.toUpperCase(), rawPath, rawQuery, signedHeaders: parsed.signedHeaders, valuesOf: valuesOf(req),
    payloadHashes: [contentSha256.trim()], amzDate, scope, signingKey: key, accessKeyId: parsed.accessKeyId,
    provided: parsed.signature,
  });
  return {
    credential, payload, presigned: false,
    signing: { seedSignature: parsed.signature.toLowerCase(), signingKey: key, amzDate, scope },
  };
}

function presignedAuth(req: RequestToAuth, query: Map<string, string>, rawPath: string, rawQuery: string, store: CredentialStore, now: Date): AuthResult {
  const p = parsePresignedParams(query);
  checkScope(p, p.amzDate, 'AuthorizationQueryParametersError');
  if (!p.signedHeaders.includes('host')) {
    throw new S3Error('AuthorizationQueryParametersError', 'X-Amz-SignedHeaders must include "host".');
  }
  const credential = credentialFor(store, p.accessKeyId, now);

  const expiresAt = p.time.getTime() + p.expiresSeconds * 1000;
  if (now.getTime() > expiresAt) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': String(p.expiresSeconds),
      Expires: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ServerTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }
  if (p.time.getTime() - now.getTime() > MAX_SKEW_MS) {
    throw new S3Error('AccessDenied', 'Request is not valid yet');
  }
  // A presigned URL fixes what its holder may send: x-amz-* headers it did not sign would let them add
  // metadata, ACLs or conditions the signer never agreed to.
  const unsigned = Object.keys(req.headers)
    .filter((h) => h.startsWith('x-amz-') && !p.signedHeaders.includes(h) && h !== 'x-amz-content-sha256');
  if (unsigned.length > 0) {
    throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed', {
      HeadersNotSigned: unsigned.sort().join(', '),
    });
  }

  const declared = p.contentSha256 ?? headerValue(req.headers, 'x-amz-content-sha256')?.trim();
  const payloadHashes = declared !== undefined && declared !== 'UNSIGNED-PAYLOAD' ? [declared, 'UNSIGNED-PAYLOAD'] : ['UNSIGNED-PAYLOAD'];
  const scope = credentialScope(p.date, p.region, p.service);
  const key = signingKey(credential.secretAccessKey, p.date, p.region, p.service);
  verifySignature({
    method: req.method.toUpperCase(), rawPath, rawQuery, excludeParam: 'X-Amz-Signature', signedHeaders: p.signedHeaders,
    valuesOf: valuesOf(req), payloadHashes, amzDate: p.amzDate, scope, signingKey: key, accessKeyId: p.accessKeyId,
    provided: p.signature,
  });
  return {
    credential, payload: presignedPayload(declared), presigned: true,
    signing: { seedSignature: p.signature.toLowerCase(), signingKey: key, amzDate: p.amzDate, scope },
  };
}

/**
 * A presigned request's body is unsigned, unless the client declared a hash (then checked) or unsigned
 * aws-chunked framing. Signed chunks chain from a header signature, which a presigned URL does not have.
 */
function presignedPayload(declared: string | undefined): PayloadMode {
  if (declared === undefined) return { kind: 'unsigned' };
  const mode = parsePayloadMode(declared);
  if (mode.kind === 'streaming-signed') {
    throw new S3Error('InvalidRequest', 'Signed aws-chunked payloads require Authorization header authentication, not a presigned URL.');
  }
  return mode;
}
