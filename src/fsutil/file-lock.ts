/**
 * A lock shared by every process on one tree, local or over NFS: a lock file created exclusively (O_EXCL),
 * removed on release. It names its holder (lock-owner.ts). A holder that dies leaves its file behind; the file
 * is broken once its holder is known to be gone (same host: /proc), or once it has not been touched for
 * `staleMs` (any host). A live holder touches it every staleMs/6, so only a dead (or hung) one's lock goes stale.
 *
 * Breaking is itself exclusive: a breaker first takes `<lock>.break` (O_EXCL), then checks that the lock file is
 * still the very one it judged (inode and mtime) before moving it aside. Without that, of three contenders the
 * slowest could remove a fresh lock another had just taken after the first broke the stale one, and two would
 * hold the lock at once.
 */
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, unlinkSync, writeSync, type BigIntStats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, readFile, rename, unlink, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { currentOwner, ownerIsGone, type LockOwner } from './lock-owner.js';
import { SyncWhileFast } from './sync-while-fast.js';

/**
 * Taking and releasing a free lock is a handful of metadata calls (open, write, fstat, close; lstat, unlink), on
 * every versioned write among others: synchronous while they are fast, awaited once they prove slow (a NAS).
 */
const quick = new SyncWhileFast(0.5);

/** The marker a breaker holds while it breaks `<lock>` (`<lock>.break`); lock-asides.ts sweeps one a breaker left. */
export const BREAK_SUFFIX = '.break';
/** A broken file moved aside before its removal (`<file>.stale-<random>`). */
export const ASIDE_INFIX = '.stale-';

/** How to wait, when a lock counts as abandoned, and what to say when giving up. */
export interface LockOptions {
  /** A lock file untouched for this long was left by a dead holder (default 10 s). */
  staleMs?: number;
  /** How long to wait for the lock before giving up (default 15 s). */
  waitMs?: number;
  /** What the lock guards, for the give-up message (default "the lock"). */
  what?: string;
  /** Creates the lock file's directory when missing (and again, should it vanish while we wait). */
  makeDir?: boolean;
  /** The error to throw when `waitMs` runs out (default: an Error naming the lock file and `what`). */
  busy?: () => Error;
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
  // Short pauses first: the usual holder keeps a lock for a few syscalls.
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    const ino = await create(lockFile, opts.makeDir === true);
    if (ino !== undefined) return holding(lockFile, ino, staleMs);
    const st = await lstat(lockFile, { bigint: true }).catch(() => undefined);
    if (!st) continue; // released meanwhile
    const judged = await abandoned(lockFile, st, staleMs);
    if (judged) {
      await breakLock(lockFile, judged, staleMs);
      continue;
    }
    if (Date.now() > deadline) {
      throw opts.busy?.() ?? new Error(`${lockFile}: another writer holds ${opts.what ?? 'the lock'} (remove the file if no dirbucket command is running)`);
    }
    await sleep(pause * (0.5 + Math.random()));
  }
}

