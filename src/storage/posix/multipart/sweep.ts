/**
 * The multipart housekeeping of one bucket: uploads older than the expiry, completion markers past their time,
 * Completes that died holding an upload, removals and creations cut short, and part staging files left by a
 * crash, and the temporaries of small files whose atomic write a crash cut short (fsutil/atomic-temp.ts: part
 * records, completion markers and intents). Safe with any number of gateway instances sweeping the same tree: every removal first renames the
 * thing away (one winner), and losers ignore ENOENT.
 */
import { lstat, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import type { Bucket } from '../buckets/bucket.js';
import { errnoOf } from '../paths/errno.js';
import { isStale } from './completion-lock.js';
import { atomicTempAbandoned, parseAtomicTemp } from '../../../fsutil/atomic-temp.js';
import { taggedOwnerIsGone } from '../../../fsutil/lock-owner.js';
import { MARKER_TTL_MS } from './completion-marker.js';
import { recoverCompletion } from './recover.js';
import { initiatedOf } from './upload-id.js';
import { classifyEntry, UploadPaths } from './upload-paths.js';

/** Leftovers of an interrupted creation, removal or part upload are this old before they are taken for garbage. */
export const LEFTOVER_MS = 60 * 60 * 1000;
/**
 * A removal, or a creation (a mkdir, one small file and a rename), in progress is given this long before another
 * instance finishes or undoes it: either takes milliseconds, so one still there by then was cut short.
 */
const REMOVAL_GRACE_MS = 60 * 1000;

/** What one pass removed or repaired, for logs and tests. */
export interface SweepReport {
  expired: number;
  markers: number;
  recovered: number;
  leftovers: number;
}

/** One pass over `bucket`'s multipart directory; `expiryMs` is the age at which an upload is abandoned. */
export async function sweepUploads(bucket: Bucket, opts: { expiryMs: number; now?: number }): Promise<SweepReport> {
  const report: SweepReport = { expired: 0, markers: 0, recovered: 0, leftovers: 0 };
  const paths = UploadPaths.of(bucket);
  const now = opts.now ?? Date.now();
  let names: string[];
  try {
    names = await readdir(paths.root);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return report;
    throw e;
  }
  for (const name of names) {
    const entry = classifyEntry(name);
    const path = `${paths.root}/${name}`;
    if (!entry) {
      // A completion marker's write cut short (its writer gone, or long silent: such a write takes milliseconds).
      if (parseAtomicTemp(name) && (await atomicTempAbandoned(paths.root, name, REMOVAL_GRACE_MS, now))) {
        if (await unlink(path).then(() => true, () => false)) report.leftovers++;
      }
      continue;
    }
    try {
      switch (entry.kind) {
        case 'upload':
          if (now - initiatedOf(entry.uploadId).getTime() > opts.expiryMs) {
            const away = paths.removing(entry.uploadId, 'expired');
            await rename(path, away);
            await rm(away, { recursive: true, force: true });
            report.expired++;
          } else {
            report.leftovers += await sweepPartStaging(path, now);
          }
          break;
        case 'marker':
          if (now - (await stat(path)).mtimeMs > MARKER_TTL_MS) {
            await unlink(path);
            report.markers++;
          }
          break;
        case 'completing':
        case 'recovering': {
          const st = await stat(path);
          // A recovery in progress is short: only one that stopped long ago is taken over.
          if (entry.kind === 'completing' ? await isStale(path, st.ctimeMs) : now - st.ctimeMs > LEFTOVER_MS) {
            await recoverCompletion(bucket, paths, entry.uploadId, path);
            report.recovered++;
          }
          break;
        }
        case 'removing':
          if (now - (await lstat(path)).ctimeMs > REMOVAL_GRACE_MS) {
            await rm(path, { recursive: true, force: true });
            report.leftovers++;
          }
          break;
        case 'creating':
          if ((entry.owner !== undefined && (await taggedOwnerIsGone(entry.owner))) || now - (await lstat(path)).ctimeMs > REMOVAL_GRACE_MS) {
            await rm(path, { recursive: true, force: true });
            report.leftovers++;
          }
          break;
      }
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw e; // another instance got there first
    }
  }
  return report;
}

/**
 * Removes part staging files (`tmp-*`) of a live upload whose writer is known to be gone (its owner tag names a
 * process of this machine that runs no more), or that no writer has touched for LEFTOVER_MS; and the temporaries
 * of its part records and completion intent, as the multipart directory's own.
 */
async function sweepPartStaging(dir: string, now: number): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (parseAtomicTemp(name)) {
      if ((await atomicTempAbandoned(dir, name, REMOVAL_GRACE_MS, now)) && (await unlink(`${dir}/${name}`).then(() => true, () => false))) removed++;
      continue;
    }
    if (!name.startsWith('tmp-')) continue;
    const st = await stat(`${dir}/${name}`).catch(() => undefined);
    const tag = name.slice(name.indexOf('.') + 1);
    if (st && ((name.includes('.') && (await taggedOwnerIsGone(tag))) || now - st.mtimeMs > LEFTOVER_MS)) {
      await unlink(`${dir}/${name}`).catch(() => {});
      removed++;
    }
  }
  return removed;
}
