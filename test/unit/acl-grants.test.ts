/** ACLs on the wire: canned ACLs, x-amz-grant-* headers, AccessControlPolicy bodies, and what a bucket's settings make of them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketAcl, checkAclAllowed, isBucketOwnerFullControl, objectAcl, type AclContext } from '../../src/s3/acl/context.js';
import { ALL_USERS, AUTHENTICATED_USERS, aclHeadersOf, cannedGrants, parseGrantHeader } from '../../src/s3/acl/grants.js';
import { accessControlPolicyXml, parseAccessControlPolicy } from '../../src/s3/acl/policy.js';
import { S3Error } from '../../src/errors/s3-error.js';
import { ownerOf } from '../../src/s3/owner.js';
import { encodeXml } from '../../src/s3/xml.js';

const alice = ownerOf('alice');
const bob = ownerOf('bob');
const full = (o: { ID: string; DisplayName: string }) => ({ grantee: { type: 'CanonicalUser' as const, id: o.ID, displayName: o.DisplayName }, permission: 'FULL_CONTROL' as const });

function refuses(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof S3Error && e.code === code && (!message || message.test(e.message)), code);
}

test('canned ACLs expand into S3\'s grants: the owner\'s FULL_CONTROL plus the groups or bucket owner each names', () => {
  assert.deepEqual(cannedGrants('private', 'alice', 'bob'), [full(alice)]);
  assert.deepEqual(cannedGrants('public-read', 'alice', 'bob'), [full(alice), { grantee: { type: 'Group', uri: ALL_USERS }, permission: 'READ' }]);
  assert.deepEqual(cannedGrants('public-read-write', 'alice', 'bob').map((g) => g.permission), ['FULL_CONTROL', 'READ', 'WRITE']);
  assert.deepEqual(cannedGrants('authenticated-read', 'alice', 'bob')[1], { grantee: { type: 'Group', uri: AUTHENTICATED_USERS }, permission: 'READ' });
  assert.deepEqual(cannedGrants('bucket-owner-read', 'alice', 'bob')[1], { grantee: { type: 'CanonicalUser', id: bob.ID, displayName: 'bob' }, permission: 'READ' });
  assert.deepEqual(cannedGrants('bucket-owner-full-control', 'alice', 'bob'), [full(alice), full(bob)]);
  assert.deepEqual(cannedGrants('bucket-owner-full-control', 'bob', 'bob'), [full(bob)], 'no second grant to the same user');
});

test('ACL headers: a canned ACL, or grant headers, never both; unknown canned ACLs are InvalidArgument', () => {
  assert.equal(aclHeadersOf({}), undefined);
  assert.deepEqual(aclHeadersOf({ 'x-amz-acl': 'public-read' }), { canned: 'public-read' });
  refuses(() => aclHeadersOf({ 'x-amz-acl': 'world-writable' }), 'InvalidArgument', /Canned ACL 'world-writable'/);
  refuses(() => aclHeadersOf({ 'x-amz-acl': 'private', 'x-amz-grant-read': `id=${bob.ID}` }), 'InvalidRequest', /both Canned ACLs and Header Grants/);
  const asked = aclHeadersOf({ 'x-amz-grant-read': `id="${bob.ID}", uri="${ALL_USERS}"`, 'x-amz-grant-full-control': `id=${alice.ID}` });
  assert.deepEqual(asked, { grants: [
    { grantee: { type: 'CanonicalUser', id: bob.ID }, permission: 'READ' },
    { grantee: { type: 'Group', uri: ALL_USERS }, permission: 'READ' },
    { grantee: { type: 'CanonicalUser', id: alice.ID }, permission: 'FULL_CONTROL' },
  ] });
});

test('grant headers refuse ids that are no canonical id, unknown groups, and e-mail addresses (no user has one)', () => {
  refuses(() => parseGrantHeader('x-amz-grant-read', 'id=12345'), 'InvalidArgument', /canonical user id/);
  refuses(() => parseGrantHeader('x-amz-grant-read', 'uri="http://acs.amazonaws.com/groups/global/Everyone"'), 'InvalidArgument', /group uri/);
  refuses(() => parseGrantHeader('x-amz-grant-write-acp', 'emailAddress="a@b.c"'), 'UnresolvableGrantByEmailAddress');
  refuses(() => parseGrantHeader('x-amz-grant-read', 'name=x'), 'InvalidArgument', /grantee type/);
  refuses(() => parseGrantHeader('x-amz-grant-read', 'garbage'), 'InvalidArgument');
});

const policy = (owner: string, grants: string) => '<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
  + `<Owner><ID>${owner}</ID></Owner><AccessControlList>${grants}</AccessControlList></AccessControlPolicy>`;
const grant = (grantee: string, permission: string) =>
  `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="x">${grantee}</Grantee><Permission>${permission}</Permission></Grant>`;

test('an AccessControlPolicy body parses grantees by their element and must keep the owner', () => {
  const grants = parseAccessControlPolicy(policy(alice.ID, grant(`<ID>${bob.ID}</ID><DisplayName>bob</DisplayName>`, 'READ_ACP') + grant(`<URI>${ALL_USERS}</URI>`, 'READ')), alice.ID);
  assert.deepEqual(grants, [
    { grantee: { type: 'CanonicalUser', id: bob.ID }, permission: 'READ_ACP' },
    { grantee: { type: 'Group', uri: ALL_USERS }, permission: 'READ' },
  ]);
  assert.deepEqual(parseAccessControlPolicy(policy(alice.ID, ''), alice.ID), []);
  refuses(() => parseAccessControlPolicy(policy(bob.ID, ''), alice.ID), 'AccessDenied', /cannot change ownership/);
  refuses(() => parseAccessControlPolicy(policy(alice.ID, grant(`<ID>${bob.ID}</ID>`, 'EVERYTHING')), alice.ID), 'MalformedXML', /Permission/);
  refuses(() => parseAccessControlPolicy(policy(alice.ID, grant(`<ID>${bob.ID}</ID><URI>${ALL_USERS}</URI>`, 'READ')), alice.ID), 'MalformedXML', /exactly one/);
  refuses(() => parseAccessControlPolicy('<AccessControlPolicy><AccessControlList/></AccessControlPolicy>', alice.ID), 'MalformedXML', /Owner/);
  refuses(() => parseAccessControlPolicy(policy(alice.ID, grant('<EmailAddress>a@b.c</EmailAddress>', 'READ')), alice.ID), 'UnresolvableGrantByEmailAddress');
});

test('the AccessControlPolicy answer carries the xsi:type of each grantee, as SDKs read it', () => {
  const xml = encodeXml('AccessControlPolicy', accessControlPolicyXml({ owner: 'alice', grants: cannedGrants('public-read', 'alice', 'alice') }));
  assert.ok(xml.includes(`<Owner><ID>${alice.ID}</ID><DisplayName>alice</DisplayName></Owner>`), xml);
  assert.ok(xml.includes(`<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${alice.ID}</ID><DisplayName>alice</DisplayName></Grantee><Permission>FULL_CONTROL</Permission>`), xml);
  assert.ok(xml.includes(`xsi:type="Group"><URI>${ALL_USERS}</URI></Grantee><Permission>READ</Permission>`), xml);
  // A grant to the owner given by id alone is answered with the owner's display name.
  const byId = encodeXml('AccessControlPolicy', accessControlPolicyXml({ owner: 'alice', grants: [{ grantee: { type: 'CanonicalUser', id: alice.ID }, permission: 'READ' }] }));
  assert.ok(byId.includes(`<ID>${alice.ID}</ID><DisplayName>alice</DisplayName></Grantee><Permission>READ`), byId);
  // What we write, we read back.
  assert.deepEqual(parseAccessControlPolicy(xml, alice.ID).map((g) => g.permission), ['FULL_CONTROL', 'READ']);
});

test('with ACLs disabled (BucketOwnerEnforced) only the bucket owner\'s full control is accepted, and every ACL reads as it', () => {
  const enforced: AclContext = { bucketOwner: 'bob', ownership: 'BucketOwnerEnforced' };
  const writer: AclContext = { bucketOwner: 'bob', ownership: 'ObjectWriter' };
  checkAclAllowed(enforced, undefined);
  checkAclAllowed(enforced, [full(bob)]);
  assert.ok(isBucketOwnerFullControl(cannedGrants('bucket-owner-full-control', 'bob', 'bob'), 'bob'));
  refuses(() => checkAclAllowed(enforced, cannedGrants('private', 'alice', 'bob')), 'AccessControlListNotSupported');
  // S3 judges the form: the canned `private` is refused even when it means the bucket owner's full control.
  refuses(() => checkAclAllowed(enforced, cannedGrants('private', 'bob', 'bob'), 'private'), 'AccessControlListNotSupported');
  checkAclAllowed(enforced, cannedGrants('bucket-owner-full-control', 'bob', 'bob'), 'bucket-owner-full-control');
  checkAclAllowed(enforced, cannedGrants('private', 'bob', 'bob')); // the same grants given explicitly pass
  refuses(() => checkAclAllowed(enforced, cannedGrants('public-read', 'bob', 'bob')), 'AccessControlListNotSupported');
  checkAclAllowed(writer, cannedGrants('public-read', 'alice', 'bob'));
  const stored = { owner: 'alice', grants: cannedGrants('public-read', 'alice', 'bob') };
  assert.deepEqual(objectAcl(stored, enforced), { owner: 'bob', grants: [full(bob)] });
  assert.deepEqual(objectAcl(stored, writer), stored);
  assert.deepEqual(objectAcl({ owner: 'alice' }, writer), { owner: 'alice', grants: [full(alice)] }, 'no grants stored: the default');
  assert.deepEqual(objectAcl({}, writer), { owner: 'bob', grants: [full(bob)] }, 'never written through S3: the bucket owner\'s');
  assert.deepEqual(bucketAcl(undefined, writer), { owner: 'bob', grants: [full(bob)] });
  assert.deepEqual(bucketAcl({ owner: 'bob', grants: cannedGrants('public-read', 'bob', 'bob') }, enforced), { owner: 'bob', grants: [full(bob)] });
});
