/**
 * Checking a request's signature: build its canonical request, sign it, compare. Clients disagree on a
 * few encoding details that the signature depends on, so a short list of candidate canonical forms is
 * tried: AWS-encoded path, then the path exactly as sent; query sorted by decoded names, then by encoded
 * names; '+' as itself, then as a space; for presigned URLs, the declared payload hash, then
 * UNSIGNED-PAYLOAD. Candidates that come out identical are tried once, so a typical request costs one
 * SHA-256 and one HMAC, and a request that fails costs a handful.
 */
import { S3Error } from '../../errors/s3-error.js';
import { canonicalHeaders } from './canonical-headers.js';
import { canonicalQuery } from './canonical-query.js';
import { canonicalRequest } from './canonical-request.js';
import { canonicalUri, rawPathForm } from './canonical-uri.js';
import { sign, signaturesEqual, stringToSign } from './signature.js';

export interface SignatureCheck {
  method: string;
  rawPath: string;
  rawQuery: string;
  /** Decoded name of a query parameter to leave out (X-Amz-Signature in presigned URLs). */
  excludeParam?: string;
  signedHeaders: readonly string[];
  valuesOf: (name: string) => readonly string[];
  /** Payload hashes to try, in order. */
  payloadHashes: readonly string[];
  amzDate: string;
  scope: string;
  signingKey: Buffer;
  accessKeyId: string;
  provided: string;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Verify the signature; SignatureDoesNotMatch (with S3's diagnostic fields) when no candidate matches. */
export function verifySignature(c: SignatureCheck): void {
  const uris = unique([canonicalUri(c.rawPath), rawPathForm(c.rawPath)]);
  const exclude = c.excludeParam;
  const queries = unique([
    canonicalQuery(c.rawQuery, { exclude }),
    canonicalQuery(c.rawQuery, { exclude, sortBy: 'encoded' }),
    ...(c.rawQuery.includes('+') ? [canonicalQuery(c.rawQuery, { exclude, plusIsSpace: true })] : []),
  ]);
  const headers = canonicalHeaders(c.signedHeaders, c.valuesOf);
  const signedHeaders = c.signedHeaders.join(';');
  let first: { creq: string; sts: string } | undefined;
  for (const payloadHash of c.payloadHashes) {
    for (const uri of uris) {
      for (const query of queries) {
        const creq = canonicalRequest({
          method: c.method, canonicalUri: uri, canonicalQuery: query, canonicalHeaders: headers, signedHeaders, payloadHash,
        });
        const sts = stringToSign(c.amzDate, c.scope, creq);
        first ??= { creq, sts };
        if (signaturesEqual(sign(c.signingKey, sts), c.provided)) return;
      }
    }
  }
  throw new S3Error('SignatureDoesNotMatch', undefined, {
    AWSAccessKeyId: c.accessKeyId,
    StringToSign: first?.sts ?? '',
    SignatureProvided: c.provided,
    CanonicalRequest: Buffer.from(first?.creq ?? '', 'latin1').toString('utf8'),
  });
}
