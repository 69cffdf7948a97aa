/**
 * What breaking an abandoned lock file leaves for a few syscalls (file-lock.ts breakLock): `<lock>.break` while a
 * breaker works, `<lock>.stale-<random>` (or `<lock>.break.stale-<random>`) while a broken file is moved aside. A
 * breaker killed in between leaves them for good; the next holder of the lock, which reads the directory anyway,
 * removes them.
 */
import { lstat, readdir, unlink } from 'node:fs/promises';
import { ASIDE_INFIX, BREAK_SUFFIX } from './file-lock.js';

/**
 * An aside unchanged this long is a dead breaker's: a live one keeps it for microseconds. Judged by ctime, which
 * the rename aside sets (a moved lock file keeps its holder's last mtime, however old).
 */
export const ASIDE_GRACE_MS = 5_000;

/** Whether `name` is an aside of the lock file named `lockName` in the same directory. */
export function isLockAside(lockName: string, name: string): boolean {
  if (!name.startsWith(lockName)) return false;
  const rest = name.slice(lockName.length);
  return rest === BREAK_SUFFIX || rest.startsWith(ASIDE_INFIX) || rest.startsWith(`${BREAK_SUFFIX}${ASIDE_INFIX}`);
}

/**
 * Removes the asides of lock `lockName` in `dir` that a dead breaker left (see ASIDE_GRACE_MS); how many. Call holding
 * the lock: no breaker then acts on the lock file itself, only (for a moment) on its own judgement of an older one.
 */
export async function sweepLockAsides(dir: string, lockName: string, opts: { names?: readonly string[]; now?: number } = {}): Promise<number> {
  const names = opts.names ?? (await readdir(dir).catch(() => [] as string[]));
  const now = opts.now ?? Date.now();
  let removed = 0;
  for (const name of names) {
    if (!isLockAside(lockName, name)) continue;
    const st = await lstat(`${dir}/${name}`).catch(() => undefined);
    if (!st || now - st.ctimeMs <= ASIDE_GRACE_MS) continue;
    if (await unlink(`${dir}/${name}`).then(() => true, () => false)) removed++;
  }
  return removed;
}
