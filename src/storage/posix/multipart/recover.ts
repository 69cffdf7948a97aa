/**
 * Recovery of a Complete that died holding an upload (kill -9, a crash, a lost host). The object became visible
 * only if the final rename happened, which the key's inode tells (or, for a Complete that took the upload's
 * assembly file, that file having left the upload, which only the commit does): then the completion is finished
 * (marker, and the parts are removed); otherwise its staging file is removed, or the assembly file restored, and
 * the upload given back, whole, to be completed again. Whoever recovers first takes the held directory by renaming
 * it; the others find it gone.
 */
import { lstat, rename, rm, unlink } from 'node:fs/promises';
import type { Bucket } from '../buckets/bucket.js';
import { errnoOf } from '../paths/errno.js';
import { keyToPath } from '../paths/paths.js';
import { writeMarker } from './completion-marker.js';
import { restoreAssembly } from './assembly-complete.js';
import { INTENT_FILE, type CompletionIntent } from './completion-lock.js';
import { ASSEMBLY_FILE } from './in-place.js';
import { readJsonFile } from '../../../fsutil/json-file.js';
import type { UploadPaths } from './upload-paths.js';
import { resealCurrent } from '../object-lock/reseal.js';

/** Sorts out the abandoned hold `held` of `uploadId`. Never leaves a partial object; never throws for a lost race. */
export async function recoverCompletion(bucket: Bucket, paths: UploadPaths, uploadId: string, held: string): Promise<void> {
  const taken = paths.recovering(uploadId);
  try {
    await rename(held, taken);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return; // someone else recovered it first
    throw e;
  }
  const intent = await readJsonFile<CompletionIntent>(`${taken}/${INTENT_FILE}`);
  const sealed = intent?.sealed;
  const assembly = `${taken}/${ASSEMBLY_FILE}`;
  if (intent && sealed && ((await holdsInode(bucket, intent.key, sealed.ino)) || (intent.assembly && !(await exists(assembly))))) {
    // The object is in place; its lock (recorded before it was) may still want its kept entry made immutable.
    await resealCurrent(bucket, intent.key);
    await writeMarker(paths, sealed.marker, bucket.settings.fsync);
    await rm(taken, { recursive: true, force: true });
    return;
  }
  if (intent?.staging) await unlink(intent.staging).catch(() => {});
  if (intent?.assembly) await restoreAssembly(assembly, intent.assembly);
  if (intent && sealed) {
    const store = await bucket.store();
    await store.forget(intent.key, BigInt(sealed.ino)).catch(() => {});
  }
  await unlink(`${taken}/${INTENT_FILE}`).catch(() => {});
  await rename(taken, paths.upload(uploadId)).catch(async () => {
    await rm(taken, { recursive: true, force: true }); // cannot be given back: nothing sensible remains
  });
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, (e: unknown) => errnoOf(e) !== 'ENOENT');
}

/** Whether the file at `key` is the inode `ino` (the staging file the Complete renamed into place). */
async function holdsInode(bucket: Bucket, key: string, ino: string): Promise<boolean> {
  try {
    return String((await lstat(keyToPath(bucket.dir, key), { bigint: true })).ino) === ino;
  } catch {
    return false;
  }
}
