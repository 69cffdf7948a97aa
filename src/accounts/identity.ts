/** A POSIX identity: the uid, primary gid and supplementary groups the file system checks are made for. */

/** Who a request acts as on the file system, as the kernel sees a process: fsuid, fsgid and groups. */
export interface Identity {
  uid: number;
  gid: number;
  /** Supplementary groups (the primary gid need not be repeated). */
  groups: readonly number[];
}

/** The gateway process's own identity. */
export function processIdentity(): Identity {
  const gid = process.getegid!();
  return { uid: process.geteuid!(), gid, groups: process.getgroups!().filter((g) => g !== gid) };
}

/** Whether `who` is a member of group `gid` (primary or supplementary), as in_group_p() decides. */
export function inGroup(who: Identity, gid: number): boolean {
  return who.gid === gid || who.groups.includes(gid);
}

/** The same uid, gid and set of groups. */
export function sameIdentity(a: Identity, b: Identity): boolean {
  if (a.uid !== b.uid || a.gid !== b.gid) return false;
  const ga = new Set(a.groups.filter((g) => g !== a.gid));
  const gb = new Set(b.groups.filter((g) => g !== b.gid));
  return ga.size === gb.size && [...ga].every((g) => gb.has(g));
}

/** `uid 1000, gid 1000, groups 27,100`: for messages and `user show`. */
export function describeIdentity(who: Identity): string {
  return `uid ${who.uid}, gid ${who.gid}${who.groups.length ? `, groups ${who.groups.join(',')}` : ''}`;
}
