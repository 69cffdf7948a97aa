/**
 * End to end: object lock (issue #12) with @aws-sdk/client-s3. Lock-enabled buckets, the bucket configuration and
 * its default retention stamped on each version, retention and legal hold per version, the one check that every
 * deleting path meets, and the errors S3 gives for bad input. Retain-until dates are a few seconds ahead, so
 * expiry is tested without waiting days. As root on a file system with the immutable attribute the gateway
 * makes locked versions immutable: after() clears the attribute under the served tree, so no run leaves an
 * immutable file behind.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { appendFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketCommand, DeleteObjectCommand,
  DeleteObjectsCommand, GetBucketVersioningCommand, GetObjectCommand, GetObjectLegalHoldCommand, GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand, HeadObjectCommand, PutBucketVersioningCommand, PutObjectCommand, PutObjectLegalHoldCommand,
  PutBucketPolicyCommand, PutObjectLockConfigurationCommand, PutObjectRetentionCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { startServer, type TestServer } from '../helpers/server.js';
import { parseXml, rawRequest, sdkError } from './util.js';

const run = promisify(execFile);
let ts: TestServer;
let s3: S3Client;

/** A date `s` seconds from now. */
const inSeconds = (s: number): Date => new Date(Date.now() + s * 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Content-MD5 of a body: S3 requires a digest on every request that changes object lock. */
const md5 = (body: string): { 'content-md5': string } => ({ 'content-md5': createHash('md5').update(body).digest('base64') });

async function lockedBucket(name: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: name, ObjectLockEnabledForBucket: true }));
}

async function put(bucket: string, key: string, body: string, extra: Record<string, unknown> = {}): Promise<string> {
  const out = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...extra }));
  assert.ok(out.VersionId, 'a version id');
  return out.VersionId;
}

async function deniedDelete(bucket: string, key: string, versionId: string, bypass = false): Promise<string> {
  assert.ok(versionId, 'a version id (without one, DeleteObject only writes a delete marker)');
  const e = await sdkError(() => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId, ...(bypass ? { BypassGovernanceRetention: true } : {}) })));
  assert.equal(e.name, 'AccessDenied');
  assert.equal(e.status, 403);
  assert.match(e.message, /object lock/);
  return e.message;
}

async function bodyOf(bucket: string, key: string, versionId?: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return out.Body!.transformToString();
}

before(async () => {
  ts = await startServer();
  s3 = ts.client();
});

after(async () => {
  // The immutable attribute outlives the server: clear it, or the temporary tree could not be removed.
  if (ts && process.getuid?.() === 0) await run('chattr', ['-R', '-i', ts.root]).catch(() => {});
  await ts?.stop();
});

describe('CreateBucket with object lock', () => {
  it('makes a lock-enabled bucket, versioning Enabled, which can never be suspended', async () => {
    await lockedBucket('lock-create');
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: 'lock-create' }))).Status, 'Enabled');
    const conf = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'lock-create' }));
    assert.equal(conf.ObjectLockConfiguration?.ObjectLockEnabled, 'Enabled');
    assert.equal(conf.ObjectLockConfiguration?.Rule, undefined);
    const e = await sdkError(() => s3.send(new PutBucketVersioningCommand({ Bucket: 'lock-create', VersioningConfiguration: { Status: 'Suspended' } })));
    assert.equal(e.name, 'InvalidBucketState');
    assert.equal(e.status, 409);
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: 'lock-create' }))).Status, 'Enabled');
  });

  it('DeleteBucket leaves a bucket holding a locked version alone (BucketNotEmpty), the version intact', async () => {
    const v = await put('lock-create', 'kept', 'bytes', { ObjectLockLegalHoldStatus: 'ON' });
    await s3.send(new DeleteObjectCommand({ Bucket: 'lock-create', Key: 'kept' }));
    const e = await sdkError(() => s3.send(new DeleteBucketCommand({ Bucket: 'lock-create' })));
    assert.equal(e.name, 'BucketNotEmpty');
    assert.equal(await bodyOf('lock-create', 'kept', v), 'bytes');
  });

  it('refuses a header value other than true or false, and makes no bucket', async () => {
    const r = await rawRequest(ts, { method: 'PUT', path: '/lock-bad-header', headers: { 'x-amz-bucket-object-lock-enabled': 'yes' } });
    assert.equal(r.status, 400, r.text);
    assert.equal(parseXml(r.text).Error.Code, 'InvalidArgument');
    const head = await rawRequest(ts, { method: 'HEAD', path: '/lock-bad-header' });
    assert.equal(head.status, 404);
  });
});

