/**
 * What each bucket's file system can do, for the admin API (GET /admin/v1/server): its type, whether it is a
 * network file system, and the three capabilities the gateway relies on — user.* extended attributes (object
 * metadata in xattrs, else sidecar files), reflinks (copies that share blocks) and the immutable attribute
 * (object lock enforced by the kernel). Probed once per bucket and process, in the bucket's staging directory.
 */
import { constants } from 'node:fs';
import { copyFile, statfs, unlink, writeFile } from 'node:fs/promises';
import { scratchName } from '../../fsutil/lock-owner.js';
import { networkFsOf } from '../../fsutil/network-fs.js';
import type { Bucket } from './buckets/bucket.js';
import { acceptsUserXattrs } from './metadata/detect.js';
import { lockEnforcement } from './object-lock/enforcement.js';

/** One bucket directory and its file system's capabilities. */
export interface FileSystemReport {
  what: string;
  dir: string;
  type: string;
  network: boolean;
  xattrs: boolean;
  reflink: boolean;
  immutable: boolean;
  /** Why the capabilities could not be probed (they read false). */
  problem?: string;
}

/** statfs f_type values of local file systems people serve from (linux/magic.h). */
const LOCAL_TYPES: ReadonlyMap<number, string> = new Map([
  [0xef53, 'ext4'], [0x58465342, 'xfs'], [0x9123683e, 'btrfs'], [0x2fc12fc1, 'zfs'], [0x01021994, 'tmpfs'],
  [0x794c7630, 'overlay'], [0xf2f52010, 'f2fs'], [0x4d44, 'vfat'], [0x5346544e, 'ntfs'],
]);

const probed = new WeakMap<Bucket, Promise<FileSystemReport>>();

/** Whether a copy in `dir` can share the source's blocks: a FICLONE copy that must not fall back to copying. */
async function canReflink(dir: string): Promise<boolean> {
  const src = `${dir}/${scratchName('reflink-probe')}`;
  const dst = `${dir}/${scratchName('reflink-copy')}`;
  try {
    await writeFile(src, 'x', { flag: 'wx', mode: 0o600 });
    await copyFile(src, dst, constants.COPYFILE_FICLONE_FORCE | constants.COPYFILE_EXCL);
    return true;
  } catch {
    return false;
  } finally {
    await unlink(dst).catch(() => {});
    await unlink(src).catch(() => {});
  }
}

/** `bucket`'s file system report (read-only buckets are not probed by writing: capabilities false). */
export function fileSystemReport(bucket: Bucket): Promise<FileSystemReport> {
  let p = probed.get(bucket);
  if (!p) {
    p = (async () => {
      const network = await networkFsOf(bucket.dir);
      const type = network ?? (await statfs(bucket.dir).then((s) => LOCAL_TYPES.get(Number(s.type)) ?? `0x${Number(s.type).toString(16)}`, () => 'unknown'));
      const base = { what: `bucket ${bucket.name}`, dir: bucket.dir, type, network: network !== undefined };
      if (bucket.access.readOnly) return { ...base, xattrs: false, reflink: false, immutable: false };
      let tmp: string;
      try {
        tmp = await bucket.ensureTmpDir();
      } catch (e) {
        // One bucket the gateway cannot write to must not hide the others: it is reported with why.
        return { ...base, xattrs: false, reflink: false, immutable: false, problem: `cannot probe: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
      }
      return {
        ...base,
        xattrs: await acceptsUserXattrs(tmp).catch(() => false),
        reflink: await canReflink(tmp),
        immutable: (await lockEnforcement(bucket)) === 'file-system',
      };
    })();
    probed.set(bucket, p);
    // A failed probe is tried again next time.
    p.catch(() => probed.delete(bucket));
  }
  return p;
}
