/**
 * What a CompleteMultipartUpload request makes, checked against the stored parts before a byte is copied: the
 * S3 rules (ascending part numbers, ETags that match, every part but the last at least 5 MiB, checksums), and
 * the ETag, checksum and part layout of the object-to-be.
 */
import { createHash } from 'node:crypto';
import { S3Error } from '../../../errors/s3-error.js';
import { combineFullObject, compositeChecksum, isCrcAlgorithm } from '../../../checksums/checksum.js';
import type { ChecksumValue, CompleteMultipartUploadInput, ObjectPart } from '../../backend.js';
import { bareEtag } from '../../conditions/etag-match.js';
import type { StoredPart } from './part-files.js';
import type { UploadState } from './upload-state.js';

/** S3's smallest part, except the last. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/** A checked Complete: the parts to join, in order, and what the object will be. */
export interface CompletionPlan {
  parts: StoredPart[];
  etag: string;
  size: number;
  checksum?: ChecksumValue;
  layout: ObjectPart[];
}

/** Checks `input` against `stored` (the upload's parts by number); throws the S3 error a violation deserves. */
export function planCompletion(state: UploadState, stored: ReadonlyMap<number, StoredPart>, input: CompleteMultipartUploadInput): CompletionPlan {
  const requested = input.parts;
  if (requested.length === 0) {
    throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema: a CompleteMultipartUpload needs at least one Part.');
  }
  for (let i = 1; i < requested.length; i++) {
    if (requested[i]!.partNumber <= requested[i - 1]!.partNumber) throw new S3Error('InvalidPartOrder', undefined, { UploadId: state.uploadId });
  }
  const parts = requested.map((r) => {
    const part = stored.get(r.partNumber);
    if (!part || bareEtag(r.etag) !== part.etag) {
      throw new S3Error('InvalidPart', `One or more of the specified parts could not be found: part ${r.partNumber} ${part ? `has ETag "${part.etag}", not ${r.etag}` : 'was not uploaded'}.`,
        { UploadId: state.uploadId, PartNumber: String(r.partNumber), ETag: r.etag });
    }
    return part;
  });
  parts.forEach((p, i) => {
    if (i < parts.length - 1 && p.size < MIN_PART_BYTES) {
      throw new S3Error('EntityTooSmall', undefined, {
        ProposedSize: String(p.size), MinSizeAllowed: String(MIN_PART_BYTES), PartNumber: String(p.partNumber), ETag: p.etag,
      });
    }
  });
  checkPartChecksums(state, parts, input);
  const md5s = Buffer.concat(parts.map((p) => Buffer.from(p.etag, 'hex')));
  const checksum = objectChecksum(state, parts, input);
  return {
    parts,
    etag: `${createHash('md5').update(md5s).digest('hex')}-${parts.length}`,
    size: parts.reduce((n, p) => n + p.size, 0),
    ...(checksum ? { checksum } : {}),
    layout: parts.map((p) => (p.checksum && p.checksum.algorithm === checksum?.algorithm ? { size: p.size, checksum: p.checksum.value } : { size: p.size })),
  };
}

/**
 * Each Checksum<ALG> the client sent for a part must be the part's own checksum of that algorithm (one we have no
 * value of cannot be checked, and is not held against the client); a COMPOSITE upload needs one for every part.
 */
function checkPartChecksums(state: UploadState, parts: readonly StoredPart[], input: CompleteMultipartUploadInput): void {
  const algorithm = state.checksum?.algorithm;
  input.parts.forEach((r, i) => {
    const own = parts[i]!.checksum;
    for (const [alg, value] of Object.entries(r.checksums ?? {})) {
      if (own?.algorithm === alg && value !== own.value) {
        throw new S3Error('InvalidPart', `The ${alg} you specified for part ${r.partNumber} did not match the part's checksum.`,
          { UploadId: state.uploadId, PartNumber: String(r.partNumber), ETag: r.etag });
      }
    }
    if (algorithm && state.checksum!.type === 'COMPOSITE' && r.checksums?.[algorithm] === undefined) {
      throw new S3Error('InvalidRequest',
        `The upload was created using a ${algorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${r.partNumber} in the request.`);
    }
  });
}

/**
 * The object's checksum: the upload's algorithm and type over the parts' checksums (COMPOSITE: the checksum of
 * the part checksums, `-N`; FULL_OBJECT: the CRC of all the bytes, combined from the parts' CRCs). A value the
 * client sent with the Complete must match it (BadDigest). An upload created without an algorithm gets one only
 * when the Complete sends a value that the parts' own checksums can confirm.
 */
function objectChecksum(state: UploadState, parts: readonly StoredPart[], input: CompleteMultipartUploadInput): ChecksumValue | undefined {
  const sent = input.checksum;
  const upload = state.checksum;
  if (sent?.type && upload && sent.type !== upload.type) {
    throw new S3Error('InvalidRequest', `The upload was created using the ${upload.type} checksum mode. The complete request must use the same checksum mode.`);
  }
  if (sent?.algorithm && upload && sent.algorithm !== upload.algorithm) {
    throw new S3Error('InvalidRequest', `The upload was created using a ${upload.algorithm.toLowerCase()} checksum. The complete request must use the same algorithm.`);
  }
  const algorithm = upload?.algorithm ?? (sent?.value !== undefined ? sent.algorithm : undefined);
  if (!algorithm) return undefined;
  const type = upload?.type ?? sent?.type ?? (isCrcAlgorithm(algorithm) ? 'FULL_OBJECT' : 'COMPOSITE');
  if (type === 'FULL_OBJECT' && !isCrcAlgorithm(algorithm)) {
    throw new S3Error('InvalidRequest', `The FULL_OBJECT checksum type cannot be used with the ${algorithm} checksum algorithm.`);
  }
  const digests = parts.map((p) => {
    if (p.checksum?.algorithm !== algorithm) {
      if (upload) throw new S3Error('InvalidPart', `Part ${p.partNumber} has no ${algorithm} checksum.`, { UploadId: state.uploadId, PartNumber: String(p.partNumber) });
      throw new S3Error('InvalidRequest', `The upload was created without a checksum algorithm and part ${p.partNumber} was uploaded without a ${algorithm} checksum: the ${algorithm} of the object cannot be verified.`);
    }
    return Buffer.from(p.checksum.value, 'base64');
  });
  const value = type === 'COMPOSITE'
    ? compositeChecksum(algorithm, digests)
    : combineFullObject(algorithm, parts.map((p, i) => ({ checksum: digests[i]!, size: p.size }))).toString('base64');
  if (sent?.value !== undefined && sent.value !== value && `${sent.value}-${parts.length}` !== value) {
    throw new S3Error('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`);
  }
  return { algorithm, value, type };
}
