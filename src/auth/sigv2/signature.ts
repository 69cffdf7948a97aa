/** SigV2's signature: base64 HMAC-SHA1 of the string to sign under the secret key, compared in constant time. */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Base64 HMAC-SHA1 of `toSign` (UTF-8) under `secret`: a V2 request signature, or a V2 POST policy's. */
export function signV2(secret: string, toSign: string): string {
  return createHmac('sha1', secret).update(toSign, 'utf8').digest('base64');
}

/**
 * Whether a provided signature equals the computed one, in constant time. A `+` that arrived as a space
 * (a query string decoded as a form) is read back as `+`.
 */
export function signaturesEqualV2(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(provided.replaceAll(' ', '+'), 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}