describe('PutObjectLockConfiguration and GetObjectLockConfiguration', () => {
  let early: string;
  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lock-later' }));
  });

  it('answers ObjectLockConfigurationNotFoundError for a bucket without lock', async () => {
    const e = await sdkError(() => s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'lock-later' })));
    assert.equal(e.name, 'ObjectLockConfigurationNotFoundError');
    assert.equal(e.status, 404);
  });

  it('refuses to enable lock while versioning is not Enabled (InvalidBucketState), then enables it once it is', async () => {
    const conf = { ObjectLockEnabled: 'Enabled' as const };
    const e = await sdkError(() => s3.send(new PutObjectLockConfigurationCommand({ Bucket: 'lock-later', ObjectLockConfiguration: conf })));
    assert.equal(e.name, 'InvalidBucketState');
    assert.equal(e.status, 409);
    await sdkError(() => s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'lock-later' })));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'lock-later', VersioningConfiguration: { Status: 'Enabled' } }));
    early = await put('lock-later', 'early', 'original bytes'); // kept as a hard link: lock is not enabled yet
    const file = join(ts.root, 'lock-later', 'early');
    const entry = join(ts.root, 'lock-later', '.dirbucket', 'versions', 'early', '.dirbucket', early);
    assert.equal((await stat(file)).ino, (await stat(entry)).ino, 'before lock: one inode, two names');
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket: 'lock-later', ObjectLockConfiguration: conf }));
    const got = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'lock-later' }));
    assert.equal(got.ObjectLockConfiguration?.ObjectLockEnabled, 'Enabled');
    const s = await sdkError(() => s3.send(new PutBucketVersioningCommand({ Bucket: 'lock-later', VersioningConfiguration: { Status: 'Suspended' } })));
    assert.equal(s.name, 'InvalidBucketState');
  });

  it('a version kept before lock was enabled gets bytes of its own when locked: a NAS rewrite in place of the key\'s file cannot reach them', async () => {
    // lock-later: versioning Enabled, `early` written, then lock enabled (the test above).
    const v = early;
    await s3.send(new PutObjectRetentionCommand({ Bucket: 'lock-later', Key: 'early', VersionId: v, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: inSeconds(300) } }));
    const file = join(ts.root, 'lock-later', 'early');
    const entry = join(ts.root, 'lock-later', '.dirbucket', 'versions', 'early', '.dirbucket', v);
    assert.notEqual((await stat(file)).ino, (await stat(entry)).ino, 'the locked version has its own inode');
    await appendFile(file, ' and a NAS edit in place');
    assert.equal(await bodyOf('lock-later', 'early', v), 'original bytes');
    assert.equal(await bodyOf('lock-later', 'early'), 'original bytes and a NAS edit in place');
  });

  it('refuses bad configurations with S3\'s errors and changes nothing', async () => {
    await lockedBucket('lock-validate');
    const good = '<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>3</Days></DefaultRetention></Rule></ObjectLockConfiguration>';
    const send = (body: string) => rawRequest(ts, { method: 'PUT', path: '/lock-validate', query: [['object-lock', '']], body, headers: md5(body) });
    assert.equal((await send(good)).status, 200);
    const cases: [string, string][] = [
      ['<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years></DefaultRetention></Rule></ObjectLockConfiguration>', 'MalformedXML'],
      ['<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>0</Days></DefaultRetention></Rule></ObjectLockConfiguration>', 'InvalidArgument'],
      ['<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Years>-2</Years></DefaultRetention></Rule></ObjectLockConfiguration>', 'InvalidArgument'],
      ['<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>FOREVER</Mode><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>', 'MalformedXML'],
      ['<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode></DefaultRetention></Rule></ObjectLockConfiguration>', 'MalformedXML'],
      ['<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>', 'MalformedXML'],
      ['<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled', 'MalformedXML'],
    ];
    for (const [body, code] of cases) {
      const r = await send(body);
      assert.equal(r.status, 400, `${body}: ${r.text}`);
      assert.equal(parseXml(r.text).Error.Code, code, body);
    }
    const got = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'lock-validate' }));
    assert.deepEqual(got.ObjectLockConfiguration?.Rule?.DefaultRetention, { Mode: 'GOVERNANCE', Days: 3 });
  });
});

