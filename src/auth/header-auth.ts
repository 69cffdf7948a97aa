/** SigV4 by Authorization header: parse it, check time, scope and key, then the signature. */
import { headerOf } from '../http/headers.js';
import { S3Error } from '../errors/s3-error.js';
import { type AuthContext, credentialFor, checkScope, isoSeconds, MAX_SKEW_MS, V2_MESSAGE, valuesOf } from './auth-checks.js';
import type { AuthResult } from './authenticate.js';
import { parsePayloadMode } from './payload-mode.js';
import { formatAmzDate, parseAmzDate } from './sigv4/amz-date.js';
import { parseHttpDate } from '../http/http-date.js';
import { authorizationScheme, parseAuthorizationHeader } from './sigv4/authorization-header.js';
import { ALGORITHM, credentialScope } from './sigv4/signature.js';
import { signingKey } from './sigv4/signing-key.js';
import { verifySignature } from './sigv4/verify-signature.js';

/** Authenticate a request carrying an Authorization header. Throws S3Error. */
export function headerAuth(ctx: AuthContext, authorization: string): AuthResult {
  const { req, rawPath, rawQuery, store, now, opts } = ctx;
  const scheme = authorizationScheme(authorization);
  if (scheme === 'AWS') throw new S3Error('InvalidRequest', V2_MESSAGE);
  if (scheme === 'AWS4-ECDSA-P256-SHA256') {
    throw new S3Error('NotImplemented', 'Signature Version 4A (AWS4-ECDSA-P256-SHA256) is not supported.');
  }
  if (scheme !== ALGORITHM) {
    throw new S3Error('InvalidArgument', 'Unsupported Authorization Type', { ArgumentName: 'Authorization', ArgumentValue: scheme });
  }
  const parsed = parseAuthorizationHeader(authorization);

  // The request time: x-amz-date wins over Date (both may be present and signed, as in AWS's PUT example).
  const xAmzDate = headerOf(req.headers, 'x-amz-date');
  const dateHeader = headerOf(req.headers, 'date');
  let time: Date | undefined;
  let amzDate: string;
  if (xAmzDate !== undefined) {
    time = parseAmzDate(xAmzDate.trim());
    amzDate = xAmzDate.trim();
  } else {
    time = parseHttpDate(dateHeader);
    amzDate = time ? formatAmzDate(time) : '';
  }
  if (!time) throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  checkScope(parsed, amzDate, 'AuthorizationHeaderMalformed', opts);
  if (!parsed.signedHeaders.includes('host')) {
    throw new S3Error('AuthorizationHeaderMalformed', 'The authorization header is malformed; SignedHeaders must include "host".');
  }

  const contentSha256 = headerOf(req.headers, 'x-amz-content-sha256');
  if (contentSha256 === undefined) {
    throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  }
  const payload = parsePayloadMode(contentSha256.trim());

  const credential = credentialFor(store, parsed.accessKeyId, now);
  if (Math.abs(now.getTime() - time.getTime()) > MAX_SKEW_MS) {
    throw new S3Error('RequestTimeTooSkewed', undefined, {
      RequestTime: xAmzDate ?? dateHeader ?? '',
      ServerTime: isoSeconds(now),
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
    credential, payload, presigned: false, signatureVersion: ALGORITHM,
    signing: { seedSignature: parsed.signature.toLowerCase(), signingKey: key, amzDate, scope },
  };
}
