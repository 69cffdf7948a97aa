/** UploadPartCopy: a part made of (a range of) an existing object, read through the descriptor that was checked. */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { S3Error } from '../../../errors/s3-error.js';
import type { UploadPartCopyInput, UploadPartCopyResult } from '../../backend.js';
import type { Bucket } from '../buckets/bucket.js';
import { openCopySource } from '../write/copy-source.js';
import { receiveBody } from '../write/receive.js';
import { storePart } from './store-part.js';
import { checkPartNumber, openUpload, partAlgorithm } from './upload-part.js';

/** S3's largest part (and largest range of a part copy). */
export const MAX_PART_BYTES = 5 * 1024 ** 3;

/**
 * Copies `input.range` of the source object (the whole object by default) into part `partNumber`. The bytes are
 * hashed as they pass, because the part's ETag is their MD5 and its checksum the upload's algorithm over them.
 */
export async function uploadPartCopy(source: Bucket, target: Bucket, input: UploadPartCopyInput): Promise<UploadPartCopyResult> {
  target.assertWritable();
  checkPartNumber(input.partNumber);
  const { dir, state } = await openUpload(target, input.uploadId, input.key);
  // Read on the source for the request's identity; the part itself is the gateway's until Complete.
  const { opened, info } = await openCopySource(source, input.source.key, { ...input, identity: input.sourceIdentity ?? input.identity });
  try {
    const range = input.range ?? { start: 0, end: info.size - 1 };
    if (input.range && (range.start > range.end || range.end >= info.size)) {
      // InvalidRange, as the S3 test suites expect (Amazon has also been seen answering InvalidArgument with this message).
      throw new S3Error('InvalidRange', `Range specified is not valid for source object of size: ${info.size}`,
        { RangeRequested: `bytes=${range.start}-${range.end}`, ActualObjectSize: String(info.size) });
    }
    const size = range.end - range.start + 1;
    if (size > MAX_PART_BYTES) {
      throw new S3Error('InvalidRequest', `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_PART_BYTES}`);
    }
    const algorithm = partAlgorithm(state, undefined);
    const record = await storePart(dir, input.partNumber, {
      size: Math.max(size, 0),
      write: (fh, position) => {
        const bytes = size <= 0 || opened.directory
          ? Readable.from([])
          : createReadStream('', { fd: opened.fh.fd, autoClose: false, start: range.start, end: range.end, highWaterMark: 1024 * 1024 });
        return receiveBody(bytes, fh, { size: Math.max(size, 0), checksum: algorithm, position, writeBack: target.settings.fsync });
      },
      verify: (received) => (algorithm && received.checksum ? { algorithm, value: received.checksum.toString('base64') } : undefined),
    }, { fsync: target.settings.fsync });
    return { etag: record.etag, lastModified: new Date(record.lastModified), ...(record.checksum ? { checksum: record.checksum } : {}) };
  } finally {
    await opened.fh.close();
  }
}