describe('default retention', () => {
  const B = 'lock-default';
  before(async () => {
    await lockedBucket(B);
  });

  it('is stamped on each new version at write time, with its own retain-until date; a later default does not move it', async () => {
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket: B, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } } }));
    const t0 = Date.now();
    const v1 = await put(B, 'doc', 'one');
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'doc' }));
    assert.equal(head.ObjectLockMode, 'GOVERNANCE');
    const until = head.ObjectLockRetainUntilDate!.getTime();
    assert.ok(Math.abs(until - (t0 + 86_400_000)) < 60_000, `retain until ${head.ObjectLockRetainUntilDate?.toISOString()}`);
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket: B, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 3 } } } }));
    const v2 = await put(B, 'doc', 'two');
    const r1 = await s3.send(new GetObjectRetentionCommand({ Bucket: B, Key: 'doc', VersionId: v1 }));
    assert.equal(r1.Retention?.RetainUntilDate?.getTime(), until, 'the first version keeps its date');
    const r2 = await s3.send(new GetObjectRetentionCommand({ Bucket: B, Key: 'doc', VersionId: v2 }));
    assert.ok(r2.Retention!.RetainUntilDate!.getTime() > until + 86_400_000);
    await deniedDelete(B, 'doc', v1);
    // The bucket owner (here the administrator) may bypass GOVERNANCE.
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'doc', VersionId: v1, BypassGovernanceRetention: true }));
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'doc', VersionId: v2, BypassGovernanceRetention: true }));
  });

  it('the request\'s own lock headers win over the default', async () => {
    const until = inSeconds(600);
    const v = await put(B, 'own', 'x', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: until });
    const r = await s3.send(new GetObjectRetentionCommand({ Bucket: B, Key: 'own', VersionId: v }));
    assert.ok(Math.abs(r.Retention!.RetainUntilDate!.getTime() - until.getTime()) < 1000);
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'own', VersionId: v, BypassGovernanceRetention: true }));
  });
});

