/**
 * End to end: who may bypass GOVERNANCE retention (issue #12). The bucket's owner (a user who created it) and an
 * administrator may, with x-amz-bypass-governance-retention: true; a user with read-write access alone may not,
 * though it may extend retention, unless the bucket policy allows them s3:BypassGovernanceRetention; a policy Deny
 * binds everyone. Users are served as other identities: root only.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand, DeleteBucketPolicyCommand, DeleteObjectCommand, HeadBucketCommand, PutBucketPolicyCommand, GetObjectRetentionCommand, PutObjectCommand, PutObjectRetentionCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { requireRoot } from '../helpers/requires.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { addUser, createKey, dirbucketOk } from './users-cli.js';
import { sdkError } from './util.js';

const run = promisify(execFile);
const B = 'lock-bypass';
const WHO = { uid: 4301, gid: 4301, groups: [] };

describe('bypassing GOVERNANCE retention', { skip: requireRoot('serve users as other identities') }, () => {
  let base: string;
  let ts: TestServer;
  let owner: S3Client;
  let writer: S3Client;
  let versionId: string;

  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'dirbucket-lock-bypass-'));
    chmodSync(base, 0o755);
    const root = join(base, 'gw');
    await addUser(root, 'olga', WHO, ['--can-create-buckets']);
    await addUser(root, 'walt', WHO);
    const [ko, kw] = await Promise.all([createKey(root, 'olga'), createKey(root, 'walt')]);
    ts = await startServer({ root });
    owner = ts.client({ credentials: { accessKeyId: ko.accessKeyId, secretAccessKey: ko.secretAccessKey } });
    writer = ts.client({ credentials: { accessKeyId: kw.accessKeyId, secretAccessKey: kw.secretAccessKey } });
    await owner.send(new CreateBucketCommand({ Bucket: B, ObjectLockEnabledForBucket: true }));
    // Granted once the bucket exists (creating it drops older grants); the server reads the users file within 1 s.
    await dirbucketOk(['bucket', 'grant', 'walt', B, 'read-write', '--root', root]);
    for (let i = 0; i < 40 && !(await writer.send(new HeadBucketCommand({ Bucket: B })).then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
    const put = await writer.send(new PutObjectCommand({ Bucket: B, Key: 'doc', Body: 'x', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date(Date.now() + 600_000) }));
    versionId = put.VersionId!;
  });

  after(async () => {
    if (base) await run('chattr', ['-R', '-i', base]).catch(() => {});
    await ts?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('a user with read-write access may extend retention, not shorten it or delete the version, bypass header or not', async () => {
    await writer.send(new PutObjectRetentionCommand({ Bucket: B, Key: 'doc', VersionId: versionId, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + 900_000) } }));
    const shorten = await sdkError(() => writer.send(new PutObjectRetentionCommand({ Bucket: B, Key: 'doc', VersionId: versionId, BypassGovernanceRetention: true,
      Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + 60_000) } })));
    assert.equal(shorten.name, 'AccessDenied');
    const del = await sdkError(() => writer.send(new DeleteObjectCommand({ Bucket: B, Key: 'doc', VersionId: versionId, BypassGovernanceRetention: true })));
    assert.equal(del.name, 'AccessDenied');
    assert.match(del.message, /GOVERNANCE/);
    const r = await owner.send(new GetObjectRetentionCommand({ Bucket: B, Key: 'doc', VersionId: versionId }));
    assert.ok(r.Retention!.RetainUntilDate!.getTime() > Date.now() + 800_000, 'the extension stands');
  });

  it('a bucket policy denying s3:BypassGovernanceRetention binds the owner too', async () => {
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:BypassGovernanceRetention', Resource: `arn:aws:s3:::${B}/*` }] };
    await owner.send(new PutBucketPolicyCommand({ Bucket: B, Policy: JSON.stringify(policy) }));
    const e = await sdkError(() => owner.send(new DeleteObjectCommand({ Bucket: B, Key: 'doc', VersionId: versionId, BypassGovernanceRetention: true })));
    assert.equal(e.name, 'AccessDenied');
    await owner.send(new DeleteBucketPolicyCommand({ Bucket: B }));
  });

  it('a bucket policy allowing s3:BypassGovernanceRetention lets another user shorten and remove it, with the header only', async () => {
    const put = await writer.send(new PutObjectCommand({ Bucket: B, Key: 'walts', Body: 'x', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date(Date.now() + 600_000) }));
    const v = put.VersionId!;
    const shorten = () => writer.send(new PutObjectRetentionCommand({ Bucket: B, Key: 'walts', VersionId: v, BypassGovernanceRetention: true,
      Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + 120_000) } }));
    const allow = (extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:user/walt' },
      Action: 's3:BypassGovernanceRetention', Resource: `arn:aws:s3:::${B}/walts`, ...extra });
    // An Allow whose condition cannot be judged for the bypass (the client's address) grants nothing.
    await owner.send(new PutBucketPolicyCommand({ Bucket: B, Policy: JSON.stringify({ Version: '2012-10-17',
      Statement: [allow({ Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } })] }) }));
    assert.equal((await sdkError(shorten)).name, 'AccessDenied', 'a conditional Allow that cannot be judged');
    // An Allow for someone else, or for another key, grants walt nothing either.
    await owner.send(new PutBucketPolicyCommand({ Bucket: B, Policy: JSON.stringify({ Version: '2012-10-17',
      Statement: [allow({ Principal: { AWS: 'arn:aws:iam::000000000000:user/olga' } }), allow({ Resource: `arn:aws:s3:::${B}/other` })] }) }));
    assert.equal((await sdkError(shorten)).name, 'AccessDenied', 'an Allow naming others');
    // An Allow with a Deny beside it: the Deny wins.
    await owner.send(new PutBucketPolicyCommand({ Bucket: B, Policy: JSON.stringify({ Version: '2012-10-17',
      Statement: [allow(), { Effect: 'Deny', Principal: '*', Action: 's3:BypassGovernanceRetention', Resource: `arn:aws:s3:::${B}/*` }] }) }));
    assert.equal((await sdkError(shorten)).name, 'AccessDenied', 'Deny beats Allow');
    assert.ok((await owner.send(new GetObjectRetentionCommand({ Bucket: B, Key: 'walts', VersionId: v }))).Retention!.RetainUntilDate!.getTime() > Date.now() + 500_000, 'unchanged so far');

    await owner.send(new PutBucketPolicyCommand({ Bucket: B, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [allow()] }) }));
    await shorten();
    const r = await owner.send(new GetObjectRetentionCommand({ Bucket: B, Key: 'walts', VersionId: v }));
    assert.ok(r.Retention!.RetainUntilDate!.getTime() < Date.now() + 200_000, 'shortened');
    const without = await sdkError(() => writer.send(new DeleteObjectCommand({ Bucket: B, Key: 'walts', VersionId: v })));
    assert.equal(without.name, 'AccessDenied', 'the header is still needed');
    await writer.send(new DeleteObjectCommand({ Bucket: B, Key: 'walts', VersionId: v, BypassGovernanceRetention: true }));
    assert.equal((await sdkError(() => owner.send(new GetObjectRetentionCommand({ Bucket: B, Key: 'walts', VersionId: v })))).name, 'NoSuchVersion');
    await owner.send(new DeleteBucketPolicyCommand({ Bucket: B }));
  });

  it('the bucket\'s owner may shorten it and delete the version with the bypass header', async () => {
    await owner.send(new PutObjectRetentionCommand({ Bucket: B, Key: 'doc', VersionId: versionId, BypassGovernanceRetention: true,
      Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + 60_000) } }));
    const without = await sdkError(() => owner.send(new DeleteObjectCommand({ Bucket: B, Key: 'doc', VersionId: versionId })));
    assert.equal(without.name, 'AccessDenied', 'the header is needed, even by the owner');
    await owner.send(new DeleteObjectCommand({ Bucket: B, Key: 'doc', VersionId: versionId, BypassGovernanceRetention: true }));
  });
});
