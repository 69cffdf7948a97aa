/**
 * Crash safety, end to end: the server is killed (SIGKILL) while a Complete joins a large object and while parts
 * are being uploaded, then restarted on the same tree. The key must hold the old object or the new one, whole;
 * no stray file may be visible; the upload must be completable by resending the Complete, or already completed.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand, type CompletedPart, CreateMultipartUploadCommand,
  ListPartsCommand, PutObjectCommand, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { isInternal, listFiles } from '../helpers/files.js';
import { serverOnTree } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { fireComplete, md5hex, objectMd5, signHeaders } from './util.js';

const MiB = 1024 * 1024;
const BUCKET = 'crash';
const KEY = 'victim.bin';
const PART = 16 * MiB;
const PARTS = 8;

const tree = serverOnTree('dirbucket-mp-crash-', BUCKET);

const keyMd5 = (key: string) => objectMd5(tree.s3, BUCKET, key);

/** Uploads PARTS parts of PART bytes made from `seed` (distinct per upload); returns the parts and the object's MD5. */
async function uploadParts(key: string, uploadId: string, seed: Buffer): Promise<{ parts: CompletedPart[]; md5: string }> {
  const whole = createHash('md5');
  const parts: CompletedPart[] = [];
  for (let n = 1; n <= PARTS; n++) {
    const data = Buffer.concat([seed, Buffer.from(`part ${n}`), randomBytes(PART - seed.length - 8)]);
    whole.update(data);
    const out = await tree.s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: n, Body: data }));
    parts.push({ PartNumber: n, ETag: out.ETag });
  }
  return { parts, md5: whole.digest('hex') };
}

const visible = () => listFiles(join(tree.root, BUCKET), isInternal);

describe('kill -9 during Complete', () => {
  it('leaves the old object or the whole new one, and a resent Complete finishes the upload', async (t) => {
    const old = randomBytes(2 * MiB);
    await tree.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: old }));
    let current = md5hex(old);
    // How long a Complete of this size takes here, to spread the kills over it.
    const warm = (await tree.s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'warmup.bin' }))).UploadId!;
    const w = await uploadParts('warmup.bin', warm, randomBytes(8));
    const t0 = performance.now();
    await tree.s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'warmup.bin', UploadId: warm, MultipartUpload: { Parts: w.parts } }));
    const duration = performance.now() - t0;
    t.diagnostic(`Complete of ${PARTS * PART / MiB} MiB takes ${duration.toFixed(0)} ms here`);

    // Spread over the Complete, and just past its end (after the rename, before the marker, is a case too).
    const FRACTIONS = [0.02, 0.2, 0.4, 0.6, 0.8, 0.95, 1.05];
    let heldAtKill = 0;
    let newBeforeRetry = 0;
    for (const fraction of FRACTIONS) {
      const id = (await tree.s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: KEY }))).UploadId!;
      const { parts, md5: fresh } = await uploadParts(KEY, id, randomBytes(8));
      fireComplete(tree.server, { bucket: BUCKET, key: KEY, uploadId: id, parts });
      await new Promise((r) => setTimeout(r, Math.max(1, fraction * duration)));
      await tree.crash();
      if (existsSync(join(tree.root, BUCKET, '.dirbucket', 'multipart', `${id}.completing`))) heldAtKill++;

      await tree.start();
      const seen = await keyMd5(KEY);
      assert.ok(seen === current || seen === fresh, `after a kill at ${(fraction * 100).toFixed(0)}% the key holds neither the old nor the new object`);
      if (seen === fresh) newBeforeRetry++;
      assert.deepEqual(await visible(), [KEY, 'warmup.bin'], 'no stray visible file');

      const retried = await tree.s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: KEY, UploadId: id, MultipartUpload: { Parts: parts } }));
      assert.match(retried.ETag ?? '', new RegExp(`-${PARTS}"$`));
      assert.equal(await keyMd5(KEY), fresh, 'after the resent Complete the key is the new object');
      current = fresh;
    }
    t.diagnostic(`killed while holding the upload: ${heldAtKill} of ${FRACTIONS.length}; new object already in place at restart: ${newBeforeRetry}`);
    assert.ok(heldAtKill >= 1, 'no kill landed during a Complete: the test proved nothing');
    assert.deepEqual((await listFiles(join(tree.root, BUCKET, '.dirbucket', 'tmp'))), [], 'no staging file is left once the uploads are completed');
  });
});

describe('kill -9 during part uploads', () => {
  /** Starts an UploadPart of `size` bytes, sends `sent` of them, and leaves the request hanging. */
  function hangingPart(key: string, uploadId: string, n: number, size: number, sent: Buffer): void {
    const query: [string, string][] = [['partNumber', String(n)], ['uploadId', uploadId]];
    const signed = signHeaders(tree.server, { method: 'PUT', path: `/${BUCKET}/${key}`, query, headers: { 'content-length': String(size) }, payloadHash: 'UNSIGNED-PAYLOAD' });
    const req = http.request(`${tree.server.endpoint}/${BUCKET}/${key}?partNumber=${n}&uploadId=${uploadId}`, { method: 'PUT', headers: signed.headers });
    req.on('error', () => {});
    req.write(sent);
  }

  it('a part cut off (new, or replacing an earlier upload of its number) is never part of the upload', async () => {
    const key = 'parts/cut.bin';
    const id = (await tree.s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }))).UploadId!;
    const one = randomBytes(5 * MiB);
    const p1 = await tree.s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: id, PartNumber: 1, Body: one }));
    const before = await visible();
    hangingPart(key, id, 1, 8 * MiB, randomBytes(3 * MiB)); // a replacement of part 1, cut off
    hangingPart(key, id, 2, 64 * MiB, randomBytes(20 * MiB)); // a new part 2, cut off
    const tmpWritten = await waitUntil(async () => {
      const { readdir, stat } = await import('node:fs/promises');
      const dir = join(tree.root, BUCKET, '.dirbucket', 'multipart', id);
      const tmps = (await readdir(dir)).filter((n) => n.startsWith('tmp-'));
      const sizes = await Promise.all(tmps.map((n) => stat(join(dir, n)).then((s) => s.size)));
      return tmps.length === 2 && sizes.every((s) => s > 0);
    }, { timeoutMs: 10_000 });
    assert.ok(tmpWritten, 'both cut-off parts were being written when the server died');
    await tree.crash();
    await tree.start();
    const listed = await tree.s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
    assert.deepEqual(listed.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size]), [[1, p1.ETag, 5 * MiB]]);
    assert.deepEqual(await visible(), before, 'nothing of the cut-off parts is visible');
    await tree.s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }] } }));
    assert.equal(await keyMd5(key), md5hex(one));
    assert.ok(!existsSync(join(tree.root, BUCKET, '.dirbucket', 'multipart', id)), 'the cut-off staging files went with the upload');
  });
});
