/**
 * The file-system check of a request: what the kernel would allow the request's identity, asked by the storage
 * back end before it acts with the gateway's own rights. Refusals are AccessDenied naming the check, never a path.
 */
import { S3Error } from '../../../errors/s3-error.js';
import { MAY_EXEC, MAY_READ, MAY_WRITE, mayCreate, mayDelete, permits, type FileFacts } from './access.js';
import { FactsCache, readAccessAcl } from './facts-cache.js';
import { processIdentity, sameIdentity, type Identity } from '../../../accounts/identity.js';
import type { ParentFacts } from './new-node.js';

/** One cache for the process: directory facts do not depend on who asks. */
const SHARED_CACHE = new FactsCache();
let own: Identity | undefined;

/**
 * The checker for `who`, or undefined when no check is needed: no identity given, or the kernel makes the same
 * decisions itself — the gateway's own identity, or uid 0 (root may read, write, search and remove anything the
 * operations here touch).
 */
export function fsAccessFor(who: Identity | undefined): FsAccess | undefined {
  if (!who || who.uid === 0) return undefined;
  own ??= processIdentity();
  return sameIdentity(who, own) ? undefined : new FsAccess(who, SHARED_CACHE);
}

/** Facts of the directory at `path` from the shared cache (for ownership of new entries). */
export function directoryFacts(path: string): ParentFacts | undefined {
  return SHARED_CACHE.dir(path);
}

/** Forget cached facts of a directory the gateway itself just changed or removed. */
export function forgetDirectory(path: string): void {
  SHARED_CACHE.forget(path);
}

/** Checks made for one identity. Methods that throw refuse with AccessDenied; `can*` methods answer. */
export class FsAccess {
  constructor(readonly who: Identity, private readonly cache: FactsCache) {}

  /**
   * Search permission on `base` and on each directory below it along `segments` (all of them). Stops quietly
   * at a component that is missing or not a directory: the operation then finds nothing there, as the kernel's
   * lookup would (ENOENT after the searchable part of the path).
   */
  canSearch(base: string, segments: readonly string[]): boolean {
    let path = base;
    for (let i = 0; ; i++) {
      const facts = this.cache.dir(path);
      if (!facts) return true;
      if (!permits(facts, this.who, MAY_EXEC)) return false;
      if (i === segments.length) return true;
      path = `${path}/${segments[i]}`;
    }
  }

  /**
   * Read and search on `base` and on each directory below it along `segments`: whether `ls -R` from `base`
   * would show what lies there. Stops quietly at a component that is missing (nothing there to hide).
   */
  canListDown(base: string, segments: readonly string[]): boolean {
    let path = base;
    for (let i = 0; ; i++) {
      const facts = this.cache.dir(path);
      if (!facts) return true;
      if (!permits(facts, this.who, MAY_READ | MAY_EXEC)) return false;
      if (i === segments.length) return true;
      path = `${path}/${segments[i]}`;
    }
  }

  /** As canSearch, refusing with AccessDenied. */
  search(base: string, segments: readonly string[]): void {
    if (!this.canSearch(base, segments)) throw this.denied('search a directory on the path to the object');
  }

  /**
   * Early refusal of a write, before its body is received: search down the existing part of the directory path
   * `dirSegments`, then write and search on the deepest directory that exists (where the entry, or the first
   * missing directory, would be created). The authoritative checks come again when the write commits.
   */
  writeBelow(base: string, dirSegments: readonly string[]): void {
    let path = base;
    for (const segment of dirSegments) {
      const facts = this.cache.dir(path);
      if (!facts) return; // vanished meanwhile: the commit decides
      if (!permits(facts, this.who, MAY_EXEC)) throw this.denied('search a directory on the path to the object');
      const next = `${path}/${segment}`;
      if (!this.cache.dir(next)) break; // missing (or not a directory): it would be created in `path`
      path = next;
    }
    this.create(path);
  }

  /** Read and search on the directory: what listing its entries with their sizes takes (`ls -l`). */
  canList(dir: string): boolean {
    const facts = this.cache.dir(dir);
    return facts !== undefined && permits(facts, this.who, MAY_READ | MAY_EXEC);
  }

  /** Read permission on the file at `path` whose stats are `stats` (its ACL is read only when it can matter). */
  read(path: string, stats: StatsLike): void {
    if (!permits(this.factsOf(path, stats), this.who, MAY_READ)) throw this.denied('read the object');
  }

  /** Write permission on the file or directory itself (e.g. setting a directory object's metadata on it). */
  write(path: string, stats: StatsLike): void {
    if (!permits(this.factsOf(path, stats), this.who, MAY_WRITE)) throw this.denied('write the object');
  }

  /** Write and search on the directory `dir`: creating an entry in it. */
  create(dir: string): void {
    const facts = this.cache.dir(dir);
    if (facts && !mayCreate(facts, this.who)) throw this.denied('create entries in the directory of the object');
  }

  /** Write and search on `dir` and the sticky rule for an entry owned by `entryUid`: removing or replacing it. */
  remove(dir: string, entryUid: number): void {
    if (!this.canRemove(dir, entryUid)) throw this.denied('remove or replace entries in the directory of the object');
  }

  /** As remove, answering instead of refusing. */
  canRemove(dir: string, entryUid: number): boolean {
    const facts = this.cache.dir(dir);
    return facts === undefined || mayDelete(facts, entryUid, this.who);
  }

  private factsOf(path: string, stats: StatsLike): FileFacts {
    const facts: FileFacts = { mode: Number(stats.mode), uid: Number(stats.uid), gid: Number(stats.gid) };
    // Only a non-owner with group-class bits set can be decided by the ACL: skip the getxattr otherwise.
    if (facts.uid !== this.who.uid && (facts.mode & 0o070) !== 0) {
      const acl = readAccessAcl(path);
      if (acl) facts.acl = acl;
    }
    return facts;
  }

  private denied(what: string): S3Error {
    return new S3Error('AccessDenied', `Access Denied by file permissions: uid ${this.who.uid} may not ${what}.`);
  }
}

/** The fields of fs.Stats or BigIntStats the checks read. */
export interface StatsLike {
  mode: number | bigint;
  uid: number | bigint;
  gid: number | bigint;
}
