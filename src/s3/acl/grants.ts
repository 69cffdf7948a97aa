/**
 * ACLs asked for by request headers: a canned ACL (x-amz-acl) expanded into grants as S3 does, or explicit
 * grants (x-amz-grant-read, -write, -read-acp, -write-acp, -full-control).
 */
import { headerOf, type HeaderBag, type HeaderName } from '../../http/headers.js';
import type { Grant, Grantee, Permission } from '../../storage/access-control.js';
import { S3Error } from '../../errors/s3-error.js';
import { ownerOf } from '../owner.js';

export const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
export const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';
const GROUPS = new Set([ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY]);

export const PERMISSIONS: readonly Permission[] = ['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP', 'FULL_CONTROL'];

export type CannedAcl = 'private' | 'public-read' | 'public-read-write' | 'authenticated-read' | 'bucket-owner-read'
  | 'bucket-owner-full-control' | 'log-delivery-write';
const CANNED: readonly CannedAcl[] = ['private', 'public-read', 'public-read-write', 'authenticated-read', 'bucket-owner-read',
  'bucket-owner-full-control', 'log-delivery-write'];

/** The grant headers and the permission each gives. */
const GRANT_HEADERS: Readonly<Record<HeaderName, Permission>> = {
  'x-amz-grant-read': 'READ',
  'x-amz-grant-write': 'WRITE',
  'x-amz-grant-read-acp': 'READ_ACP',
  'x-amz-grant-write-acp': 'WRITE_ACP',
  'x-amz-grant-full-control': 'FULL_CONTROL',
};

/** What a request's ACL headers ask for: a canned ACL, explicit grants (without the owner's), or nothing. */
export type AclHeaders = { canned: CannedAcl } | { grants: Grant[] } | undefined;


/** A user grantee by canonical id: 64 hex digits, as every owner id this gateway hands out. */
export function userGrantee(id: string): Grantee {
  if (!/^[0-9a-f]{64}$/i.test(id)) {
    throw new S3Error('InvalidArgument', `Invalid id: '${id}' is not a canonical user id.`, { ArgumentName: 'id', ArgumentValue: id });
  }
  return { type: 'CanonicalUser', id: id.toLowerCase() };
}

/** A group grantee by URI: one of S3's predefined groups. */
export function groupGrantee(uri: string): Grantee {
  if (!GROUPS.has(uri)) throw new S3Error('InvalidArgument', `Invalid group uri: '${uri}'.`, { ArgumentName: 'uri', ArgumentValue: uri });
  return { type: 'Group', uri };
}

/** A grantee by e-mail address: users here have none, so every address is unresolvable, as S3 answers. */
export function emailGrantee(email: string): never {
  throw new S3Error('UnresolvableGrantByEmailAddress', `The e-mail address '${email}' does not match any user: grant by id or group uri.`,
    { EmailAddress: email });
}

/** Parses one grant header's value: `id="…", uri="…", emailAddress="…"`, comma-separated, quotes optional. */
export function parseGrantHeader(name: string, value: string): Grant[] {
  const permission = GRANT_HEADERS[name as HeaderName]!;
  const grants: Grant[] = [];
  // Quoted values may hold commas; unquoted ones end at the next comma.
  const item = /\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([^,]*?))\s*(?:,|$)/y;
  let at = 0;
  while (at < value.length) {
    item.lastIndex = at;
    const m = item.exec(value);
    if (!m || m[0] === '') throw new S3Error('InvalidArgument', `Invalid ${name} header: '${value}'.`, { ArgumentName: name, ArgumentValue: value });
    at = item.lastIndex;
    const type = m[1]!.toLowerCase();
    const v = (m[2] ?? m[3] ?? '').trim();
    if (type === 'id') grants.push({ grantee: userGrantee(v), permission });
    else if (type === 'uri') grants.push({ grantee: groupGrantee(v), permission });
    else if (type === 'emailaddress') emailGrantee(v);
    else throw new S3Error('InvalidArgument', `Invalid grantee type '${m[1]}' in ${name}: use id or uri.`, { ArgumentName: name, ArgumentValue: value });
  }
  return grants;
}

/** Reads x-amz-acl and x-amz-grant-*; both at once is InvalidRequest, an unknown canned ACL InvalidArgument. */
export function aclHeadersOf(h: HeaderBag): AclHeaders {
  const canned = headerOf(h, 'x-amz-acl');
  const grantNames = (Object.keys(GRANT_HEADERS) as HeaderName[]).filter((n) => h[n] !== undefined);
  if (canned !== undefined && grantNames.length > 0) {
    throw new S3Error('InvalidRequest', 'Specifying both Canned ACLs and Header Grants is not allowed');
  }
  if (canned !== undefined) {
    const c = canned.trim() as CannedAcl;
    if (!CANNED.includes(c)) {
      throw new S3Error('InvalidArgument', `Canned ACL '${canned}' is not valid: use one of ${CANNED.join(', ')}.`, { ArgumentName: 'x-amz-acl', ArgumentValue: canned });
    }
    return { canned: c };
  }
  if (grantNames.length === 0) return undefined;
  return { grants: grantNames.flatMap((n) => parseGrantHeader(n, headerOf(h, n)!)) };
}

function userGrant(user: string, permission: Permission): Grant {
  const o = ownerOf(user);
  return { grantee: { type: 'CanonicalUser', id: o.ID, displayName: o.DisplayName }, permission };
}

function groupGrant(uri: string, permission: Permission): Grant {
  return { grantee: { type: 'Group', uri }, permission };
}

/** The grants of a canned ACL for an object or bucket owned by `owner` in a bucket owned by `bucketOwner`. */
export function cannedGrants(canned: CannedAcl, owner: string, bucketOwner: string): Grant[] {
  const grants = [userGrant(owner, 'FULL_CONTROL')];
  switch (canned) {
    case 'private':
      break;
    case 'public-read':
      grants.push(groupGrant(ALL_USERS, 'READ'));
      break;
    case 'public-read-write':
      grants.push(groupGrant(ALL_USERS, 'READ'), groupGrant(ALL_USERS, 'WRITE'));
      break;
    case 'authenticated-read':
      grants.push(groupGrant(AUTHENTICATED_USERS, 'READ'));
      break;
    case 'bucket-owner-read':
      if (bucketOwner !== owner) grants.push(userGrant(bucketOwner, 'READ'));
      break;
    case 'bucket-owner-full-control':
      if (bucketOwner !== owner) grants.push(userGrant(bucketOwner, 'FULL_CONTROL'));
      break;
    case 'log-delivery-write':
      grants.push(groupGrant(LOG_DELIVERY, 'WRITE'), groupGrant(LOG_DELIVERY, 'READ_ACP'));
      break;
  }
  return grants;
}

/**
 * The grants a request's headers ask for, for something owned by `owner`: a canned ACL expanded, or the explicit
 * grants as given (S3 adds nothing to them, not even the owner). Undefined when the headers ask for nothing.
 */
export function requestedGrants(asked: AclHeaders, owner: string, bucketOwner: string): Grant[] | undefined {
  if (!asked) return undefined;
  return 'canned' in asked ? cannedGrants(asked.canned, owner, bucketOwner) : asked.grants;
}
