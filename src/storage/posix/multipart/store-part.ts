/**
 * Storing one part: its bytes in place in the upload's assembly file when its slot can be claimed (in-place.ts),
 * else in a staging file of its own in the upload's directory renamed to its version name; then its record.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { PartChecksum } from '../../backend.js';
import { errnoOf } from '../paths/errno.js';
import { ownerTag } from '../../../fsutil/lock-owner.js';
import type { Received } from '../write/receive.js';
import { ASSEMBLY_FILE, claimSlot, releaseSlot } from './in-place.js';
import { writeJsonFile } from '../../../fsutil/json-file.js';
import { syncDir } from '../../../fsutil/sync-dir.js';
import { noSuchUpload } from './no-such-upload.js';
import { newPartVersion, partFileName, pruneOldVersions, type PartRecord } from './part-files.js';

/** How a part's bytes are produced, and what is checked of them before the part becomes visible. */
export interface PartSource {
  /** How many bytes will come, when known before the first one (only such a part can be written in place). */
  size?: number;
  /** Writes the bytes to `fh` (from `position` on, if given), returning size, MD5 and checksum as received. */
  write(fh: FileHandle, position?: number): Promise<Received>;
  /** Throws to refuse what was received (BadDigest); returns the checksum to record. */
  verify(received: Received): PartChecksum | undefined;
}

/**
 * Stores part `partNumber` of the upload in `dir`. The bytes never leave the upload's own directory, so an Abort
 * that removes the directory frees them too, and an upload completed or aborted meanwhile makes the record's
 * rename fail: NoSuchUpload. The record is renamed into place last, once the bytes are durable (with `fsync`):
 * from then on this version is the part, and older versions are removed.
 */
export async function storePart(dir: string, partNumber: number, source: PartSource, opts: { fsync: boolean }): Promise<PartRecord> {
  try {
    const at = source.size === undefined ? undefined : await claimSlot(dir, partNumber, source.size, opts.fsync);
    return at === undefined ? await storeAside(dir, partNumber, source, opts) : await storeInPlace(dir, partNumber, at, source, opts);
  } catch (e) {
    // The upload directory went away under us (completed, aborted, expired): the part has nowhere to go.
    if (errnoOf(e) === 'ENOENT') throw noSuchUpload(dir.slice(dir.lastIndexOf('/') + 1));
    throw e;
  }
}

/** The part in a file of its own: staged as `tmp-*` (swept if a crash leaves it), renamed to its version name. */
async function storeAside(dir: string, partNumber: number, source: PartSource, opts: { fsync: boolean }): Promise<PartRecord> {
  // Named with its writer (ownerTag): the sweep removes it as soon as that process is known to be gone.
  const tmp = `${dir}/tmp-${randomBytes(8).toString('hex')}.${ownerTag()}`;
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'wx', 0o600);
    const received = await source.write(fh);
    const checksum = source.verify(received);
    if (opts.fsync) await fh.sync();
    await fh.close();
    fh = undefined;
    const name = partFileName(partNumber, newPartVersion());
    await rename(tmp, `${dir}/${name}`);
    return await record(dir, name, recordOf(partNumber, received, checksum), opts);
  } catch (e) {
    await fh?.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

/**
 * The part in its claimed slot of the assembly file, at `at`. If anything fails before the record, the slot is
 * given back (our writes are over by then: receiveBody settles its last one before it returns or throws).
 */
async function storeInPlace(dir: string, partNumber: number, at: number, source: PartSource, opts: { fsync: boolean }): Promise<PartRecord> {
  let fh: FileHandle | undefined;
  let recorded = false;
  try {
    // Created by whichever part comes first; 0600 as a part file (a fast Complete gives it the object's mode).
    fh = await open(`${dir}/${ASSEMBLY_FILE}`, constants.O_RDWR | constants.O_CREAT, 0o600);
    const received = await source.write(fh, at);
    const checksum = source.verify(received);
    if (opts.fsync) await fh.datasync();
    await fh.close();
    fh = undefined;
    const name = partFileName(partNumber, newPartVersion());
    return await record(dir, name, { ...recordOf(partNumber, received, checksum), at }, opts, () => (recorded = true));
  } catch (e) {
    await fh?.close().catch(() => {});
    if (!recorded) await releaseSlot(dir, partNumber);
    throw e;
  }
}

function recordOf(partNumber: number, received: Received, checksum: PartChecksum | undefined): PartRecord {
  return {
    v: 1, partNumber, etag: received.md5.toString('hex'), size: received.size, lastModified: new Date().toISOString(),
    ...(checksum ? { checksum } : {}),
  };
}

/** Writes the record of version `name` (its bytes are durable), makes it durable, and removes older versions. */
async function record(dir: string, name: string, rec: PartRecord, opts: { fsync: boolean }, onRecorded?: () => void): Promise<PartRecord> {
  await writeJsonFile(`${dir}/${name}.json`, rec, { fsync: opts.fsync });
  onRecorded?.();
  if (opts.fsync) await syncDir(dir);
  await pruneOldVersions(dir, rec.partNumber);
  return rec;
}
