/**
 * Anonymous requests (no signature, no credentials): a principal with no S3 rights of its own, acting on the
 * file system as a configured identity (`nobody` by default), so that an ACL grant can open an object to the
 * world but never past what the file system allows that identity.
 */
import type { Principal } from '../types.js';
import type { Identity } from '../../accounts/identity.js';
import { parseIdentitySpec } from '../../accounts/identity-spec.js';

/** The user name of anonymous requests: no users-file name can have this form. */
export const ANONYMOUS_USER = '*anonymous*';

/** The default anonymous identity. */
export const DEFAULT_ANONYMOUS = 'nobody';
/** Debian's and most systems' nobody:nogroup, for hosts whose user database has no `nobody`. */
const NOBODY: Identity = { uid: 65534, gid: 65534, groups: [] };

/**
 * The identity named by `spec`: `UID:GID` as numbers, or a login looked up as `id` does (with its groups).
 * The default login `nobody` falls back to 65534:65534 where the system does not know it; another unknown login
 * is an Error naming it.
 */
export function anonymousIdentityOf(spec: string): Identity {
  try {
    return parseIdentitySpec(spec).identity;
  } catch (e) {
    if (spec.trim() === DEFAULT_ANONYMOUS) return NOBODY;
    throw e;
  }
}

/** The principal of an anonymous request: no bucket rights, no bucket creation; grants alone let it in. */
export function anonymousPrincipal(identity: Identity): Principal {
  return {
    user: ANONYMOUS_USER,
    accessKeyId: '',
    identity,
    admin: false,
    canCreateBuckets: false,
    access: () => 'none',
    anonymous: true,
  };
}
