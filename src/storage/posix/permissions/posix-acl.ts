/**
 * POSIX ACLs as Linux stores them in the xattrs system.posix_acl_access and system.posix_acl_default:
 * a little-endian u32 version (2), then entries of u16 tag, u16 perm, u32 id (see linux/posix_acl_xattr.h).
 */

export const ACL_USER_OBJ = 0x01;
export const ACL_USER = 0x02;
export const ACL_GROUP_OBJ = 0x04;
export const ACL_GROUP = 0x08;
export const ACL_MASK = 0x10;
export const ACL_OTHER = 0x20;

export type AclTag = typeof ACL_USER_OBJ | typeof ACL_USER | typeof ACL_GROUP_OBJ | typeof ACL_GROUP | typeof ACL_MASK | typeof ACL_OTHER;

/** One ACL entry: `id` is the uid or gid for ACL_USER and ACL_GROUP, unused (-1) otherwise. */
export interface AclEntry {
  tag: AclTag;
  /** rwx as 4, 2, 1. */
  perm: number;
  id: number;
}

export const ACCESS_ACL_XATTR = 'system.posix_acl_access';
export const DEFAULT_ACL_XATTR = 'system.posix_acl_default';

const VERSION = 2;
const UNDEFINED_ID = 0xffffffff;
const TAGS = new Set<number>([ACL_USER_OBJ, ACL_USER, ACL_GROUP_OBJ, ACL_GROUP, ACL_MASK, ACL_OTHER]);

/**
 * Parses an ACL xattr value. Entries come back in the kernel's order (by tag, then id), which the permission
 * check relies on. Undefined for anything that is not a valid version-2 ACL, so a damaged value is ignored
 * rather than half-read (the kernel would refuse it the same way).
 */
export function parseAcl(buf: Buffer | null | undefined): AclEntry[] | undefined {
  if (!buf || buf.length < 4 || (buf.length - 4) % 8 !== 0 || buf.readUInt32LE(0) !== VERSION) return undefined;
  const entries: AclEntry[] = [];
  for (let at = 4; at < buf.length; at += 8) {
    const tag = buf.readUInt16LE(at);
    if (!TAGS.has(tag)) return undefined;
    const raw = buf.readUInt32LE(at + 4);
    entries.push({ tag: tag as AclTag, perm: buf.readUInt16LE(at + 2) & 7, id: raw === UNDEFINED_ID ? -1 : raw });
  }
  return entries.sort(byKernelOrder);
}

/** The xattr value of an ACL, entries sorted as the kernel expects them. */
export function encodeAcl(entries: readonly AclEntry[]): Buffer {
  const sorted = [...entries].sort(byKernelOrder);
  const buf = Buffer.alloc(4 + 8 * sorted.length);
  buf.writeUInt32LE(VERSION, 0);
  sorted.forEach((e, i) => {
    const at = 4 + 8 * i;
    buf.writeUInt16LE(e.tag, at);
    buf.writeUInt16LE(e.perm & 7, at + 2);
    buf.writeUInt32LE(e.tag === ACL_USER || e.tag === ACL_GROUP ? e.id : UNDEFINED_ID, at + 4);
  });
  return buf;
}

/** True when the ACL says no more than the mode bits do: only the owner, group and other entries. */
export function isMinimalAcl(entries: readonly AclEntry[]): boolean {
  return entries.every((e) => e.tag === ACL_USER_OBJ || e.tag === ACL_GROUP_OBJ || e.tag === ACL_OTHER);
}

function byKernelOrder(a: AclEntry, b: AclEntry): number {
  return a.tag - b.tag || a.id - b.id;
}
