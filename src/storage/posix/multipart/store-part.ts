/** Storing one part: bytes to a staging file in the upload's directory, then version name, then record. */
import { open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { PartChecksum } from '../../backend.js';
import { errnoOf } from '../errno.js';
import type { Received } from '../receive.js';
import { syncDir, writeJsonFile } from './json-file.js';
import { noSuchUpload } from './no-such-upload.js';
import { newPartVersion, partFileName, pruneOldVersions, type PartRecord } from './part-files.js';
import { randomBytes } from 'node:crypto';

/** How a part's bytes are produced, and what is checked of them before the part becomes visible. */
export interface PartSource {
  /** Writes the bytes to `fh`, returning size, MD5 and checksum as received. */
  write(fh: FileHandle): Promise<Received>;
  /** Throws to refuse what was received (BadDigest); returns the checksum to record. */
  verify(received: Received): PartChecksum | undefined;
}

/**
 * Stores part `partNumber` of the upload in `dir`. The staging file lives in the upload's own directory, so an
 * Abort that removes the directory frees it too, and an upload completed or aborted meanwhile makes the final
 * rename fail: NoSuchUpload, and nothing is left behind. The record is renamed into place last: from then on
 * this version is the part, and older versions are removed.
 */
export async function storePart(dir: string, partNumber: number, source: PartSource, opts: { fsync: boolean }): Promise<PartRecord> {
  const uploadId = dir.slice(dir.lastIndexOf('/') + 1);
  const tmp = `${dir}/tmp-${randomBytes(8).toString('hex')}`;
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'wx', 0o600).catch((e: unknown) => {
      throw errnoOf(e) === 'ENOENT' ? noSuchUpload(uploadId) : e;
    });
    const received = await source.write(fh);
    const checksum = source.verify(received);
    if (opts.fsync) await fh.sync();
    await fh.close();
    fh = undefined;
    const name = partFileName(partNumber, newPartVersion());
    const record: PartRecord = {
      v: 1, partNumber, etag: received.md5.toString('hex'), size: received.size, lastModified: new Date().toISOString(),
      ...(checksum ? { checksum } : {}),
    };
    await rename(tmp, `${dir}/${name}`);
    await writeJsonFile(`${dir}/${name}.json`, record, opts.fsync);
    if (opts.fsync) await syncDir(dir);
    await pruneOldVersions(dir, partNumber);
    return record;
  } catch (e) {
    await fh?.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    // The upload directory went away under us (completed, aborted, expired): the part has nowhere to go.
    if (errnoOf(e) === 'ENOENT') throw noSuchUpload(uploadId);
    throw e;
  }
}
