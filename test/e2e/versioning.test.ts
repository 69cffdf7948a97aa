/** End to end: bucket versioning wired through the S3 operations (issue #11; design in docs/versioning.md). */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  PutBucketVersioningCommand,
  DeleteObjectTaggingCommand,
  GetObjectAclCommand,
  GetObjectAttributesCommand,
  GetObjectTaggingCommand,
  PutObjectAclCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { bodyBytes, errorOf, rawRequest, sdkError } from './util.js';

let ts: TestServer;
let s3: S3Client;
const V = 'versioned';
const SETTINGS = 'settings';

before(async () => {
  ({ ts, s3 } = await startWithBuckets([V, SETTINGS]));
  await s3.send(new PutBucketVersioningCommand({ Bucket: V, VersioningConfiguration: { Status: 'Enabled' } }));
});

after(() => ts?.stop());

function putVersioningRaw(bucket: string, xml: string) {
  return rawRequest(ts, { method: 'PUT', path: `/${bucket}`, query: [['versioning', '']], body: xml });
}

describe('PutBucketVersioning and GetBucketVersioning', () => {
  it('stores Enabled and Suspended, with when versioning was first enabled, and answers them', async () => {
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: SETTINGS }))).Status, undefined);
    await s3.send(new PutBucketVersioningCommand({ Bucket: SETTINGS, VersioningConfiguration: { Status: 'Enabled' } }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: SETTINGS }))).Status, 'Enabled');
    const first = JSON.parse(readFileSync(join(ts.root, SETTINGS, '.dirbucket', 'bucket.json'), 'utf8'));
    assert.equal(first.versioning, 'Enabled');
    assert.equal(typeof first.versioningEnabledAt, 'number');
    await s3.send(new PutBucketVersioningCommand({ Bucket: SETTINGS, VersioningConfiguration: { Status: 'Suspended' } }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: SETTINGS }))).Status, 'Suspended');
    await s3.send(new PutBucketVersioningCommand({ Bucket: SETTINGS, VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Disabled' } }));
    const again = JSON.parse(readFileSync(join(ts.root, SETTINGS, '.dirbucket', 'bucket.json'), 'utf8'));
    assert.equal(again.versioningEnabledAt, first.versioningEnabledAt, 'enabledAt is the first enabling');
  });

  it('refuses any other status with MalformedXML: a bucket never goes back to unversioned', async () => {
    for (const xml of [
      '<VersioningConfiguration><Status>Disabled</Status></VersioningConfiguration>',
      '<VersioningConfiguration></VersioningConfiguration>',
      '<VersioningConfiguration><Status>enabled</Status></VersioningConfiguration>',
      'not xml',
    ]) {
      const r = await putVersioningRaw(V, xml);
      assert.equal(r.status, 400, xml);
      assert.equal(errorOf(r).Code, 'MalformedXML', xml);
    }
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: V }))).Status, 'Enabled');
  });

  it('refuses MfaDelete Enabled with a clear error', async () => {
    const e = await sdkError(() => s3.send(new PutBucketVersioningCommand({ Bucket: V, VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Enabled' } })));
    assert.equal(e.name, 'NotImplemented');
    assert.match(e.message, /MFA Delete/);
  });

  it('answers NoSuchBucket for a missing bucket', async () => {
    const e = await sdkError(() => s3.send(new PutBucketVersioningCommand({ Bucket: 'no-such-versioned', VersioningConfiguration: { Status: 'Enabled' } })));
    assert.equal(e.name, 'NoSuchBucket');
  });
});

/** The names kept in the store for `key` (docs/versioning.md "What is on disk"), temporaries and the lock left out. */
function kept(bucket: string, key: string): string[] {
  const dir = join(ts.root, bucket, '.dirbucket', 'versions', ...key.split('/'), '.dirbucket');
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')).sort() : [];
}

async function text(bucket: string, key: string, versionId?: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return (await bodyBytes(out.Body)).toString();
}

describe('writes in a versioned bucket', () => {
  it('PutObject answers a new x-amz-version-id each time and keeps the version it replaces', async () => {
    const one = await s3.send(new PutObjectCommand({ Bucket: V, Key: 'w/put', Body: 'one' }));
    const two = await s3.send(new PutObjectCommand({ Bucket: V, Key: 'w/put', Body: 'two' }));
    assert.match(one.VersionId ?? '', /^[0-9a-v]{20}$/);
    assert.match(two.VersionId ?? '', /^[0-9a-v]{20}$/);
    assert.ok(two.VersionId! > one.VersionId!, 'ids rise');
    assert.deepEqual(kept(V, 'w/put'), [one.VersionId, two.VersionId].sort());
    assert.equal(readFileSync(join(ts.root, V, 'w', 'put'), 'utf8'), 'two', 'the current version is the plain file');
    assert.equal(await text(V, 'w/put'), 'two');
  });

  it('CopyObject and CompleteMultipartUpload answer x-amz-version-id too', async () => {
    await s3.send(new PutObjectCommand({ Bucket: V, Key: 'w/src', Body: 'source' }));
    const copy = await s3.send(new CopyObjectCommand({ Bucket: V, Key: 'w/copy', CopySource: `${V}/w/src` }));
    assert.match(copy.VersionId ?? '', /^[0-9a-v]{20}$/);
    assert.deepEqual(kept(V, 'w/copy'), [copy.VersionId]);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: V, Key: 'w/copy' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: V, Key: 'w/copy', UploadId, PartNumber: 1, Body: 'multi' }));
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: V, Key: 'w/copy', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    assert.match(done.VersionId ?? '', /^[0-9a-v]{20}$/);
    assert.deepEqual(kept(V, 'w/copy'), [copy.VersionId, done.VersionId].sort());
    assert.equal(await text(V, 'w/copy'), 'multi');
  });

  it('an unversioned bucket answers no version id and keeps nothing', async () => {
    const { ts: plain, s3: c } = await startWithBuckets(['plain']);
    try {
      const out = await c.send(new PutObjectCommand({ Bucket: 'plain', Key: 'k', Body: 'x' }));
      assert.equal(out.VersionId, undefined);
      assert.equal(existsSync(join(plain.root, 'plain', '.dirbucket', 'versions')), false);
    } finally {
      await plain.stop();
    }
  });
});

