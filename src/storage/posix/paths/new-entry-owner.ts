/**
 * Ownership, mode and ACLs of what S3 creates: new files (staged elsewhere, then renamed into place) and new
 * directories get what the kernel would have given them had the request's identity created them in their
 * directory: its uid, its gid or the directory's (setgid), the bucket's umask or the directory's default ACL.
 */
import { chmodSync, chownSync, lstatSync } from 'node:fs';
import { chmod, chown, lstat } from 'node:fs/promises';
import { getAttributeSync, removeAttribute, removeAttributeSync, setAttribute, setAttributeSync } from '@napi-rs/xattr';
import type { SyncWhileFast } from '../../../fsutil/sync-while-fast.js';
import { S3Error } from '../../../errors/s3-error.js';
import { directoryFacts, forgetDirectory } from '../permissions/fs-access.js';
import type { Identity } from '../../../accounts/identity.js';
import { newNodeAttrs, type NewNodeAttrs } from '../permissions/new-node.js';
import { ACCESS_ACL_XATTR, DEFAULT_ACL_XATTR, encodeAcl } from '../permissions/posix-acl.js';
import type { Bucket } from '../buckets/bucket.js';
import { cachedBucketSettings, umaskOf } from '../buckets/bucket-settings.js';
import { errnoOf } from './errno.js';

/** Who new entries belong to, and the umask they are made with. */
export interface NewEntryOwner {
  who: Identity;
  umask: number;
}

/** The owner of what a request creates in `bucket`; undefined without an identity (nothing is applied). */
export async function newEntryOwner(bucket: Bucket, identity: Identity | undefined): Promise<NewEntryOwner | undefined> {
  if (!identity) return undefined;
  // Cached (bucket-settings.ts): settings change rarely, a PUT should not read them each time.
  return { who: identity, umask: umaskOf(await cachedBucketSettings(bucket)) };
}

/**
 * Gives the new file at `path` (not yet in place) what it would have had if created in the directory `dir`
 * (a real path, for its facts). Called before the rename, so the object never appears with other rights. On
 * ext4 the journal commits these changes before the rename that follows, so the directory fsync after the
 * rename makes both durable.
 */
export async function ownNewFile(path: string, dir: string, owner: NewEntryOwner, quick?: SyncWhileFast): Promise<void> {
  const attrs = attrsIn(dir, owner, false);
  if (!attrs) return;
  // Four metadata calls on every PUT with an identity: synchronous while the bucket's file system is fast.
  if (quick?.sync) quick.timed(() => guarded(attrs, () => applySync(path, attrs)));
  else await apply(path, attrs, false);
}

/**
 * Gives the directory at `path` what a directory made by the identity in `dir` gets: owner, group and setgid bit,
 * mode, and the access and default ACLs it inherits. Works for one made in place (the kernel then already applied
 * the ACLs and setgid; the owner and umask are the gateway's to set) and for one made aside to be renamed in.
 */
export async function ownNewDirectory(path: string, dir: string, owner: NewEntryOwner): Promise<void> {
  const attrs = attrsIn(dir, owner, true);
  if (!attrs) return;
  await apply(path, attrs, true);
  forgetDirectory(path);
}

function attrsIn(dir: string, owner: NewEntryOwner, isDir: boolean): NewNodeAttrs | undefined {
  const parent = directoryFacts(dir);
  return parent && newNodeAttrs(parent, owner.who, { dir: isDir, umask: owner.umask });
}

/** chown first (it may clear mode bits), then the ACLs (which set the group-class bits), then the mode. */
async function apply(path: string, attrs: NewNodeAttrs, isDir: boolean): Promise<void> {
  try {
    const st = await lstat(path);
    if (st.uid !== attrs.uid || st.gid !== attrs.gid) await chown(path, attrs.uid, attrs.gid);
    // What was made aside may have inherited the staging directory's ACLs: it must carry only what `dir` gives.
    await setOrRemove(path, ACCESS_ACL_XATTR, attrs.acl);
    if (isDir) await setOrRemove(path, DEFAULT_ACL_XATTR, attrs.defaultAcl);
    await chmod(path, attrs.mode);
  } catch (e) {
    throw refusal(e, attrs);
  }
}

/** apply() for a file, synchronously (the same calls in the same order). */
function applySync(path: string, attrs: NewNodeAttrs): void {
  const st = lstatSync(path);
  if (st.uid !== attrs.uid || st.gid !== attrs.gid) chownSync(path, attrs.uid, attrs.gid);
  if (attrs.acl) setAttributeSync(path, ACCESS_ACL_XATTR, encodeAcl(attrs.acl));
  else if (getAttributeSync(path, ACCESS_ACL_XATTR)) removeAttributeSync(path, ACCESS_ACL_XATTR);
  chmodSync(path, attrs.mode);
}

/** Runs `work`, turning its failure into what apply() throws. */
function guarded(attrs: NewNodeAttrs, work: () => void): void {
  try {
    work();
  } catch (e) {
    throw refusal(e, attrs);
  }
}

/** EPERM (no right to give files away) as AccessDenied; anything else as it is. */
function refusal(e: unknown, attrs: NewNodeAttrs): unknown {
  if (errnoOf(e) === 'EPERM') {
    return new S3Error('AccessDenied', `Access Denied by file permissions: the gateway may not give new files to uid ${attrs.uid}, gid ${attrs.gid} (it lacks the right to change ownership).`);
  }
  return e;
}

async function setOrRemove(path: string, name: string, acl: NewNodeAttrs['acl']): Promise<void> {
  if (acl) await setAttribute(path, name, encodeAcl(acl));
  else if (getAttributeSync(path, name)) await removeAttribute(path, name);
}
