/**
 * The temporary files of atomic writes (atomic-write.ts), and how a sweep tells a dead writer's from a live one's.
 * A temporary is named `<target>.<random>.<owner>.tmp` beside its target, `<owner>` naming its writer
 * (lock-owner.ts ownerTag): a writer killed between the create and the rename leaves it for good, and whoever
 * finds it later can tell whether that writer still runs (on this machine), or judge it by its age (another's).
 * Names from before the owner was written (`<target>.<random>.tmp`) are judged by age only.
 */
import { randomBytes } from 'node:crypto';
import { lstat, readdir, unlink } from 'node:fs/promises';
import { ownerTag, taggedOwnerIsGone } from './lock-owner.js';

/** What a temporary's name says: the file it was to become (a name in the same directory), and its writer's tag. */
export interface AtomicTemp {
  target: string;
  owner?: string;
}

const TEMP_NAME = /^(.+)\.[0-9a-f]{12}(?:\.([0-9a-f]{12}_\d+_\d*))?\.tmp$/;

/** A fresh temporary path for an atomic write of `path`. */
export function atomicTempOf(path: string): string {
  return `${path}.${randomBytes(6).toString('hex')}.${ownerTag()}.tmp`;
}

/** What the file name `name` says as an atomic write's temporary; undefined for any other name. */
export function parseAtomicTemp(name: string): AtomicTemp | undefined {
  const m = TEMP_NAME.exec(name);
  if (!m) return undefined;
  return m[2] === undefined ? { target: m[1]! } : { target: m[1]!, owner: m[2] };
}

/** Which temporaries a sweep removes, and when one counts as abandoned. */
export interface AtomicSweepOptions {
  /** Only the temporaries of this target (a file name in `dir`); default: all. */
  target?: string;
  /**
   * A temporary whose writer is not known to be gone is abandoned once untouched this long (an atomic write takes
   * milliseconds). 0: every one is abandoned, for a caller holding the lock all writers of its target hold.
   */
  graceMs: number;
  /** The names in `dir`, when the caller has read them already. */
  names?: readonly string[];
  now?: number;
}

/** Whether the temporary `name` in `dir` was left by a writer that is gone (see AtomicSweepOptions.graceMs). */
export async function atomicTempAbandoned(dir: string, name: string, graceMs: number, now = Date.now()): Promise<boolean> {
  const temp = parseAtomicTemp(name);
  if (!temp) return false;
  if (graceMs <= 0) return true;
  if (temp.owner !== undefined && (await taggedOwnerIsGone(temp.owner)) === true) return true;
  const st = await lstat(`${dir}/${name}`).catch(() => undefined);
  return st !== undefined && now - st.mtimeMs > graceMs;
}

/** Removes the abandoned temporaries of atomic writes in `dir`; how many. A missing directory has none. */
export async function sweepAtomicTemps(dir: string, opts: AtomicSweepOptions): Promise<number> {
  const names = opts.names ?? (await readdir(dir).catch(() => [] as string[]));
  let removed = 0;
  for (const name of names) {
    const temp = parseAtomicTemp(name);
    if (!temp || (opts.target !== undefined && temp.target !== opts.target)) continue;
    if (!(await atomicTempAbandoned(dir, name, opts.graceMs, opts.now))) continue;
    // ENOENT: another sweeper (or the writer's own cleanup) was first.
    if (await unlink(`${dir}/${name}`).then(() => true, () => false)) removed++;
  }
  return removed;
}
