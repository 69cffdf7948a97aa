/** AbortMultipartUpload: the upload is taken (atomically renamed away) and removed with its parts at once. */
import { rm } from 'node:fs/promises';
import type { UploadRef } from '../../backend.js';
import type { Bucket } from '../buckets/bucket.js';
import { acquireUpload, releaseUpload } from './completion-lock.js';
import { noSuchUpload } from './no-such-upload.js';
import { recoverCompletion } from './recover.js';
import { isUploadId } from './upload-id.js';
import { UploadPaths } from './upload-paths.js';
import { readUploadState } from './upload-state.js';

/**
 * Aborts the upload: its space is freed before the answer, and every later call for it gets NoSuchUpload.
 * While a Complete of it runs, waits for that outcome: a completed upload cannot be aborted (NoSuchUpload),
 * one that the Complete gave back is aborted.
 */
export async function abortMultipartUpload(bucket: Bucket, input: UploadRef): Promise<void> {
  bucket.assertWritable();
  if (!isUploadId(input.uploadId)) throw noSuchUpload(input.uploadId);
  const paths = UploadPaths.of(bucket);
  const acquired = await acquireUpload(paths, input.uploadId, {
    purpose: 'abort',
    recover: (held) => recoverCompletion(bucket, paths, input.uploadId, held),
  });
  if (acquired.kind === 'completed') throw noSuchUpload(input.uploadId);
  try {
    await readUploadState(acquired.dir, input.uploadId, input.key);
  } catch (e) {
    await releaseUpload(paths, input.uploadId, acquired.dir); // an upload of another key: not ours to abort
    throw e;
  }
  await rm(acquired.dir, { recursive: true, force: true });
}
