/**
 * Who signed a POST Object form: SigV4 (`x-amz-algorithm`, `x-amz-credential`, `x-amz-date`,
 * `x-amz-signature`: hex HMAC-SHA256 of the base64 policy under the scope's signing key) or SigV2
 * (`AWSAccessKeyId`, `signature`: base64 HMAC-SHA1 of the base64 policy). A form with neither is anonymous.
 */
import { S3Error } from '../../errors/s3-error.js';
import type { Credential, CredentialStore } from '../../accounts/credentials.js';
import { checkScope, credentialFor } from '../auth-checks.js';
import type { AuthOptions } from '../authenticate.js';
import { parseAmzDate } from '../sigv4/amz-date.js';
import { ALGORITHM, sign, signaturesEqual } from '../sigv4/signature.js';
import { signingKey } from '../sigv4/signing-key.js';
import { signaturesEqualV2, signV2 } from '../sigv2/signature.js';

/** The signer of a form, and which signature version it used. */
export interface PostSigner {
  credential: Credential;
  signatureVersion: 'AWS' | 'AWS4-HMAC-SHA256';
}

const missing = (name: string): S3Error => new S3Error('InvalidArgument', `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, { ArgumentName: name });

/**
 * Verify the form's signature over its policy (`fields`: lower-case names). Returns undefined for an
 * anonymous form (no signature fields at all); throws S3Error otherwise when anything is missing or wrong.
 */
export function verifyPostSignature(fields: ReadonlyMap<string, string>, store: CredentialStore, opts: AuthOptions): PostSigner | undefined {
  const now = opts.now ?? new Date();
  const policy = fields.get('policy');
  const v4 = fields.has('x-amz-signature') || fields.has('x-amz-credential') || fields.has('x-amz-algorithm');
  const v2 = fields.has('awsaccesskeyid') || fields.has('signature');
  if (!v4 && !v2) {
    if (policy !== undefined) throw missing('AWSAccessKeyId');
    return undefined;
  }
  if (policy === undefined) throw missing('Policy');
  if (v4) {
    const algorithm = fields.get('x-amz-algorithm');
    if (algorithm === undefined) throw missing('X-Amz-Algorithm');
    if (algorithm !== ALGORITHM) throw new S3Error('InvalidArgument', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"', { ArgumentName: 'X-Amz-Algorithm', ArgumentValue: algorithm });
    const credentialText = fields.get('x-amz-credential') ?? '';
    const amzDate = fields.get('x-amz-date') ?? '';
    const provided = fields.get('x-amz-signature') ?? '';
    if (!credentialText) throw missing('X-Amz-Credential');
    if (!amzDate) throw missing('X-Amz-Date');
    if (!provided) throw missing('X-Amz-Signature');
    const parts = credentialText.split('/');
    if (parts.length !== 5 || !parseAmzDate(amzDate)) {
      throw new S3Error('AuthorizationQueryParametersError', `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request". ${credentialText}`);
    }
    const [accessKeyId, date, region, service, terminator] = parts;
    checkScope({ accessKeyId, date, region, service, terminator }, amzDate, 'AuthorizationQueryParametersError', opts);
    const credential = credentialFor(store, accessKeyId, now);
    const computed = sign(signingKey(credential.secretAccessKey, date, region, service), policy);
    if (!signaturesEqual(computed, provided)) throw new S3Error('SignatureDoesNotMatch', undefined, { AWSAccessKeyId: accessKeyId, StringToSign: policy, SignatureProvided: provided });
    return { credential, signatureVersion: 'AWS4-HMAC-SHA256' };
  }
  if (opts.sigv2 === false) throw new S3Error('InvalidRequest', 'Signature Version 2 is switched off on this server: sign the form with AWS4-HMAC-SHA256.');
  const accessKeyId = fields.get('awsaccesskeyid');
  const provided = fields.get('signature');
  if (!accessKeyId) throw missing('AWSAccessKeyId');
  if (!provided) throw missing('Signature');
  const credential = credentialFor(store, accessKeyId, now);
  if (!signaturesEqualV2(signV2(credential.secretAccessKey, policy), provided)) {
    throw new S3Error('SignatureDoesNotMatch', undefined, { AWSAccessKeyId: accessKeyId, StringToSign: policy, SignatureProvided: provided });
  }
  return { credential, signatureVersion: 'AWS' };
}
