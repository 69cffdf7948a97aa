/**
 * The staging sweep: what interrupted writes left in a bucket's tmp directory (staging files, directories made
 * aside), removed once their writer is known to be gone. Run by the server as a job (PosixBackend.stagingSweepJob),
 * on every gateway sharing the tree; safe with any number of them, as a removal that loses a race finds ENOENT.
 *
 * How a leftover is told from a live write, by its name's owner tag (fsutil/lock-owner.ts ownerTag):
 * - written on this machine (same host, boot and pid namespace): abandoned as soon as its process is gone;
 * - written on another machine: each machine's sweep touches a heartbeat file `<machine>` in the bucket's
 *   `alive/` state directory at every run. Another machine's leftovers are its own sweep's business while it beats; once its
 *   heartbeat is older than OTHER_MACHINE_STALE_MS (that machine is down, or gone for good), a file of it
 *   untouched as long is abandoned. A live write touches its file as its bytes arrive, so even a writer whose
 *   machine runs no sweep is never taken for dead while it writes;
 * - untagged (written by an older version, or a scratch file): untouched for UNTAGGED_STALE_MS.
 */
import { lstat, mkdir, readdir, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { errnoOf } from '../paths/errno.js';
import { machineOfTag, machineTag, taggedOwnerIsGone } from '../../../fsutil/lock-owner.js';

/** How often the sweep runs (and so how old a leftover of this machine can grow, and how often it beats). */
export const STAGING_SWEEP_MS = 60_000;
/** Another machine's heartbeat older than this: it is not sweeping, and its leftovers this old are abandoned. */
export const OTHER_MACHINE_STALE_MS = 10 * 60_000;
/** A staging file without an owner tag untouched this long has no writer left. */
export const UNTAGGED_STALE_MS = 6 * 60 * 60 * 1000;
/** Heartbeats of machines silent this long are removed (each boot or container is a new machine). */
const HEARTBEAT_FORGOTTEN_MS = 7 * 24 * 60 * 60 * 1000;

/** What one pass did in a tmp directory. */
export interface StagingSweepReport {
  removed: number;
  /** Left for their writer (alive, or another machine's that still beats). */
  kept: number;
}

/** Where a bucket's staging files are, and where the machines sweeping it beat. */
export interface StagingDirs {
  tmpDir: string;
  aliveDir: string;
}

/**
 * One pass over `tmpDir`: beats for this machine, then removes every entry whose writer is gone (see the module
 * comment). A missing tmp directory has nothing to sweep.
 */
export async function sweepStaging({ tmpDir, aliveDir }: StagingDirs, now = Date.now()): Promise<StagingSweepReport> {
  const report: StagingSweepReport = { removed: 0, kept: 0 };
  let names: string[];
  try {
    names = await readdir(tmpDir);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return report;
    throw e;
  }
  await beat(aliveDir);
  const beats = new Map<string, number>();
  for (const machine of await readdir(aliveDir).catch(() => [] as string[])) {
    const st = await lstat(`${aliveDir}/${machine}`).catch(() => undefined);
    if (!st) continue;
    if (now - st.mtimeMs > HEARTBEAT_FORGOTTEN_MS) await unlink(`${aliveDir}/${machine}`).catch(() => {});
    else beats.set(machine, st.mtimeMs);
  }
  for (const name of names) {
    const path = `${tmpDir}/${name}`;
    const st = await lstat(path).catch(() => undefined);
    if (!st || !(st.isFile() || st.isDirectory())) continue;
    if (await abandoned(name, st.mtimeMs, beats, now)) {
      await (st.isDirectory() ? rm(path, { recursive: true, force: true }) : unlink(path)).then(() => report.removed++, () => {});
    } else {
      report.kept++;
    }
  }
  return report;
}

/** Touches this machine's heartbeat in `aliveDir`. */
export async function beat(aliveDir: string): Promise<void> {
  const path = `${aliveDir}/${machineTag()}`;
  const now = new Date();
  await utimes(path, now, now).catch(async (e: unknown) => {
    if (errnoOf(e) !== 'ENOENT') throw e;
    await mkdir(aliveDir, { recursive: true });
    await writeFile(path, '');
  });
}

async function abandoned(name: string, mtimeMs: number, beats: Map<string, number>, now: number): Promise<boolean> {
  const tag = name.slice(name.indexOf('.') + 1);
  const machine = name.includes('.') ? machineOfTag(tag) : undefined;
  if (machine === undefined) return now - mtimeMs > UNTAGGED_STALE_MS;
  const gone = await taggedOwnerIsGone(tag);
  if (gone !== undefined) return gone;
  const lastBeat = beats.get(machine);
  if (lastBeat !== undefined && now - lastBeat <= OTHER_MACHINE_STALE_MS) return false;
  return now - mtimeMs > OTHER_MACHINE_STALE_MS;
}
