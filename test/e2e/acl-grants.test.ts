/**
 * End to end: ACL grants as S3 rights. A grant opens an object or bucket to another user or to anonymous requests
 * (which act as `nobody` on the file system), and never past the file system's permissions for that identity: an
 * anonymous GET of a public-read object works while the file is world-readable and fails after `chmod o-r`.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout } from 'node:timers/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand, GetObjectAclCommand, GetObjectCommand, ListObjectsV2Command, PutBucketAclCommand, PutBucketOwnershipControlsCommand,
  PutObjectAclCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { ownerOf } from '../../src/s3/owner.js';
import { requireRoot } from '../helpers/requires.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { addUser, createKey } from './users-cli.js';
import { rawRequest, sdkError } from './util.js';

const B = 'grants-e2e';
const BOB = { uid: 4242, gid: 4242, groups: [] };
const CAROL = { uid: 4343, gid: 4343, groups: [] };
const NOBODY_UID = 65534;
/** A little over the 1 s for which the gateway keeps a directory's permissions (identity/facts-cache.ts). */
const DIRECTORY_FACTS_MS = 1200;

describe('ACL grants, anonymous requests and file permissions', { skip: requireRoot('chown to other identities') }, () => {
  let base: string;
  let ts: TestServer;
  let admin: S3Client;
  let bob: S3Client;
  let carol: S3Client;
  const bucketDir = () => join(ts.root, B);
  const anonymous = (method: string, path: string, body?: string) => rawRequest(ts, { method, path, sign: 'none', body });

  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'dirbucket-grants-'));
    chmodSync(base, 0o755);
    const root = join(base, 'gw');
    await addUser(root, 'bob', BOB);
    await addUser(root, 'carol', CAROL);
    const [kb, kc] = await Promise.all([createKey(root, 'bob'), createKey(root, 'carol')]);
    ts = await startServer({ root });
    admin = ts.client();
    bob = ts.client({ credentials: { accessKeyId: kb.accessKeyId, secretAccessKey: kb.secretAccessKey } });
    carol = ts.client({ credentials: { accessKeyId: kc.accessKeyId, secretAccessKey: kc.secretAccessKey } });
    await admin.send(new CreateBucketCommand({ Bucket: B }));
    chmodSync(bucketDir(), 0o755);
    await admin.send(new PutObjectCommand({ Bucket: B, Key: 'public.txt', Body: 'for everyone', ACL: 'public-read' }));
    await admin.send(new PutObjectCommand({ Bucket: B, Key: 'private.txt', Body: 'for the owner' }));
  });

  after(async () => {
    await ts?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('an anonymous GET of a public-read object works while the file is world-readable, and not after chmod o-r', async () => {
    const file = join(bucketDir(), 'public.txt');
    assert.equal(statSync(file).mode & 0o004, 0o004, 'written world-readable (umask 022)');
    const ok = await anonymous('GET', `/${B}/public.txt`);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.text, 'for everyone');
    chmodSync(file, 0o640);
    const denied = await anonymous('GET', `/${B}/public.txt`);
    assert.equal(denied.status, 403);
    assert.match(denied.text, /<Code>AccessDenied<\/Code>.*file permissions/);
    chmodSync(file, 0o644);
    assert.equal((await anonymous('GET', `/${B}/public.txt`)).status, 200);
  });

  it('anonymous requests get nothing no grant gives: private objects, missing keys (403, not 404), listings, bucket lists', async () => {
    for (const [method, path] of [['GET', `/${B}/private.txt`], ['HEAD', `/${B}/missing.txt`], ['GET', `/${B}/missing.txt`], ['GET', `/${B}`], ['GET', '/'], ['PUT', `/${B}/new.txt`], ['PUT', '/anon-bucket']]) {
      const r = await anonymous(method!, path!, method === 'PUT' ? 'x' : undefined);
      assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
    }
    const acl = await anonymous('GET', `/${B}/public.txt?acl`);
    assert.equal(acl.status, 403, 'READ does not give READ_ACP');
  });

  it('a grant to a user by id opens that object to them alone; other users and objects stay closed', async () => {
    await admin.send(new PutObjectCommand({ Bucket: B, Key: 'for-bob.txt', Body: 'hi bob', GrantRead: `id=${ownerOf('bob').ID}`, GrantFullControl: `id=${ownerOf('admin').ID}` }));
    const got = await bob.send(new GetObjectCommand({ Bucket: B, Key: 'for-bob.txt' }));
    assert.equal(await got.Body?.transformToString(), 'hi bob');
    assert.equal((await sdkError(() => carol.send(new GetObjectCommand({ Bucket: B, Key: 'for-bob.txt' })))).name, 'AccessDenied');
    assert.equal((await sdkError(() => bob.send(new GetObjectCommand({ Bucket: B, Key: 'private.txt' })))).name, 'AccessDenied');
    assert.equal((await sdkError(() => bob.send(new PutObjectCommand({ Bucket: B, Key: 'by-bob.txt', Body: 'x' })))).name, 'AccessDenied');
    assert.equal((await anonymous('GET', `/${B}/for-bob.txt`)).status, 403);
    // authenticated-read: any user with a key, not anonymous requests.
    await admin.send(new PutObjectCommand({ Bucket: B, Key: 'auth.txt', Body: 'signed only', ACL: 'authenticated-read' }));
    assert.equal(await (await carol.send(new GetObjectCommand({ Bucket: B, Key: 'auth.txt' }))).Body?.transformToString(), 'signed only');
    assert.equal((await anonymous('GET', `/${B}/auth.txt`)).status, 403);
  });

  it('a grant still ends at the grantee\'s file permissions', async () => {
    await admin.send(new PutObjectCommand({ Bucket: B, Key: 'bob-unreadable.txt', Body: 'x', GrantRead: `id=${ownerOf('bob').ID}` }));
    chmodSync(join(bucketDir(), 'bob-unreadable.txt'), 0o600);
    const e = await sdkError(() => bob.send(new GetObjectCommand({ Bucket: B, Key: 'bob-unreadable.txt' })));
    assert.equal(e.name, 'AccessDenied');
    assert.match(e.message, /file permissions/);
  });

  it('READ_ACP and WRITE_ACP grants let a user read and change an object\'s ACL, where the file lets them write', async () => {
    await admin.send(new PutObjectCommand({ Bucket: B, Key: 'acp.txt', Body: 'x', GrantReadACP: `id=${ownerOf('bob').ID}`, GrantWriteACP: `id=${ownerOf('bob').ID}` }));
    assert.equal((await bob.send(new GetObjectAclCommand({ Bucket: B, Key: 'acp.txt' }))).Owner?.DisplayName, 'admin');
    // The ACL lives in the file's extended attribute: setting it takes write permission on the file, as setfattr would.
    const e = await sdkError(() => bob.send(new PutObjectAclCommand({ Bucket: B, Key: 'acp.txt', ACL: 'public-read' })));
    assert.equal(e.name, 'AccessDenied');
    assert.match(e.message, /file permissions/);
    chmodSync(join(bucketDir(), 'acp.txt'), 0o666);
    await bob.send(new PutObjectAclCommand({ Bucket: B, Key: 'acp.txt', ACL: 'public-read' }));
    assert.equal((await anonymous('GET', `/${B}/acp.txt`)).status, 200);
    assert.equal((await sdkError(() => carol.send(new GetObjectAclCommand({ Bucket: B, Key: 'acp.txt' })))).name, 'AccessDenied');
  });

  it('a public-read bucket ACL lets anonymous requests list it; public-read-write lets them write where nobody may', async () => {
    await admin.send(new PutBucketAclCommand({ Bucket: B, ACL: 'public-read' }));
    const list = await anonymous('GET', `/${B}?list-type=2`);
    assert.equal(list.status, 200, list.text);
    assert.match(list.text, /<Key>public\.txt<\/Key>/);
    assert.ok((await carol.send(new ListObjectsV2Command({ Bucket: B }))).KeyCount! > 0);
    await admin.send(new PutBucketAclCommand({ Bucket: B, ACL: 'public-read-write' }));
    // The bucket directory (root's, 0755) does not let nobody create files: the grant does not go past that.
    const refused = await anonymous('PUT', `/${B}/from-anon.txt`, 'anonymous data');
    assert.equal(refused.status, 403, refused.text);
    assert.match(refused.text, /file permissions/);
    chmodSync(bucketDir(), 0o777);
    await setTimeout(DIRECTORY_FACTS_MS); // the gateway caches directory permissions this long
    const put = await anonymous('PUT', `/${B}/from-anon.txt`, 'anonymous data');
    assert.equal(put.status, 200, put.text);
    assert.equal(statSync(join(bucketDir(), 'from-anon.txt')).uid, NOBODY_UID, 'the new file belongs to the anonymous identity');
    chmodSync(bucketDir(), 0o755);
    await admin.send(new PutBucketAclCommand({ Bucket: B, ACL: 'private' }));
    assert.equal((await anonymous('GET', `/${B}?list-type=2`)).status, 403);
  });

  it('BucketOwnerEnforced disables ACLs: grants then open nothing', async () => {
    await admin.send(new CreateBucketCommand({ Bucket: 'grants-enforced' }));
    chmodSync(join(ts.root, 'grants-enforced'), 0o755);
    await admin.send(new PutObjectCommand({ Bucket: 'grants-enforced', Key: 'was-public.txt', Body: 'x', ACL: 'public-read' }));
    assert.equal((await anonymous('GET', '/grants-enforced/was-public.txt')).status, 200);
    await admin.send(new PutBucketOwnershipControlsCommand({ Bucket: 'grants-enforced', OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
    assert.equal((await anonymous('GET', '/grants-enforced/was-public.txt')).status, 403);
  });
});