/** A lock taken by tryTakeLock: whether it is still ours, and its release. */
export interface HeldLock {
  /** False once another process broke it (we hung past staleMs) or it vanished: stop acting under it. */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * One attempt at the lock (a lease, for work that one process of many should do while others skip it): taken,
 * breaking a file left by a dead or hung holder, or undefined while a live holder keeps it fresh.
 */
export async function tryTakeLock(lockFile: string, opts: Pick<LockOptions, 'staleMs' | 'makeDir'> = {}): Promise<HeldLock | undefined> {
  const staleMs = opts.staleMs ?? 10_000;
  // A few attempts: one may find an abandoned file and break it, the next takes the lock (unless another was faster).
  for (let attempt = 0; attempt < 3; attempt++) {
    const ino = await create(lockFile, opts.makeDir === true);
    if (ino !== undefined) {
      // Ours while it is the inode we made and still names us: a file made anew after a takeover may get the same
      // inode number back, but not our owner line (another process's).
      const own = `${JSON.stringify(currentOwner())}\n`;
      const stillHeld = async () =>
        (await lstat(lockFile, { bigint: true }).catch(() => undefined))?.ino === ino && (await readFile(lockFile, 'utf8').catch(() => undefined)) === own;
      return { release: holding(lockFile, ino, staleMs, stillHeld), stillHeld };
    }
    const st = await lstat(lockFile, { bigint: true }).catch(() => undefined);
    if (!st) continue; // released meanwhile
    const judged = await abandoned(lockFile, st, staleMs);
    if (!judged) return undefined;
    await breakLock(lockFile, judged, staleMs);
  }
  return undefined;
}

/** Creates the lock file naming this process; its inode, or undefined when it exists. */
async function create(lockFile: string, makeDir: boolean): Promise<bigint | undefined> {
  if (quick.sync) return quick.timed(() => createSync(lockFile, makeDir));
  for (;;) {
    let fh;
    try {
      fh = await open(lockFile, 'wx', 0o600);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return undefined;
      if (code === 'ENOENT' && makeDir) {
        await mkdir(dirname(lockFile), { recursive: true });
        continue;
      }
      throw e;
    }
    try {
      await fh.writeFile(`${JSON.stringify(currentOwner())}\n`);
      return (await fh.stat({ bigint: true })).ino;
    } finally {
      await fh.close();
    }
  }
}

/** create(), synchronously. */
function createSync(lockFile: string, makeDir: boolean): bigint | undefined {
  for (;;) {
    let fd;
    try {
      fd = openSync(lockFile, 'wx', 0o600);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return undefined;
      if (code === 'ENOENT' && makeDir) {
        mkdirSync(dirname(lockFile), { recursive: true });
        continue;
      }
      throw e;
    }
    try {
      writeSync(fd, `${JSON.stringify(currentOwner())}\n`);
      return fstatSync(fd, { bigint: true }).ino;
    } finally {
      closeSync(fd);
    }
  }
}

/** A lock file judged abandoned: its stats then, and the holder it named when that is why. */
export interface Judged {
  st: BigIntStats;
  owner?: string;
}

/** The lock file `st` when its holder is gone (untouched for staleMs, or its owner dead); false otherwise. */
async function abandoned(lockFile: string, st: BigIntStats, staleMs: number): Promise<Judged | false> {
  if (Date.now() - Number(st.mtimeMs) > staleMs) return { st };
  // Empty or half-written while its maker writes it (or an older format): owner unknown, judged by age only.
  const text = await readFile(lockFile, 'utf8').catch(() => undefined);
  return text !== undefined && (await ownerIsGone(parseOwner(text))) ? { st, owner: text } : false;
}

/** Keeps the lock fresh while held; the release stops that and removes the file, if it is still ours. */
function holding(lockFile: string, ino: bigint, staleMs: number, ours?: () => Promise<boolean>): () => Promise<void> {
  const touch = setInterval(() => {
    const now = new Date();
    utimes(lockFile, now, now).catch(() => {});
  }, Math.max(10, staleMs / 6));
  touch.unref();
  return async () => {
    clearInterval(touch);
    // After a takeover (we hung past staleMs) the file is someone else's: leave it. A lease (`ours` given) checks its
    // owner line too, as a file made anew after a takeover may get our inode number back: the awaited path below.
    if (quick.sync && !ours) {
      quick.timed(() => {
        const st = lstatSync(lockFile, { bigint: true, throwIfNoEntry: false });
        if (st?.ino === ino) {
          try {
            unlinkSync(lockFile);
          } catch {
            // gone already: released is released
          }
        }
      });
      return;
    }
    const st = await lstat(lockFile, { bigint: true }).catch(() => undefined);
    if (st?.ino === ino && (!ours || (await ours()))) await unlink(lockFile).catch(() => {});
  };
}

/**
 * Removes the abandoned lock file `judged`, holding `<lock>.break` meanwhile (see the file comment). It must still
 * be the file judged: same inode and mtime, and, when judged by its dead owner, still naming that owner (a
 * reused inode number with a coarse mtime could otherwise pass for it). It is moved aside rather than unlinked,
 * and linked back should it not be the judged one after all (its hung holder woke, released it, and someone
 * took the lock anew in between). Exported for the test of the takeover race: a contender acting on a judgement
 * another has already acted on.
 */
export async function breakLock(lockFile: string, judged: Judged, staleMs: number): Promise<void> {
  const breaker = `${lockFile}${BREAK_SUFFIX}`;
  const ino = await create(breaker, false).catch(() => undefined);
  if (ino === undefined) {
    // Another is breaking it now, for microseconds; its marker outlives it only if it died doing so.
    const st = await lstat(breaker, { bigint: true }).catch(() => undefined);
    if (st && Date.now() - Number(st.mtimeMs) > staleMs) await moveAway(breaker, st.ino);
    return;
  }
  try {
    const now = await lstat(lockFile, { bigint: true }).catch(() => undefined);
    if (now?.ino !== judged.st.ino || now.mtimeNs !== judged.st.mtimeNs) return;
    if (judged.owner !== undefined && (await readFile(lockFile, 'utf8').catch(() => undefined)) !== judged.owner) return;
    await moveAway(lockFile, judged.st.ino);
  } finally {
    await unlink(breaker).catch(() => {});
  }
}

/** Removes `file` if it is the inode `ino`: renamed aside, checked, and linked back when it was another. */
async function moveAway(file: string, ino: bigint): Promise<void> {
  const aside = `${file}${ASIDE_INFIX}${randomBytes(4).toString('hex')}`;
  if (!(await rename(file, aside).then(() => true, () => false))) return;
  const st = await lstat(aside, { bigint: true }).catch(() => undefined);
  if (st && st.ino !== ino) await link(aside, file).catch(() => {});
  await unlink(aside).catch(() => {});
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as LockOwner;
    return typeof owner === 'object' && owner !== null && typeof owner.pid === 'number' ? owner : undefined;
  } catch {
    return undefined;
  }
}
