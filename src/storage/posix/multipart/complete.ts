/**
 * CompleteMultipartUpload: hold the upload, check the request against its parts, take the upload's assembly file
 * as it is when the parts lie there end to end (assembly-complete.ts), else join the parts in the kernel into a
 * staging file; seal it with the object's record, and rename it into place through the same commit path as a PUT
 * (parents, conflicts, conditions). Readers see the old object or the whole new one; a crash at any moment leaves
 * one of the two (recover.ts); a resent Complete gets the same answer (completion-marker.ts).
 */
import { lstat, open, rename, rm, stat, unlink } from 'node:fs/promises';
import { S3Error } from '../../../errors/s3-error.js';
import type { CompleteMultipartUploadInput, CompleteMultipartUploadResult, WriteConditions } from '../../backend.js';
import type { Bucket } from '../buckets/bucket.js';
import { commitStaged } from '../write/commit.js';
import { fsAccessFor } from '../permissions/fs-access.js';
import { checkWrite } from '../../conditions/write-conditions.js';
import { attachmentsOf } from '../metadata/attachments.js';
import { classOf, contentRecord } from '../metadata/record.js';
import { parseKey } from '../paths/paths.js';
import { headObject } from '../read/read.js';
import { Staging } from '../write/staging.js';
import { adoptAssembly, assemblyFits, assemblyOf, restoreAssembly, type AssemblyAttrs } from './assembly-complete.js';
import { acquireUpload, releaseUpload, startHeartbeat, writeIntent, type CompletionIntent } from './completion-lock.js';
import { markerMatches, writeMarker, type CompletionMarker } from './completion-marker.js';
import { planCompletion, type CompletionPlan } from './completion-plan.js';
import { concatenate } from './concatenate.js';
import { ASSEMBLY_FILE } from './in-place.js';
import { currentOwner } from '../../../fsutil/lock-owner.js';
import { noSuchUpload } from './no-such-upload.js';
import { readParts } from './part-files.js';
import { encodeLayout } from './part-layout.js';
import { recoverCompletion } from './recover.js';
import { isUploadId } from './upload-id.js';
import { UploadPaths } from './upload-paths.js';
import { readUploadState } from './upload-state.js';

// Write-back of the joined file starts every 128 MiB, overlapping the copy of what follows (see concatenate.ts).
const FLUSH_EVERY = 128 * 1024 * 1024;

/** Completes the upload; see the module comment. A failure before the commit gives the upload back as it was. */
export async function completeMultipartUpload(bucket: Bucket, input: CompleteMultipartUploadInput): Promise<CompleteMultipartUploadResult> {
  bucket.assertWritable();
  const { segments } = parseKey(input.key);
  if (!isUploadId(input.uploadId)) throw noSuchUpload(input.uploadId);
  // Refused before the parts are joined when the identity could not create the object at all.
  fsAccessFor(input.identity)?.writeBelow(bucket.dir, segments.slice(0, -1));
  const paths = UploadPaths.of(bucket);
  const acquired = await acquireUpload(paths, input.uploadId, {
    purpose: 'complete',
    recover: (held) => recoverCompletion(bucket, paths, input.uploadId, held),
  });
  if (acquired.kind === 'completed') {
    // Another request (or this client's earlier attempt) finished it: the same request gets the same answer.
    if (markerMatches(acquired.marker, input.key, input.parts)) return resultOf(acquired.marker);
    throw noSuchUpload(input.uploadId);
  }
  const held = acquired.dir;
  const stopHeartbeat = startHeartbeat(held);
  const store = await bucket.store();
  let stagingPath: string | undefined;
  let staging: Staging | undefined;
  let inPlace: AssemblyAttrs | undefined;
  let marker: CompletionMarker | undefined;
  let committed = false;
  try {
    const state = await readUploadState(held, input.uploadId, input.key);
    const stored = await readParts(held, new Set(input.parts.map((p) => p.partNumber)));
    const plan = planCompletion(state, stored, input);
    await precheck(bucket, input.key, input.conditions);

    let intent: CompletionIntent;
    if (await assemblyFits(held, plan)) {
      // Recorded before the file changes: a crash from here on gives it back as it was (recover.ts). Not synced: until
      // the sealed intent below is, what a system crash could leave changed (length past the parts, mode, a record
      // of the object-to-be) does the upload no harm; owner and ACL change only after it.
      const assembly = await assemblyOf(held);
      intent = { owner: currentOwner(), key: input.key, assembly: assembly.attrs };
      await writeIntent(held, intent, false);
      inPlace = assembly.attrs;
      staging = await adoptAssembly(bucket, store, assembly.path, plan.size);
    } else {
      stagingPath = await Staging.freshPath(bucket);
      intent = { owner: currentOwner(), key: input.key, staging: stagingPath };
      await writeIntent(held, intent, false);
      await join(held, plan, stagingPath, bucket.settings.fsync);
      staging = await Staging.adopt(stagingPath, store);
    }
    marker = {
      v: 1, uploadId: input.uploadId, key: input.key, etag: plan.etag, size: plan.size,
      ...(plan.checksum ? { checksum: plan.checksum } : {}),
      parts: plan.parts.map((p) => [p.partNumber, p.etag]), completed: new Date().toISOString(),
    };
    const { stats } = await staging.seal(input.key, (st) => contentRecord(st, plan.etag, state.meta, {
      ...(plan.checksum ? { checksum: plan.checksum } : {}), partsCount: plan.parts.length, parts: encodeLayout(plan.layout),
      ...attachmentsOf(state), ...classOf(state.storageClass),
    }), bucket.settings.fsync);
    // From here a crash is sorted out by the inode: in place at the key means completed.
    await writeIntent(held, { ...intent, sealed: { ino: String(stats.ino), marker } }, bucket.settings.fsync);
    await stat(held).catch(() => {
      throw new S3Error('OperationAborted', 'This Complete was taken for abandoned and its upload given back; please try again.');
    });
    const versionId = await commitStaged(bucket, store, staging, { key: input.key, segments, conditions: input.conditions, identity: input.identity, lock: state.lock });
    if (versionId) marker.versionId = versionId; // a retried Complete answers the same version
    committed = true;
    stopHeartbeat();
    // Housekeeping: if it fails, the held directory goes stale and recovery finishes the job the same way.
    await writeMarker(paths, marker, bucket.settings.fsync).catch(() => {});
    await discardParts(paths, input.uploadId, held);
    return resultOf(marker);
  } catch (e) {
    if (!committed && inPlace && marker && (await movedOut(held))) {
      // The commit renamed the assembly file into place (nothing else moves it) and failed after: the object is
      // there, so the upload is completed, not given back without its bytes.
      await writeMarker(paths, marker, bucket.settings.fsync).catch(() => {});
      await discardParts(paths, input.uploadId, held);
    } else if (!committed) {
      if (staging) await staging.discard(); // the assembly file stays: it is the upload's (borrowed)
      else if (stagingPath) await unlink(stagingPath).catch(() => {});
      if (inPlace) await restoreAssembly(`${held}/${ASSEMBLY_FILE}`, inPlace);
      await releaseUpload(paths, input.uploadId, held);
    }
    throw e;
  } finally {
    stopHeartbeat();
  }
}

