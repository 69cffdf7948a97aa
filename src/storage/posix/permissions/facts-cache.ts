/** Directory permission facts (stat + ACLs), cached briefly by path so that checks on the common path cost no I/O. */
import { statSync } from 'node:fs';
import { getAttributeSync } from '@napi-rs/xattr';
import type { FileFacts } from './access.js';
import type { ParentFacts } from './new-node.js';
import { ACCESS_ACL_XATTR, DEFAULT_ACL_XATTR, parseAcl } from './posix-acl.js';

/** The access ACL of the file at `path`, if it has one. Never follows a final symlink; any failure reads as none. */
export function readAccessAcl(path: string): FileFacts['acl'] {
  return parseAcl(getAttributeSync(path, ACCESS_ACL_XATTR));
}

/**
 * Facts of directories by path, each kept `ttlMs` (default 1 s): a chmod, chown or setfacl on a directory takes
 * effect within that time. Bounded: past `maxEntries` the oldest entries go. Sync on purpose: a hit costs a Map
 * lookup, a miss a stat and two getxattr (a few µs locally; on a NAS one round trip per directory per second).
 */
export class FactsCache {
  private readonly entries = new Map<string, { facts: ParentFacts; until: number }>();

  constructor(readonly ttlMs = 1000, readonly maxEntries = 4096) {}

  /** The directory at `path` (following links), or undefined when there is none (missing, or not a directory). */
  dir(path: string, now = performance.now()): ParentFacts | undefined {
    const hit = this.entries.get(path);
    if (hit && hit.until > now) return hit.facts;
    const facts = readDirFacts(path);
    if (hit) this.entries.delete(path); // re-inserted last: Map order is then age order
    // Only what exists is kept: a directory made a moment later must be checked, not taken for missing.
    if (!facts) return undefined;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(path, { facts, until: now + this.ttlMs });
    return facts;
  }

  /** Forget what is known of `path` (the gateway just changed it). */
  forget(path: string): void {
    this.entries.delete(path);
  }
}

function readDirFacts(path: string): ParentFacts | undefined {
  let st;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // ENOTDIR, ELOOP, EACCES for the gateway itself: the operation meets it on its own
  }
  if (!st?.isDirectory()) return undefined;
  const facts: ParentFacts = { mode: st.mode, uid: st.uid, gid: st.gid };
  const acl = readAccessAcl(path);
  if (acl) facts.acl = acl;
  const defaults = parseAcl(getAttributeSync(path, DEFAULT_ACL_XATTR));
  if (defaults) facts.defaultAcl = defaults;
  return facts;
}
