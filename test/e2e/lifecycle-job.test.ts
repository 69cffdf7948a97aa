/**
 * End to end: the lifecycle job of a real server with a day of 1 s applies each action — expiration (deleting, or
 * a delete marker in a versioned bucket), NoncurrentVersionExpiration with NewerNoncurrentVersions, expired object
 * delete markers, AbortIncompleteMultipartUpload — ages counted from the file's mtime (NAS-written files too),
 * leaves a locked version alone, and logs each action. Every wait is bounded.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand, PutBucketVersioningCommand, PutObjectCommand, PutObjectLegalHoldCommand, S3Client, type LifecycleRule,
} from '@aws-sdk/client-s3';
import { startServer, type TestServer } from '../helpers/server.js';
import { makeTempDir, removeDir } from '../helpers/files.js';
import { waitUntil } from '../helpers/wait.js';
import { sdkError } from './util.js';

let ts: TestServer;
let s3: S3Client;
const DAY = ['--lifecycle-day-seconds', '1'];

before(async () => {
  ts = await startServer({ args: DAY });
  s3 = ts.client();
});
after(() => ts?.stop());

const rules = (bucket: string, Rules: LifecycleRule[]) => s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules } }));
const exists = (bucket: string, key: string) => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);
const versionsOf = async (bucket: string, key: string) => {
  const r = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return [...(r.Versions ?? []).map((v) => ({ id: v.VersionId!, latest: v.IsLatest!, marker: false, at: v.LastModified! })), ...(r.DeleteMarkers ?? []).map((v) => ({ id: v.VersionId!, latest: v.IsLatest!, marker: true, at: v.LastModified! }))];
};
/** The server's log lines for lifecycle actions. */
const actionLines = (server: TestServer) => server.stdout().split('\n').filter((l) => l.includes('"job":"lifecycle"') && l.includes('"action"')).map((l) => JSON.parse(l) as Record<string, string>);

describe('lifecycle job: a bucket without versioning', () => {
  const B = 'lc-plain';
  it('expires what a rule makes due, by the file\'s mtime (NAS files too), and nothing else', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'tmp/a.txt', Body: 'a' }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'keep/b.txt', Body: 'b' }));
    // Written by a NAS user, dated an hour ahead: a day of 1 s does not make it due.
    const future = join(ts.root, B, 'tmp', 'future.txt');
    await writeFile(future, 'f');
    const inAnHour = new Date(Date.now() + 3_600_000);
    await utimes(future, inAnHour, inAnHour);
    await mkdir(join(ts.root, B, 'tmp', 'nas'), { recursive: true });
    await writeFile(join(ts.root, B, 'tmp', 'nas', 'old.txt'), 'old');
    await rules(B, [{ ID: 'tmp-one-day', Filter: { Prefix: 'tmp/' }, Status: 'Enabled', Expiration: { Days: 1 } }]);
    assert.ok(await waitUntil(async () => !(await exists(B, 'tmp/a.txt')) && !(await exists(B, 'tmp/nas/old.txt')), { timeoutMs: 20_000, intervalMs: 200 }), 'tmp/ expired');
    assert.ok(await exists(B, 'keep/b.txt'), 'outside the prefix: kept');
    assert.ok(await exists(B, 'tmp/future.txt'), 'not yet due by its mtime: kept');
    const lines = actionLines(ts).filter((l) => l['bucket'] === B);
    assert.deepEqual(lines.map((l) => [l['action'], l['key'], l['rule'], l['outcome']]).sort(), [['expire', 'tmp/a.txt', 'tmp-one-day', 'done'], ['expire', 'tmp/nas/old.txt', 'tmp-one-day', 'done']]);
  });

  it('aborts incomplete multipart uploads DaysAfterInitiation after they began', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'up/u.bin' }));
    const other = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'stay/u.bin' }));
    await rules(B, [{ ID: 'uploads', Filter: { Prefix: 'up/' }, Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }]);
    const uploads = async () => (await s3.send(new ListMultipartUploadsCommand({ Bucket: B }))).Uploads?.map((u) => u.UploadId) ?? [];
    assert.ok(await waitUntil(async () => !(await uploads()).includes(UploadId), { timeoutMs: 20_000, intervalMs: 200 }), 'up/ aborted');
    assert.ok((await uploads()).includes(other.UploadId), 'outside the prefix: kept');
  });
});