describe('deletes in a versioned bucket', () => {
  it('DeleteObject puts a delete marker; deleting the marker by id restores the file', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: V, Key: 'd/one', Body: 'kept' }));
    const del = await s3.send(new DeleteObjectCommand({ Bucket: V, Key: 'd/one' }));
    assert.equal(del.DeleteMarker, true);
    assert.match(del.VersionId ?? '', /^[0-9a-v]{20}$/);
    assert.ok(del.VersionId! > put.VersionId!);
    assert.equal(existsSync(join(ts.root, V, 'd', 'one')), false, 'the plain file is gone');
    assert.deepEqual(kept(V, 'd/one'), [put.VersionId, `${del.VersionId}.m`].sort());
    const undo = await s3.send(new DeleteObjectCommand({ Bucket: V, Key: 'd/one', VersionId: del.VersionId }));
    assert.equal(undo.DeleteMarker, true);
    assert.equal(undo.VersionId, del.VersionId);
    assert.equal(readFileSync(join(ts.root, V, 'd', 'one'), 'utf8'), 'kept', 'the file is back');
    assert.deepEqual(kept(V, 'd/one'), [put.VersionId]);
  });

  it('deleting the current version by id makes the next newest current; deleting the last leaves nothing', async () => {
    const a = await s3.send(new PutObjectCommand({ Bucket: V, Key: 'd/two', Body: 'a' }));
    const b = await s3.send(new PutObjectCommand({ Bucket: V, Key: 'd/two', Body: 'b' }));
    const out = await s3.send(new DeleteObjectCommand({ Bucket: V, Key: 'd/two', VersionId: b.VersionId }));
    assert.equal(out.VersionId, b.VersionId);
    assert.equal(out.DeleteMarker, undefined);
    assert.equal(readFileSync(join(ts.root, V, 'd', 'two'), 'utf8'), 'a');
    assert.deepEqual(kept(V, 'd/two'), [a.VersionId]);
    await s3.send(new DeleteObjectCommand({ Bucket: V, Key: 'd/two', VersionId: a.VersionId }));
    assert.equal(existsSync(join(ts.root, V, 'd', 'two')), false);
    assert.deepEqual(kept(V, 'd/two'), []);
  });

  it('a malformed version id is InvalidArgument', async () => {
    const e = await sdkError(() => s3.send(new DeleteObjectCommand({ Bucket: V, Key: 'd/x', VersionId: 'not-an-id' })));
    assert.equal(e.name, 'InvalidArgument');
  });

  it('DeleteObjects answers DeleteMarker and DeleteMarkerVersionId for new markers, VersionId for deleted versions', async () => {
    const p = await s3.send(new PutObjectCommand({ Bucket: V, Key: 'd/many', Body: 'x' }));
    const out = await s3.send(new DeleteObjectsCommand({ Bucket: V, Delete: { Objects: [{ Key: 'd/many' }] } }));
    const [m] = out.Deleted ?? [];
    assert.equal(m?.DeleteMarker, true);
    assert.match(m?.DeleteMarkerVersionId ?? '', /^[0-9a-v]{20}$/);
    const out2 = await s3.send(new DeleteObjectsCommand({ Bucket: V, Delete: { Objects: [
      { Key: 'd/many', VersionId: p.VersionId }, { Key: 'd/many', VersionId: m!.DeleteMarkerVersionId },
    ] } }));
    assert.deepEqual(out2.Errors ?? [], []);
    const byId = new Map((out2.Deleted ?? []).map((d) => [d.VersionId, d]));
    assert.equal(byId.get(p.VersionId)?.DeleteMarker, undefined);
    assert.equal(byId.get(m!.DeleteMarkerVersionId)?.DeleteMarker, true);
    assert.deepEqual(kept(V, 'd/many'), []);
  });
});