describe('retention on a version', () => {
  const B = 'lock-retention';
  before(async () => {
    await lockedBucket(B);
  });

  it('x-amz-object-lock-* on PutObject lock the version: no delete by version id until the date, a delete marker and new versions stay allowed', async () => {
    const v1 = await put(B, 'k', 'first', { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: inSeconds(4) });
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'k', VersionId: v1 }));
    assert.equal(head.ObjectLockMode, 'COMPLIANCE');
    const msg = await deniedDelete(B, 'k', v1, true);
    assert.match(msg, /COMPLIANCE/);
    const v2 = await put(B, 'k', 'second');
    assert.equal(await bodyOf(B, 'k'), 'second');
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'k' }));
    assert.equal(marker.DeleteMarker, true);
    assert.equal(await bodyOf(B, 'k', v1), 'first', 'the locked version is intact');
    await sleep(4500);
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'k', VersionId: v1 }));
    const gone = await sdkError(() => s3.send(new GetObjectCommand({ Bucket: B, Key: 'k', VersionId: v1 })));
    assert.equal(gone.name, 'NoSuchVersion');
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'k', VersionId: v2 }));
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'k', VersionId: marker.VersionId }));
  });

  it('a locked current version can be deleted neither by version id nor by DeleteObjects; unlocked keys in the same request go', async () => {
    const locked = await put(B, 'cur', 'locked', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inSeconds(300) });
    const free = await put(B, 'free', 'free');
    const out = await s3.send(new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: [{ Key: 'cur', VersionId: locked }, { Key: 'free', VersionId: free }] } }));
    assert.deepEqual(out.Deleted?.map((d) => d.Key), ['free']);
    assert.equal(out.Errors?.length, 1);
    assert.equal(out.Errors![0]!.Code, 'AccessDenied');
    assert.match(out.Errors![0]!.Message!, /object lock/);
    assert.equal(await bodyOf(B, 'cur', locked), 'locked');
    const bypassed = await s3.send(new DeleteObjectsCommand({ Bucket: B, BypassGovernanceRetention: true, Delete: { Objects: [{ Key: 'cur', VersionId: locked }] } }));
    assert.deepEqual(bypassed.Deleted?.map((d) => d.VersionId), [locked]);
  });

  it('retention can be extended; GOVERNANCE shortened or removed only with bypass; COMPLIANCE never', async () => {
    const v = await put(B, 'r', 'x', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inSeconds(300) });
    const later = inSeconds(600);
    await s3.send(new PutObjectRetentionCommand({ Bucket: B, Key: 'r', VersionId: v, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: later } }));
    const shorter = { Mode: 'GOVERNANCE' as const, RetainUntilDate: inSeconds(120) };
    const e = await sdkError(() => s3.send(new PutObjectRetentionCommand({ Bucket: B, Key: 'r', VersionId: v, Retention: shorter })));
    assert.equal(e.name, 'AccessDenied');
    const kept = await s3.send(new GetObjectRetentionCommand({ Bucket: B, Key: 'r', VersionId: v }));
    assert.ok(Math.abs(kept.Retention!.RetainUntilDate!.getTime() - later.getTime()) < 1000, 'unchanged');
    await s3.send(new PutObjectRetentionCommand({ Bucket: B, Key: 'r', VersionId: v, Retention: shorter, BypassGovernanceRetention: true }));
    // GOVERNANCE → COMPLIANCE (stricter) needs no bypass; after that, nothing shortens or removes it.
    await s3.send(new PutObjectRetentionCommand({ Bucket: B, Key: 'r', VersionId: v, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: inSeconds(130) } }));
    const now = await s3.send(new GetObjectRetentionCommand({ Bucket: B, Key: 'r', VersionId: v }));
    assert.equal(now.Retention?.Mode, 'COMPLIANCE');
    for (const retention of [{ Mode: 'GOVERNANCE' as const, RetainUntilDate: inSeconds(3000) }, { Mode: 'COMPLIANCE' as const, RetainUntilDate: inSeconds(2) }]) {
      const c = await sdkError(() => s3.send(new PutObjectRetentionCommand({ Bucket: B, Key: 'r', VersionId: v, Retention: retention, BypassGovernanceRetention: true })));
      assert.equal(c.name, 'AccessDenied', JSON.stringify(retention));
    }
    const removal = await rawRequest(ts, { method: 'PUT', path: `/${B}/r`, query: [['retention', ''], ['versionId', v]], body: '<Retention/>',
      headers: { 'x-amz-bypass-governance-retention': 'true', ...md5('<Retention/>') } });
    assert.equal(removal.status, 403, removal.text);
    assert.equal((await s3.send(new GetObjectRetentionCommand({ Bucket: B, Key: 'r', VersionId: v }))).Retention?.Mode, 'COMPLIANCE');
  });

  it('refuses a date in the past, an unknown mode, and malformed XML, changing nothing', async () => {
    const v = await put(B, 'bad', 'x');
    const send = (body: string) => rawRequest(ts, { method: 'PUT', path: `/${B}/bad`, query: [['retention', ''], ['versionId', v]], body, headers: md5(body) });
    const cases: [string, string][] = [
      ['<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2001-01-01T00:00:00Z</RetainUntilDate></Retention>', 'InvalidArgument'],
      [`<Retention><Mode>FOREVER</Mode><RetainUntilDate>${inSeconds(60).toISOString()}</RetainUntilDate></Retention>`, 'MalformedXML'],
      [`<Retention><RetainUntilDate>${inSeconds(60).toISOString()}</RetainUntilDate></Retention>`, 'MalformedXML'],
      ['<Retention><Mode>GOVERNANCE</Mode>', 'MalformedXML'],
    ];
    for (const [body, code] of cases) {
      const r = await send(body);
      assert.equal(r.status, 400, `${body}: ${r.text}`);
      assert.equal(parseXml(r.text).Error.Code, code, body);
    }
    const e = await sdkError(() => s3.send(new GetObjectRetentionCommand({ Bucket: B, Key: 'bad', VersionId: v })));
    assert.equal(e.name, 'NoSuchObjectLockConfiguration');
    assert.equal(e.status, 404);
  });

  it('refuses bad lock headers on PutObject with InvalidArgument and writes nothing', async () => {
    const cases: Record<string, string>[] = [
      { 'x-amz-object-lock-mode': 'GOVERNANCE' },
      { 'x-amz-object-lock-retain-until-date': inSeconds(60).toISOString() },
      { 'x-amz-object-lock-mode': 'FOREVER', 'x-amz-object-lock-retain-until-date': inSeconds(60).toISOString() },
      { 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': '2001-01-01T00:00:00Z' },
      { 'x-amz-object-lock-legal-hold': 'MAYBE' },
    ];
    for (const headers of cases) {
      const r = await rawRequest(ts, { method: 'PUT', path: `/${B}/never`, headers, body: 'x' });
      assert.equal(r.status, 400, `${JSON.stringify(headers)}: ${r.text}`);
      assert.equal(parseXml(r.text).Error.Code, 'InvalidArgument', JSON.stringify(headers));
    }
    const head = await rawRequest(ts, { method: 'HEAD', path: `/${B}/never` });
    assert.equal(head.status, 404);
  });
});

