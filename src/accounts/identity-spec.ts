/** An identity as an operator writes it: `UID:GID` as numbers, or a login looked up as `id` does. */
import type { Identity } from './identity.js';
import { lookupSystemUser } from './system-user.js';

/** The largest uid or gid: (uid_t)-1 is "no id" to the kernel. */
const MAX_ID = 0xfffffffe;

/** What `spec` names: the identity, and the login it was looked up from (when it was one). */
export interface NamedIdentity {
  identity: Identity;
  systemUser?: string;
}

/**
 * The identity named by `spec`: `UID:GID` (no supplementary groups), or a login with its groups as the system
 * knows them (NSS: LDAP, sssd...). Throws an Error naming `spec` when it is neither.
 */
export function parseIdentitySpec(spec: string): NamedIdentity {
  const s = spec.trim();
  const numeric = /^(\d{1,10}):(\d{1,10})$/.exec(s);
  if (numeric) {
    const [uid, gid] = [Number(numeric[1]), Number(numeric[2])];
    if (uid > MAX_ID || gid > MAX_ID) throw new Error(`"${spec}": uid and gid go from 0 to ${MAX_ID}`);
    return { identity: { uid, gid, groups: [] } };
  }
  if (s === '' || s.includes(':')) throw new Error(`"${spec}" is not an identity: expected UID:GID or a login`);
  return { identity: lookupSystemUser(s), systemUser: s };
}
