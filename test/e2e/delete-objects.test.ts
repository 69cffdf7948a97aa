/** End to end: DeleteObject and DeleteObjects (batches up to 1000, Quiet mode, per-key errors), empty-directory cleanup. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { errorOf, md5b64, parseXml, rawRequest, sdkError, asArray } from './util.js';

let ts: TestServer;
let s3: S3Client;
const BUCKET = 'deletes';
const onDisk = (key: string): string => join(ts.root, BUCKET, ...key.split('/'));
const put = (key: string, body = key) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

before(async () => ({ ts, s3 } = await startWithBuckets([BUCKET])));
after(() => ts?.stop());

describe('DeleteObject', () => {
  it('removes the file and answers 204', async () => {
    await put('gone.txt');
    const out = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'gone.txt' }));
    assert.equal(out.$metadata.httpStatusCode, 204);
    assert.equal(existsSync(onDisk('gone.txt')), false);
  });

  it('answers 204 for a missing key too', async () => {
    const out = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'never-existed' }));
    assert.equal(out.$metadata.httpStatusCode, 204);
  });

  it('answers NoSuchBucket for a missing bucket', async () => {
    const e = await sdkError(() => s3.send(new DeleteObjectCommand({ Bucket: 'no-such-del-bucket', Key: 'k' })));
    assert.equal(e.name, 'NoSuchBucket');
  });

  it('removes the empty directories the last object leaves, up to the bucket', async () => {
    await put('p1/p2/p3/only.txt');
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'p1/p2/p3/only.txt' }));
    assert.equal(existsSync(join(ts.root, BUCKET, 'p1')), false);
    assert.ok(statSync(join(ts.root, BUCKET)).isDirectory(), 'the bucket stays');
    const list = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'p1' }));
    assert.equal(list.KeyCount, 0);
  });

  it('stops at a directory that still holds objects', async () => {
    await put('q1/q2/a.txt');
    await put('q1/b.txt');
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'q1/q2/a.txt' }));
    assert.equal(existsSync(join(ts.root, BUCKET, 'q1', 'q2')), false);
    assert.ok(existsSync(onDisk('q1/b.txt')));
  });

  it('keeps a directory created as a directory object', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kept-dir/', Body: '' }));
    await put('kept-dir/child.txt');
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'kept-dir/child.txt' }));
    assert.ok(statSync(join(ts.root, BUCKET, 'kept-dir')).isDirectory());
    const list = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'kept-dir' }));
    assert.deepEqual((list.Contents ?? []).map((c) => c.Key), ['kept-dir/']);
  });

  it('deletes a directory object when it is empty', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lone-dir/', Body: '' }));
    const out = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'lone-dir/' }));
    assert.equal(out.$metadata.httpStatusCode, 204);
    assert.equal(existsSync(join(ts.root, BUCKET, 'lone-dir')), false);
  });

  it('does not delete a directory by its name without the slash', async () => {
    await put('named-dir/inside.txt');
    const r = await rawRequest(ts, { method: 'DELETE', path: `/${BUCKET}/named-dir` });
    assert.ok(r.status === 204 || (r.status >= 400 && r.status < 500), `status ${r.status}`);
    assert.ok(existsSync(onDisk('named-dir/inside.txt')));
  });
});

describe('DeleteObjects', () => {
  it('deletes several keys, reporting missing ones as deleted too', async () => {
    for (const k of ['m/1', 'm/2', 'm/3']) await put(k);
    const out = await s3.send(new DeleteObjectsCommand({
      Bucket: BUCKET,
      Delete: { Objects: [{ Key: 'm/1' }, { Key: 'm/2' }, { Key: 'm/3' }, { Key: 'm/not-there' }] },
    }));
    assert.deepEqual((out.Deleted ?? []).map((d) => d.Key).sort(), ['m/1', 'm/2', 'm/3', 'm/not-there']);
    assert.equal((out.Errors ?? []).length, 0);
    assert.equal(existsSync(join(ts.root, BUCKET, 'm')), false);
  });

  it('in Quiet mode answers only the errors (none here)', async () => {
    for (const k of ['quiet/1', 'quiet/2']) await put(k);
    const out = await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Quiet: true, Objects: [{ Key: 'quiet/1' }, { Key: 'quiet/2' }] } }));
    assert.equal((out.Deleted ?? []).length, 0);
    assert.equal((out.Errors ?? []).length, 0);
    assert.equal(existsSync(onDisk('quiet/1')), false);
    assert.equal(existsSync(onDisk('quiet/2')), false);
  });

  it('reports a key it cannot delete as a per-key error and still deletes the others', async () => {
    await put('ok-to-delete');
    const badKey = 'a/../../outside';
    const out = await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'ok-to-delete' }, { Key: badKey }] } }));
    assert.deepEqual((out.Deleted ?? []).map((d) => d.Key), ['ok-to-delete']);
    const errors = out.Errors ?? [];
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.Key, badKey);
    assert.ok(errors[0]!.Code, 'the error names a Code');
    assert.ok(errors[0]!.Message, 'the error has a Message');
    assert.equal(existsSync(onDisk('ok-to-delete')), false);
  });

  it('in Quiet mode still answers the per-key errors', async () => {
    const out = await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Quiet: true, Objects: [{ Key: 'x/../../y' }, { Key: 'fine' }] } }));
    assert.equal((out.Deleted ?? []).length, 0);
    assert.deepEqual((out.Errors ?? []).map((e) => e.Key), ['x/../../y']);
  });

  it('deletes 1000 keys in one request', async () => {
    await mkdir(join(ts.root, BUCKET, 'thousand'), { recursive: true });
    const keys = Array.from({ length: 1000 }, (_, i) => `thousand/k${String(i).padStart(4, '0')}`);
    for (const k of keys) await writeFile(onDisk(k), 'x');
    const started = Date.now();
    const out = await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    const ms = Date.now() - started;
    assert.equal((out.Deleted ?? []).length, 1000);
    assert.equal((out.Errors ?? []).length, 0);
    // The directory was made on disk, not by the gateway: whether it stays is not specified; the files must go.
    assert.deepEqual(existsSync(join(ts.root, BUCKET, 'thousand')) ? readdirSync(join(ts.root, BUCKET, 'thousand')) : [], []);
    assert.ok(ms < 20_000, `1000 deletes took ${ms} ms`);
  });

  it('refuses more than 1000 keys with MalformedXML and deletes nothing', async () => {
    await put('survivor');
    const objects = [{ Key: 'survivor' }, ...Array.from({ length: 1000 }, (_, i) => ({ Key: `none-${i}` }))];
    const e = await sdkError(() => s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: objects } })));
    assert.equal(e.name, 'MalformedXML');
    assert.equal(e.status, 400);
    assert.ok(existsSync(onDisk('survivor')));
  });

  it('refuses a body that is not the Delete XML with MalformedXML', async () => {
    for (const body of ['<Delete><Object><Key>a</Key>', 'not xml at all', '<Delete></Delete>']) {
      const r = await rawRequest(ts, {
        method: 'POST', path: `/${BUCKET}`, query: [['delete', '']], body,
        headers: { 'content-type': 'application/xml', 'content-md5': md5b64(body) },
      });
      assert.equal(r.status, 400, `${body}: ${r.text}`);
      assert.equal(errorOf(r).Code, 'MalformedXML', body);
    }
  });

  it('takes Quiet as S3\'s schema has it (a boolean): anything else is MalformedXML and deletes nothing', async () => {
    await put('quiet-kept');
    for (const quiet of ['maybe', 'yes', '']) {
      const body = `<Delete><Object><Key>quiet-kept</Key></Object><Quiet>${quiet}</Quiet></Delete>`;
      const r = await rawRequest(ts, {
        method: 'POST', path: `/${BUCKET}`, query: [['delete', '']], body,
        headers: { 'content-type': 'application/xml', 'content-md5': md5b64(body) },
      });
      assert.equal(r.status, 400, `Quiet ${quiet}: ${r.text}`);
      assert.equal(errorOf(r).Code, 'MalformedXML', quiet);
      assert.ok(existsSync(onDisk('quiet-kept')), `Quiet ${quiet}: the object was deleted`);
    }
    for (const [quiet, answersDeleted] of [['1', false], ['0', true]] as const) {
      await put('quiet-gone');
      const body = `<Delete><Object><Key>quiet-gone</Key></Object><Quiet>${quiet}</Quiet></Delete>`;
      const r = await rawRequest(ts, {
        method: 'POST', path: `/${BUCKET}`, query: [['delete', '']], body,
        headers: { 'content-type': 'application/xml', 'content-md5': md5b64(body) },
      });
      assert.equal(r.status, 200, `Quiet ${quiet}: ${r.text}`);
      assert.equal(r.text.includes('<Deleted>'), answersDeleted, `Quiet ${quiet}: ${r.text}`);
      assert.ok(!existsSync(onDisk('quiet-gone')));
    }
  });

  it('answers the DeleteResult XML shape on the wire', async () => {
    await put('wire-1');
    const body = '<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>wire-1</Key></Object></Delete>';
    const r = await rawRequest(ts, {
      method: 'POST', path: `/${BUCKET}`, query: [['delete', '']], body,
      headers: { 'content-type': 'application/xml', 'content-md5': md5b64(body) },
    });
    assert.equal(r.status, 200, r.text);
    const doc = parseXml(r.text);
    assert.deepEqual(asArray(doc['DeleteResult']?.['Deleted']).map((d: any) => d.Key), ['wire-1']);
    assert.match(r.text, /<DeleteResult xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/"/);
  });

  it('answers NoSuchBucket for a missing bucket', async () => {
    const e = await sdkError(() => s3.send(new DeleteObjectsCommand({ Bucket: 'no-such-del-bucket', Delete: { Objects: [{ Key: 'a' }] } })));
    assert.equal(e.name, 'NoSuchBucket');
  });
});