describe('reads in a versioned bucket', () => {
  it('GET and HEAD answer x-amz-version-id; versionId reads any kept version', async () => {
    const a = await s3.send(new PutObjectCommand({ Bucket: V, Key: 'r/k', Body: 'old' }));
    const b = await s3.send(new PutObjectCommand({ Bucket: V, Key: 'r/k', Body: 'new' }));
    const cur = await s3.send(new GetObjectCommand({ Bucket: V, Key: 'r/k' }));
    assert.equal(cur.VersionId, b.VersionId);
    assert.equal((await bodyBytes(cur.Body)).toString(), 'new');
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: V, Key: 'r/k' }))).VersionId, b.VersionId);
    assert.equal(await text(V, 'r/k', a.VersionId), 'old');
    const head = await s3.send(new HeadObjectCommand({ Bucket: V, Key: 'r/k', VersionId: a.VersionId }));
    assert.equal(head.VersionId, a.VersionId);
    assert.equal(head.ContentLength, 3);
  });

  it('NoSuchVersion for an unknown id, InvalidArgument for a malformed one', async () => {
    await s3.send(new PutObjectCommand({ Bucket: V, Key: 'r/x', Body: 'x' }));
    const e = await sdkError(() => s3.send(new GetObjectCommand({ Bucket: V, Key: 'r/x', VersionId: '0000000000000000000a' })));
    assert.equal(e.name, 'NoSuchVersion');
    const bad = await sdkError(() => s3.send(new GetObjectCommand({ Bucket: V, Key: 'r/x', VersionId: 'bogus' })));
    assert.equal(bad.name, 'InvalidArgument');
  });

  it('a delete marker: NoSuchKey with x-amz-delete-marker when latest, 405 MethodNotAllowed by its id', async () => {
    await s3.send(new PutObjectCommand({ Bucket: V, Key: 'r/gone', Body: 'x' }));
    const del = await s3.send(new DeleteObjectCommand({ Bucket: V, Key: 'r/gone' }));
    const r = await rawRequest(ts, { method: 'GET', path: `/${V}/r/gone` });
    assert.equal(r.status, 404);
    assert.equal(errorOf(r).Code, 'NoSuchKey');
    assert.equal(r.headers['x-amz-delete-marker'], 'true');
    assert.equal(r.headers['x-amz-version-id'], del.VersionId);
    const m = await rawRequest(ts, { method: 'GET', path: `/${V}/r/gone`, query: [['versionId', del.VersionId!]] });
    assert.equal(m.status, 405);
    assert.equal(errorOf(m).Code, 'MethodNotAllowed');
    assert.equal(m.headers['x-amz-delete-marker'], 'true');
    const h = await rawRequest(ts, { method: 'HEAD', path: `/${V}/r/gone`, query: [['versionId', del.VersionId!]] });
    assert.equal(h.status, 405);
    assert.equal(h.headers['x-amz-delete-marker'], 'true');
  });
});

