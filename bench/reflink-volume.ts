/**
 * A reflink-capable file system for the bench: an XFS image (reflink=1) on a loop device, made and mounted for
 * the run and removed after. Only as root; mkfs.xfs comes from xfsprogs, installed with apt-get if missing.
 * When it cannot be made, says why, and the bench records that instead of a figure.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ReflinkVolume {
  /** The mounted file system's root (empty, writable). */
  dir: string;
  /** Unmounts and removes the image. */
  remove(): Promise<void>;
}

function run(cmd: string, args: string[], timeoutMs = 300_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    let out = '';
    const add = (c: Buffer) => {
      if (out.length < 20_000) out += c.toString('utf8');
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, out: String(e) });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** The path of mkfs.xfs, installing xfsprogs if needed and allowed; undefined with a reason otherwise. */
async function mkfsXfs(log: (m: string) => void): Promise<string | { reason: string }> {
  for (const p of ['/usr/sbin/mkfs.xfs', '/sbin/mkfs.xfs']) if (existsSync(p)) return p;
  log('installing xfsprogs (apt-get) for the reflink run…');
  const upd = await run('apt-get', ['update', '-qq']);
  const inst = upd.code === 0 ? await run('apt-get', ['install', '-y', '-qq', 'xfsprogs']) : upd;
  for (const p of ['/usr/sbin/mkfs.xfs', '/sbin/mkfs.xfs']) if (existsSync(p)) return p;
  return { reason: `xfsprogs could not be installed: ${inst.out.trim().split('\n').slice(-2).join(' ')}` };
}

/** Makes and mounts an XFS image of `sizeGiB` (sparse) with reflink on; or the reason it cannot. */
export async function makeReflinkVolume(sizeGiB: number, log: (m: string) => void): Promise<ReflinkVolume | { reason: string }> {
  if (process.getuid?.() !== 0) return { reason: 'not root: cannot make and mount a loop file system' };
  const mkfs = await mkfsXfs(log);
  if (typeof mkfs !== 'string') return mkfs;
  const work = await mkdtemp(join(tmpdir(), 'dirbucket-bench-xfs-'));
  const image = join(work, 'xfs.img');
  const mnt = join(work, 'mnt');
  await mkdir(mnt);
  const cleanup = async () => {
    await run('umount', [mnt]);
    await rm(work, { recursive: true, force: true });
  };
  const steps: [string, string[]][] = [
    ['truncate', ['-s', `${sizeGiB}G`, image]],
    [mkfs, ['-q', '-f', '-m', 'reflink=1', image]],
    ['mount', ['-o', 'loop', image, mnt]],
  ];
  for (const [cmd, args] of steps) {
    const r = await run(cmd, args);
    if (r.code !== 0) {
      await cleanup();
      return { reason: `${cmd} ${args.join(' ')} failed: ${r.out.trim().slice(0, 300)}` };
    }
  }
  return { dir: mnt, remove: cleanup };
}

/** Blocks in use on the file system at `dir` (df), to show that a Complete shared extents instead of copying. */
export async function usedBytes(dir: string): Promise<number> {
  const r = await run('df', ['--output=used', '-B1', dir]);
  return Number(r.out.trim().split('\n').pop());
}
