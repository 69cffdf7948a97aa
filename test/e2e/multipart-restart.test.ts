/**
 * End to end: multipart state lives on the file system only. An upload survives a gateway restart and goes on
 * through any instance serving the same tree (parts through one, Complete through another, a resent Complete
 * through a third); abandoned uploads are swept after --multipart-expiry, with several instances sweeping.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand, type CompletedPart, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand,
  ListMultipartUploadsCommand, ListPartsCommand, UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { makeTempDir, removeDir } from '../helpers/files.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { bodyBytes, md5hex } from './util.js';

const MiB = 1024 * 1024;
const BUCKET = 'mp-restart';

/** A server on `root`; servers on one root must share credentials, so later ones are given the first one's keys. */
function serverOn(root: string, args: string[] = [], keys?: { id: string; secret: string }): Promise<TestServer> {
  return startServer({ root, args, credentials: keys && { accessKeyId: keys.id, secretAccessKey: keys.secret } });
}

async function part(s3: S3Client, key: string, id: string, n: number, data: Buffer): Promise<CompletedPart> {
  const out = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: id, PartNumber: n, Body: data }));
  return { PartNumber: n, ETag: out.ETag };
}

describe('uploads survive restarts and work through any instance', () => {
  let root: string;
  const servers: TestServer[] = [];
  let keys: { id: string; secret: string };

  before(async () => {
    root = await makeTempDir('dirbucket-mp-restart-');
    const first = await serverOn(root);
    keys = { id: first.accessKeyId, secret: first.secretAccessKey };
    await first.client().send(new CreateBucketCommand({ Bucket: BUCKET }));
    servers.push(first);
  });
  after(async () => {
    for (const s of servers) await s.stop();
    await removeDir(root);
  });

  it('an upload begun before a restart is listed, continued and completed after it', async () => {
    const a = servers[0]!;
    const key = 'across/restart.bin';
    const id = (await a.client().send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ContentType: 'application/x-test' }))).UploadId!;
    const d1 = randomBytes(5 * MiB);
    const p1 = await part(a.client(), key, id, 1, d1);
    await a.stop();
    servers.shift();
    const b = await serverOn(root, [], keys);
    servers.push(b);
    const s3 = b.client();
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    assert.deepEqual(listed.Uploads?.map((u) => [u.Key, u.UploadId]), [[key, id]]);
    const d2 = randomBytes(1000);
    const p2 = await part(s3, key, id, 2, d2);
    const parts = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
    assert.deepEqual(parts.Parts?.map((p) => p.ETag), [p1.ETag, p2.ETag]);
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id, MultipartUpload: { Parts: [p1, p2] } }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.equal(got.ContentType, 'application/x-test');
    assert.equal(md5hex(await bodyBytes(got.Body)), md5hex(Buffer.concat([d1, d2])));
  });

  it('two instances at once: parts through both, Complete through one, the resent Complete through the other', async () => {
    const b = servers[0]!;
    const c = await serverOn(root, [], keys);
    servers.push(c);
    const key = 'two/instances.bin';
    const id = (await b.client().send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }))).UploadId!;
    const datas = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(10)];
    const parts = [await part(b.client(), key, id, 1, datas[0]!), await part(c.client(), key, id, 2, datas[1]!), await part(b.client(), key, id, 3, datas[2]!)];
    const done = await c.client().send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id, MultipartUpload: { Parts: parts } }));
    const again = await b.client().send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id, MultipartUpload: { Parts: parts } }));
    assert.equal(again.ETag, done.ETag);
    const got = await bodyBytes((await b.client().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body);
    assert.equal(md5hex(got), md5hex(Buffer.concat(datas)));
  });

  it('Completes of one upload through two instances at the same moment both succeed, with one object', async () => {
    const [b, c] = servers as [TestServer, TestServer];
    for (let round = 0; round < 3; round++) {
      const key = `simultaneous-${round}.bin`;
      const id = (await b.client().send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }))).UploadId!;
      const datas = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(5 * MiB)];
      const parts = [];
      for (let i = 0; i < datas.length; i++) parts.push(await part(b.client(), key, id, i + 1, datas[i]!));
      const input = { Bucket: BUCKET, Key: key, UploadId: id, MultipartUpload: { Parts: parts } };
      const [r1, r2] = await Promise.all([b.client().send(new CompleteMultipartUploadCommand(input)), c.client().send(new CompleteMultipartUploadCommand(input))]);
      assert.equal(r1.ETag, r2.ETag);
      const got = await bodyBytes((await c.client().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body);
      assert.equal(md5hex(got), md5hex(Buffer.concat(datas)));
    }
  });
});

describe('abandoned uploads are swept after --multipart-expiry', () => {
  let root: string;
  const servers: TestServer[] = [];

  before(async () => {
    root = await makeTempDir('dirbucket-mp-sweep-');
  });
  after(async () => {
    for (const s of servers) await s.stop();
    await removeDir(root);
  });

  it('an upload older than the expiry disappears with its parts; two instances sweeping the same tree do not trip', async () => {
    const a = await serverOn(root, ['--multipart-expiry', '2s']);
    servers.push(a);
    const keys = { id: a.accessKeyId, secret: a.secretAccessKey };
    servers.push(await serverOn(root, ['--multipart-expiry', '2s'], keys));
    const s3 = a.client();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = (await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: `abandoned-${i}` }))).UploadId!;
      await part(s3, `abandoned-${i}`, id, 1, randomBytes(100_000));
      ids.push(id);
    }
    const mp = join(root, BUCKET, '.dirbucket', 'multipart');
    assert.ok(ids.every((id) => existsSync(join(mp, id))));
    const gone = await waitUntil(() => ids.every((id) => !existsSync(join(mp, id))), { timeoutMs: 20_000, intervalMs: 250 });
    assert.ok(gone, `still there after 20 s: ${readdirSync(mp).join(', ')}`);
    assert.deepEqual((await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? [], []);
    assert.deepEqual(readdirSync(mp), [], 'nothing left behind by two sweepers');
    for (const s of servers) assert.doesNotMatch(s.stdout(), /"level":(50|60)/, 'no errors logged');
  });

  it('with the default expiry, a fresh upload is left alone', async () => {
    const d = await serverOn(root, [], { id: servers[0]!.accessKeyId, secret: servers[0]!.secretAccessKey });
    for (const s of servers.splice(0)) await s.stop();
    servers.push(d);
    const id = (await d.client().send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'kept' }))).UploadId!;
    await new Promise((r) => setTimeout(r, 6500)); // past the first sweep (5 s after start)
    const listed = await d.client().send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    assert.deepEqual(listed.Uploads?.map((u) => u.UploadId), [id]);
  });
});
