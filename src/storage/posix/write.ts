/** PutObject: body → staging file (hashed, verified) → record on the inode → atomic rename into place. */
import { S3Error } from '../../s3/errors.js';
import type { ChecksumValue, PutObjectInput, PutObjectResult } from '../backend.js';
import { fsAccessFor } from '../../identity/fs-access.js';
import type { Bucket } from './bucket.js';
import { commitStaged } from './commit.js';
import { putDirectoryObject } from './dir-object.js';
import { attachmentsOf } from './metadata/attachments.js';
import { contentRecord } from './metadata/record.js';
import { parseKey } from './paths.js';
import { receiveBody, type Received } from './receive.js';
import { Staging } from './staging.js';

/** Writes an object atomically: readers see the old object or the new one, and a failure leaves no trace. */
export async function putObject(bucket: Bucket, input: PutObjectInput): Promise<PutObjectResult> {
  bucket.assertWritable();
  const { segments, dirObject } = parseKey(input.key);
  const expectedMd5 = input.contentMd5 === undefined ? undefined : parseContentMd5(input.contentMd5);
  if (dirObject) return putDirectoryObject(bucket, { ...input, segments, expectedMd5 });
  // Refused before the body is received when the identity could not create the file at all.
  fsAccessFor(input.identity)?.writeBelow(bucket.dir, segments.slice(0, -1));
  const store = await bucket.store();
  const staging = await Staging.create(bucket, store);
  try {
    const received = await receiveBody(input.body, staging.fh, {
      size: input.size, checksum: input.checksum?.algorithm, writeBack: bucket.settings.fsync,
    });
    const checksum = verify(received, expectedMd5, input.checksum);
    const etag = received.md5.toString('hex');
    const { stats } = await staging.seal(input.key, (st) => contentRecord(st, etag, input.meta, { ...(checksum ? { checksum } : {}), ...attachmentsOf(input) }),
      bucket.settings.fsync);
    await commitStaged(bucket, store, staging, { key: input.key, segments, conditions: input.conditions, identity: input.identity });
    return { etag, lastModified: new Date(Number(stats.mtimeNs / 1_000_000n)), ...(checksum ? { checksum } : {}) };
  } finally {
    await staging.discard(); // after a commit there is nothing left to remove
  }
}

/** The raw MD5 of a Content-MD5 header; InvalidDigest if it is not base64 of 16 bytes. */
export function parseContentMd5(value: string): Buffer {
  const raw = Buffer.from(value.trim(), 'base64');
  if (raw.length !== 16 || raw.toString('base64') !== value.trim()) {
    throw new S3Error('InvalidDigest', 'The Content-MD5 you specified is not valid.');
  }
  return raw;
}

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
