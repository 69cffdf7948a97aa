/**
 * The users and keys as a running gateway sees them: the users file, re-read whenever it changes (checked every
 * second by stat: mtime, inode, size), so a key created or revoked by the command line, or on another host,
 * counts here within a couple of seconds, without a restart. Plus the start-up administrator's key.
 */
import { stat } from 'node:fs/promises';
import type { Credential, CredentialStore } from './credentials.js';
import { S3Error } from '../errors/s3-error.js';
import type { Principal } from './principal.js';
import { describeIdentity, sameIdentity, type Identity } from './identity.js';
import { readUsers, updateUsers, type BucketAccess, type StoredUser, type UsersDoc } from './users-file.js';

/** The name of the start-up administrator (DIRBUCKET_ACCESS_KEY or credentials.json). */
export const ADMIN_USER = 'admin';

export interface UserDirectoryOptions {
  /** The users file. */
  file: string;
  /** The start-up administrator's key pair. */
  admin: { accessKeyId: string; secretAccessKey: string };
  /** The gateway process's identity: the administrator's. */
  self: Identity;
  /**
   * Without the right to change ownership, new files cannot belong to other identities: then only users whose
   * identity is the gateway's are served (others are refused with a message saying why).
   */
  ownIdentityOnly: boolean;
  /** How often the file is checked for changes; default 1000 ms. */
  pollMs?: number;
  /** Told when a changed file cannot be read (the previous users stay in force). */
  onError?: (err: unknown) => void;
}

interface KeyEntry {
  credential: Credential;
  user: StoredUser | undefined;
}

/** Implements the credential lookup for authentication, and turns an authenticated key into a Principal. */
export class UserDirectory implements CredentialStore {
  private keys = new Map<string, KeyEntry>();
  private users = new Map<string, StoredUser>();
  private bucketIdentities = new Map<string, Identity>();
  private version = '';
  private timer?: NodeJS.Timeout;
  private checking = false;

  private constructor(private readonly opts: UserDirectoryOptions) {}

  /** Reads the users file (missing: no users yet) and starts watching it. */
  static async open(opts: UserDirectoryOptions): Promise<UserDirectory> {
    const dir = new UserDirectory(opts);
    await dir.reload();
    dir.timer = setInterval(() => void dir.check(), opts.pollMs ?? 1000);
    dir.timer.unref();
    return dir;
  }

  /** The key `accessKeyId`, revoked and expired ones included (authentication refuses those, saying why). */
  lookup(accessKeyId: string): Credential | undefined {
    return this.keys.get(accessKeyId)?.credential;
  }

  /** Who an authenticated key acts for. AccessDenied when its user cannot be served by this gateway. */
  principal(credential: Credential): Principal {
    const stored = this.keys.get(credential.accessKeyId)?.user;
    if (!stored) {
      const self = this.opts.self;
      return { user: ADMIN_USER, accessKeyId: credential.accessKeyId, identity: self, admin: true, canCreateBuckets: true, access: () => 'read-write' };
    }
    const identity: Identity = { uid: stored.uid, gid: stored.gid, groups: stored.groups };
    if (this.opts.ownIdentityOnly && !sameIdentity(identity, this.opts.self)) {
      throw new S3Error('AccessDenied', `Access Denied: this gateway runs without the right to change file ownership, so it serves only users with its own identity (${describeIdentity(this.opts.self)}); user '${stored.name}' has ${describeIdentity(identity)}.`);
    }
    const buckets = stored.buckets;
    return {
      user: stored.name,
      accessKeyId: credential.accessKeyId,
      identity,
      admin: stored.admin,
      canCreateBuckets: stored.admin || stored.canCreateBuckets,
      access: stored.admin ? () => 'read-write' : (bucket) => (Object.hasOwn(buckets, bucket) ? buckets[bucket]! : 'none'),
    };
  }

  /** The identity of user `name`; the start-up administrator's is the gateway's own. */
  userIdentity(name: string): Identity | undefined {
    if (name === ADMIN_USER) return this.opts.self;
    const u = this.users.get(name);
    return u && { uid: u.uid, gid: u.gid, groups: u.groups };
  }

  /** The identity set for `bucket` (`dirbucket bucket identity`), if one is. */
  bucketIdentity(bucket: string): Identity | undefined {
    return this.bucketIdentities.get(bucket);
  }

  /**
   * A bucket was created by `user`: they get read-write on it, and grants other users held for an earlier
   * bucket of the same name are dropped (until granted, nobody else has access), as is its identity.
   */
  async bucketCreated(user: string, bucket: string): Promise<void> {
    await updateUsers(this.opts.file, (doc) => {
      for (const u of Object.values(doc.users)) delete u.buckets[bucket];
      if (doc.users[user]) doc.users[user].buckets[bucket] = 'read-write';
      if (doc.bucketIdentities) delete doc.bucketIdentities[bucket];
    });
    await this.reload();
  }

  /** A bucket was deleted: grants on it and its identity go with it, so a later bucket of that name starts without them. */
  async bucketDeleted(bucket: string): Promise<void> {
    await updateUsers(this.opts.file, (doc) => {
      for (const u of Object.values(doc.users)) delete u.buckets[bucket];
      if (doc.bucketIdentities) delete doc.bucketIdentities[bucket];
    });
    await this.reload();
  }

  /** Stops watching. */
  close(): void {
    clearInterval(this.timer);
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      if ((await this.fileVersion()) !== this.version) await this.reload();
    } catch (e) {
      this.opts.onError?.(e);
    } finally {
      this.checking = false;
    }
  }

  private async fileVersion(): Promise<string> {
    const st = await stat(this.opts.file, { bigint: true }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    return st ? `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : 'none';
  }

  /** Reads the users file now (the admin API, after changing it, so its own next request sees the change). */
  async reload(): Promise<void> {
    // The version is taken first: a change racing with the read is seen again on the next check.
    const version = await this.fileVersion();
    const doc = await readUsers(this.opts.file);
    this.index(doc);
    this.version = version;
  }

  private index(doc: UsersDoc): void {
    const keys = new Map<string, KeyEntry>();
    const users = new Map<string, StoredUser>();
    const { admin } = this.opts;
    keys.set(admin.accessKeyId, { credential: { ...admin, user: ADMIN_USER }, user: undefined });
    for (const u of Object.values(doc.users)) {
      users.set(u.name, u);
      for (const k of u.keys) {
        if (k.accessKeyId === admin.accessKeyId) continue; // the start-up key always means the administrator
        const credential: Credential = { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey, user: u.name };
        if (k.expires) credential.expires = new Date(k.expires);
        if (k.revoked) credential.revoked = new Date(k.revoked);
        keys.set(k.accessKeyId, { credential, user: u });
      }
    }
    this.keys = keys;
    this.users = users;
    this.bucketIdentities = new Map(Object.entries(doc.bucketIdentities ?? {}).map(([b, i]) => [b, { uid: i.uid, gid: i.gid, groups: i.groups }]));
  }

  /** The stored user `name`, if there is one (tests, diagnostics). */
  user(name: string): StoredUser | undefined {
    return this.users.get(name);
  }
}

export type { BucketAccess };
