/**
 * What lies at the root as the command line sees it without a running server: the buckets a gateway on this
 * --root or --config would serve (the root's subdirectories with valid bucket names, and the configuration's mapped
 * buckets), which `bucket grant` names when asked for one that does not exist; and the subdirectories that are not
 * buckets because S3 does not allow their names, which start-up lists so that nobody wonders where they went.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { isValidBucketName } from '../config/bucket-name.js';
import { loadConfigFile } from '../config/config.js';

/** The names, sorted; `root` on the command line wins over the configuration file's, as for serve. */
export function knownBuckets(opts: { root?: string; config?: string }): string[] {
  const file = opts.config ? loadConfigFile(opts.config) : {};
  const root = opts.root ? path.resolve(opts.root) : file.root;
  const names = new Set((file.buckets ?? []).map((b) => b.name));
  if (root !== undefined) {
    let entries: string[] = [];
    try {
      entries = readdirSync(root);
    } catch {
      // An unreadable root has no buckets to name; serve itself reports why.
    }
    for (const name of entries) {
      if (!isValidBucketName(name)) continue;
      // Followed as serve follows a bucket symlink at the root: what matters is that a directory is there.
      if (statSync(path.join(root, name), { throwIfNoEntry: false })?.isDirectory()) names.add(name);
    }
  }
  return [...names].sort();
}

/**
 * The root's subdirectories whose names are not valid bucket names, sorted. Hidden ones (a leading dot: the
 * gateway's own state, snapshots, trash) are left out: nobody expects those as buckets.
 */
export function notBucketDirectories(root: string): string[] {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => !e.name.startsWith('.') && !isValidBucketName(e.name)
      && (e.isDirectory() || (e.isSymbolicLink() && statSync(path.join(root, e.name), { throwIfNoEntry: false })?.isDirectory() === true)))
    .map((e) => e.name)
    .sort();
}
