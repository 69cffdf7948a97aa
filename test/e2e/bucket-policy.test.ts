/**
 * End to end through @aws-sdk/client-s3: bucket policies and the public access block. Put/Get/Delete and
 * GetBucketPolicyStatus with MalformedPolicy messages, then enforcement: a policy Allow opens objects to a user
 * without bucket rights and to anonymous requests (never past the file system's permissions), an explicit Deny
 * wins even over the bucket owner — who may still read, replace or delete the policy —, conditions read from
 * the request (source address, user agent, s3:prefix, TLS), DeleteObjects decided per key, and the four
 * public access block settings.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand, DeleteBucketPolicyCommand, DeleteObjectCommand, DeleteObjectsCommand, DeletePublicAccessBlockCommand,
  GetBucketPolicyCommand, GetBucketPolicyStatusCommand, GetObjectCommand, GetPublicAccessBlockCommand, ListObjectsV2Command,
  PutBucketPolicyCommand, PutObjectAclCommand, PutObjectCommand, PutPublicAccessBlockCommand, S3Client,
} from '@aws-sdk/client-s3';
import { startServer, type TestServer } from '../helpers/server.js';
import { addUser, createKey, dirbucketOk } from './users-cli.js';
import { rawRequest, sdkError } from './util.js';

const B = 'policy-e2e';
const BOB = { uid: 4545, gid: 4545, groups: [] };

/** The error name and status a failing SDK call ends with. */
async function failure(p: Promise<unknown>): Promise<{ name: string; status?: number }> {
  const { name, status } = await sdkError(() => p);
  return { name, status };
}

const policy = (...Statement: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement });

