/** Checking what a write received against what the client declared: Content-MD5 and the checksum (BadDigest). */
import { S3Error } from '../../../errors/s3-error.js';
import type { ChecksumValue, PutObjectInput } from '../../backend.js';
import type { Received } from './receive.js';

/**
 * Checks Content-MD5 and the checksum against what was received (BadDigest naming the failed check) and
 * returns the checksum to store. expected() is asked only now: a trailer arrives after the body.
 */
export function verify(received: Received, expectedMd5: Buffer | undefined,
  checksum: PutObjectInput['checksum']): ChecksumValue | undefined {
  if (expectedMd5 && !expectedMd5.equals(received.md5)) {
    throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  if (!checksum || !received.checksum) return undefined;
  const value = received.checksum.toString('base64');
  const expected = checksum.expected?.();
  if (expected !== undefined && expected !== value) {
    throw new S3Error('BadDigest', `The ${checksum.algorithm} you specified did not match the calculated checksum.`);
  }
  return { algorithm: checksum.algorithm, value, type: 'FULL_OBJECT' };
}
