/**
 * The users and keys of a gateway: one JSON file in its state directory (mode 0600: secrets inside), shared by
 * every gateway process and the command line on the same tree. Written whole, aside and renamed, under a lock
 * file, so readers never see half a file and concurrent writers never lose each other's change.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';

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

export interface UsersDoc {
  version: 1;
  users: Record<string, StoredUser>;
}

/** The file's name in the state directory. */
export const USERS_FILE = 'users.json';

/** A lock older than this is left by a writer that died: it is broken. */
const STALE_LOCK_MS = 10_000;
/** How long a writer waits for the lock before giving up. */
const LOCK_WAIT_MS = 15_000;

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
  const release = await lock(`${file}.lock`);
  try {
    const doc = await readUsers(file);
    const result = change(doc);
    await writeAtomically(file, JSON.stringify(doc, null, 2) + '\n');
    return result;
  } finally {
    await release();
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await fh.close();
  await rename(tmp, file);
  const dir = await open(path.dirname(file), constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Takes the lock file (O_EXCL), breaking one left by a dead writer; returns its release. */
async function lock(lockFile: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let i = 0; i < 10_000; i++) {
    try {
      const fh = await open(lockFile, 'wx', 0o600);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return () => unlink(lockFile).catch(() => {});
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const st = await stat(lockFile).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > STALE_LOCK_MS) {
      // Renamed away first, so two writers breaking the same stale lock cannot remove a fresh one.
      const aside = `${lockFile}.stale-${randomBytes(4).toString('hex')}`;
      if (await rename(lockFile, aside).then(() => true, () => false)) await unlink(aside).catch(() => {});
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${lockFile}: another writer holds the users file lock (remove the file if no dirbucket command is running)`);
    await sleep(20 + Math.random() * 30);
  }
  throw new Error(`${lockFile}: could not take the lock`);
}
