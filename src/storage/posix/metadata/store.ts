/** Where object metadata records live: one small interface, with xattr and sidecar implementations. */
import type { MetaRecord } from './record.js';

/**
 * A metadata store. Records are addressed by the data file's path (xattrs travel with the inode) and by the
 * key plus inode number (sidecars), so a record written on a staging file before its rename belongs to
 * exactly that inode, and a failed write never touches the record of the object it would have replaced.
 */
export interface MetadataStore {
  readonly kind: 'xattr' | 'sidecar';
  /** The directory of the sidecar records (the store, or where an xattr store overflows to). */
  readonly metaDir: string;
  /**
   * The record of the file or directory at `path` (key `key`, inode `ino`), or undefined.
   * Synchronous: a getxattr or a small file read, cheap enough for tight listing loops.
   */
  read(path: string, key: string, ino: bigint): MetaRecord | undefined;
  /** The same, on the thread pool: for single lookups, and where the file system answers slowly (a NAS). */
  readAsync(path: string, key: string, ino: bigint): Promise<MetaRecord | undefined>;
  /** Stores `record` for the inode at `path` (record.ino) as key `key`: durable when the store syncs. */
  write(path: string, key: string, record: MetaRecord): Promise<void>;
  /** Forgets what is kept apart from the inode for `key` at inode `ino` (the file was removed or replaced). */
  forget(key: string, ino: bigint): Promise<void>;
}
