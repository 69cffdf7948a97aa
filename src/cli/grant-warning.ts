/**
 * `bucket grant`'s warning: in identity mode `user` a request acts as its user's own identity, so an S3 grant the
 * file system does not match is a grant in name only. Said at once, with the commands that would match it.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { describeIdentity, type Identity } from '../accounts/identity.js';
import type { BucketAccess } from '../accounts/users-file.js';
import { loadConfigFile } from '../config/config.js';
import { fsAccessFor } from '../storage/posix/permissions/fs-access.js';
import { shellWord } from './users-args.js';

/** Where the grant is made: the --root or --config given, and the granted user. */
export interface GrantFacts {
  root?: string;
  config?: string;
  bucket: string;
  user: string;
  identity: Identity;
  access: BucketAccess;
  /** The bucket has an identity set (`dirbucket bucket identity`): requests to it act as that, not as the user. */
  bucketHasIdentity: boolean;
}

/**
 * The warning to print when `user`'s identity may not list (read-only) or also create entries in (read-write) the
 * bucket's directory, as the kernel would decide it; undefined when it may, when requests to the bucket do not act
 * as the user (identity mode `bucket` in the configuration, an identity set for it), or when the directory is not
 * to be found from here (--root or --config given for this tree, not the mode: it cannot know a --identity-mode
 * given only to serve).
 */
export function grantWarning(g: GrantFacts): string | undefined {
  const file = g.config ? loadConfigFile(g.config) : {};
  const mapped = file.buckets?.find((b) => b.name === g.bucket);
  if (g.bucketHasIdentity || mapped?.identity !== undefined || (mapped?.identityMode ?? file.identityMode) === 'bucket') return undefined;
  const root = g.root !== undefined ? path.resolve(g.root) : file.root;
  const dir = mapped?.path ?? (root !== undefined ? path.join(root, g.bucket) : undefined);
  const st = dir === undefined ? undefined : statSync(dir, { throwIfNoEntry: false });
  const check = fsAccessFor(g.identity);
  if (!st?.isDirectory() || !check) return undefined;
  const canList = check.canList(dir!);
  let canWrite = true;
  try {
    if (g.access === 'read-write') check.create(dir!);
  } catch {
    canWrite = false;
  }
  if (canList && canWrite) return undefined;
  const bits = g.access === 'read-write' ? 'rwX' : 'rX';
  const where = shellWord(dir!);
  return `Warning: with --identity-mode user (the default), ${g.user}'s requests act as ${describeIdentity(g.identity)}, which may not ${canList ? 'create files in' : 'list'} ` +
    `the directory of bucket ${g.bucket} (${dir}: uid ${st.uid}, gid ${st.gid}, mode ${(st.mode & 0o7777).toString(8)}); the file system will refuse what the grant allows.\n` +
    `  To let it:  setfacl -R -m u:${g.identity.uid}:${bits},d:u:${g.identity.uid}:${bits} ${where}\n` +
    `  or:         chown -R ${g.identity.uid}:${g.identity.gid} ${where}\n` +
    `  or serve with --identity-mode bucket: every request to a bucket then acts as the bucket's identity.\n`;
}
