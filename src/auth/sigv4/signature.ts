/** The string to sign, the HMAC that signs it, and a constant-time comparison of signatures. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** Hex SHA-256; strings are hashed one byte per char (latin1), as canonical requests are built. */
export function sha256HexOfByteString(s: string): string {
  return createHash('sha256').update(Buffer.from(s, 'latin1')).digest('hex');
}

/** Hex SHA-256 of bytes. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The scope string: date/region/service/aws4_request. */
export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/aws4_request`;
}

/** The string to sign of a request: algorithm, timestamp, scope, hash of the canonical request. */
export function stringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256HexOfByteString(canonicalRequest)}`;
}

/** Hex HMAC-SHA256 of a string to sign (ASCII) under a signing key. */
export function sign(key: Buffer, toSign: string): string {
  return createHmac('sha256', key).update(toSign, 'latin1').digest('hex');
}

/** Compare a computed signature with the one provided, in constant time for equal lengths. */
export function signaturesEqual(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(provided.toLowerCase(), 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}