describe('legal hold', () => {
  const B = 'lock-hold';
  before(async () => {
    await lockedBucket(B);
  });

  it('ON forbids deleting the version, bypass or not; OFF lets it go', async () => {
    const v = await put(B, 'h', 'held', { ObjectLockLegalHoldStatus: 'ON' });
    assert.equal((await s3.send(new GetObjectLegalHoldCommand({ Bucket: B, Key: 'h', VersionId: v }))).LegalHold?.Status, 'ON');
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'h' }))).ObjectLockLegalHoldStatus, 'ON');
    const msg = await deniedDelete(B, 'h', v, true);
    assert.match(msg, /legal hold/);
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: B, Key: 'h', VersionId: v, LegalHold: { Status: 'OFF' } }));
    assert.equal((await s3.send(new GetObjectLegalHoldCommand({ Bucket: B, Key: 'h', VersionId: v }))).LegalHold?.Status, 'OFF');
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'h', VersionId: v }));
  });

  it('is set on the current version without a version id; NoSuchObjectLockConfiguration where none was ever set', async () => {
    const v = await put(B, 'c', 'x');
    const none = await sdkError(() => s3.send(new GetObjectLegalHoldCommand({ Bucket: B, Key: 'c' })));
    assert.equal(none.name, 'NoSuchObjectLockConfiguration');
    const out = await s3.send(new PutObjectLegalHoldCommand({ Bucket: B, Key: 'c', LegalHold: { Status: 'ON' } }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    await deniedDelete(B, 'c', v);
    const badBody = '<LegalHold><Status>MAYBE</Status></LegalHold>';
    const bad = await rawRequest(ts, { method: 'PUT', path: `/${B}/c`, query: [['legal-hold', '']], body: badBody, headers: md5(badBody) });
    assert.equal(parseXml(bad.text).Error.Code, 'MalformedXML');
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: B, Key: 'c', VersionId: v, LegalHold: { Status: 'OFF' } }));
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'c', VersionId: v }));
  });
});

