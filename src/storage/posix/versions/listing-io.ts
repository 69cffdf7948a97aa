/**
 * The file-system reads of one ListObjectVersions page: synchronous while the file system answers fast (a local
 * disk with a warm cache, where an awaited call costs several times the call itself: lstat ~3 µs against ~12 µs,
 * getxattr ~5 µs against ~14 µs, list/stat-batcher.ts and metadata/record-reader.ts), awaited and overlapping once
 * it does not (a NAS, where a synchronous round trip would stall every other client). As in the ListObjects walk,
 * several slow calls within one window, not one (a preempted call on a busy host), switch it for good.
 */
import { lstatSync, readdirSync, type BigIntStats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { isSkippable } from '../list/skippable.js';
import type { MetaRecord } from '../metadata/record.js';
import type { MetadataStore } from '../metadata/store.js';

const SLOW_MS = 0.1;
const SLOW_CALLS = 4;
const WINDOW = 32;

/** Reads for one listing (see the file comment). */
export class ListingIo {
  #sync = true;
  #calls = 0;
  #slow = 0;

  constructor(private readonly store: MetadataStore) {}

  /** lstat (bigint); undefined where the entry is gone or cannot be looked at, as a listing leaves it out. */
  async lstat(path: string): Promise<BigIntStats | undefined> {
    try {
      if (this.#sync) return this.#timed(() => lstatSync(path, { bigint: true, throwIfNoEntry: false }));
      return await lstat(path, { bigint: true });
    } catch (e) {
      if (isSkippable(e)) return undefined;
      throw e;
    }
  }

  /** The names in a directory; none where it is missing (ENOENT, ENOTDIR). */
  async readdir(path: string): Promise<string[]> {
    try {
      return this.#sync ? this.#timed(() => readdirSync(path)) : await readdir(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw e;
    }
  }

  /** The record of the file at `path` (key `key`, inode `ino`); undefined where there is none. */
  async record(path: string, key: string, ino: bigint): Promise<MetaRecord | undefined> {
    return this.#sync ? this.#timed(() => this.store.read(path, key, ino)) : this.store.readAsync(path, key, ino);
  }

  #timed<T>(call: () => T): T {
    const t0 = performance.now();
    try {
      return call();
    } finally {
      if (performance.now() - t0 > SLOW_MS && ++this.#slow >= SLOW_CALLS) this.#sync = false;
      if (++this.#calls % WINDOW === 0) this.#slow = 0;
    }
  }
}