describe('copy source versions and DeleteBucket', () => {
  it('copies an older version by ?versionId= and answers x-amz-copy-source-version-id (restoring onto its own key)', async () => {
    const a = await s3.send(new PutObjectCommand({ Bucket: V, Key: 'c/k', Body: 'first' }));
    const b = await s3.send(new PutObjectCommand({ Bucket: V, Key: 'c/k', Body: 'second' }));
    const r = await rawRequest(ts, { method: 'PUT', path: `/${V}/c/k`, headers: { 'x-amz-copy-source': `/${V}/c/k?versionId=${a.VersionId}` } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['x-amz-copy-source-version-id'], a.VersionId);
    const restored = r.headers['x-amz-version-id'] as string;
    assert.ok(restored > b.VersionId!);
    assert.equal(await text(V, 'c/k'), 'first');
    const cur = await s3.send(new CopyObjectCommand({ Bucket: V, Key: 'c/other', CopySource: `${V}/c/k` }));
    assert.equal(cur.CopySourceVersionId, restored);
    const e = await sdkError(() => s3.send(new CopyObjectCommand({ Bucket: V, Key: 'c/x', CopySource: `${V}/c/k?versionId=0000000000000000000a` })));
    assert.equal(e.name, 'NoSuchVersion');
  });

  it('DeleteBucket is BucketNotEmpty while versions or delete markers are kept', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'doomed-versions' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'doomed-versions', VersioningConfiguration: { Status: 'Enabled' } }));
    const p = await s3.send(new PutObjectCommand({ Bucket: 'doomed-versions', Key: 'k', Body: 'x' }));
    const d = await s3.send(new DeleteObjectCommand({ Bucket: 'doomed-versions', Key: 'k' }));
    const e = await sdkError(() => s3.send(new DeleteBucketCommand({ Bucket: 'doomed-versions' })));
    assert.equal(e.name, 'BucketNotEmpty');
    await s3.send(new DeleteObjectCommand({ Bucket: 'doomed-versions', Key: 'k', VersionId: p.VersionId }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'doomed-versions', Key: 'k', VersionId: d.VersionId }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'doomed-versions' }));
    assert.equal(existsSync(join(ts.root, 'doomed-versions')), false);
  });
});

