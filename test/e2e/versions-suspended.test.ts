/**
 * End to end (issue #11): a Suspended bucket (writes make the `null` version, replacing only an earlier null;
 * versions made while Enabled stay; a delete without id makes a null delete marker), the Owner of a delete
 * marker (the user who deleted), and CompleteMultipartUpload's version id, a header only.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ownerOf } from '../../src/s3/owner.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { addUser, createKey } from './users-cli.js';
import { bodyBytes, errorOf, rawRequest } from './util.js';
import { historyOf, keptNames } from './versions-model.js';

let base: string;
let ts: TestServer;
let s3: S3Client;
let bob: S3Client;
const S = 'suspended';

before(async () => {
  base = mkdtempSync(join(tmpdir(), 'dirbucket-suspended-'));
  const root = join(base, 'gw');
  // A second user, to tell a delete marker's recorded owner from the requester listing it.
  await addUser(root, 'bob', { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, groups: [] }, ['--admin']);
  const key = await createKey(root, 'bob');
  ts = await startServer({ root });
  s3 = ts.client();
  bob = ts.client({ credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } });
  await s3.send(new CreateBucketCommand({ Bucket: S }));
});

after(async () => {
  await ts?.stop();
  if (base) rmSync(base, { recursive: true, force: true });
});

const versioning = (Status: 'Enabled' | 'Suspended') =>
  s3.send(new PutBucketVersioningCommand({ Bucket: S, VersioningConfiguration: { Status } }));

const kept = (key: string) => keptNames(ts.root, S, key);
const history = (key: string) => historyOf(ts, S, key);

async function text(key: string, versionId?: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: S, Key: key, VersionId: versionId }));
  return (await bodyBytes(out.Body)).toString();
}

describe('a Suspended bucket', () => {
  it('writes make the null version, replacing only an earlier null; versions made while Enabled stay', async () => {
    await versioning('Enabled');
    const e1 = (await s3.send(new PutObjectCommand({ Bucket: S, Key: 'k', Body: 'enabled one' }))).VersionId!;
    const e2 = (await s3.send(new PutObjectCommand({ Bucket: S, Key: 'k', Body: 'enabled two' }))).VersionId!;
    await versioning('Suspended');

    const s1 = await s3.send(new PutObjectCommand({ Bucket: S, Key: 'k', Body: 'suspended one' }));
    assert.equal(s1.VersionId, 'null');
    assert.deepEqual(await history('k'), ['null!', e2, e1]);
    assert.equal(readFileSync(join(ts.root, S, 'k'), 'utf8'), 'suspended one', 'the plain file is the null version');
    const cur = await s3.send(new GetObjectCommand({ Bucket: S, Key: 'k' }));
    assert.equal(cur.VersionId, 'null');

    const s2 = await s3.send(new PutObjectCommand({ Bucket: S, Key: 'k', Body: 'suspended two' }));
    assert.equal(s2.VersionId, 'null');
    assert.deepEqual(await history('k'), ['null!', e2, e1], 'the second null replaced the first; nothing else went');
    assert.equal(kept('k').filter((n) => n.includes('.null')).length, 1, `one null entry on disk: ${kept('k').join(' ')}`);
    assert.equal(await text('k', 'null'), 'suspended two');
    assert.equal(await text('k', e1), 'enabled one');
    assert.equal(await text('k', e2), 'enabled two');
  });

  it('a delete without id makes a null delete marker, replacing the null version; enabled versions stay', async () => {
    const [, e2, e1] = (await history('k')).map((h) => h.replace(/[*!]/g, ''));
    const del = await s3.send(new DeleteObjectCommand({ Bucket: S, Key: 'k' }));
    assert.equal(del.DeleteMarker, true);
    assert.equal(del.VersionId, 'null');
    assert.equal(existsSync(join(ts.root, S, 'k')), false, 'the plain file is gone');
    assert.deepEqual(await history('k'), ['null*!', e2, e1]);
    assert.deepEqual(kept('k').filter((n) => n.includes('.null')).map((n) => n.replace(/^[^.]*/, '')), ['.null.m']);
    const r = await rawRequest(ts, { method: 'GET', path: `/${S}/k` });
    assert.equal(r.status, 404);
    assert.equal(errorOf(r).Code, 'NoSuchKey');
    assert.equal(r.headers['x-amz-delete-marker'], 'true');
    assert.equal(r.headers['x-amz-version-id'], 'null');
    assert.deepEqual((await s3.send(new ListObjectsV2Command({ Bucket: S, Prefix: 'k' }))).Contents ?? [], []);
    assert.equal(await text('k', e2), 'enabled two');

    // A write replaces the null marker with a null version; deleting a version made while Enabled leaves it.
    assert.equal((await s3.send(new PutObjectCommand({ Bucket: S, Key: 'k', Body: 'back' }))).VersionId, 'null');
    assert.deepEqual(await history('k'), ['null!', e2, e1]);
    await s3.send(new DeleteObjectCommand({ Bucket: S, Key: 'k', VersionId: e1 }));
    assert.deepEqual(await history('k'), ['null!', e2]);
    assert.equal(await text('k'), 'back');

    // Deleting the null version by id makes the newest enabled one current again, at the path.
    await s3.send(new DeleteObjectCommand({ Bucket: S, Key: 'k', VersionId: 'null' }));
    assert.deepEqual(await history('k'), [`${e2}!`]);
    assert.equal(readFileSync(join(ts.root, S, 'k'), 'utf8'), 'enabled two');
  });

  it('a key first written while Suspended has only its null version; Enabled again, new ids follow it', async () => {
    await s3.send(new PutObjectCommand({ Bucket: S, Key: 'fresh', Body: 'n1' }));
    await s3.send(new PutObjectCommand({ Bucket: S, Key: 'fresh', Body: 'n2' }));
    assert.deepEqual(await history('fresh'), ['null!']);
    await versioning('Enabled');
    try {
      const v = (await s3.send(new PutObjectCommand({ Bucket: S, Key: 'fresh', Body: 'v' }))).VersionId!;
      assert.match(v, /^[0-9a-v]{20}$/);
      assert.deepEqual(await history('fresh'), [`${v}!`, 'null'], 'the null version stays, noncurrent');
      assert.equal(await text('fresh', 'null'), 'n2');
    } finally {
      await versioning('Suspended');
    }
  });
});

