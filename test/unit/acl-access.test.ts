/** Who an ACL lets in (grantees, FULL_CONTROL, the owner's implicit ACP rights) and what anonymous requests act as. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grantsPermission } from '../../src/s3/acl/authorize.js';
import { ALL_USERS, AUTHENTICATED_USERS, cannedGrants } from '../../src/s3/acl/grants.js';
import { ownerOf } from '../../src/s3/owner.js';
import { ANONYMOUS_USER, anonymousIdentityOf, anonymousPrincipal } from '../../src/s3/rights/anonymous.js';
import { validateConfig } from '../../src/config/config.js';
import type { Principal } from '../../src/s3/types.js';
import type { AccessControlList } from '../../src/storage/backend.js';

const user = (name: string): Principal => ({ user: name, accessKeyId: 'K', identity: { uid: 1000, gid: 1000, groups: [] }, admin: false, canCreateBuckets: false, access: () => 'none' });
const anon = anonymousPrincipal({ uid: 65534, gid: 65534, groups: [] });

test('AllUsers grants reach everyone, AuthenticatedUsers every signed request, a user grant that user alone', () => {
  const acl: AccessControlList = { owner: 'alice', grants: [
    ...cannedGrants('private', 'alice', 'alice'),
    { grantee: { type: 'Group', uri: ALL_USERS }, permission: 'READ' },
    { grantee: { type: 'Group', uri: AUTHENTICATED_USERS }, permission: 'READ_ACP' },
    { grantee: { type: 'CanonicalUser', id: ownerOf('bob').ID }, permission: 'WRITE' },
  ] };
  assert.ok(grantsPermission(acl, anon, 'READ'));
  assert.ok(!grantsPermission(acl, anon, 'READ_ACP'));
  assert.ok(grantsPermission(acl, user('carol'), 'READ_ACP'));
  assert.ok(!grantsPermission(acl, user('carol'), 'WRITE'));
  assert.ok(grantsPermission(acl, user('bob'), 'WRITE'));
  assert.ok(grantsPermission(acl, user('alice'), 'WRITE'), 'FULL_CONTROL covers every permission');
});

test('the owner may always read and change the ACL; an anonymous request never counts as a user, whatever its name', () => {
  const acl: AccessControlList = { owner: 'alice', grants: [] };
  assert.ok(grantsPermission(acl, user('alice'), 'READ_ACP'));
  assert.ok(grantsPermission(acl, user('alice'), 'WRITE_ACP'));
  assert.ok(!grantsPermission(acl, user('alice'), 'READ'), 'explicit grants decide the rest');
  const toAnonymousName: AccessControlList = { owner: ANONYMOUS_USER, grants: [{ grantee: { type: 'CanonicalUser', id: ownerOf(ANONYMOUS_USER).ID }, permission: 'READ' }] };
  assert.ok(!grantsPermission(toAnonymousName, anon, 'READ'));
  assert.ok(!grantsPermission(toAnonymousName, anon, 'READ_ACP'));
});

test('the anonymous principal has no rights of its own and acts as the configured identity', () => {
  assert.equal(anon.anonymous, true);
  assert.equal(anon.access('any-bucket'), 'none');
  assert.equal(anon.admin || anon.canCreateBuckets, false);
  assert.deepEqual(anonymousIdentityOf('1234:5678'), { uid: 1234, gid: 5678, groups: [] });
  const nobody = anonymousIdentityOf('nobody');
  assert.equal(nobody.uid, 65534); // from the user database, or the fallback where it has no nobody
  assert.throws(() => anonymousIdentityOf('no-such-login-here'), /no-such-login-here/);
});

test('anonymousIdentity in the configuration file', () => {
  assert.equal(validateConfig({ anonymousIdentity: '99:99' }, '/').anonymousIdentity, '99:99');
  assert.equal(validateConfig({}, '/').anonymousIdentity, undefined);
  assert.throws(() => validateConfig({ anonymousIdentity: 5 }, '/'), /anonymousIdentity/);
});
