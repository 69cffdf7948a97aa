/**
 * Parsing the Authorization header of SigV4:
 * `AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex`.
 */
import { S3Error } from '../../errors/s3-error.js';
import { ALGORITHM } from './signature.js';
import { parseCredential, type CredentialScopeParts } from './credential-scope.js';

export interface ParsedAuthorization extends CredentialScopeParts {
  signedHeaders: string[];
  signature: string;
}

const MALFORMED_CREDENTIAL = 'The authorization header is malformed; the Credential is mal-formed; '
  + 'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".';

/** The authorization scheme: the first word of the header ('AWS4-HMAC-SHA256', 'AWS', …). */
export function authorizationScheme(value: string): string {
  const sp = value.trimStart().search(/\s/);
  return sp < 0 ? value.trim() : value.trimStart().slice(0, sp);
}

/** Parse a SigV4 Authorization header; AuthorizationHeaderMalformed when it does not parse. */
export function parseAuthorizationHeader(value: string): ParsedAuthorization {
  const text = value.trim();
  if (!text.startsWith(ALGORITHM + ' ')) {
    throw new S3Error('AuthorizationHeaderMalformed', `The authorization header is malformed; it must start with "${ALGORITHM}".`);
  }
  const fields = new Map<string, string>();
  for (const piece of text.slice(ALGORITHM.length).split(',')) {
    const p = piece.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq <= 0) {
      throw new S3Error('AuthorizationHeaderMalformed', `The authorization header is malformed; the authorization component "${p}" is malformed.`);
    }
    fields.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined) throw new S3Error('AuthorizationHeaderMalformed', 'The authorization header is malformed; missing Credential.');
  if (signedHeaders === undefined) throw new S3Error('AuthorizationHeaderMalformed', 'The authorization header is malformed; missing SignedHeaders.');
  if (signature === undefined) throw new S3Error('AuthorizationHeaderMalformed', 'The authorization header is malformed; missing Signature.');
  const scope = parseCredential(credential);
  if (!scope) throw new S3Error('AuthorizationHeaderMalformed', MALFORMED_CREDENTIAL);
  const names = signedHeaders.split(';').map((h) => h.trim().toLowerCase());
  if (names.some((n) => n === '')) {
    throw new S3Error('AuthorizationHeaderMalformed', 'The authorization header is malformed; SignedHeaders is malformed.');
  }
  return { ...scope, signedHeaders: names, signature };
}
