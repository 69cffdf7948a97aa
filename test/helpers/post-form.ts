/** Builds signed POST Object forms for tests: the policy document, base64, signed with SigV4 or V2 as AWS documents. */
import { createHmac } from 'node:crypto';
import { sign } from '../../src/auth/sigv4/signature.js';
import { signingKey } from '../../src/auth/sigv4/signing-key.js';

/** The credentials a form is signed with. */
export interface FormSignerKeys {
  accessKeyId: string;
  secretAccessKey: string;
  region?: string;
}

/**
 * The fields of a form signed with SigV4 (or V2): the given `fields` (lower-case names as the policy covers
 * them), plus the policy, credential, date and signature fields. `conditions` are added to the policy beside
 * one `eq` per field (bucket included); `expiresIn` seconds (negative: already expired).
 */
export function signedForm(keys: FormSignerKeys, bucket: string, fields: Record<string, string>,
  o: { conditions?: unknown[]; expiresIn?: number; version?: 2 | 4; omit?: string[] } = {}): Record<string, string> {
  const now = new Date();
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const region = keys.region ?? 'us-east-1';
  const v4 = (o.version ?? 4) === 4;
  const signing: Record<string, string> = v4
    ? { 'x-amz-algorithm': 'AWS4-HMAC-SHA256', 'x-amz-credential': `${keys.accessKeyId}/${date}/${region}/s3/aws4_request`, 'x-amz-date': amzDate }
    : {};
  const covered = { ...fields, ...signing };
  const conditions = [{ bucket }, ...Object.entries(covered).filter(([k]) => !(o.omit ?? []).includes(k)).map(([k, v]) => ['eq', `$${k}`, v]), ...(o.conditions ?? [])];
  const policy = Buffer.from(JSON.stringify({ expiration: new Date(now.getTime() + (o.expiresIn ?? 300) * 1000).toISOString(), conditions })).toString('base64');
  if (v4) return { ...covered, policy, 'x-amz-signature': sign(signingKey(keys.secretAccessKey, date, region, 's3'), policy) };
  return { ...covered, AWSAccessKeyId: keys.accessKeyId, policy, signature: createHmac('sha1', keys.secretAccessKey).update(policy).digest('base64') };
}

/** A FormData of `fields` and then the file (the last field, as S3 requires). */
export function formData(fields: Record<string, string>, file: { name: string; body: string; type?: string }): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  fd.append('file', new Blob([file.body], { type: file.type ?? 'application/octet-stream' }), file.name);
  return fd;
}
