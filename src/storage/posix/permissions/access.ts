/**
 * File access decided as the Linux kernel decides it (fs/namei.c generic_permission and acl_permission_check,
 * fs/posix_acl.c posix_acl_permission, check_sticky): a pure function of the file's facts and the identity.
 */
import { inGroup, type Identity } from '../../../accounts/identity.js';
import { ACL_GROUP, ACL_GROUP_OBJ, ACL_MASK, ACL_OTHER, ACL_USER, ACL_USER_OBJ, type AclEntry } from './posix-acl.js';

export const MAY_READ = 4;
export const MAY_WRITE = 2;
export const MAY_EXEC = 1;

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_ISVTX = 0o1000;
const S_IXUGO = 0o111;

/** What the permission check needs of a file or directory: its mode, owner, group and access ACL. */
export interface FileFacts {
  /** st_mode, type bits included. */
  mode: number;
  uid: number;
  gid: number;
  /** The access ACL (system.posix_acl_access), if the file has one. */
  acl?: readonly AclEntry[];
}

/** Whether the file is a directory (by its mode's type bits). */
export function isDirectoryMode(mode: number): boolean {
  return (mode & S_IFMT) === S_IFDIR;
}

/**
 * Whether `who` may access the file with every bit of `want` (MAY_READ | MAY_WRITE | MAY_EXEC; on a directory
 * MAY_EXEC is search). uid 0 is treated as root with the default capabilities: read and write always, search
 * on directories always, execute on a file only when some execute bit is set.
 */
export function permits(file: FileFacts, who: Identity, want: number): boolean {
  want &= 7;
  if (who.uid === 0) {
    return isDirectoryMode(file.mode) || (want & MAY_EXEC) === 0 || (file.mode & S_IXUGO) !== 0;
  }
  let bits = file.mode;
  if (who.uid === file.uid) {
    bits >>= 6;
  } else {
    // The kernel consults the ACL only when the group class grants something (the mask, with an ACL).
    if (file.acl && (bits & 0o070) !== 0) {
      const verdict = aclPermits(file, file.acl, who, want);
      if (verdict !== undefined) return verdict;
    }
    if (inGroup(who, file.gid)) bits >>= 3;
  }
  return (want & ~bits & 7) === 0;
}

/**
 * posix_acl_permission: undefined when the ACL has no entry for the caller before the other entry and no
 * owner entry applies (the caller then falls back to the mode bits, as for a file without ACL).
 */
function aclPermits(file: FileFacts, acl: readonly AclEntry[], who: Identity, want: number): boolean | undefined {
  const mask = acl.find((e) => e.tag === ACL_MASK);
  const masked = (perm: number) => ((mask ? perm & mask.perm : perm) & want) === want;
  let found = false;
  for (const e of acl) {
    switch (e.tag) {
      case ACL_USER_OBJ:
        if (file.uid === who.uid) return (e.perm & want) === want;
        break;
      case ACL_USER:
        if (e.id === who.uid) return masked(e.perm);
        break;
      case ACL_GROUP_OBJ:
        if (inGroup(who, file.gid)) {
          found = true;
          if ((e.perm & want) === want) return masked(e.perm);
        }
        break;
      case ACL_GROUP:
        if (inGroup(who, e.id)) {
          found = true;
          if ((e.perm & want) === want) return masked(e.perm);
        }
        break;
      case ACL_MASK:
        break;
      case ACL_OTHER:
        return found ? false : (e.perm & want) === want;
    }
  }
  // An ACL without an other entry is invalid: the kernel would not have stored it. Fall back to the mode.
  return undefined;
}

/**
 * check_sticky: in a directory with the sticky bit, only the owner of the entry, the owner of the directory, or
 * root may remove or replace (rename over) an entry. True when removal is allowed as far as the sticky bit goes.
 */
export function stickyAllows(dir: FileFacts, entryUid: number, who: Identity): boolean {
  if ((dir.mode & S_ISVTX) === 0) return true;
  return who.uid === 0 || who.uid === entryUid || who.uid === dir.uid;
}

/**
 * may_delete() of an entry owned by `entryUid` in `dir`: write and search on the directory, then the sticky
 * rule. The same check guards renaming over an existing entry.
 */
export function mayDelete(dir: FileFacts, entryUid: number, who: Identity): boolean {
  return permits(dir, who, MAY_WRITE | MAY_EXEC) && stickyAllows(dir, entryUid, who);
}

/** may_create(): write and search on the directory. */
export function mayCreate(dir: FileFacts, who: Identity): boolean {
  return permits(dir, who, MAY_WRITE | MAY_EXEC);
}
