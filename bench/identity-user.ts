/**
 * The bench as an ordinary user: `--identity UID:GID[:G1,G2]` makes a user with that POSIX identity (read-write on
 * every bench bucket, may create buckets) and a key for it in the served root's users file, so every request goes
 * through the S3-rights and file-system checks that the administrator, as root, skips.
 */
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { createKey, addUser, grantBucket, parseId } from '../src/accounts/user-admin.js';
import { updateUsers, USERS_FILE } from '../src/accounts/users-file.js';
import type { Identity } from '../src/accounts/identity.js';
import type { Credentials } from '../test/helpers/sigv4.js';

/** The buckets the phases use: granted up front, as `bench-list-disk` is made on disk, not through S3. */
const BENCH_BUCKETS = ['bench-small', 'bench-large', 'bench-sdk', 'bench-list-disk', 'bench-list-s3'];

/** Parses `UID:GID` or `UID:GID:G1,G2`. */
export function parseIdentity(text: string): Identity {
  const [uid, gid, groups] = text.split(':');
  if (uid === undefined || gid === undefined) throw new Error(`--identity: expected UID:GID[:G1,G2], got "${text}"`);
  return { uid: parseId(uid, '--identity uid'), gid: parseId(gid, '--identity gid'), groups: groups ? groups.split(',').map((g) => parseId(g, '--identity group')) : [] };
}

/** Adds the bench user to `root`'s users file and returns its key; the root is opened to others as a NAS share would be. */
export async function prepareIdentityUser(root: string, who: Identity): Promise<Credentials> {
  await chmod(root, 0o755);
  const key = await updateUsers(join(root, '.dirbucket', USERS_FILE), (doc) => {
    addUser(doc, { name: 'bench', identity: who, admin: false, canCreateBuckets: true });
    for (const b of BENCH_BUCKETS) grantBucket(doc, 'bench', b, 'read-write');
    return createKey(doc, 'bench');
  });
  return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
}
