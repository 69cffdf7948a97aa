/**
 * The Complete that copies nothing: when the parts to complete lie end to end in the upload's assembly file
 * (in-place.ts), that file is cut to the object's length, sealed and renamed into place from the held upload
 * directory. Until the rename it stays in the upload, so a failure or a crash gives it back by undoing what the
 * seal and the commit changed on it: its record, mode, owner and ACL.
 */
import { chmod, chown, lstat, open, readdir, unlink } from 'node:fs/promises';
import { removeAttribute } from '@napi-rs/xattr';
import { ACCESS_ACL_XATTR } from '../permissions/posix-acl.js';
import type { Bucket } from '../buckets/bucket.js';
import { XATTR_NAME } from '../metadata/xattr-store.js';
import type { MetadataStore } from '../metadata/store.js';
import { Staging } from '../write/staging.js';
import type { CompletionPlan } from './completion-plan.js';
import { ASSEMBLY_FILE, claimedSlots } from './in-place.js';

/** What the assembly file was before a Complete took it, to give it back as it was. */
export interface AssemblyAttrs {
  uid: number;
  gid: number;
  mode: number;
}

/**
 * Whether `plan` is exactly the assembly file of the held upload `held`, cut to the object's length: parts 1..N,
 * each the in-place version, end to end from offset 0 (so all but the last fill their slot), and no slot past N
 * claimed, for a part the cut would destroy or a writer that could still write into the object.
 */
export async function assemblyFits(held: string, plan: CompletionPlan): Promise<boolean> {
  let end = 0;
  for (const [i, p] of plan.parts.entries()) {
    if (p.partNumber !== i + 1 || p.at !== end) return false;
    end += p.size;
  }
  const n = plan.parts.length;
  return claimedSlots(await readdir(held)).every((claimed) => claimed <= n);
}

/** The assembly file's path in `held` and what it is now (to be recorded before anything changes it). */
export async function assemblyOf(held: string): Promise<{ path: string; attrs: AssemblyAttrs }> {
  const path = `${held}/${ASSEMBLY_FILE}`;
  const st = await lstat(path);
  return { path, attrs: { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 } };
}

/**
 * Opens the assembly file at `path` as the Complete's staging file, shaped as a copy would have been: `size`
 * bytes long, modified now, with the mode a new staging file gets. It is never removed on failure (borrowed).
 */
export async function adoptAssembly(bucket: Bucket, store: MetadataStore, path: string, size: number): Promise<Staging> {
  const mode = await stagingMode(bucket);
  const staging = await Staging.adopt(path, store, { borrowed: true });
  try {
    await staging.fh.truncate(size);
    await staging.fh.chmod(mode);
    const now = new Date();
    await staging.fh.utimes(now, now);
  } catch (e) {
    await staging.discard();
    throw e;
  }
  return staging;
}

/**
 * Gives the assembly file at `path` back to its upload as `attrs` says it was: owner, then mode, without the
 * object's record or ACL. Never throws: a file that is gone (committed meanwhile) or that resists stays as it is.
 */
export async function restoreAssembly(path: string, attrs: AssemblyAttrs): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return;
  if (st.uid !== attrs.uid || st.gid !== attrs.gid) await chown(path, attrs.uid, attrs.gid).catch(() => {});
  await removeAttribute(path, ACCESS_ACL_XATTR).catch(() => {});
  await removeAttribute(path, XATTR_NAME).catch(() => {});
  await chmod(path, attrs.mode).catch(() => {});
}

/** The mode a new staging file of `bucket` gets (0666 less the umask, or what a default ACL makes of it). */
async function stagingMode(bucket: Bucket): Promise<number> {
  const probe = await Staging.freshPath(bucket);
  const fh = await open(probe, 'wx', 0o666);
  try {
    return (await fh.stat()).mode & 0o7777;
  } finally {
    await fh.close();
    await unlink(probe).catch(() => {});
  }
}
