/**
 * The archive tier in a versioned bucket: each version keeps its id, size, ETag and class; an archived version's
 * kept entry and (while current) the key's path are stubs, its data in the tier once; a restore of the current
 * version puts copies at both; a NAS write over a stub and a delete make new versions and leave the archived one
 * as it was.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand,
  RestoreObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { md5hex, sdkError } from './util.js';

const B = 'cold-versions';
let ts: TestServer;
let s3: S3Client;
let archive: string;

/** How many tier files hold exactly `data`. */
function copiesInTier(data: Buffer): number {
  let n = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (readFileSync(join(dir, e.name)).equals(data)) n++;
    }
  };
  walk(archive);
  return n;
}

/** The sizes of the key's kept entries in the versions store, by version id. */
function entrySizes(key: string): Record<string, number> {
  const dir = join(ts.root, B, '.dirbucket', 'versions', key, '.dirbucket');
  return Object.fromEntries(readdirSync(dir).filter((n) => /^[0-9a-z]+$/.test(n)).map((n) => [n, statSync(join(dir, n)).size]));
}

const body = async (out: { Body?: { transformToByteArray(): Promise<Uint8Array> } }) => Buffer.from(await out.Body!.transformToByteArray());

before(async () => {
  archive = await mkdtemp(join(tmpdir(), 'dirbucket-tier-'));
  ({ ts, s3 } = await startWithBuckets([B], { args: ['--archive-dir', archive, '--lifecycle-day-seconds', '3600'] }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } }));
});
after(async () => {
  await ts?.stop();
  await rm(archive, { recursive: true, force: true });
});

describe('archive classes with versioning', () => {
  let one: Buffer;
  let two: Buffer;
  let v1: string;
  let v2: string;

  it('a GLACIER version over a STANDARD one: stubs at the path and in its entry, the older version untouched', async () => {
    one = randomBytes(50_000);
    two = randomBytes(60_000);
    v1 = (await s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: one }))).VersionId!;
    v2 = (await s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: two, StorageClass: 'GLACIER' }))).VersionId!;
    assert.notEqual(v1, v2);
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'k' }));
    assert.deepEqual([head.VersionId, head.StorageClass, head.ContentLength, head.ETag], [v2, 'GLACIER', two.length, `"${md5hex(two)}"`]);
    assert.equal((await sdkError(() => s3.send(new GetObjectCommand({ Bucket: B, Key: 'k' })))).name, 'InvalidObjectState');
    assert.equal((await sdkError(() => s3.send(new GetObjectCommand({ Bucket: B, Key: 'k', VersionId: v2 })))).name, 'InvalidObjectState');
    assert.ok((await body(await s3.send(new GetObjectCommand({ Bucket: B, Key: 'k', VersionId: v1 })))).equals(one));
    assert.equal(statSync(join(ts.root, B, 'k')).size, 0);
    assert.deepEqual(entrySizes('k'), { [v1]: one.length, [v2]: 0 });
    assert.equal(copiesInTier(two), 1);
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: B, Prefix: 'k' }));
    assert.deepEqual(listed.Versions?.map((v) => [v.VersionId, v.IsLatest, v.StorageClass, v.Size]),
      [[v2, true, 'GLACIER', two.length], [v1, false, 'STANDARD', one.length]]);
  });

  it('a restore of the current version puts the bytes at the path and in its entry; a newer version leaves it restored', async () => {
    assert.equal((await s3.send(new RestoreObjectCommand({ Bucket: B, Key: 'k', RestoreRequest: { Days: 1 } }))).$metadata.httpStatusCode, 202);
    assert.ok(await waitUntil(async () => (await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'k' }))).Restore?.startsWith('ongoing-request="false"') ?? false,
      { timeoutMs: 20_000 }), 'the restore completes');
    assert.ok((await body(await s3.send(new GetObjectCommand({ Bucket: B, Key: 'k' })))).equals(two));
    const byId = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'k', VersionId: v2 }));
    assert.match(byId.Restore ?? '', /ongoing-request="false"/);
    assert.ok((await body(byId)).equals(two));
    assert.ok(readFileSync(join(ts.root, B, 'k')).equals(two), 'NAS users read the restored copy at the path');
    const three = Buffer.from('third');
    const v3 = (await s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: three }))).VersionId!;
    const old = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'k', VersionId: v2 }));
    assert.deepEqual([old.StorageClass, old.ContentLength], ['GLACIER', two.length]);
    assert.match(old.Restore ?? '', /ongoing-request="false"/);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'k' }))).VersionId, v3);
    assert.equal(copiesInTier(two), 1);
  });

  it('a NAS write over a stub makes a new current version; a delete makes a marker; the archived version stays as it was', async () => {
    const data = randomBytes(30_000);
    const va = (await s3.send(new PutObjectCommand({ Bucket: B, Key: 'n', Body: data, StorageClass: 'DEEP_ARCHIVE' }))).VersionId!;
    writeFileSync(join(ts.root, B, 'n'), 'from the NAS');
    const now = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'n' }));
    assert.notEqual(now.VersionId, va);
    assert.equal(now.StorageClass, undefined);
    assert.equal((await body(await s3.send(new GetObjectCommand({ Bucket: B, Key: 'n' })))).toString(), 'from the NAS');
    const archived = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'n', VersionId: va }));
    assert.deepEqual([archived.StorageClass, archived.ContentLength, archived.ETag], ['DEEP_ARCHIVE', data.length, `"${md5hex(data)}"`]);
    const del = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'n' }));
    assert.equal(del.DeleteMarker, true);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'n', VersionId: va }))).StorageClass, 'DEEP_ARCHIVE');
    // A restore by version id of a noncurrent version: the copy is its entry.
    assert.equal((await s3.send(new RestoreObjectCommand({ Bucket: B, Key: 'n', VersionId: va, RestoreRequest: { Days: 2 } }))).$metadata.httpStatusCode, 202);
    assert.ok(await waitUntil(async () => (await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'n', VersionId: va }))).Restore?.startsWith('ongoing-request="false"') ?? false,
      { timeoutMs: 20_000 }), 'the restore of the noncurrent version completes');
    assert.ok((await body(await s3.send(new GetObjectCommand({ Bucket: B, Key: 'n', VersionId: va })))).equals(data));
    assert.equal(copiesInTier(data), 1);
  });
});
