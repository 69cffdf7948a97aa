/**
 * The exclusive hold one Complete (or Abort) takes on an upload, across processes and hosts sharing the file
 * system: renaming `<id>/` away is atomic, so exactly one request wins it; the others find the name gone and
 * wait for the winner's outcome. A Complete's hold is `<id>.completing/`, kept fresh by a heartbeat; a hold
 * whose owner is known to be dead, or that has not been touched for STALE_MS, is recovered (recover.ts).
 */
import { rename, stat, unlink, utimes } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { S3Error } from '../../../errors/s3-error.js';
import { errnoOf } from '../paths/errno.js';
import type { AssemblyAttrs } from './assembly-complete.js';
import { readMarker, type CompletionMarker } from './completion-marker.js';
import { readJsonFile, writeJsonFile } from '../../../fsutil/json-file.js';
import { currentOwner, ownerIsGone, type LockOwner } from '../../../fsutil/lock-owner.js';
import { noSuchUpload } from './no-such-upload.js';
import type { UploadPaths } from './upload-paths.js';

/**
 * A held directory not touched for this long belongs to a Complete that died (another host, or unknown): five
 * heartbeats missed, with room for a distributed file system's attribute cache (about a second) and clock skew.
 */
export const STALE_MS = 10_000;
const HEARTBEAT_MS = 2_000;
/**
 * A hold says whose it is within milliseconds of being taken (acquireUpload writes the intent right after the
 * rename). One without an intent for this long was taken by a process killed in between: no owner to wait for.
 */
export const NO_INTENT_MS = 3_000;
const POLL_MS = 200;
/** How long a request waits for another's Complete of the same upload (its own client sees keep-alive spaces). */
export const WAIT_FOR_OTHER_MS = 15 * 60 * 1000;

/** What a Complete records in its held directory: who it is and, once the object is sealed, what it will commit. */
export interface CompletionIntent {
  owner: LockOwner;
  key: string;
  /** The staging file being built in the bucket's tmp directory. */
  staging?: string;
  /**
   * Set instead when the upload's own assembly file becomes the object (assembly-complete.ts): what it was, to
   * give it back as it was. It is never removed: until the commit renames it away, it is the upload's.
   */
  assembly?: AssemblyAttrs;
  /** Set once the staging file is sealed: its inode and the marker to write once it is in place. */
  sealed?: { ino: string; marker: CompletionMarker };
}

export const INTENT_FILE = 'complete.json';

export type Acquired = { kind: 'held'; dir: string } | { kind: 'completed'; marker: CompletionMarker };

/**
 * Takes `uploadId` for a Complete (held at `<id>.completing`) or an Abort (a fresh `<id>.aborting-*` name).
 * When another Complete holds it: waits for its outcome (bounded), answering `completed` with its marker when it
 * succeeded, retrying when it gave the upload back. NoSuchUpload when there is no such upload, and no marker.
 */
export async function acquireUpload(paths: UploadPaths, uploadId: string, opts: {
  purpose: 'complete' | 'abort';
  /** Sorts out a stale hold (see recover.ts); afterwards the upload is back, or completed, or gone. */
  recover: (held: string) => Promise<void>;
  waitMs?: number;
}): Promise<Acquired> {
  const deadline = Date.now() + (opts.waitMs ?? WAIT_FOR_OTHER_MS);
  const held = paths.completing(uploadId);
  let missing = 0;
  for (let attempt = 0; attempt < 100_000; attempt++) {
    const target = opts.purpose === 'complete' ? held : paths.removing(uploadId, 'aborting');
    try {
      await rename(paths.upload(uploadId), target);
      if (opts.purpose === 'complete') {
        // The hold is fresh from this moment (rename sets ctime); the intent says whose it is.
        await writeJsonFile(`${target}/${INTENT_FILE}`, { owner: currentOwner(), key: '' } satisfies CompletionIntent, { fsync: false });
      }
      return { kind: 'held', dir: target };
    } catch (e) {
      const code = errnoOf(e);
      if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    }
    const marker = await readMarker(paths, uploadId);
    if (marker) return { kind: 'completed', marker };
    const st = await stat(held).catch(() => undefined);
    if (!st) {
      // Nobody holds it and it is not there: gone — unless a hold was given back between our two looks.
      if (++missing >= 2) throw noSuchUpload(uploadId);
      continue;
    }
    missing = 0;
    if (await isStale(held, st.ctimeMs)) {
      await opts.recover(held);
      continue;
    }
    if (Date.now() > deadline) {
      throw new S3Error('OperationAborted', 'Another request is completing this multipart upload; please try again.');
    }
    await sleep(POLL_MS);
  }
  throw new S3Error('OperationAborted', 'Another request is completing this multipart upload; please try again.');
}

/** Whether the held directory `dir` (last changed at `ctimeMs`) was left by a Complete that is no more. */
export async function isStale(dir: string, ctimeMs: number): Promise<boolean> {
  const age = Date.now() - ctimeMs;
  if (age > STALE_MS) return true;
  const intent = await readJsonFile<CompletionIntent>(`${dir}/${INTENT_FILE}`).catch(() => undefined);
  if (!intent?.owner) return age > NO_INTENT_MS;
  return ownerIsGone(intent.owner);
}

/** Records the intent (durably, with `fsync`): recovery reads it to tell a committed object from an unfinished one. */
export async function writeIntent(dir: string, intent: CompletionIntent, fsync: boolean): Promise<void> {
  await writeJsonFile(`${dir}/${INTENT_FILE}`, intent, { fsync });
}

/** Gives a held upload back under its own name (a failed Complete leaves the upload as it was). Never throws. */
export async function releaseUpload(paths: UploadPaths, uploadId: string, dir: string): Promise<void> {
  await unlink(`${dir}/${INTENT_FILE}`).catch(() => {});
  await rename(dir, paths.upload(uploadId)).catch(() => {}); // lost to a recovery meanwhile: it did this already
}

/** Touches the held directory every few seconds while a Complete works, so no one takes it for abandoned. */
export function startHeartbeat(dir: string): () => void {
  const timer = setInterval(() => {
    const now = new Date();
    void utimes(dir, now, now).catch(() => {});
  }, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}
