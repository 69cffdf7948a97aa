/** SigV4 by presigned URL: the X-Amz-* query parameters, expiry, unsigned headers, then the signature. */
import { headerOf } from '../http/headers.js';
import { S3Error } from '../errors/s3-error.js';
import { type AuthContext, credentialFor, checkScope, isoSeconds, MAX_SKEW_MS, valuesOf } from './auth-checks.js';
import type { AuthResult, PayloadMode } from './authenticate.js';
import { parsePayloadMode } from './payload-mode.js';
import { parsePresignedParams } from './sigv4/presigned-query.js';
import { ALGORITHM, credentialScope } from './sigv4/signature.js';
import { signingKey } from './sigv4/signing-key.js';
import { verifySignature } from './sigv4/verify-signature.js';

/** Authenticate a request by its presigned query parameters (`query`: decoded, first value per name). Throws S3Error. */
export function presignedAuth(ctx: AuthContext, query: ReadonlyMap<string, string>): AuthResult {
  const { req, rawPath, rawQuery, store, now, opts } = ctx;
  const p = parsePresignedParams(query);
  checkScope(p, p.amzDate, 'AuthorizationQueryParametersError', opts);
  if (!p.signedHeaders.includes('host')) {
    throw new S3Error('AuthorizationQueryParametersError', 'X-Amz-SignedHeaders must include "host".');
  }
  const credential = credentialFor(store, p.accessKeyId, now);

  const expiresAt = p.time.getTime() + p.expiresSeconds * 1000;
  if (now.getTime() > expiresAt) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': String(p.expiresSeconds),
      Expires: isoSeconds(new Date(expiresAt)),
      ServerTime: isoSeconds(now),
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

  const declared = p.contentSha256 ?? headerOf(req.headers, 'x-amz-content-sha256')?.trim();
  const payloadHashes = declared !== undefined && declared !== 'UNSIGNED-PAYLOAD' ? [declared, 'UNSIGNED-PAYLOAD'] : ['UNSIGNED-PAYLOAD'];
  const scope = credentialScope(p.date, p.region, p.service);
  const key = signingKey(credential.secretAccessKey, p.date, p.region, p.service);
  verifySignature({
    method: req.method.toUpperCase(), rawPath, rawQuery, excludeParam: 'X-Amz-Signature', signedHeaders: p.signedHeaders,
    valuesOf: valuesOf(req), payloadHashes, amzDate: p.amzDate, scope, signingKey: key, accessKeyId: p.accessKeyId,
    provided: p.signature,
  });
  return {
    credential, payload: presignedPayload(declared), presigned: true, signatureVersion: ALGORITHM,
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
