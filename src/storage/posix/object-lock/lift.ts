/**
 * Lifting the immutable attribute once a version's lock has ended: at its retain-until date in this process (a
 * timer, when the date is within the timer's range), and by the sweep (liftExpired) that the lock-expiry job
 * runs, which also covers a restart and a hold released on another gateway. Always under the key's lock, and
 * only after re-reading the lock file: a lock extended meanwhile keeps the file immutable.
 */
import { readdir } from 'node:fs/promises';
import type { ObjectLock } from '../../object-lock.js';
import { withFileLock } from '../../../fsutil/file-lock.js';
import { KEY_LOCK } from '../versions/context.js';
import { lockInForce } from './deletable.js';
import { isImmutable, setImmutable } from './immutable.js';
import { LOCK_SUFFIX, readVersionLock } from './version-lock.js';
import { RESERVED_NAME } from '../paths/reserved.js';
import { NULL_VERSION_ID } from '../versions/version-id.js';
import { lockFileOf, parseEntryName } from '../versions/layout.js';

/** A version's kept entry: its key's directory of versions, the entry's path, the key and the id. */
export interface VersionPlace {
  dir: string;
  entry: string;
  key: string;
  versionId: string;
}

// setTimeout's longest delay (about 24.8 days); later dates are the sweep's.
const MAX_TIMER_MS = 2 ** 31 - 1;
const timers = new Map<string, NodeJS.Timeout>();

/** Arranges for `where`'s immutable attribute to be lifted when `lock`'s retention ends (no timer under a legal hold). */
export function scheduleLift(where: VersionPlace, lock: ObjectLock): void {
  if (lock.legalHold === true || !lock.retention) return;
  const wait = Date.parse(lock.retention.retainUntil) - Date.now() + 50;
  if (wait > MAX_TIMER_MS) return;
  clearTimeout(timers.get(where.entry));
  const timer = setTimeout(() => {
    timers.delete(where.entry);
    void liftIfEnded(where).catch(() => {}); // the sweep tries again
  }, Math.max(wait, 0));
  timer.unref();
  timers.set(where.entry, timer);
}

/** Clears `where`'s immutable attribute if its lock is no longer in force (re-read under the key's lock). */
export async function liftIfEnded(where: VersionPlace): Promise<void> {
  await withFileLock(lockFileOf(where.dir), async () => {
    const lock = await readVersionLock(where.dir, where.versionId);
    if (!lockInForce(lock) && (await isImmutable(where.entry))) await setImmutable(where.entry, false);
  }, KEY_LOCK);
}

/**
 * The sweep: every version with a lock file under the versions tree `root` whose lock has ended loses its
 * immutable attribute. Costs a walk of the store's directories (not of the bucket's files).
 */
export async function liftExpired(root: string, signal?: AbortSignal): Promise<void> {
  for await (const dir of versionDirs(root)) {
    if (signal?.aborted) return;
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.endsWith(LOCK_SUFFIX)) continue;
      const versionId = name.slice(0, -LOCK_SUFFIX.length);
      const entryName = versionId === NULL_VERSION_ID ? names.find((n) => parseEntryName(n)?.id === NULL_VERSION_ID && parseEntryName(n)?.kind === 'data') : versionId;
      if (!entryName || !names.includes(entryName)) continue;
      const lock = await readVersionLock(dir, versionId).catch(() => undefined);
      if (lock && !lockInForce(lock)) await liftIfEnded({ dir, entry: `${dir}/${entryName}`, key: '', versionId }).catch(() => {});
    }
  }
}

async function* versionDirs(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const d of entries) {
    if (!d.isDirectory()) continue;
    if (d.name === RESERVED_NAME) yield `${dir}/${d.name}`;
    else yield* versionDirs(`${dir}/${d.name}`);
  }
}