describe('lifecycle job: a versioned bucket', () => {
  const B = 'lc-versions';
  it('expiration leaves a delete marker; NoncurrentVersionExpiration keeps NewerNoncurrentVersions; a lone delete marker goes', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'cur/x', Body: 'x' }));
    for (const body of ['1', '2', '3']) await s3.send(new PutObjectCommand({ Bucket: B, Key: 'nc/y', Body: body }));
    const [v3, v2] = (await versionsOf(B, 'nc/y')).map((v) => v.id);
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'dm/z', Body: 'z' }));
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'dm/z' }));
    await rules(B, [
      { ID: 'cur', Filter: { Prefix: 'cur/' }, Status: 'Enabled', Expiration: { Days: 1 } },
      { ID: 'nc', Filter: { Prefix: 'nc/' }, Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 1 } },
      { ID: 'dm', Filter: { Prefix: 'dm/' }, Status: 'Enabled', Expiration: { ExpiredObjectDeleteMarker: true }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } },
    ]);
    assert.ok(await waitUntil(async () => {
      const cur = await versionsOf(B, 'cur/x');
      return cur.length === 2 && cur.some((v) => v.marker && v.latest);
    }, { timeoutMs: 20_000, intervalMs: 200 }), 'cur/x: a delete marker on top of the version');
    assert.ok(await waitUntil(async () => (await versionsOf(B, 'nc/y')).length === 2, { timeoutMs: 20_000, intervalMs: 200 }), 'nc/y: the oldest noncurrent version expired');
    assert.deepEqual((await versionsOf(B, 'nc/y')).map((v) => v.id).sort(), [v3, v2].sort(), 'the current and one newer noncurrent version kept');
    assert.ok(await waitUntil(async () => (await versionsOf(B, 'dm/z')).length === 0, { timeoutMs: 20_000, intervalMs: 200 }), 'dm/z: version expired, then its lone delete marker');
    // Passes go on every second: what is kept stays kept.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal((await versionsOf(B, 'nc/y')).length, 2);
    assert.equal((await versionsOf(B, 'cur/x')).length, 2, 'the marker is not lone: the version under it stays (no noncurrent rule)');
  });
});

describe('lifecycle job: object lock', () => {
  const B = 'lc-locked';
  it('leaves a version under legal hold alone, and says so in the log', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: B, ObjectLockEnabledForBucket: true }));
    for (const key of ['held/o', 'free/o']) {
      await s3.send(new PutObjectCommand({ Bucket: B, Key: key, Body: 'v1' }));
      await s3.send(new PutObjectCommand({ Bucket: B, Key: key, Body: 'v2' }));
    }
    const [, heldOld] = (await versionsOf(B, 'held/o')).map((v) => v.id);
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: B, Key: 'held/o', VersionId: heldOld, LegalHold: { Status: 'ON' } }));
    await rules(B, [{ ID: 'old-versions', Filter: {}, Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 1 } }]);
    assert.ok(await waitUntil(async () => (await versionsOf(B, 'free/o')).length === 1, { timeoutMs: 20_000, intervalMs: 200 }), 'the free noncurrent version expired');
    assert.ok(await waitUntil(() => actionLines(ts).some((l) => l['bucket'] === B && l['key'] === 'held/o' && l['outcome'] === 'locked'), { timeoutMs: 10_000 }), 'the refusal is logged');
    assert.equal((await versionsOf(B, 'held/o')).length, 2, 'the held version is still there');
    // Lifted, it goes on a later pass.
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: B, Key: 'held/o', VersionId: heldOld, LegalHold: { Status: 'OFF' } }));
    assert.ok(await waitUntil(async () => (await versionsOf(B, 'held/o')).length === 1, { timeoutMs: 20_000, intervalMs: 200 }), 'expired once the hold is off');
    assert.equal((await sdkError(() => s3.send(new HeadObjectCommand({ Bucket: B, Key: 'held/o', VersionId: heldOld })))).status, 404);
  });
});

