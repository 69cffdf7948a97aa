/** CreateMultipartUpload: a new upload directory, made aside and renamed into place with its upload.json. */
import { mkdir, rename, rm } from 'node:fs/promises';
import { S3Error } from '../../../errors/s3-error.js';
import type { CreateMultipartUploadInput } from '../../backend.js';
import type { Bucket } from '../buckets/bucket.js';
import { fsAccessFor } from '../permissions/fs-access.js';
import { asAccessDenied } from '../paths/errno.js';
import { attachmentsOf } from '../metadata/attachments.js';
import { parseKey } from '../paths/paths.js';
import { writeJsonFile } from '../../../fsutil/json-file.js';
import { syncDir } from '../../../fsutil/sync-dir.js';
import { newUploadId } from './upload-id.js';
import { checkLockable } from '../object-lock/bucket-lock.js';
import { UploadPaths } from './upload-paths.js';
import { UPLOAD_FILE, type UploadState } from './upload-state.js';
import { makeDirs } from '../../../fsutil/make-dirs.js';

/**
 * Starts an upload of `input.key`: the key is checked now (a client learns of a bad key before sending
 * gigabytes), and the upload appears whole or not at all, so no reader ever sees an upload without its state.
 */
export async function createMultipartUpload(bucket: Bucket, input: CreateMultipartUploadInput): Promise<{ uploadId: string }> {
  bucket.assertWritable();
  const { segments, dirObject } = parseKey(input.key);
  if (dirObject) {
    throw new S3Error('InvalidArgument', `Invalid key '${input.key}': a key ending in '/' is a directory object, which cannot be uploaded in parts here; PUT or copy it whole.`,
      { ArgumentName: 'key', ArgumentValue: input.key });
  }
  // A client learns at once, not after sending every part, that its identity could not create the object.
  fsAccessFor(input.identity)?.writeBelow(bucket.dir, segments.slice(0, -1));
  await checkLockable(bucket, { asked: input.lock, dirObject: false });
  const paths = UploadPaths.of(bucket);
  const now = Date.now();
  const uploadId = newUploadId(now);
  const state: UploadState = {
    v: 1, uploadId, key: input.key, initiated: new Date(now).toISOString(), initiator: input.initiator,
    storageClass: input.storageClass ?? 'STANDARD', meta: input.meta, ...(input.checksum ? { checksum: input.checksum } : {}),
    ...attachmentsOf(input), ...(input.lock ? { lock: input.lock } : {}),
  };
  const fresh = paths.creating(uploadId);
  try {
    await makeDirs(paths.root);
    await mkdir(fresh);
    await writeJsonFile(`${fresh}/${UPLOAD_FILE}`, state, { fsync: bucket.settings.fsync });
    await rename(fresh, paths.upload(uploadId));
    if (bucket.settings.fsync) await syncDir(paths.root);
  } catch (e) {
    await rm(fresh, { recursive: true, force: true }).catch(() => {});
    throw asAccessDenied(e, 'creating the upload');
  }
  return { uploadId };
}
