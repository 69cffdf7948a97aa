/** upload.json: what CreateMultipartUpload was told, which the completed object will have. */
import type { ChecksumAlgorithm, ChecksumType, ObjectAttachments, ObjectLock, ObjectMeta } from '../../backend.js';
import { readJsonFile } from '../../../fsutil/json-file.js';
import { noSuchUpload } from './no-such-upload.js';

/** The state of one upload, written once at creation. Owner, grants and tags go to the completed object. */
export interface UploadState extends ObjectAttachments {
  v: 1;
  uploadId: string;
  key: string;
  /** ISO time of CreateMultipartUpload. */
  initiated: string;
  /** The user who initiated the upload (S3's Initiator and Owner). */
  initiator: string;
  storageClass: string;
  meta: ObjectMeta;
  /** The checksum the parts and the completed object carry, when the client asked for one. */
  checksum?: { algorithm: ChecksumAlgorithm; type: ChecksumType };
  /** The lock CreateMultipartUpload asked for (x-amz-object-lock-*), applied at Complete. */
  lock?: ObjectLock;
}

export const UPLOAD_FILE = 'upload.json';

/**
 * The state of the upload in directory `dir`. NoSuchUpload when there is none, or when `key` is given and the
 * upload is for another key (S3 addresses an upload by key and id together).
 */
export async function readUploadState(dir: string, uploadId: string, key?: string): Promise<UploadState> {
  const state = await readJsonFile<UploadState>(`${dir}/${UPLOAD_FILE}`);
  if (!state || state.v !== 1 || state.uploadId !== uploadId || (key !== undefined && state.key !== key)) {
    throw noSuchUpload(uploadId);
  }
  return state;
}
