/** The storage interface's types for multipart uploads: their inputs, results, parts and listings. */
import type { Readable } from 'node:stream';
import type { Identity } from '../accounts/identity.js';
import type { ObjectLock } from './object-lock.js';
import type { ChecksumAlgorithm, ChecksumType, ChecksumValue } from '../checksums/types.js';
import type { AsIdentity, ObjectMeta, ObjectAttachments, ObjectInfo, WriteConditions, PutObjectInput, ObjectRef } from './object-types.js';

/** Names one multipart upload: S3 addresses it by bucket, key and upload id together. */
export interface UploadRef extends AsIdentity {
  bucket: string;
  key: string;
  uploadId: string;
}

export interface CreateMultipartUploadInput extends AsIdentity, ObjectAttachments {
  bucket: string;
  key: string;
  /** What the completed object will have. */
  meta: ObjectMeta;
  /** The checksum every part carries and the completed object gets. */
  checksum?: { algorithm: ChecksumAlgorithm; type: ChecksumType };
  storageClass?: string;
  /** The user who initiates the upload (Initiator and Owner in listings). */
  initiator: string;
  /** The completed object's lock (x-amz-object-lock-*), applied at Complete. */
  lock?: ObjectLock;
}

/** A checksum of a part: base64, of the upload's algorithm or the one the part request named. */
export interface PartChecksum {
  algorithm: ChecksumAlgorithm;
  value: string;
}

export interface UploadPartInput extends UploadRef {
  /** 1..10000. */
  partNumber: number;
  /** The decoded payload, as for PutObject. */
  body: Readable;
  size?: number;
  contentMd5?: Buffer;
  checksum?: PutObjectInput['checksum'];
}

export interface UploadPartResult {
  etag: string;
  checksum?: PartChecksum;
}

export interface UploadPartCopyInput extends UploadRef {
  partNumber: number;
  source: ObjectRef;
  /** The identity the source is read as, when another than `identity` (its bucket's, in identity mode `bucket`). */
  sourceIdentity?: Identity;
  /** Inclusive byte range of the source (x-amz-copy-source-range); the whole object when undefined. */
  range?: { start: number; end: number };
  /** Called with the source's info once it is open; throws to refuse (x-amz-copy-source-if-*). */
  checkSource?: (source: ObjectInfo) => void;
}

export interface UploadPartCopyResult extends UploadPartResult {
  lastModified: Date;
}

/** One entry of a CompleteMultipartUpload request. */
export interface CompletedPart {
  partNumber: number;
  etag: string;
  /** Checksum<ALG> elements the client sent for this part, base64. */
  checksums?: Partial<Record<ChecksumAlgorithm, string>>;
}

export interface CompleteMultipartUploadInput extends UploadRef {
  parts: CompletedPart[];
  /** x-amz-checksum-<alg> / x-amz-checksum-type of the request: the whole object's checksum, verified. */
  checksum?: { algorithm?: ChecksumAlgorithm; value?: string; type?: ChecksumType };
  conditions?: WriteConditions;
}

export interface CompleteMultipartUploadResult {
  etag: string;
  size: number;
  checksum?: ChecksumValue;
  /** The new version's id, in a bucket with versioning. */
  versionId?: string;
}

/** An upload in progress, as ListParts and ListMultipartUploads show it. */
export interface UploadInfo {
  key: string;
  uploadId: string;
  initiated: Date;
  initiator: string;
  storageClass: string;
  checksum?: { algorithm: ChecksumAlgorithm; type: ChecksumType };
}

export interface PartInfo {
  partNumber: number;
  etag: string;
  size: number;
  lastModified: Date;
  checksum?: PartChecksum;
}

export interface ListPartsInput extends UploadRef {
  /** 0..1000. */
  maxParts: number;
  /** Only parts with a greater number. */
  partNumberMarker: number;
}

export interface ListPartsResult {
  upload: UploadInfo;
  parts: PartInfo[];
  isTruncated: boolean;
}

export interface ListMultipartUploadsInput extends AsIdentity {
  bucket: string;
  prefix: string;
  delimiter?: string;
  /** Without uploadIdMarker: keys after this one. With it: also the uploads of this key after that id. */
  keyMarker?: string;
  uploadIdMarker?: string;
  /** 0..1000. */
  maxUploads: number;
}

export interface ListMultipartUploadsResult {
  /** In S3 order: by key (UTF-8 bytes), then by initiation. */
  uploads: UploadInfo[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}
