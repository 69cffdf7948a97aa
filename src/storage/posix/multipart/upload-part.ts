/** UploadPart: the request body stored as a part, hashed and checked as it streams to disk. */
import { S3Error } from '../../../errors/s3-error.js';
import type { ChecksumAlgorithm, UploadPartInput, UploadPartResult } from '../../backend.js';
import { fsAccessFor } from '../permissions/fs-access.js';
import type { Bucket } from '../buckets/bucket.js';
import { parseKey } from '../paths/paths.js';
import { receiveBody } from '../write/receive.js';
import { verify } from '../write/verify.js';
import { noSuchUpload } from './no-such-upload.js';
import { storePart } from './store-part.js';
import { isUploadId } from './upload-id.js';
import { UploadPaths } from './upload-paths.js';
import { readUploadState, type UploadState } from './upload-state.js';

/** S3's part numbers. */
export const MAX_PART_NUMBER = 10_000;

/** Throws InvalidArgument unless `n` is a part number S3 accepts (1..10000). */
export function checkPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PART_NUMBER) {
    throw new S3Error('InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`,
      { ArgumentName: 'partNumber', ArgumentValue: String(n) });
  }
}

/**
 * The directory and state of an upload that is open for parts: NoSuchUpload for an id that cannot be one, an
 * upload of another key, or one that is completed, aborted or being completed.
 */
export async function openUpload(bucket: Bucket, uploadId: string, key: string): Promise<{ dir: string; state: UploadState }> {
  if (!isUploadId(uploadId)) throw noSuchUpload(uploadId);
  const dir = UploadPaths.of(bucket).upload(uploadId);
  return { dir, state: await readUploadState(dir, uploadId, key) };
}

/**
 * The checksum algorithm a part is computed with: the upload's, which a part request may repeat but not
 * contradict; without one, whatever the part request names (then only that part carries it).
 */
export function partAlgorithm(state: UploadState, requested: ChecksumAlgorithm | undefined): ChecksumAlgorithm | undefined {
  const fixed = state.checksum?.algorithm;
  if (fixed && requested && requested !== fixed) {
    throw new S3Error('InvalidRequest',
      `Checksum Type mismatch occurred, expected checksum Type: ${fixed.toLowerCase()}, actual checksum Type: ${requested.toLowerCase()}`);
  }
  return fixed ?? requested;
}

/** Stores the body as part `partNumber`, replacing an earlier upload of that number. */
export async function uploadPart(bucket: Bucket, input: UploadPartInput): Promise<UploadPartResult> {
  bucket.assertWritable();
  checkPartNumber(input.partNumber);
  const { dir, state } = await openUpload(bucket, input.uploadId, input.key);
  // As for a PUT: a part the identity could never complete into the file is refused before its body is read.
  fsAccessFor(input.identity)?.writeBelow(bucket.dir, parseKey(input.key).segments.slice(0, -1));
  const algorithm = partAlgorithm(state, input.checksum?.algorithm);
  const record = await storePart(dir, input.partNumber, {
    size: input.size,
    write: (fh, position) => receiveBody(input.body, fh, { size: input.size, checksum: algorithm, position, writeBack: bucket.settings.fsync }),
    verify: (received) => {
      const c = verify(received, input.contentMd5, algorithm ? { algorithm, expected: input.checksum?.expected } : undefined);
      return c && { algorithm: c.algorithm, value: c.value };
    },
  }, { fsync: bucket.settings.fsync });
  return { etag: record.etag, ...(record.checksum ? { checksum: record.checksum } : {}) };
}
