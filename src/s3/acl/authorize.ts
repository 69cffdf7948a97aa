/**
 * What ACL grants allow: whether a grant in the object's or bucket's ACL gives a principal the permission an
 * operation needs, as S3 maps ACL permissions to operations. Authorization (access/authorize-request.ts) asks
 * only when neither the user's bucket rights nor the bucket policy allow a request, so requests allowed
 * otherwise cost nothing more. The file-system check for the principal's identity follows in the back end
 * either way: a grant never opens more than the file system allows it.
 */
import type { AccessControlList, Backend, Permission } from '../../storage/backend.js';
import { aclContextOf, bucketAcl, isPublicGrant, objectAcl } from './context.js';
import { ALL_USERS, AUTHENTICATED_USERS } from './grants.js';
import { ownerOf } from '../owner.js';
import type { GrantNeed } from '../operations.js';
import type { Principal } from '../types.js';

/**
 * Whether `acl` gives `p` the permission: to the user by id, to authenticated users, or to everyone. With
 * `ignorePublic` (the bucket's IgnorePublicAcls), grants to everyone and to authenticated users count for nothing.
 */
export function grantsPermission(acl: AccessControlList, p: Principal, permission: Permission, ignorePublic = false): boolean {
  const id = p.anonymous ? undefined : ownerOf(p.user).ID;
  // The owner may always read and change the ACL of what they own.
  if (!p.anonymous && acl.owner === p.user && (permission === 'READ_ACP' || permission === 'WRITE_ACP')) return true;
  return acl.grants.some((g) => {
    if (g.permission !== permission && g.permission !== 'FULL_CONTROL') return false;
    if (ignorePublic && isPublicGrant(g)) return false;
    const who = g.grantee;
    if (who.type === 'Group') return who.uri === ALL_USERS || (who.uri === AUTHENTICATED_USERS && !p.anonymous);
    return id !== undefined && who.id === id;
  });
}

/** Where a grant is looked for: a bucket, or an object in it. */
export interface GrantTarget {
  backend: Backend;
  principal: Principal;
  bucket: string;
  key?: string;
}

/** Whether a grant on the bucket (or on the object in it) gives the principal what `need` asks. Missing objects grant nothing. */
export async function aclAllows(t: GrantTarget, need: GrantNeed): Promise<boolean> {
  try {
    const ctx = await aclContextOf({ backend: t.backend, bucket: t.bucket });
    if (ctx.ownership === 'BucketOwnerEnforced') return false; // ACLs disabled: they grant nothing
    let acl: AccessControlList;
    if (need.on === 'object') {
      if (t.key === undefined) return false;
      const info = await t.backend.headObject({ bucket: t.bucket, key: t.key }).catch(() => undefined);
      if (!info) return false;
      acl = objectAcl(info, ctx);
    } else {
      acl = bucketAcl(await t.backend.getBucketConfig({ bucket: t.bucket, name: 'acl' }), ctx);
    }
    return grantsPermission(acl, t.principal, need.permission, ctx.publicAccessBlock?.ignorePublicAcls === true);
  } catch {
    return false;
  }
}
