/**
 * A lock shared by every process on one tree, local or over NFS: a lock file created exclusively (O_EXCL),
 * removed on release. A holder that dies leaves its file behind; once the file has not been touched for
 * `staleMs` it is broken. A live holder touches it every staleMs/3, so only a dead one's lock goes stale.
 */
import { randomBytes } from 'node:crypto';
import { link, open, rename, stat, unlink, utimes } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long to wait, and when a lock counts as abandoned. */
export interface LockOptions {
  /** A lock file untouched for this long was left by a dead holder (default 10 s). */
  staleMs?: number;
  /** How long to wait for the lock before giving up (default 15 s). */
  waitMs?: number;
  /** What the lock guards, for the give-up message (default "the lock"). */
  what?: string;
}

/** Runs `fn` holding the lock file `lockFile`, and releases it however `fn` ends. */
export async function withFileLock<R>(lockFile: string, fn: () => Promise<R>, opts: LockOptions = {}): Promise<R> {
  const release = await takeLock(lockFile, opts);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** Takes the lock file, breaking one left by a dead holder; returns its release. */
export async function takeLock(lockFile: string, opts: LockOptions = {}): Promise<() => Promise<void>> {
  const staleMs = opts.staleMs ?? 10_000;
  const deadline = Date.now() + (opts.waitMs ?? 15_000);
  for (;;) {
    try {
      const fh = await open(lockFile, 'wx', 0o600);
      try {
        await fh.writeFile(`${process.pid}\n`);
      } finally {
        await fh.close();
      }
      return holding(lockFile, staleMs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const st = await stat(lockFile).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > staleMs) {
      await breakStale(lockFile, st.ino);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`${lockFile}: another writer holds ${opts.what ?? 'the lock'} (remove the file if no dirbucket command is running)`);
    }
    await sleep(20 + Math.random() * 30);
  }
}

/** Keeps the lock fresh while held; the release stops that and removes the file. */
function holding(lockFile: string, staleMs: number): () => Promise<void> {
  const touch = setInterval(() => {
    const now = new Date();
    utimes(lockFile, now, now).catch(() => {});
  }, Math.max(10, staleMs / 3));
  touch.unref();
  return async () => {
    clearInterval(touch);
    await unlink(lockFile).catch(() => {});
  };
}

/**
 * Removes the stale lock file with inode `ino`. It is renamed aside first, so that of two processes breaking
 * the same stale lock, the slower cannot remove a lock the faster has taken since; if what went aside is not
 * the stale file after all, it is linked back (unless yet another lock exists by then).
 */
async function breakStale(lockFile: string, ino: number): Promise<void> {
  const aside = `${lockFile}.stale-${randomBytes(4).toString('hex')}`;
  if (!(await rename(lockFile, aside).then(() => true, () => false))) return;
  const st = await stat(aside).catch(() => undefined);
  if (st && st.ino !== ino) await link(aside, lockFile).catch(() => {});
  await unlink(aside).catch(() => {});
}
