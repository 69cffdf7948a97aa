/**
 * Which file system a directory is on, as far as the gateway's consistency cares: a network file system's client
 * caches attributes, entries and extended attributes, and may keep a file's mtime as the writing client saw it
 * until the servers have the data (MooseFS: whole seconds, set by the master). statfs(2)'s magic numbers tell.
 */
import { statfs } from 'node:fs/promises';

/** statfs f_type values of network and cluster file systems (linux/magic.h and the file systems' own). */
const NETWORK_TYPES: ReadonlyMap<number, string> = new Map([
  [0x6969, 'NFS'],
  [0x00c36400, 'CephFS'],
  [0x65735546, 'FUSE (MooseFS, GlusterFS, CephFS-fuse, ...)'],
  [0xff534d42, 'CIFS'],
  [0xfe534d42, 'SMB2'],
  [0x517b, 'SMB'],
  [0x47504653, 'GPFS'],
  [0x0bd00bd0, 'Lustre'],
  [0x013111a8, 'IBRIX'],
  [0x6b414653, 'AFS'],
]);

const known = new Map<string, Promise<string | undefined>>();

/** The kind of network file system `dir` is on, or undefined for a local one (or when statfs fails). Cached per directory. */
export function networkFsOf(dir: string): Promise<string | undefined> {
  let kind = known.get(dir);
  if (!kind) {
    kind = statfs(dir).then((s) => NETWORK_TYPES.get(Number(s.type)), () => undefined);
    if (known.size > 1000) known.clear(); // one per bucket directory: a bound, not a cache policy
    known.set(dir, kind);
  }
  return kind;
}
