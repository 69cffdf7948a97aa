/** Checks shared by header and presigned authentication: the key, the credential scope, header values. */
import { S3Error } from '../errors/s3-error.js';
import type { AuthOptions, RequestToAuth } from './authenticate.js';
import type { Credential, CredentialStore } from '../accounts/credentials.js';
import type { CredentialScopeParts } from './sigv4/credential-scope.js';

/** One request being authenticated, with what its checks need. */
export interface AuthContext {
  req: RequestToAuth;
  rawPath: string;
  rawQuery: string;
  store: CredentialStore;
  now: Date;
  opts: AuthOptions;
}

/** How far a request's time may be from ours, as in S3. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

/** S3's answer to any signature version but 4. */
export const V2_MESSAGE = 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.';

/** Every value of a header, for canonicalisation: headersDistinct when the caller gave it. */
export function valuesOf(req: RequestToAuth): (name: string) => readonly string[] {
  return (name) => {
    const distinct = req.headersDistinct?.[name];
    if (distinct) return distinct;
    const v = req.headers[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
}

/** The key named by a scope, refused when unknown or expired. */
export function credentialFor(store: CredentialStore, accessKeyId: string, now: Date): Credential {
  const credential = store.lookup(accessKeyId);
  if (!credential) {
    throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });
  }
  if (credential.revoked) {
    throw new S3Error('InvalidAccessKeyId', 'The AWS access key ID you provided has been revoked.', { AWSAccessKeyId: accessKeyId });
  }
  if (credential.expires && credential.expires.getTime() <= now.getTime()) {
    throw new S3Error('InvalidAccessKeyId', 'The AWS access key ID you provided has expired.', { AWSAccessKeyId: accessKeyId });
  }
  return credential;
}

/** The regions a scope may name: the gateway's own, and us-east-1, where clients without a region setting sign. */
export const DEFAULT_CLIENT_REGION = 'us-east-1';

/**
 * The scope must name S3 and an accepted region (see AuthOptions.anyRegion), end in aws4_request, and
 * carry the request's own date.
 */
export function checkScope(
  scope: CredentialScopeParts, amzDate: string, code: 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError', opts: AuthOptions,
): void {
  const prefix = code === 'AuthorizationHeaderMalformed' ? 'The authorization header is malformed; ' : 'Error parsing the X-Amz-Credential parameter; ';
  if (!opts.anyRegion && scope.region !== opts.region && scope.region !== DEFAULT_CLIENT_REGION) {
    throw new S3Error(code, `${prefix}the region '${scope.region}' is wrong; expecting '${opts.region}'`, { Region: opts.region });
  }
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

/** An instant as S3 prints it in error fields (ISO 8601 without milliseconds). */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