/** Whether the held directory `held` is still there but its assembly file is not. */
async function movedOut(held: string): Promise<boolean> {
  const there = (path: string) => lstat(path).then(() => true, () => false);
  return (await there(held)) && !(await there(`${held}/${ASSEMBLY_FILE}`));
}

/** Joins the parts of `plan` (in `held`) into a new file at `path`, checking its length. */
async function join(held: string, plan: CompletionPlan, path: string, fsync: boolean): Promise<void> {
  const out = await open(path, 'wx', 0o666);
  try {
    const files = plan.parts.map((p) => ({ name: p.path.slice(held.length + 1), size: p.size, ...(p.at === undefined ? {} : { at: p.at }) }));
    await concatenate(held, files, out, fsync ? { flushEvery: FLUSH_EVERY } : {});
    const size = (await out.stat()).size;
    if (size !== plan.size) throw new Error(`joined ${size} bytes, expected ${plan.size}`);
  } finally {
    await out.close();
  }
}

const removals = new Set<Promise<void>>();

/**
 * Moves the completed upload's directory out of the way at once and deletes it in the background: freeing a
 * gigabyte of part files costs ext4 a few hundred milliseconds that the client need not wait for. What a crash
 * leaves of it is a `<id>.done-*` directory, which the sweep removes.
 */
async function discardParts(paths: UploadPaths, uploadId: string, held: string): Promise<void> {
  const away = paths.removing(uploadId, 'done');
  const moved = await rename(held, away).then(() => true, () => false);
  const removal = rm(moved ? away : held, { recursive: true, force: true }).catch(() => {});
  removals.add(removal);
  void removal.finally(() => removals.delete(removal));
}

/** Resolves once the part directories of completed uploads are deleted (for shutdown and tests). */
export async function partsDiscarded(): Promise<void> {
  while (removals.size) await Promise.all([...removals]);
}

function resultOf(m: CompletionMarker): CompleteMultipartUploadResult {
  return { etag: m.etag, size: m.size, ...(m.checksum ? { checksum: m.checksum } : {}), ...(m.versionId ? { versionId: m.versionId } : {}) };
}

/**
 * The write conditions, checked before the copy so that a refused Complete answers at once with its status;
 * commitStaged checks them again at the rename, where they are atomic.
 */
async function precheck(bucket: Bucket, key: string, conditions: WriteConditions | undefined): Promise<void> {
  if (!conditions) return;
  let etag: string | undefined;
  try {
    etag = (await headObject(bucket, key)).etag;
  } catch (e) {
    if (!(e instanceof S3Error && e.code === 'NoSuchKey')) throw e;
  }
  checkWrite(conditions, etag, key);
}