describe('delete markers record who made them', () => {
  it('ListObjectVersions shows the deleting user as the marker\'s Owner, whoever lists', async () => {
    await versioning('Enabled');
    await s3.send(new PutObjectCommand({ Bucket: S, Key: 'owned', Body: 'x' }));
    const del = await bob.send(new DeleteObjectCommand({ Bucket: S, Key: 'owned' }));
    const dir = join(ts.root, S, '.dirbucket', 'versions', 'owned', '.dirbucket');
    assert.deepEqual(JSON.parse(readFileSync(join(dir, `${del.VersionId}.m`), 'utf8')), { owner: 'bob' });
    const out = await s3.send(new ListObjectVersionsCommand({ Bucket: S, Prefix: 'owned' }));
    const [marker] = out.DeleteMarkers ?? [];
    assert.equal(marker?.VersionId, del.VersionId);
    assert.deepEqual(marker?.Owner, ownerOf('bob'), 'the marker is bob\'s, though admin lists');
    assert.deepEqual(out.Versions?.[0]?.Owner, ownerOf('admin'), 'the version is its writer\'s');
    // DeleteObjects records its requester too.
    await s3.send(new PutObjectCommand({ Bucket: S, Key: 'owned2', Body: 'x' }));
    await bob.send(new DeleteObjectsCommand({ Bucket: S, Delete: { Objects: [{ Key: 'owned2' }] } }));
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: S, Prefix: 'owned2' }));
    assert.deepEqual(listed.DeleteMarkers?.[0]?.Owner, ownerOf('bob'));
  });
});

describe('CompleteMultipartUpload in a versioned bucket', () => {
  it('answers the new version in the x-amz-version-id header (S3 has no VersionId element in the result)', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: S, Key: 'mp' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: S, Key: 'mp', UploadId, PartNumber: 1, Body: 'multi' }));
    const r = await rawRequest(ts, {
      method: 'POST', path: `/${S}/mp`, query: [['uploadId', UploadId!]],
      body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.ETag}</ETag></Part></CompleteMultipartUpload>`,
    });
    assert.equal(r.status, 200, r.text);
    const id = r.headers['x-amz-version-id'] as string;
    assert.match(id, /^[0-9a-v]{20}$/);
    assert.doesNotMatch(r.text, /VersionId/);
    assert.deepEqual(await history('mp'), [`${id}!`]);
    // And the SDK reads it from there.
    const { UploadId: again } = await s3.send(new CreateMultipartUploadCommand({ Bucket: S, Key: 'mp' }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket: S, Key: 'mp', UploadId: again, PartNumber: 1, Body: 'multi 2' }));
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: S, Key: 'mp', UploadId: again, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p2.ETag }] } }));
    assert.ok(done.VersionId! > id);
    assert.deepEqual(await history('mp'), [`${done.VersionId}!`, id]);
  });
});
