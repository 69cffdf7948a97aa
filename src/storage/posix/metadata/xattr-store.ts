/** Metadata records in the extended attribute user.dirbucket.meta, overflowing to sidecars when too big. */
import { getAttribute, getAttributeSync, setAttribute, setAttributeSync } from '@napi-rs/xattr';
import type { SyncWhileFast } from '../../../fsutil/sync-while-fast.js';
import { errnoOf } from '../paths/errno.js';
import { decodeRecord, encodeRecord, type MetaRecord } from './record.js';
import type { SidecarStore } from './sidecar-store.js';
import type { MetadataStore } from './store.js';

/** The extended attribute holding an object's record. */
export const XATTR_NAME = 'user.dirbucket.meta';
// Not JSON, so never mistaken for a record: "the record is in the sidecar store".
const OVERFLOW_MARKER = '@sidecar';

/**
 * Xattr store. The record is set on the inode, so it travels with the file through the staging rename and is
 * gone with it. A record the file system cannot hold (E2BIG, ENOSPC: ext4 keeps all xattrs of an inode in
 * one block) goes to the sidecar store, and a small marker in the xattr says so: files without any record,
 * the common case on a NAS, then cost one getxattr and no sidecar lookup.
 */
export class XattrStore implements MetadataStore {
  readonly kind = 'xattr' as const;

  /** `quick`: the bucket's switch for synchronous metadata calls (a record is set on every PUT). */
  constructor(private readonly overflow: SidecarStore, private readonly quick?: SyncWhileFast) {}

  get metaDir(): string {
    return this.overflow.metaDir;
  }

  read(path: string, key: string, ino: bigint): MetaRecord | undefined {
    // lgetxattr: never follows a final symlink; any failure reads as "no record".
    const value = getAttributeSync(path, XATTR_NAME);
    return isOverflow(value) ? this.overflow.read(path, key, ino) : value ? decodeRecord(value) : undefined;
  }

  async readAsync(path: string, key: string, ino: bigint): Promise<MetaRecord | undefined> {
    const value = await getAttribute(path, XATTR_NAME);
    return isOverflow(value) ? this.overflow.readAsync(path, key, ino) : value ? decodeRecord(value) : undefined;
  }

  async write(path: string, key: string, record: MetaRecord): Promise<void> {
    try {
      const value = encodeRecord(record);
      if (this.quick?.sync) this.quick.timed(() => setAttributeSync(path, XATTR_NAME, value));
      else await setAttribute(path, XATTR_NAME, value);
    } catch (e) {
      const code = errnoOf(e);
      if (code !== 'E2BIG' && code !== 'ENOSPC' && code !== 'ERANGE') throw e;
      await this.overflow.write(path, key, record);
      await setAttribute(path, XATTR_NAME, OVERFLOW_MARKER);
    }
  }

  async forget(key: string, ino: bigint): Promise<void> {
    await this.overflow.forget(key, ino);
  }
}

function isOverflow(value: Buffer | null): boolean {
  return value !== null && value.length === OVERFLOW_MARKER.length && value.toString('latin1') === OVERFLOW_MARKER;
}