describe('bucket policies', { skip: process.getuid?.() !== 0 ? 'needs root (a second user with its own identity)' : false }, () => {
  let base: string;
  let ts: TestServer;
  let admin: S3Client;
  let bob: S3Client;
  const anonymous = (method: string, path: string, headers?: Record<string, string>, body?: string) =>
    rawRequest(ts, { method, path, sign: 'none', headers, body });
  const put = (Policy: string) => admin.send(new PutBucketPolicyCommand({ Bucket: B, Policy }));

  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'dirbucket-policy-'));
    chmodSync(base, 0o755);
    const root = join(base, 'gw');
    await addUser(root, 'bob', BOB);
    const kb = await createKey(root, 'bob');
    ts = await startServer({ root });
    admin = ts.client();
    bob = ts.client({ credentials: { accessKeyId: kb.accessKeyId, secretAccessKey: kb.secretAccessKey } });
    await admin.send(new CreateBucketCommand({ Bucket: B }));
    chmodSync(join(ts.root, B), 0o777);
    for (const key of ['public/a.txt', 'public/b.txt', 'private/c.txt', 'protected/d.txt']) {
      await admin.send(new PutObjectCommand({ Bucket: B, Key: key, Body: `body of ${key}` }));
    }
    chmodSync(join(ts.root, B, 'public'), 0o755);
  });

  after(async () => {
    await ts?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('GetBucketPolicy and GetBucketPolicyStatus answer NoSuchBucketPolicy without one, NoSuchBucket without the bucket', async () => {
    assert.deepEqual(await failure(admin.send(new GetBucketPolicyCommand({ Bucket: B }))), { name: 'NoSuchBucketPolicy', status: 404 });
    assert.deepEqual(await failure(admin.send(new GetBucketPolicyStatusCommand({ Bucket: B }))), { name: 'NoSuchBucketPolicy', status: 404 });
    assert.equal((await failure(admin.send(new GetBucketPolicyCommand({ Bucket: 'no-such-bucket-here' })))).name, 'NoSuchBucket');
    assert.equal((await admin.send(new DeleteBucketPolicyCommand({ Bucket: B }))).$metadata.httpStatusCode, 204, 'deleting none succeeds');
  });

  it('PutBucketPolicy refuses invalid policies with MalformedPolicy naming the problem', async () => {
    for (const [text, why] of [
      ['{not json', /valid JSON/],
      [JSON.stringify({ Version: '2013-01-01', Statement: [] }), /version/],
      [policy({ Effect: 'Perhaps', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*` }), /Invalid effect: Perhaps/],
      [policy({ Effect: 'Allow', Principal: '*', Action: 's3:Fly', Resource: `arn:aws:s3:::${B}/*` }), /invalid action: s3:Fly/],
      [policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other-bucket/*' }), /invalid resource/],
      [policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}` }), /Action does not apply/],
      [policy({ Effect: 'Allow', Principal: { Service: 'x' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*` }), /Invalid principal/],
      [policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { StringSortOf: { 'aws:UserAgent': 'x' } } }), /Invalid Condition type/],
    ] as const) {
      const e = await sdkError(() => put(text));
      assert.equal(e.name, 'MalformedPolicy', text);
      assert.equal(e.status, 400);
      assert.match(e.message, why, text);
    }
    assert.equal((await failure(admin.send(new GetBucketPolicyCommand({ Bucket: B })))).name, 'NoSuchBucketPolicy', 'nothing stored');
  });

  it('a policy round-trips as written, and its status says whether it is public', async () => {
    const text = policy({ Sid: 'read', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/public/*` });
    assert.equal((await put(text)).$metadata.httpStatusCode, 204);
    assert.equal((await admin.send(new GetBucketPolicyCommand({ Bucket: B }))).Policy, text);
    assert.equal((await admin.send(new GetBucketPolicyStatusCommand({ Bucket: B }))).PolicyStatus?.IsPublic, true);
    await put(policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/public/*`, Condition: { IpAddress: { 'aws:SourceIp': '10.1.0.0/16' } } }));
    assert.equal((await admin.send(new GetBucketPolicyStatusCommand({ Bucket: B }))).PolicyStatus?.IsPublic, false);
    await admin.send(new DeleteBucketPolicyCommand({ Bucket: B }));
    assert.equal((await failure(admin.send(new GetBucketPolicyCommand({ Bucket: B })))).name, 'NoSuchBucketPolicy');
  });

  it('only the owner may set a policy; a user without rights may not read or set one', async () => {
    assert.equal((await failure(bob.send(new PutBucketPolicyCommand({ Bucket: B, Policy: policy({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${B}/*` }) })))).name, 'AccessDenied');
  });

  it('a user with read-write rights on the bucket still may not read its policy or policy status (the owner\'s, as on S3)', async () => {
    await put(policy({ Sid: 'owner-only', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/public/*` }));
    await dirbucketOk(['bucket', 'grant', 'bob', B, 'read-write', '--root', ts.root]);
    try {
      // The server sees the users file change within a second or so: bob can then list, but not read the policy.
      await bobCanList(true);
      assert.equal((await failure(bob.send(new GetBucketPolicyCommand({ Bucket: B })))).name, 'AccessDenied');
      assert.equal((await failure(bob.send(new GetBucketPolicyStatusCommand({ Bucket: B })))).name, 'AccessDenied');
      assert.match((await admin.send(new GetBucketPolicyCommand({ Bucket: B }))).Policy ?? '', /owner-only/);
    } finally {
      await dirbucketOk(['bucket', 'revoke', 'bob', B, '--root', ts.root]);
      await admin.send(new DeleteBucketPolicyCommand({ Bucket: B }));
      await bobCanList(false);
    }
  });

  /** Waits (bounded) until bob's rights, as the server reloads them from the users file, allow a listing or not. */
  async function bobCanList(expected: boolean): Promise<void> {
    for (let i = 0; ; i++) {
      const listed = await bob.send(new ListObjectsV2Command({ Bucket: B, MaxKeys: 1 })).then(() => true, () => false);
      if (listed === expected) return;
      assert.ok(i < 50, `bob's rights changed within 5 s (listing ${expected ? 'allowed' : 'refused'})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('an Allow to everyone opens a prefix to anonymous requests, and nothing else; the file system still decides', async () => {
    assert.equal((await anonymous('GET', `/${B}/public/a.txt`)).status, 403, 'no policy: refused');
    await put(policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/public/*` }));
    const ok = await anonymous('GET', `/${B}/public/a.txt`);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.text, 'body of public/a.txt');
    assert.equal((await anonymous('GET', `/${B}/private/c.txt`)).status, 403, 'outside the prefix');
    assert.equal((await anonymous('PUT', `/${B}/public/new.txt`, {}, 'x')).status, 403, 'another action');
    assert.equal((await anonymous('GET', `/${B}`)).status, 403, 'no listing');
    chmodSync(join(ts.root, B, 'public', 'b.txt'), 0o600);
    const fs = await anonymous('GET', `/${B}/public/b.txt`);
    assert.equal(fs.status, 403);
    assert.match(fs.text, /file permissions/, 'the policy allowed it, the file system refused nobody');
    chmodSync(join(ts.root, B, 'public', 'b.txt'), 0o644);
  });

  it('an Allow naming a user gives a user without bucket rights what it names', async () => {
    await admin.send(new DeleteBucketPolicyCommand({ Bucket: B }));
    assert.equal((await failure(bob.send(new GetObjectCommand({ Bucket: B, Key: 'public/a.txt' })))).name, 'AccessDenied');
    await put(policy(
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:user/bob' }, Action: ['s3:GetObject', 's3:ListBucket'], Resource: [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/public/*`] },
    ));
    const got = await bob.send(new GetObjectCommand({ Bucket: B, Key: 'public/a.txt' }));
    assert.equal(await got.Body!.transformToString(), 'body of public/a.txt');
    assert.equal((await bob.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'public/' }))).KeyCount, 2);
    assert.equal((await failure(bob.send(new PutObjectCommand({ Bucket: B, Key: 'public/x.txt', Body: 'x' })))).name, 'AccessDenied');
  });

  it('s3:prefix conditions limit what a listing may ask for', async () => {
    await put(policy({ Effect: 'Allow', Principal: { AWS: 'bob' }, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${B}`, Condition: { StringLike: { 's3:prefix': 'public/*' } } }));
    assert.equal((await bob.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'public/' }))).KeyCount, 2);
    assert.equal((await failure(bob.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'private/' })))).name, 'AccessDenied');
    assert.equal((await failure(bob.send(new ListObjectsV2Command({ Bucket: B })))).name, 'AccessDenied', 'no prefix at all');
  });

  it('an explicit Deny wins over the owner\'s rights, per key in DeleteObjects too; the owner can still remove the policy', async () => {
    await put(policy({ Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${B}/protected/*` }));
    assert.equal((await failure(admin.send(new DeleteObjectCommand({ Bucket: B, Key: 'protected/d.txt' })))).name, 'AccessDenied');
    await admin.send(new PutObjectCommand({ Bucket: B, Key: 'scratch.txt', Body: 'x' }));
    const r = await admin.send(new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: [{ Key: 'protected/d.txt' }, { Key: 'scratch.txt' }] } }));
    assert.deepEqual(r.Deleted?.map((d) => d.Key), ['scratch.txt']);
    assert.deepEqual(r.Errors?.map((e) => [e.Key, e.Code]), [['protected/d.txt', 'AccessDenied']]);

    await put(policy({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/*`] }));
    assert.equal((await failure(admin.send(new GetObjectCommand({ Bucket: B, Key: 'public/a.txt' })))).name, 'AccessDenied');
    assert.ok((await admin.send(new GetBucketPolicyCommand({ Bucket: B }))).Policy, 'the owner reads it');
    await admin.send(new DeleteBucketPolicyCommand({ Bucket: B }));
    assert.equal((await admin.send(new GetObjectCommand({ Bucket: B, Key: 'protected/d.txt' }))).$metadata.httpStatusCode, 200);
  });

  it('conditions read the request: source address, user agent, TLS (plain HTTP is not secure transport)', async () => {
    await put(policy({ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }));
    assert.equal((await failure(admin.send(new GetObjectCommand({ Bucket: B, Key: 'public/a.txt' })))).name, 'AccessDenied', '127.0.0.1 is not in 10/8');
    await put(policy({ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { NotIpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128'] } } }));
    assert.equal((await admin.send(new GetObjectCommand({ Bucket: B, Key: 'public/a.txt' }))).$metadata.httpStatusCode, 200);

    await put(policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/public/*`, Condition: { StringLike: { 'aws:UserAgent': 'friendly-agent*' } } }));
    assert.equal((await anonymous('GET', `/${B}/public/a.txt`, { 'user-agent': 'friendly-agent/1.0' })).status, 200);
    assert.equal((await anonymous('GET', `/${B}/public/a.txt`, { 'user-agent': 'curl/8' })).status, 403);

    await put(policy({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${B}/*`, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    assert.equal((await failure(admin.send(new GetObjectCommand({ Bucket: B, Key: 'public/a.txt' })))).name, 'AccessDenied');
    await admin.send(new DeleteBucketPolicyCommand({ Bucket: B }));
  });

  describe('public access block', () => {
    const block = (c: Partial<Record<'BlockPublicAcls' | 'IgnorePublicAcls' | 'BlockPublicPolicy' | 'RestrictPublicBuckets', boolean>>) =>
      admin.send(new PutPublicAccessBlockCommand({ Bucket: B, PublicAccessBlockConfiguration: c }));
    const publicRead = policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/public/*` });

    it('Put/Get/Delete, NoSuchPublicAccessBlockConfiguration when none', async () => {
      assert.deepEqual(await failure(admin.send(new GetPublicAccessBlockCommand({ Bucket: B }))), { name: 'NoSuchPublicAccessBlockConfiguration', status: 404 });
      await block({ BlockPublicAcls: true, RestrictPublicBuckets: true });
      assert.deepEqual((await admin.send(new GetPublicAccessBlockCommand({ Bucket: B }))).PublicAccessBlockConfiguration,
        { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: true });
      assert.equal((await failure(bob.send(new GetPublicAccessBlockCommand({ Bucket: B })))).name, 'AccessDenied', 'the owner\'s');
      await admin.send(new DeletePublicAccessBlockCommand({ Bucket: B }));
      assert.equal((await failure(admin.send(new GetPublicAccessBlockCommand({ Bucket: B })))).name, 'NoSuchPublicAccessBlockConfiguration');
    });

    it('BlockPublicPolicy refuses a public policy, not a narrowed one', async () => {
      await block({ BlockPublicPolicy: true });
      assert.deepEqual(await failure(put(publicRead)), { name: 'AccessDenied', status: 403 });
      await put(policy({ Effect: 'Allow', Principal: { AWS: 'bob' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/public/*` }));
      await admin.send(new DeleteBucketPolicyCommand({ Bucket: B }));
      await admin.send(new DeletePublicAccessBlockCommand({ Bucket: B }));
    });

    it('RestrictPublicBuckets keeps a public policy from anonymous requests, not from the bucket\'s users', async () => {
      await put(publicRead);
      assert.equal((await anonymous('GET', `/${B}/public/a.txt`)).status, 200);
      await block({ RestrictPublicBuckets: true });
      assert.equal((await anonymous('GET', `/${B}/public/a.txt`)).status, 403);
      assert.equal((await bob.send(new GetObjectCommand({ Bucket: B, Key: 'public/a.txt' }))).$metadata.httpStatusCode, 200, 'a user of the account');
      await admin.send(new DeleteBucketPolicyCommand({ Bucket: B }));
      await admin.send(new DeletePublicAccessBlockCommand({ Bucket: B }));
    });

    it('BlockPublicAcls refuses public ACLs on writes; IgnorePublicAcls makes existing ones grant nothing', async () => {
      await admin.send(new PutObjectCommand({ Bucket: B, Key: 'public/acl.txt', Body: 'acl', ACL: 'public-read' }));
      assert.equal((await anonymous('GET', `/${B}/public/acl.txt`)).status, 200);
      await block({ BlockPublicAcls: true });
      assert.deepEqual(await failure(admin.send(new PutObjectCommand({ Bucket: B, Key: 'public/acl2.txt', Body: 'x', ACL: 'public-read' }))), { name: 'AccessDenied', status: 403 });
      assert.deepEqual(await failure(admin.send(new PutObjectAclCommand({ Bucket: B, Key: 'public/a.txt', ACL: 'public-read' }))), { name: 'AccessDenied', status: 403 });
      await admin.send(new PutObjectCommand({ Bucket: B, Key: 'public/acl3.txt', Body: 'x', ACL: 'private' }));
      assert.equal((await anonymous('GET', `/${B}/public/acl.txt`)).status, 200, 'BlockPublicAcls alone leaves existing grants');
      await block({ IgnorePublicAcls: true });
      assert.equal((await anonymous('GET', `/${B}/public/acl.txt`)).status, 403);
      await admin.send(new DeletePublicAccessBlockCommand({ Bucket: B }));
      assert.equal((await anonymous('GET', `/${B}/public/acl.txt`)).status, 200);
    });
  });
});
