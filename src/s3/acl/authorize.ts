/**
 * The S3-rights check with ACL grants. A request the user's bucket rights allow goes on as before
 * (identity/authorize.ts); one they refuse — or any anonymous request — may still be allowed by a grant in the
 * object's or bucket's ACL, as S3 maps ACL permissions to operations. Either way the file-system check for the
 * principal's identity follows in the back end: a grant never opens more than the file system allows it.
 * Grants are read only on that refusal path, so requests allowed by rights cost nothing more.
 */
import { headerOf, type HeaderBag } from '../../http/headers.js';
import { authorize, type ToAuthorize } from '../rights/authorize.js';
import type { AccessControlList, Permission } from '../../storage/backend.js';
import { aclContextOf, bucketAcl, objectAcl } from './context.js';
import { ALL_USERS, AUTHENTICATED_USERS } from './grants.js';
import { isS3Error, S3Error } from '../../errors/s3-error.js';
import { parseCopySource } from '../ops/copy.js';
import { ownerOf } from '../owner.js';
import { operationRow, type GrantNeed } from '../operations.js';
import type { Principal } from '../types.js';

/** A copy's source is read by a grant of READ on the source object. */
const OBJECT_READ: GrantNeed = { on: 'object', permission: 'READ' };

/** The request as authorization sees it: its operation, bucket and key, who asks, and its headers (copy source). */
export interface ToAuthorizeWithAcl extends ToAuthorize {
  key?: string;
  headers: HeaderBag;
}

/** Whether `acl` gives `p` the permission: to the user by id, to authenticated users, or to everyone. */
export function grantsPermission(acl: AccessControlList, p: Principal, permission: Permission): boolean {
  const id = p.anonymous ? undefined : ownerOf(p.user).ID;
  // The owner may always read and change the ACL of what they own.
  if (!p.anonymous && acl.owner === p.user && (permission === 'READ_ACP' || permission === 'WRITE_ACP')) return true;
  return acl.grants.some((g) => {
    if (g.permission !== permission && g.permission !== 'FULL_CONTROL') return false;
    const who = g.grantee;
    if (who.type === 'Group') return who.uri === ALL_USERS || (who.uri === AUTHENTICATED_USERS && !p.anonymous);
    return id !== undefined && who.id === id;
  });
}

/** Whether a grant on `bucket` (or on `key` in it) gives `p` what `need` asks. Missing objects grant nothing. */
async function granted(req: ToAuthorize, bucket: string, key: string | undefined, need: GrantNeed): Promise<boolean> {
  const ctx = await aclContextOf({ backend: req.backend, bucket });
  if (ctx.ownership === 'BucketOwnerEnforced') return false; // ACLs disabled: they grant nothing
  let acl: AccessControlList;
  if (need.on === 'object') {
    if (key === undefined) return false;
    const info = await req.backend.headObject({ bucket, key }).catch(() => undefined);
    if (!info) return false;
    acl = objectAcl(info, ctx);
  } else {
    acl = bucketAcl(await req.backend.getBucketConfig({ bucket, name: 'acl' }), ctx);
  }
  return grantsPermission(acl, req.principal, need.permission);
}

/** The principal's own bucket rights cover `right` on `bucket`. */
function hasRight(p: Principal, bucket: string, right: 'read' | 'write'): boolean {
  const access = p.access(bucket);
  return access === 'read-write' || (access === 'read-only' && right === 'read');
}

/** Whether grants let the request through where bucket rights did not. */
async function grantsAllow(req: ToAuthorizeWithAcl): Promise<boolean> {
  const { grant: need, right } = operationRow(req.operation);
  if (!need) return false;
  const copy = right.copySource !== undefined;
  // A copy may have failed on its source alone: then the user's own write right covers the target.
  const target = (copy && hasRight(req.principal, req.bucket, 'write')) || (await granted(req, req.bucket, req.key, need).catch(() => false));
  if (!target) return false;
  if (!copy) return true;
  // A copy reads its source too: the user's read right on the source bucket, or a READ grant on the source object.
  const header = headerOf(req.headers, 'x-amz-copy-source');
  if (header === undefined) return true; // the handler refuses a missing source
  let source: { bucket: string; key: string };
  try {
    source = parseCopySource(header);
  } catch {
    return true; // the handler refuses a malformed source with its own error
  }
  return hasRight(req.principal, source.bucket, 'read') || (await granted(req, source.bucket, source.key, OBJECT_READ).catch(() => false));
}

/**
 * Throws AccessDenied unless the principal's bucket rights or an ACL grant allow the operation. An anonymous
 * request has no rights: only grants (to everyone) can let it in.
 */
export async function authorizeWithAcl(req: ToAuthorizeWithAcl): Promise<void> {
  if (req.principal.anonymous) {
    if (req.bucket !== '' && (await grantsAllow(req))) return;
    throw new S3Error('AccessDenied', 'Access Denied: anonymous requests are allowed only where an ACL grants access to everyone.');
  }
  try {
    await authorize(req);
  } catch (e) {
    if (!isS3Error(e) || e.code !== 'AccessDenied' || req.bucket === '' || !(await grantsAllow(req))) throw e;
  }
}
