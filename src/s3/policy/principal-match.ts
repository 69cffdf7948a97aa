/**
 * Whether a statement's Principal names the requester. dirbucket is one account, so an account (its
 * 12-digit id or `arn:aws:iam::<id>:root`) names every authenticated user; a user is named by name, by
 * user ARN (any account id, any path) or by canonical id. `*` names everybody, anonymous requests included.
 */
import type { PrincipalSet } from './policy-document.js';
import type { PolicyPrincipal } from './request-conditions.js';

/** An account, as a bare id or its root ARN. */
export const ACCOUNT_PRINCIPAL = /^(\d{12}|arn:aws:iam::\d{12}:root)$/;
/** A user ARN; the name is the last path segment. */
export const USER_ARN = /^arn:aws:iam::\d{12}:user\/(?:[\x21-\x7e]*\/)?([^/]+)$/;
/** A canonical user id, 64 hex digits. */
export const CANONICAL_ID = /^[0-9a-f]{64}$/i;

/** Whether one `AWS` entry names the requester (undefined: anonymous). */
function awsEntryNames(entry: string, who: PolicyPrincipal | undefined): boolean {
  if (entry === '*') return true;
  if (!who) return false;
  if (ACCOUNT_PRINCIPAL.test(entry)) return true;
  if (CANONICAL_ID.test(entry)) return entry.toLowerCase() === who.canonicalId.toLowerCase();
  const arn = USER_ARN.exec(entry);
  return (arn ? arn[1] : entry) === who.user;
}

/** Whether the principal set names the requester. */
export function principalMatches(set: PrincipalSet, who: PolicyPrincipal | undefined): boolean {
  if (set.kind === 'any') return true;
  if (set.aws.some((e) => awsEntryNames(e, who))) return true;
  return who !== undefined && set.canonical.some((id) => id.toLowerCase() === who.canonicalId.toLowerCase());
}
