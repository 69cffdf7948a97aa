/**
 * Changes to the users file that the command line makes: add and remove users, create and revoke keys, grant
 * and revoke bucket access, set a bucket's identity. Each edits a document in place and throws an Error with a clear message.
 */
import { newKeyPair } from './admin-credentials.js';
import { isValidBucketName } from '../config/bucket-name.js';
import type { Identity } from './identity.js';
import { ADMIN_USER } from './user-directory.js';
import type { BucketAccess, StoredIdentity, StoredKey, StoredUser, UsersDoc } from './users-file.js';
import type { NamedIdentity } from './identity-spec.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;
/** The largest uid or gid: (uid_t)-1 is "no id" to the kernel. */
const MAX_ID = 0xfffffffe;

/** What `user add` knows of a new user. */
export interface NewUser {
  name: string;
  identity: Identity;
  systemUser?: string;
  admin: boolean;
  canCreateBuckets: boolean;
}

/** A uid or gid from the command line; throws naming the option. */
export function parseId(text: string, what: string): number {
  const n = /^\d{1,10}$/.test(text.trim()) ? Number(text) : NaN;
  if (!(n >= 0 && n <= MAX_ID)) throw new Error(`${what}: "${text}" is not a valid id (a number from 0 to ${MAX_ID})`);
  return n;
}

/** Adds a user; an existing name or the reserved administrator name is refused. */
export function addUser(doc: UsersDoc, u: NewUser): StoredUser {
  if (!NAME.test(u.name)) throw new Error(`"${u.name}" is not a valid user name (letters, digits and . _ @ + -, up to 64, starting with a letter or digit)`);
  if (u.name === ADMIN_USER) throw new Error(`"${ADMIN_USER}" is the start-up administrator's name; choose another`);
  if (Object.hasOwn(doc.users, u.name)) throw new Error(`user "${u.name}" already exists`);
  const user: StoredUser = {
    name: u.name, uid: u.identity.uid, gid: u.identity.gid, groups: [...new Set(u.identity.groups)].filter((g) => g !== u.identity.gid),
    ...(u.systemUser ? { systemUser: u.systemUser } : {}),
    admin: u.admin, canCreateBuckets: u.canCreateBuckets, buckets: {}, keys: [], created: new Date().toISOString(),
  };
  doc.users[u.name] = user;
  return user;
}

/** The user `name`; throws "no such user" otherwise. */
export function userOf(doc: UsersDoc, name: string): StoredUser {
  if (!Object.hasOwn(doc.users, name)) {
    throw new Error(`no user "${name}"${Object.keys(doc.users).length ? ` (users: ${Object.keys(doc.users).sort().join(', ')})` : ' (there are no users yet: dirbucket user add)'}`);
  }
  return doc.users[name]!;
}

/** Removes a user and with it all their keys. */
export function removeUser(doc: UsersDoc, name: string): StoredUser {
  const user = userOf(doc, name);
  delete doc.users[name];
  return user;
}

/** A new key for `name`, expiring after `expiresInMs` when given. The secret is returned once, here. */
export function createKey(doc: UsersDoc, name: string, expiresInMs?: number, now = new Date()): StoredKey {
  const user = userOf(doc, name);
  const taken = new Set(Object.values(doc.users).flatMap((u) => u.keys.map((k) => k.accessKeyId)));
  let pair = newKeyPair();
  for (let i = 0; taken.has(pair.accessKeyId) && i < 10; i++) pair = newKeyPair();
  const key: StoredKey = { ...pair, created: now.toISOString() };
  if (expiresInMs !== undefined) key.expires = new Date(now.getTime() + expiresInMs).toISOString();
  user.keys.push(key);
  return key;
}

/** Revokes a key by its access key id: it stays listed, refused from now on. */
export function revokeKey(doc: UsersDoc, accessKeyId: string, now = new Date()): { user: StoredUser; key: StoredKey } {
  for (const user of Object.values(doc.users)) {
    const key = user.keys.find((k) => k.accessKeyId === accessKeyId);
    if (key) {
      if (key.revoked) throw new Error(`key ${accessKeyId} of user "${user.name}" was already revoked on ${key.revoked}`);
      key.revoked = now.toISOString();
      return { user, key };
    }
  }
  throw new Error(`no key ${accessKeyId} (dirbucket key list shows the keys)`);
}

/** 'active', 'expired' or 'revoked'. */
export function keyStatus(key: StoredKey, now = new Date()): 'active' | 'expired' | 'revoked' {
  if (key.revoked) return 'revoked';
  if (key.expires && new Date(key.expires).getTime() <= now.getTime()) return 'expired';
  return 'active';
}

/** Parses `read`, `read-only` or `read-write`. */
export function parseAccess(text: string): BucketAccess {
  if (text === 'read' || text === 'read-only') return 'read-only';
  if (text === 'read-write') return 'read-write';
  throw new Error(`"${text}" is not an access level: expected read (read-only) or read-write`);
}

/** Grants `name` access to `bucket` (replacing an earlier grant). */
export function grantBucket(doc: UsersDoc, name: string, bucket: string, access: BucketAccess): void {
  if (!isValidBucketName(bucket)) throw new Error(`"${bucket}" is not a valid bucket name`);
  userOf(doc, name).buckets[bucket] = access;
}

/** Takes `name`'s access to `bucket` away. */
export function revokeBucket(doc: UsersDoc, name: string, bucket: string): void {
  const user = userOf(doc, name);
  if (!Object.hasOwn(user.buckets, bucket)) throw new Error(`user "${name}" has no grant on bucket "${bucket}"`);
  delete user.buckets[bucket];
}

/** Sets the identity requests to `bucket` act as in identity mode `bucket` (replacing an earlier one). */
export function setBucketIdentity(doc: UsersDoc, bucket: string, named: NamedIdentity): StoredIdentity {
  if (!isValidBucketName(bucket)) throw new Error(`"${bucket}" is not a valid bucket name`);
  const { uid, gid, groups } = named.identity;
  const stored: StoredIdentity = { uid, gid, groups: [...new Set(groups)].filter((g) => g !== gid), ...(named.systemUser ? { systemUser: named.systemUser } : {}) };
  (doc.bucketIdentities ??= {})[bucket] = stored;
  return stored;
}

/** Removes `bucket`'s identity: its requests act as its creator's again. */
export function clearBucketIdentity(doc: UsersDoc, bucket: string): void {
  if (!doc.bucketIdentities || !Object.hasOwn(doc.bucketIdentities, bucket)) throw new Error(`bucket "${bucket}" has no identity set`);
  delete doc.bucketIdentities[bucket];
}
