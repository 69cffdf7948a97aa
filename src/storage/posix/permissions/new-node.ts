/**
 * Owner, group, mode and ACLs of a new file or directory, computed as the kernel would give them had the
 * identity created it in `parent` (fs/inode.c inode_init_owner, fs/posix_acl.c posix_acl_create): the gateway
 * stages data elsewhere and renames it into place, so it must apply these itself.
 */
import type { FileFacts } from './access.js';
import type { Identity } from '../../../accounts/identity.js';
import { ACL_GROUP_OBJ, ACL_MASK, ACL_OTHER, ACL_USER_OBJ, isMinimalAcl, type AclEntry } from './posix-acl.js';

const S_ISGID = 0o2000;

/** The facts of the directory a new entry is created in, with its default ACL. */
export interface ParentFacts extends FileFacts {
  /** system.posix_acl_default, if the directory has one. */
  defaultAcl?: readonly AclEntry[];
}

/** What a new entry must get. */
export interface NewNodeAttrs {
  uid: number;
  gid: number;
  /** Permission bits and, for directories, the setgid bit (no type bits). */
  mode: number;
  /** The access ACL to set, when the inherited one says more than the mode. */
  acl?: AclEntry[];
  /** For a directory under a default ACL: the default ACL it inherits. */
  defaultAcl?: AclEntry[];
}

/**
 * The attributes of a new file (`dir` false, created with mode 0666) or directory (0777, as mkdir -p) made by
 * `who` in `parent`. Group: the parent's when it has the setgid bit (a directory then inherits the bit too),
 * else the identity's primary group. Mode: the parent's default ACL masked by the create mode when there is
 * one (the umask is then ignored, as the kernel does), else the create mode less `umask`.
 */
export function newNodeAttrs(parent: ParentFacts, who: Identity, opts: { dir: boolean; umask: number }): NewNodeAttrs {
  const createMode = opts.dir ? 0o777 : 0o666;
  const setgid = (parent.mode & S_ISGID) !== 0;
  const attrs: NewNodeAttrs = { uid: who.uid, gid: setgid ? parent.gid : who.gid, mode: createMode & ~opts.umask & 0o777 };
  if (parent.defaultAcl && parent.defaultAcl.length > 0) {
    const { acl, mode } = createMasq(parent.defaultAcl, createMode);
    attrs.mode = mode;
    if (!isMinimalAcl(acl)) attrs.acl = acl;
    if (opts.dir) attrs.defaultAcl = parent.defaultAcl.map((e) => ({ ...e }));
  }
  if (opts.dir && setgid) attrs.mode |= S_ISGID;
  return attrs;
}

/**
 * posix_acl_create_masq: the inherited ACL's owner, group-class and other permissions are limited by the
 * create mode, and the resulting mode is read back from the ACL (group bits from the mask where there is one).
 */
function createMasq(defaults: readonly AclEntry[], createMode: number): { acl: AclEntry[]; mode: number } {
  const acl = defaults.map((e) => ({ ...e }));
  const mask = acl.find((e) => e.tag === ACL_MASK);
  let owner = 0;
  let group = 0;
  let other = 0;
  for (const e of acl) {
    if (e.tag === ACL_USER_OBJ) owner = e.perm &= (createMode >> 6) & 7;
    else if (e.tag === ACL_OTHER) other = e.perm &= createMode & 7;
    else if (e.tag === ACL_GROUP_OBJ && !mask) group = e.perm &= (createMode >> 3) & 7;
  }
  if (mask) group = mask.perm &= (createMode >> 3) & 7;
  return { acl, mode: (owner << 6) | (group << 3) | other };
}
