/**
 * The directory that holds a key, opened so that later renames, links and unlinks address exactly that
 * directory, and created (marked as gateway-made) where missing. Never through a symlink out of the bucket.
 */
import { constants, type BigIntStats } from 'node:fs';
import { lstat, mkdir, open, readlink, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { S3Error } from '../../../errors/s3-error.js';
import type { FsAccess } from '../permissions/fs-access.js';
import type { Bucket } from '../buckets/bucket.js';
import { asAccessDenied, errnoOf } from './errno.js';
import { directoryRecord } from '../metadata/record.js';
import type { MetadataStore } from '../metadata/store.js';
import { ownNewDirectory, type NewEntryOwner } from './new-entry-owner.js';
import { Staging } from '../write/staging.js';
import { dirKeyOf } from './paths.js';

/** An opened directory. `path` resolves to it through /proc/self/fd, whatever happens to its names since. */
export interface ParentDir {
  fh: FileHandle;
  /** `/proc/self/fd/N`: use `${path}/${name}` for the entries (race-free, like the *at() system calls). */
  path: string;
  /** The key prefix of the directory ('' for the bucket root, else ending in '/'). */
  dirKey: string;
  /** The directory's path under the bucket directory (for permission facts; names may change meanwhile). */
  dir: string;
}

/** The request's identity on the way down: checked with `access`, and owning the directories made (`owner`). */
export interface AsWho {
  access?: FsAccess;
  owner?: NewEntryOwner;
}

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = constants;

/**
 * Opens the parent directory of the key whose segments are `segments`. With `create`, missing directories
 * are made and marked {made:true} in `store`, and a component that is not a directory is a KeyConflict
 * naming it; without, any such obstacle answers undefined (there is nothing at that key).
 */
export async function openParent(bucket: Bucket, segments: readonly string[], opts: { create: boolean; store: MetadataStore } & AsWho): Promise<ParentDir | undefined> {
  for (let attempt = 1; ; attempt++) {
    const parent = await openParentOnce(bucket, segments, opts);
    if (parent !== REPLACED) return parent;
    // The directory opened was removed or replaced meanwhile (a concurrent delete, or a concurrent creation
    // that won): walk again to the one now at that path.
    if (attempt === MAX_ATTEMPTS) throw new S3Error('OperationAborted', `The directory of '${segments.join('/')}' changed during the request; please try again.`);
  }
}

const MAX_ATTEMPTS = 5;
const REPLACED = Symbol('replaced');

async function openParentOnce(bucket: Bucket, segments: readonly string[], opts: { create: boolean; store: MetadataStore } & AsWho): Promise<ParentDir | undefined | typeof REPLACED> {
  const follow = bucket.settings.followSymlinks;
  const key = segments.join('/');
  const { access } = opts;
  let path = bucket.dir;
  for (let i = 0; i < segments.length - 1; i++) {
    // As the kernel's lookup: search on each directory before anything in it is looked at.
    access?.search(path, []);
    const above = path;
    path = `${path}/${segments[i]}`;
    const st = await directoryAt(path, follow);
    if (st === 'missing') {
      if (!opts.create) return undefined;
      access?.create(above);
      if (opts.owner) await makeOwnedDirectory(bucket, { path, parent: above, dirKey: dirKeyOf(segments, i + 1), store: opts.store, owner: opts.owner });
      else await makeDirectory(path, dirKeyOf(segments, i + 1), opts.store, bucket.settings.fsync);
    } else if (st !== 'dir') {
      if (!opts.create) return undefined;
      throw new S3Error('KeyConflict', `Cannot create '${key}': '${segments.slice(0, i + 1).join('/')}' is ${st}.`);
    }
  }
  access?.search(path, []);
  const dirKey = dirKeyOf(segments, segments.length - 1);
  const fh = await open(path, O_RDONLY | O_DIRECTORY | (follow ? 0 : O_NOFOLLOW)).catch((e: unknown) => {
    const code = errnoOf(e);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined; // changed under us
    throw asAccessDenied(e, 'opening the directory');
  });
  if (!fh) {
    if (!opts.create) return undefined;
    throw new S3Error('OperationAborted', `The directory of '${key}' changed during the request; please try again.`);
  }
  const root = await bucket.realRoot();
  const real = await readlink(`/proc/self/fd/${fh.fd}`).catch(async (e: unknown) => {
    await fh.close();
    throw e;
  });
  if (real.endsWith(' (deleted)')) {
    await fh.close();
    return REPLACED;
  }
  const expected = dirKey === '' ? root : `${root}/${dirKey.slice(0, -1)}`;
  const inside = follow ? real === root || real.startsWith(`${root}/`) : real === expected;
  if (!inside) {
    await fh.close();
    if (!opts.create) return undefined;
    throw new S3Error('AccessDenied', `Cannot write '${key}': its directory leads outside the bucket through a symbolic link.`);
  }
  return { fh, path: `/proc/self/fd/${fh.fd}`, dirKey, dir: path };
}

type Kind = 'dir' | 'missing' | 'an object (file)' | 'a symbolic link' | 'a special file' | 'a symbolic link to no directory';

async function directoryAt(path: string, follow: boolean): Promise<Kind> {
  let st: BigIntStats;
  try {
    st = await lstat(path, { bigint: true });
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return 'missing';
    if (errnoOf(e) === 'ENOTDIR') return 'an object (file)';
    throw asAccessDenied(e, 'looking up the directory');
  }
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'an object (file)';
  if (!st.isSymbolicLink()) return 'a special file';
  if (!follow) return 'a symbolic link';
  // Followed only to a directory; openParent then checks that the real path stays inside the bucket.
  const target = await stat(path).catch(() => undefined);
  return target?.isDirectory() ? 'dir' : 'a symbolic link to no directory';
}

/**
 * Makes the directory `path` (in `parent`) for `owner`, appearing only once it is theirs: made aside in the staging
 * directory with its owner, mode, ACLs and gateway-made mark, then renamed into place. Made in place, it would be
 * the gateway's for a moment, and a concurrent write into it as the same user — in this process or another —
 * would be refused by the file-system check. Lost races are fine: a directory that appeared meanwhile is used as
 * it is; one empty directory replaced by another empty one makes a writer that had opened it fail its rename
 * with ENOENT, which commitStaged retries.
 */
async function makeOwnedDirectory(bucket: Bucket, d: MakeDirectory): Promise<void> {
  // Writers in this process that need the same directory wait for one making of it, instead of racing.
  const pending = making.get(d.path);
  if (pending) return pending;
  const made = makeAside(bucket, d).finally(() => making.delete(d.path));
  making.set(d.path, made);
  return made;
}

interface MakeDirectory {
  path: string;
  parent: string;
  dirKey: string;
  store: MetadataStore;
  owner: NewEntryOwner;
}

/** Directories being made by this process, by path. */
const making = new Map<string, Promise<void>>();

async function makeAside(bucket: Bucket, d: MakeDirectory): Promise<void> {
  const aside = await Staging.freshPath(bucket);
  await mkdir(aside).catch((e: unknown) => {
    throw asAccessDenied(e, 'creating a directory');
  });
  let placed = false;
  let ino: bigint | undefined;
  try {
    await ownNewDirectory(aside, d.parent, d.owner);
    ino = (await lstat(aside, { bigint: true })).ino;
    await d.store.write(aside, d.dirKey, directoryRecord(ino, { made: true }));
    if (bucket.settings.fsync) await syncPath(aside);
    if ((await directoryAt(d.path, bucket.settings.followSymlinks)) !== 'missing') return;
    placed = await rename(aside, d.path).then(() => true, (e: unknown) => {
      const code = errnoOf(e);
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') return false; // another writer's
      throw asAccessDenied(e, 'creating a directory');
    });
    if (placed && bucket.settings.fsync) await syncPath(d.parent);
  } finally {
    if (!placed) {
      await rm(aside, { recursive: true, force: true }).catch(() => {});
      if (ino !== undefined) await d.store.forget(d.dirKey, ino).catch(() => {}); // a sidecar record, if any
    }
  }
}

async function syncPath(dir: string): Promise<void> {
  const fh = await open(dir, O_RDONLY | O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * mkdir one directory and mark it gateway-made; one made concurrently by another writer is fine as it is
 * (false: this call did not make it).
 * With fsync, the directory holding the new one is synced too: a file renamed into a directory whose own
 * entry is not yet durable could vanish with it after a crash.
 */
async function makeDirectory(path: string, dirKey: string, store: MetadataStore, fsync: boolean): Promise<boolean> {
  try {
    await mkdir(path);
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') return false; // another writer made it (and marks it); re-checked by the open
    throw asAccessDenied(e, 'creating a directory');
  }
  const st = await lstat(path, { bigint: true });
  await store.write(path, dirKey, directoryRecord(st.ino, { made: true }));
  if (fsync) {
    const parent = await open(path.slice(0, path.lastIndexOf('/')), O_RDONLY | O_DIRECTORY);
    try {
      await parent.sync();
    } finally {
      await parent.close();
    }
  }
  return true;
}
