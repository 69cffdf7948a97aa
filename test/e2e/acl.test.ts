/**
 * End to end through @aws-sdk/client-s3: object and bucket ACLs (canned ACLs, grant headers, AccessControlPolicy
 * bodies) on PutObject, CopyObject, CreateMultipartUpload, CreateBucket, Put*Acl; Object Ownership and what
 * BucketOwnerEnforced refuses; the derived ACL of files never written through S3.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, AbortMultipartUploadCommand, DeleteBucketOwnershipControlsCommand,
  GetBucketAclCommand, GetBucketOwnershipControlsCommand, GetObjectAclCommand, PutBucketAclCommand, PutBucketOwnershipControlsCommand,
  PutObjectAclCommand, PutObjectCommand, S3Client, type Grant, type ObjectCannedACL,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { ownerOf } from '../../src/s3/owner.js';
import { rawRequest, sdkError } from './util.js';

let ts: TestServer;
let s3: S3Client;
const B = 'acl-e2e';
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const admin = ownerOf('admin');
const bob = ownerOf('bob');
const ownerFull: Grant = { Grantee: { Type: 'CanonicalUser', ID: admin.ID, DisplayName: 'admin' }, Permission: 'FULL_CONTROL' };
const group = (URI: string, Permission: Grant['Permission']): Grant => ({ Grantee: { Type: 'Group', URI }, Permission });

before(async () => ({ ts, s3 } = await startWithBuckets([B])));
after(() => ts?.stop());

const objectAcl = (Key: string, Bucket = B) => s3.send(new GetObjectAclCommand({ Bucket, Key }));

describe('object ACLs', () => {
  it('an object written without ACL headers is private: its writer owns it with FULL_CONTROL', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'private.txt', Body: 'x' }));
    const acl = await objectAcl('private.txt');
    assert.deepEqual(acl.Owner, { ID: admin.ID, DisplayName: 'admin' });
    assert.deepEqual(acl.Grants, [ownerFull]);
  });

  it('every canned ACL on PutObject is stored and answered as S3 expands it', async () => {
    const expected: Record<string, Grant[]> = {
      private: [ownerFull],
      'public-read': [ownerFull, group(ALL_USERS, 'READ')],
      'public-read-write': [ownerFull, group(ALL_USERS, 'READ'), group(ALL_USERS, 'WRITE')],
      'authenticated-read': [ownerFull, group(AUTHENTICATED, 'READ')],
      'bucket-owner-read': [ownerFull], // the writer owns the bucket too: no second grant
      'bucket-owner-full-control': [ownerFull],
    };
    for (const [ACL, grants] of Object.entries(expected)) {
      await s3.send(new PutObjectCommand({ Bucket: B, Key: `canned-${ACL}`, Body: 'x', ACL: ACL as ObjectCannedACL }));
      assert.deepEqual((await objectAcl(`canned-${ACL}`)).Grants, grants, ACL);
    }
    const bad = await sdkError(() => s3.send(new PutObjectCommand({ Bucket: B, Key: 'bad', Body: 'x', ACL: 'everyone-rw' as ObjectCannedACL })));
    assert.equal(bad.name, 'InvalidArgument');
  });

  it('grant headers on PutObject become the ACL as given; both kinds at once is InvalidRequest', async () => {
    await s3.send(new PutObjectCommand({
      Bucket: B, Key: 'granted.txt', Body: 'x', GrantRead: `uri="${ALL_USERS}"`, GrantFullControl: `id="${admin.ID}"`, GrantReadACP: `id=${bob.ID}`,
    }));
    const grants = (await objectAcl('granted.txt')).Grants ?? [];
    assert.deepEqual(grants.map((g) => [g.Grantee?.Type, g.Grantee?.URI ?? g.Grantee?.ID, g.Permission]), [
      ['Group', ALL_USERS, 'READ'], ['CanonicalUser', bob.ID, 'READ_ACP'], ['CanonicalUser', admin.ID, 'FULL_CONTROL'],
    ]); // in the order of the headers: read, write, read-acp, write-acp, full-control
    const both = await sdkError(() => s3.send(new PutObjectCommand({ Bucket: B, Key: 'both', Body: 'x', ACL: 'private', GrantRead: `uri="${ALL_USERS}"` })));
    assert.equal(both.name, 'InvalidRequest');
    const email = await sdkError(() => s3.send(new PutObjectCommand({ Bucket: B, Key: 'email', Body: 'x', GrantRead: 'emailAddress="x@example.com"' })));
    assert.equal(email.name, 'UnresolvableGrantByEmailAddress');
    const badId = await sdkError(() => s3.send(new PutObjectCommand({ Bucket: B, Key: 'badid', Body: 'x', GrantRead: 'id=not-an-id' })));
    assert.equal(badId.name, 'InvalidArgument');
  });

  it('PutObjectAcl takes a canned ACL, or an AccessControlPolicy body that keeps the owner', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'change.txt', Body: 'x' }));
    await s3.send(new PutObjectAclCommand({ Bucket: B, Key: 'change.txt', ACL: 'public-read' }));
    assert.deepEqual((await objectAcl('change.txt')).Grants, [ownerFull, group(ALL_USERS, 'READ')]);
    await s3.send(new PutObjectAclCommand({
      Bucket: B, Key: 'change.txt',
      AccessControlPolicy: { Owner: { ID: admin.ID }, Grants: [ownerFull, { Grantee: { Type: 'CanonicalUser', ID: bob.ID }, Permission: 'READ' }] },
    }));
    const acl = await objectAcl('change.txt');
    assert.deepEqual(acl.Grants?.map((g) => [g.Grantee?.ID, g.Permission]), [[admin.ID, 'FULL_CONTROL'], [bob.ID, 'READ']]);
    const otherOwner = await sdkError(() => s3.send(new PutObjectAclCommand({
      Bucket: B, Key: 'change.txt', AccessControlPolicy: { Owner: { ID: bob.ID }, Grants: [] },
    })));
    assert.equal(otherOwner.name, 'AccessDenied');
    const r = await rawRequest(ts, { method: 'PUT', path: `/${B}/change.txt`, query: [['acl', '']] });
    assert.equal(r.status, 400, r.text);
    assert.match(r.text, /MissingSecurityHeader/);
    const bad = await rawRequest(ts, { method: 'PUT', path: `/${B}/change.txt`, query: [['acl', '']], body: '<AccessControlPolicy><Owner>' });
    assert.match(bad.text, /MalformedXML/);
    assert.equal((await sdkError(() => objectAcl('missing.txt'))).name, 'NoSuchKey');
  });

  it('CopyObject and CreateMultipartUpload take x-amz-acl; a copy does not inherit the source ACL', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'pub-src.txt', Body: 'x', ACL: 'public-read' }));
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy-private.txt', CopySource: `${B}/pub-src.txt` }));
    assert.deepEqual((await objectAcl('copy-private.txt')).Grants, [ownerFull]);
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy-auth.txt', CopySource: `${B}/pub-src.txt`, ACL: 'authenticated-read' }));
    assert.deepEqual((await objectAcl('copy-auth.txt')).Grants, [ownerFull, group(AUTHENTICATED, 'READ')]);
    const mp = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'mp.bin', ACL: 'public-read' }));
    assert.ok(mp.UploadId);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: B, Key: 'mp.bin', UploadId: mp.UploadId }));
  });

  it('a file never written through S3 shows its bucket owner\'s FULL_CONTROL (a derived ACL, nothing stored)', async () => {
    await writeFile(join(ts.root, B, 'from-nas.txt'), 'made on the NAS');
    const acl = await objectAcl('from-nas.txt');
    assert.deepEqual(acl.Owner?.ID, admin.ID);
    assert.deepEqual(acl.Grants, [ownerFull]);
  });
});

describe('bucket ACLs and Object Ownership', () => {
  it('GetBucketAcl is the owner\'s FULL_CONTROL until set; PutBucketAcl with a canned ACL or a policy', async () => {
    assert.deepEqual((await s3.send(new GetBucketAclCommand({ Bucket: B }))).Grants, [ownerFull]);
    await s3.send(new PutBucketAclCommand({ Bucket: B, ACL: 'public-read' }));
    assert.deepEqual((await s3.send(new GetBucketAclCommand({ Bucket: B }))).Grants, [ownerFull, group(ALL_USERS, 'READ')]);
    await s3.send(new PutBucketAclCommand({ Bucket: B, AccessControlPolicy: { Owner: { ID: admin.ID }, Grants: [ownerFull] } }));
    assert.deepEqual((await s3.send(new GetBucketAclCommand({ Bucket: B }))).Grants, [ownerFull]);
  });

  it('CreateBucket takes x-amz-acl and x-amz-object-ownership', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'acl-e2e-public', ACL: 'public-read' }));
    assert.deepEqual((await s3.send(new GetBucketAclCommand({ Bucket: 'acl-e2e-public' }))).Grants, [ownerFull, group(ALL_USERS, 'READ')]);
    await s3.send(new CreateBucketCommand({ Bucket: 'acl-e2e-enforced', ObjectOwnership: 'BucketOwnerEnforced' }));
    const oc = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: 'acl-e2e-enforced' }));
    assert.deepEqual(oc.OwnershipControls?.Rules, [{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    const refused = await sdkError(() => s3.send(new CreateBucketCommand({ Bucket: 'acl-e2e-refused', ACL: 'public-read', ObjectOwnership: 'BucketOwnerEnforced' })));
    assert.equal(refused.name, 'InvalidBucketAclWithObjectOwnership');
    assert.equal((await sdkError(() => s3.send(new GetBucketAclCommand({ Bucket: 'acl-e2e-refused' })))).name, 'NoSuchBucket', 'nothing was made');
  });

  it('BucketOwnerEnforced: ACL headers other than the owner-full-control forms are AccessControlListNotSupported', async () => {
    const E = 'acl-e2e-enforced';
    const notSupported = async (fn: () => Promise<unknown>) => {
      const e = await sdkError(fn);
      assert.equal(e.name, 'AccessControlListNotSupported', e.message);
      assert.equal(e.status, 400);
    };
    await notSupported(() => s3.send(new PutObjectCommand({ Bucket: E, Key: 'k', Body: 'x', ACL: 'public-read' })));
    await notSupported(() => s3.send(new PutObjectCommand({ Bucket: E, Key: 'k', Body: 'x', ACL: 'private' })));
    await notSupported(() => s3.send(new PutObjectCommand({ Bucket: E, Key: 'k', Body: 'x', GrantRead: `uri="${ALL_USERS}"` })));
    await s3.send(new PutObjectCommand({ Bucket: E, Key: 'k', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: E, Key: 'k', Body: 'x', ACL: 'bucket-owner-full-control' }));
    await s3.send(new PutObjectCommand({ Bucket: E, Key: 'k', Body: 'x', GrantFullControl: `id=${admin.ID}` }));
    await notSupported(() => s3.send(new PutObjectAclCommand({ Bucket: E, Key: 'k', ACL: 'public-read' })));
    await notSupported(() => s3.send(new PutBucketAclCommand({ Bucket: E, ACL: 'public-read' })));
    await s3.send(new PutObjectAclCommand({ Bucket: E, Key: 'k', ACL: 'bucket-owner-full-control' }));
    // Reading ACLs still works, and always shows the bucket owner's full control.
    assert.deepEqual((await objectAcl('k', E)).Grants, [ownerFull]);
    assert.deepEqual((await s3.send(new GetBucketAclCommand({ Bucket: E }))).Grants, [ownerFull]);
  });

  it('ownership controls: Get is OwnershipControlsNotFoundError until set; Put refuses enforcement over a public bucket ACL; Delete', async () => {
    const P = 'acl-e2e-public';
    const none = await sdkError(() => s3.send(new GetBucketOwnershipControlsCommand({ Bucket: P })));
    assert.equal(none.name, 'OwnershipControlsNotFoundError');
    assert.equal(none.status, 404);
    const enforce = () => s3.send(new PutBucketOwnershipControlsCommand({ Bucket: P, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
    assert.equal((await sdkError(enforce)).name, 'InvalidBucketAclWithObjectOwnership');
    await s3.send(new PutBucketAclCommand({ Bucket: P, ACL: 'private' }));
    await enforce();
    assert.equal((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: P }))).OwnershipControls?.Rules?.[0]?.ObjectOwnership, 'BucketOwnerEnforced');
    await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: P }));
    assert.equal((await sdkError(() => s3.send(new GetBucketOwnershipControlsCommand({ Bucket: P })))).name, 'OwnershipControlsNotFoundError');
    await s3.send(new PutObjectCommand({ Bucket: P, Key: 'k', Body: 'x', ACL: 'public-read' })); // ACLs work again
    const bad = await rawRequest(ts, { method: 'PUT', path: `/${P}`, query: [['ownershipControls', '']], body: '<OwnershipControls><Rule><ObjectOwnership>Everybody</ObjectOwnership></Rule></OwnershipControls>' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /MalformedXML/);
  });

  it('BucketOwnerPreferred: bucket-owner-full-control hands the object to the bucket owner', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'acl-e2e-preferred', ObjectOwnership: 'BucketOwnerPreferred' }));
    await s3.send(new PutObjectCommand({ Bucket: 'acl-e2e-preferred', Key: 'k', Body: 'x', ACL: 'bucket-owner-full-control' }));
    assert.equal((await objectAcl('k', 'acl-e2e-preferred')).Owner?.ID, admin.ID);
    await s3.send(new PutObjectCommand({ Bucket: 'acl-e2e-preferred', Key: 'k2', Body: 'x', ACL: 'public-read' }));
    assert.deepEqual((await objectAcl('k2', 'acl-e2e-preferred')).Grants, [ownerFull, group(ALL_USERS, 'READ')]);
  });
});
