/**
 * The SigV4 query parameters of a presigned URL (X-Amz-Algorithm, -Credential, -Date, -Expires,
 * -SignedHeaders, -Signature), validated with S3's own messages.
 */
import { S3Error } from '../../errors/s3-error.js';
import { parseAmzDate } from './amz-date.js';
import { parseCredential, type CredentialScopeParts } from './credential-scope.js';
import { ALGORITHM } from './signature.js';

/** A presigned URL may live at most a week (S3's limit). */
export const MAX_EXPIRES_SECONDS = 604800;

export interface PresignedParams extends CredentialScopeParts {
  amzDate: string;
  time: Date;
  expiresSeconds: number;
  signedHeaders: string[];
  signature: string;
  /** X-Amz-Content-Sha256 when the presigner hoisted it into the query. */
  contentSha256?: string;
}

function paramError(message: string): S3Error {
  return new S3Error('AuthorizationQueryParametersError', message);
}

/** Read and check the presign parameters from the decoded query (first value of each name). */
export function parsePresignedParams(query: ReadonlyMap<string, string>): PresignedParams {
  const algorithm = query.get('X-Amz-Algorithm');
  const credential = query.get('X-Amz-Credential');
  const signature = query.get('X-Amz-Signature');
  const date = query.get('X-Amz-Date');
  const signedHeaders = query.get('X-Amz-SignedHeaders');
  const expires = query.get('X-Amz-Expires');
  if (algorithm === undefined || credential === undefined || signature === undefined || date === undefined
    || signedHeaders === undefined || expires === undefined) {
    throw paramError('Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, '
      + 'X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
  }
  if (algorithm !== ALGORITHM) throw paramError(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
  const scope = parseCredential(credential);
  if (!scope) {
    throw paramError('Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; '
      + 'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  const time = parseAmzDate(date);
  if (!time) throw paramError('X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"');
  if (!/^-?\d+$/.test(expires)) throw paramError('X-Amz-Expires should be a number');
  const expiresSeconds = Number(expires);
  if (expiresSeconds < 1) throw paramError('X-Amz-Expires must be non-negative');
  if (expiresSeconds > MAX_EXPIRES_SECONDS) {
    throw paramError(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES_SECONDS}`);
  }
  const names = signedHeaders.split(';').map((h) => h.trim().toLowerCase());
  if (names.some((n) => n === '')) throw paramError('X-Amz-SignedHeaders is malformed.');
  return {
    ...scope, amzDate: date, time, expiresSeconds, signedHeaders: names, signature,
    contentSha256: query.get('X-Amz-Content-Sha256'),
  };
}
