/**
 * The users and keys of a gateway: one JSON file in its state directory (mode 0600: secrets inside), shared by
 * every gateway process and the command line on the same tree. Written whole, aside and renamed, under a lock
 * file, so readers never see half a file and concurrent writers never lose each other's change.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { updateJsonFile } from '../fsutil/update-json-file.js';

/** A user's S3 access to one bucket. */
export type BucketAccess = 'read-only' | 'read-write';

export interface StoredKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** ISO 8601 instants. */
  created: string;
  expires?: string;
  revoked?: string;
}

export interface StoredUser {
  name: string;
  uid: number;
  gid: number;
  groups: number[];
  /** The login the identity was looked up from, if it was. */
  systemUser?: string;
  admin: boolean;
  canCreateBuckets: boolean;
  /** Grants by bucket name. */
  buckets: Record<string, BucketAccess>;
  keys: StoredKey[];
  created: string;
}

/** The identity a bucket's requests act as in identity mode `bucket` (`dirbucket bucket identity`). */
export interface StoredIdentity {
  uid: number;
  gid: number;
  groups: number[];
  /** The login the identity was looked up from, if it was. */
  systemUser?: string;
}

export interface UsersDoc {
  version: 1;
  users: Record<string, StoredUser>;
  /** Identities set for buckets, by bucket name: kept here, out of reach of the NAS users of the bucket's tree. */
  bucketIdentities?: Record<string, StoredIdentity>;
}

/** The file's name in the state directory. */
export const USERS_FILE = 'users.json';

/** An empty document. */
export function emptyUsers(): UsersDoc {
  return { version: 1, users: {} };
}

/** Parses and checks the file's text; throws an Error naming the problem. */
export function parseUsers(text: string, file: string): UsersDoc {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const d = doc as Partial<UsersDoc>;
  if (typeof d !== 'object' || d === null || d.version !== 1 || typeof d.users !== 'object' || d.users === null) {
    throw new Error(`${file}: not a dirbucket users file (expected {"version": 1, "users": {...}})`);
  }
  for (const [name, u] of Object.entries(d.users)) {
    if (!Number.isInteger(u.uid) || !Number.isInteger(u.gid) || !Array.isArray(u.groups) || !Array.isArray(u.keys)) {
      throw new Error(`${file}: user "${name}" is damaged (uid, gid, groups and keys are required)`);
    }
    u.buckets ??= {};
  }
  for (const [bucket, b] of Object.entries(d.bucketIdentities ?? {})) {
    if (!Number.isInteger(b?.uid) || !Number.isInteger(b?.gid) || !Array.isArray(b?.groups)) {
      throw new Error(`${file}: the identity of bucket "${bucket}" is damaged (uid, gid and groups are required)`);
    }
  }
  return d as UsersDoc;
}

/** Reads the users file; a missing file is an empty one. */
export async function readUsers(file: string): Promise<UsersDoc> {
  try {
    return parseUsers(await readFile(file, 'utf8'), file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyUsers();
    throw e;
  }
}

/**
 * Read, change and write the users file under its lock. `change` edits the document in place and returns a
 * value (or throws to leave the file untouched). Resolves once the new file is durable.
 */
export async function updateUsers<T>(file: string, change: (doc: UsersDoc) => T): Promise<T> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  return updateJsonFile(file, {
    read: readUsers,
    change,
    write: { pretty: true, mode: 0o600, fsync: true, syncDir: true },
    // A lock older than 10 s was left by a writer that died; a writer waits up to 15 s for it.
    lock: { staleMs: 10_000, waitMs: 15_000, what: 'the users file lock' },
  });
}
