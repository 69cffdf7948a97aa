/**
 * Whom a request acts as on the file system. Identity mode `user` (the default): its principal's own identity,
 * so the file system's permissions apply to every S3 user. Identity mode `bucket` (the product idea's model):
 * every request to a bucket acts as that bucket's identity, and S3 rights, ACLs and policies alone decide among
 * S3 users. The mode is the server's (--identity-mode), or a mapped bucket's own (`identityMode` in its entry).
 * A bucket's identity: the one set for it — `identity` in a mapped bucket's entry, else `dirbucket bucket
 * identity` — else its creator's, else the gateway's own. An identity set for a bucket is what it is for: that
 * bucket acts as it in either mode.
 */
import { describeIdentity, sameIdentity, type Identity } from '../../accounts/identity.js';
import type { Accounts, Principal } from '../../accounts/principal.js';
import { isS3Error, S3Error } from '../../errors/s3-error.js';
import type { Backend } from '../../storage/backend.js';
import type { FrontEnd } from '../handle-request.js';
import type { S3Request } from '../types.js';

/** The two models; see the module comment. */
export type IdentityMode = 'user' | 'bucket';

/** A mapped bucket's own identity settings. */
export interface BucketIdentitySetting {
  identity?: Identity;
  mode?: IdentityMode;
}

/** What the resolution reads: the mode, the configured identities, users, and the buckets' creators. */
export interface IdentitySources {
  /** The server's mode. */
  mode: IdentityMode;
  /** What mapped buckets' entries in the configuration file set: an identity, a mode of their own. */
  mapped: ReadonlyMap<string, BucketIdentitySetting>;
  /** The gateway process's own identity. */
  gateway: Identity;
  /**
   * Without the right to change file ownership, new files cannot belong to another identity: then only buckets
   * whose identity is the gateway's are served, as in mode `user` only such users are.
   */
  ownIdentityOnly?: boolean;
  credentials: Pick<Accounts, 'userIdentity' | 'bucketIdentity'>;
  backend: Pick<Backend, 'headBucket'>;
}

/** Where the identity a request acts as comes from; undefined without identity settings (mode `user`). */
export function identitySources(fe: Pick<FrontEnd, 'settings' | 'credentials' | 'backend'>): IdentitySources | undefined {
  const set = fe.settings.identities;
  return set && { ...set, credentials: fe.credentials, backend: fe.backend };
}

/**
 * The identity requests to `bucket` act as (see the module comment); undefined where they act as their
 * principals: in mode `user` without an identity set, for requests without a bucket, and for a bucket that does
 * not exist (CreateBucket then makes the directory for its creator; anything else answers NoSuchBucket).
 */
export async function bucketIdentity(src: IdentitySources, bucket: string): Promise<Identity | undefined> {
  if (bucket === '') return undefined;
  const own = src.mapped.get(bucket);
  const mode = own?.mode ?? src.mode;
  // A mapped bucket kept in mode `user` by its entry is not given an identity from the users file either.
  let found = own?.identity ?? (own?.mode === 'user' ? undefined : src.credentials.bucketIdentity(bucket));
  if (!found && mode !== 'bucket') return undefined;
  if (!found) {
    const owner = await creatorOf(src.backend, bucket);
    if (owner === null) return undefined;
    // A creator since removed from the users file has no identity left: the gateway's own, as for a bucket made on disk.
    found = (owner !== undefined ? src.credentials.userIdentity(owner) : undefined) ?? src.gateway;
  }
  if (src.ownIdentityOnly && !sameIdentity(found, src.gateway)) {
    throw new S3Error('AccessDenied', `Access Denied: this gateway runs without the right to change file ownership, so it serves only buckets whose identity is its own (${describeIdentity(src.gateway)}); bucket '${bucket}' acts as ${describeIdentity(found)}.`);
  }
  return found;
}

/**
 * The identity fields of a request by `principal` to `bucket` (S3Request.identity, identityOf, identityIn), the
 * bucket's identity resolved once. `creating`: CreateBucket, which names a bucket not there yet and acts as its
 * creator. Without `src` (no identity settings) every request acts as its principal.
 */
export async function requestIdentity(src: IdentitySources | undefined, bucket: string, principal: Principal,
  opts: { creating: boolean }): Promise<Pick<S3Request, 'identity' | 'identityOf' | 'identityIn'>> {
  const ofBucket = src && !opts.creating ? await bucketIdentity(src, bucket) : undefined;
  return {
    identity: ofBucket ?? principal.identity,
    identityOf: (p) => ofBucket ?? p.identity,
    identityIn: async (other) => (other === bucket ? ofBucket : src && (await bucketIdentity(src, other))) ?? principal.identity,
  };
}

/**
 * The user who created `bucket` through S3 (undefined: made on disk or mapped); null when there is no such bucket.
 * Read each time, not cached: a bucket deleted and made again by another user must never act as the first one.
 */
async function creatorOf(backend: Pick<Backend, 'headBucket'>, bucket: string): Promise<string | undefined | null> {
  try {
    return (await backend.headBucket({ bucket })).owner;
  } catch (e) {
    if (isS3Error(e) && e.code === 'NoSuchBucket') return null;
    throw e;
  }
}
