/**
 * The per-key commit lock: `.lock` in the key's directory of versions, made with O_EXCL, so one writer at a
 * time changes a key's versions across processes and hosts sharing the file system. Held for milliseconds (a
 * few renames and links; never while data is written). A lock whose holder is known dead, or untouched for
 * STALE_MS, is taken over. Minimal on purpose: to be replaced by the generic lock module (branch `config`).
 */
import { link, lstat, mkdir, open, readFile, rename, unlink, utimes } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { S3Error } from '../../../errors/s3-error.js';
import { currentOwner, ownerIsGone, type LockOwner } from '../multipart/lock-owner.js';
import { errnoOf } from '../paths/errno.js';
import { tempPath } from './layout.js';

/** A lock not touched for this long belongs to a process that died (or hung) holding it. */
export const STALE_MS = 30_000;
const HEARTBEAT_MS = 5_000;
/** How long a writer waits for the key before answering OperationAborted (a live holder keeps it briefly). */
export const WAIT_MS = 2 * STALE_MS;

/** The name of the lock file in a key's directory of versions. */
export const LOCK_NAME = '.lock';

/** Runs `fn` holding the lock of the key whose directory of versions is `dir` (created when missing). */
export async function withKeyLock<T>(dir: string, fn: () => Promise<T>, opts: { waitMs?: number; staleMs?: number } = {}): Promise<T> {
  const path = `${dir}/${LOCK_NAME}`;
  const ino = await acquire(dir, path, opts.waitMs ?? WAIT_MS, opts.staleMs ?? STALE_MS);
  // Touched now and then, so a long hold (a slow NAS) is not mistaken for a dead one.
  const timer = setInterval(() => void utimes(path, new Date(), new Date()).catch(() => {}), HEARTBEAT_MS);
  timer.unref();
  try {
    return await fn();
  } finally {
    clearInterval(timer);
    // Only our own lock: after a takeover (we hung past STALE_MS) the file is someone else's.
    const st = await lstat(path, { bigint: true }).catch(() => undefined);
    if (st?.ino === ino) await unlink(path).catch(() => {});
  }
}

async function acquire(dir: string, path: string, waitMs: number, staleMs: number): Promise<bigint> {
  const deadline = Date.now() + waitMs;
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(JSON.stringify(currentOwner()));
        return (await fh.stat({ bigint: true })).ino;
      } finally {
        await fh.close();
      }
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ENOENT') {
        await mkdir(dir, { recursive: true }); // first version of the key, or pruned meanwhile
        continue;
      }
      if (code !== 'EEXIST') throw e;
    }
    if (await takeOverIfStale(dir, path, staleMs)) continue;
    if (Date.now() > deadline) throw new S3Error('OperationAborted', 'Another request is changing this object; please try again.');
    await sleep(pause);
  }
}

/** Removes the lock at `path` when its holder is gone; true when it did (or the lock vanished meanwhile). */
async function takeOverIfStale(dir: string, path: string, staleMs: number): Promise<boolean> {
  const st = await lstat(path, { bigint: true }).catch(() => undefined);
  if (!st) return true;
  const age = Date.now() - Number(st.mtimeMs);
  if (age <= staleMs) {
    // Empty or half-written while its maker writes it: an owner unknown, so judged by age only.
    const owner = await readFile(path, 'utf8').then(parseOwner, () => undefined);
    if (!(await ownerIsGone(owner))) return false;
  }
  // Renamed away, not unlinked: only one of several takers gets the stale file, and it can check it got that one.
  const aside = tempPath(dir);
  try {
    await rename(path, aside);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return true;
    throw e;
  }
  const got = await lstat(aside, { bigint: true }).catch(() => undefined);
  // Another taker replaced the stale lock with its own fresh one before our rename: give that back.
  if (got && got.ino !== st.ino) await link(aside, path).catch(() => {});
  await unlink(aside).catch(() => {});
  return true;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    return JSON.parse(text) as LockOwner;
  } catch {
    return undefined;
  }
}
