/** A user as shown to people and the admin API: everything but the keys' secrets, each key with its status. */
import { keyStatus } from './user-admin.js';
import type { StoredKey, StoredUser } from './users-file.js';

/** A key without its secret, with its status now. */
export type PublicKey = Omit<StoredKey, 'secretAccessKey'> & { status: ReturnType<typeof keyStatus> };

/** A user without key secrets. */
export type PublicUser = Omit<StoredUser, 'keys'> & { keys: PublicKey[] };

/** `u` with its keys' secrets left out. */
export function publicUser(u: StoredUser): PublicUser {
  return { ...u, keys: u.keys.map(({ secretAccessKey: _secret, ...k }) => ({ ...k, status: keyStatus({ secretAccessKey: '', ...k }) })) };
}