describe('lifecycle job: transitions', () => {
  let archived: TestServer;
  let archiveDir: string;
  before(async () => {
    archiveDir = await makeTempDir('dirbucket-lifecycle-archive-');
    archived = await startServer({ args: [...DAY, '--archive-dir', archiveDir] });
  });
  after(async () => {
    await archived?.stop();
    await removeDir(archiveDir);
  });

  it('moves due objects to an archive class (data in the tier, GET refused) or records another class, once', async () => {
    const c = archived.client();
    const B = 'lc-transitions';
    await c.send(new CreateBucketCommand({ Bucket: B }));
    await c.send(new PutObjectCommand({ Bucket: B, Key: 'cold/a.txt', Body: 'cold data' }));
    await c.send(new PutObjectCommand({ Bucket: B, Key: 'warm/b.txt', Body: 'warm data' }));
    await c.send(new PutObjectCommand({ Bucket: B, Key: 'stay/c.txt', Body: 'stays' }));
    await c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: B, LifecycleConfiguration: { Rules: [
      { ID: 'cold', Filter: { Prefix: 'cold/' }, Status: 'Enabled', Transitions: [{ Days: 1, StorageClass: 'GLACIER' }] },
      { ID: 'warm', Filter: { Prefix: 'warm/' }, Status: 'Enabled', Transitions: [{ Days: 1, StorageClass: 'INTELLIGENT_TIERING' }] },
    ] } }));
    const classOf = async (key: string) => (await c.send(new HeadObjectCommand({ Bucket: B, Key: key }))).StorageClass ?? 'STANDARD';
    assert.ok(await waitUntil(async () => (await classOf('cold/a.txt')) === 'GLACIER' && (await classOf('warm/b.txt')) === 'INTELLIGENT_TIERING', { timeoutMs: 30_000, intervalMs: 250 }),
      `transitioned: ${await classOf('cold/a.txt')}, ${await classOf('warm/b.txt')}`);
    assert.equal((await c.send(new HeadObjectCommand({ Bucket: B, Key: 'cold/a.txt' }))).ContentLength, 'cold data'.length, 'HEAD keeps the real size');
    const refused = await sdkError(() => c.send(new GetObjectCommand({ Bucket: B, Key: 'cold/a.txt' })));
    assert.equal(refused.name, 'InvalidObjectState');
    assert.ok((await readdir(archiveDir, { recursive: true })).length > 0, 'the data is in the archive directory');
    assert.equal(await classOf('stay/c.txt'), 'STANDARD');
    await new Promise((r) => setTimeout(r, 2500));
    const moves = actionLines(archived).filter((l) => l['bucket'] === B && l['outcome'] === 'done').map((l) => `${l['action']} ${l['key']} ${l['storageClass']}`).sort();
    assert.deepEqual(moves, ['transition cold/a.txt GLACIER', 'transition warm/b.txt INTELLIGENT_TIERING'], 'each once, over several passes');
  });

  it('NoncurrentVersionTransitions move the noncurrent version and leave the current one', async () => {
    const c = archived.client();
    const B = 'lc-nc-transitions';
    await c.send(new CreateBucketCommand({ Bucket: B }));
    await c.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } }));
    await c.send(new PutObjectCommand({ Bucket: B, Key: 'doc', Body: 'first' }));
    await c.send(new PutObjectCommand({ Bucket: B, Key: 'doc', Body: 'second' }));
    await c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: B, LifecycleConfiguration: { Rules: [
      { ID: 'old-to-glacier', Filter: {}, Status: 'Enabled', NoncurrentVersionTransitions: [{ NoncurrentDays: 1, StorageClass: 'GLACIER' }] },
    ] } }));
    const classes = async () => {
      const r = await c.send(new ListObjectVersionsCommand({ Bucket: B }));
      return (r.Versions ?? []).map((v) => `${v.IsLatest ? 'current' : 'noncurrent'} ${v.StorageClass} ${v.Size}`);
    };
    assert.ok(await waitUntil(async () => (await classes()).includes('noncurrent GLACIER 5'), { timeoutMs: 30_000, intervalMs: 250 }), `moved: ${(await classes()).join(', ')}`);
    assert.deepEqual(await classes(), ['current STANDARD 6', 'noncurrent GLACIER 5']);
    const current = await c.send(new GetObjectCommand({ Bucket: B, Key: 'doc' }));
    assert.equal(await current.Body?.transformToString(), 'second', 'the current version reads as before');
  });
});