describe('versionId on tagging, ACL and GetObjectAttributes', () => {
  it('reads and changes the named version alone; 405 on a delete marker, NoSuchVersion for an unknown id', async () => {
    const key = 'attach/versions.txt';
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: V, Key: key, Body: 'one', Tagging: 'n=1' }))).VersionId!;
    const v2 = (await s3.send(new PutObjectCommand({ Bucket: V, Key: key, Body: 'two!', Tagging: 'n=2' }))).VersionId!;
    assert.notEqual(v1, v2);
    const tagsOf = async (VersionId?: string) =>
      ((await s3.send(new GetObjectTaggingCommand({ Bucket: V, Key: key, VersionId }))).TagSet ?? []).map((t) => `${t.Key}=${t.Value}`);
    assert.deepEqual(await tagsOf(v1), ['n=1']);
    assert.deepEqual(await tagsOf(v2), ['n=2']);
    assert.deepEqual(await tagsOf(), ['n=2']);
    const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket: V, Key: key, VersionId: v1, ObjectAttributes: ['ObjectSize'] }));
    assert.equal(attrs.ObjectSize, 3);
    assert.ok((await s3.send(new GetObjectAclCommand({ Bucket: V, Key: key, VersionId: v1 }))).Grants?.length);

    // A noncurrent version's tags and ACL change on it alone, and the answer names it.
    const put = await s3.send(new PutObjectTaggingCommand({ Bucket: V, Key: key, VersionId: v1, Tagging: { TagSet: [{ Key: 'n', Value: 'x' }] } }));
    assert.equal(put.VersionId, v1);
    assert.deepEqual(await tagsOf(v1), ['n=x']);
    assert.deepEqual(await tagsOf(v2), ['n=2']);
    const cleared = await s3.send(new DeleteObjectTaggingCommand({ Bucket: V, Key: key, VersionId: v1 }));
    assert.equal(cleared.VersionId, v1);
    assert.deepEqual(await tagsOf(v1), []);
    await s3.send(new PutObjectAclCommand({ Bucket: V, Key: key, VersionId: v1, ACL: 'public-read' }));
    const aclOf = async (VersionId?: string) =>
      (await s3.send(new GetObjectAclCommand({ Bucket: V, Key: key, VersionId }))).Grants?.map((g) => g.Grantee?.URI ?? g.Grantee?.ID).length;
    assert.equal(await aclOf(v1), 2, 'owner and AllUsers');
    assert.equal(await aclOf(v2), 1, 'the current version keeps its own ACL');
    // The bytes of both versions are untouched.
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: V, Key: key, VersionId: v1 }))).ContentLength, 3);

    await s3.send(new PutObjectTaggingCommand({ Bucket: V, Key: key, VersionId: v2, Tagging: { TagSet: [{ Key: 'n', Value: 'y' }] } }));
    assert.deepEqual(await tagsOf(), ['n=y']);
    assert.deepEqual(await tagsOf(v1), []);
    // Demoted by a new write, v2 keeps the tags it was given while current.
    await s3.send(new PutObjectCommand({ Bucket: V, Key: key, Body: 'three' }));
    assert.deepEqual(await tagsOf(v2), ['n=y']);
    const marker = (await s3.send(new DeleteObjectCommand({ Bucket: V, Key: key }))).VersionId!;
    const onMarker = await sdkError(() => s3.send(new PutObjectTaggingCommand({ Bucket: V, Key: key, VersionId: marker, Tagging: { TagSet: [] } })));
    assert.equal(onMarker.status, 405);
    assert.equal((await sdkError(() => s3.send(new PutObjectTaggingCommand({ Bucket: V, Key: key, Tagging: { TagSet: [] } })))).name, 'NoSuchKey');
    assert.equal((await sdkError(() => s3.send(new PutObjectTaggingCommand({ Bucket: V, Key: key, VersionId: 'v'.repeat(20), Tagging: { TagSet: [] } })))).name, 'NoSuchVersion');
    assert.equal((await sdkError(() => s3.send(new GetObjectTaggingCommand({ Bucket: V, Key: key, VersionId: 'v'.repeat(20) })))).name, 'NoSuchVersion');
  });
});