describe('CopyObject and multipart uploads', () => {
  const B = 'lock-writes';
  before(async () => {
    await lockedBucket(B);
  });

  it('CopyObject takes the request\'s lock, never its source\'s', async () => {
    const src = await put(B, 'src', 'data', { ObjectLockLegalHoldStatus: 'ON' });
    const plain = await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'plain-copy', CopySource: `${B}/src` }));
    const h = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'plain-copy' }));
    assert.equal(h.ObjectLockLegalHoldStatus, undefined);
    const held = await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'held-copy', CopySource: `${B}/src`, ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inSeconds(300) }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'held-copy' }))).ObjectLockMode, 'GOVERNANCE');
    await deniedDelete(B, 'held-copy', held.VersionId!);
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'held-copy', VersionId: held.VersionId, BypassGovernanceRetention: true }));
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'plain-copy', VersionId: plain.VersionId }));
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: B, Key: 'src', VersionId: src, LegalHold: { Status: 'OFF' } }));
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'src', VersionId: src }));
  });

  it('CreateMultipartUpload\'s lock is applied at Complete', async () => {
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'mp', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inSeconds(300) }));
    const part = await s3.send(new UploadPartCommand({ Bucket: B, Key: 'mp', UploadId: up.UploadId, PartNumber: 1, Body: 'parts' }));
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: 'mp', UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    // A slow Complete (a loaded host) answers before its version id is known, in no header: ask HEAD then.
    const versionId = done.VersionId ?? (await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'mp' }))).VersionId!;
    const r = await s3.send(new GetObjectRetentionCommand({ Bucket: B, Key: 'mp', VersionId: versionId }));
    assert.equal(r.Retention?.Mode, 'GOVERNANCE');
    await deniedDelete(B, 'mp', versionId);
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'mp', VersionId: versionId, BypassGovernanceRetention: true }));
  });
});

describe('bucket policy conditions on object lock', () => {
  it('s3:object-lock-mode and s3:object-lock-remaining-retention-days: a Deny of long or COMPLIANCE retention binds even the owner', async () => {
    const B = 'lock-policy';
    await lockedBucket(B);
    const deny = (Sid: string, Condition: unknown) => ({ Sid, Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/*`, Condition });
    await s3.send(new PutBucketPolicyCommand({ Bucket: B, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [
      deny('at-most-30-days', { NumericGreaterThan: { 's3:object-lock-remaining-retention-days': '30' } }),
      deny('no-compliance', { StringEquals: { 's3:object-lock-mode': 'COMPLIANCE' } }),
    ] }) }));
    const long = await sdkError(() => s3.send(new PutObjectCommand({ Bucket: B, Key: 'long', Body: 'x', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inSeconds(60 * 86400) })));
    assert.equal(long.name, 'AccessDenied');
    const compliance = await sdkError(() => s3.send(new PutObjectCommand({ Bucket: B, Key: 'compliance', Body: 'x', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: inSeconds(5) })));
    assert.equal(compliance.name, 'AccessDenied');
    // Within both: allowed (GOVERNANCE for a few seconds, so nothing stays locked).
    await put(B, 'short', 'x', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inSeconds(3) });
    await put(B, 'plain', 'x');
  });
});

describe('a bucket without object lock', () => {
  const B = 'lock-none';
  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'x' }));
  });

  it('refuses lock headers and lock requests with InvalidRequest, writing nothing', async () => {
    const e = await sdkError(() => s3.send(new PutObjectCommand({ Bucket: B, Key: 'new', Body: 'x', ObjectLockLegalHoldStatus: 'ON' })));
    assert.equal(e.name, 'InvalidRequest');
    assert.equal((await rawRequest(ts, { method: 'HEAD', path: `/${B}/new` })).status, 404);
    const m = await sdkError(() => s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'new', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inSeconds(60) })));
    assert.equal(m.name, 'InvalidRequest');
    const c = await sdkError(() => s3.send(new CopyObjectCommand({ Bucket: B, Key: 'new', CopySource: `${B}/k`, ObjectLockLegalHoldStatus: 'ON' })));
    assert.equal(c.name, 'InvalidRequest');
    for (const call of [
      () => s3.send(new PutObjectRetentionCommand({ Bucket: B, Key: 'k', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: inSeconds(60) } })),
      () => s3.send(new GetObjectRetentionCommand({ Bucket: B, Key: 'k' })),
      () => s3.send(new PutObjectLegalHoldCommand({ Bucket: B, Key: 'k', LegalHold: { Status: 'ON' } })),
      () => s3.send(new GetObjectLegalHoldCommand({ Bucket: B, Key: 'k' })),
    ]) {
      const x = await sdkError(call);
      assert.equal(x.name, 'InvalidRequest');
      assert.equal(x.status, 400);
    }
  });
});
