/**
 * Multipart uploads in the POSIX back end, on real temp directories, against both metadata stores: round trip,
 * part replacement, failures that give the upload back, retries, concurrent Complete and Abort, recovery of a
 * Complete that died, the part-copy path, and what each failure leaves on disk.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { CompletedPart } from '../../src/storage/backend.js';
import type { PosixBackend } from '../../src/storage/posix/posix-backend.js';
import { partsDiscarded } from '../../src/storage/posix/multipart/complete.js';
import { currentOwner } from '../../src/fsutil/lock-owner.js';
import { body, filesUnder, readAll, rejectsS3, rootBackend, visibleTree, type StoreMode } from './storage-fixture.js';

const MiB = 1024 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest();
const meta = { userMetadata: { color: 'blue' }, contentType: 'text/x-test' };

/** A pid that certainly ran on this host and has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

for (const mode of ['xattr', 'sidecar'] as const satisfies readonly StoreMode[]) {
  describe(`multipart uploads (${mode} store)`, () => {
    let backend: PosixBackend;
    let bucketDir: string;
    let cleanup: () => Promise<void>;
    const mpDir = () => join(bucketDir, '.dirbucket', 'multipart');

    beforeEach(async () => {
      ({ backend, bucketDir, cleanup } = await rootBackend(mode, { multipartExpiryMs: 0 }));
    });
    afterEach(async () => {
      await backend.close();
      await cleanup();
    });

    const create = async (key = 'dir/obj.bin', extra = {}) =>
      (await backend.createMultipartUpload({ bucket: 'bkt', key, meta, initiator: 'admin', ...extra })).uploadId;
    const part = (uploadId: string, n: number, data: Buffer, key = 'dir/obj.bin', extra = {}) =>
      backend.uploadPart({ bucket: 'bkt', key, uploadId, partNumber: n, body: body(data), size: data.length, ...extra });
    const complete = (uploadId: string, parts: CompletedPart[], key = 'dir/obj.bin', extra = {}) =>
      backend.completeMultipartUpload({ bucket: 'bkt', key, uploadId, parts, ...extra });
    const read = async (key = 'dir/obj.bin') => {
      const h = await backend.getObject({ bucket: 'bkt', key });
      try {
        return { info: h.info, data: await readAll(h.stream()) };
      } finally {
        await h.close();
      }
    };
    /** Uploads `sizes` as parts 1..N and returns the data and the Complete list. */
    const uploadParts = async (uploadId: string, sizes: number[], key = 'dir/obj.bin') => {
      const datas = sizes.map((n) => randomBytes(n));
      const parts: CompletedPart[] = [];
      for (let i = 0; i < datas.length; i++) parts.push({ partNumber: i + 1, etag: (await part(uploadId, i + 1, datas[i]!, key)).etag });
      return { datas, parts };
    };

    test('round trip: the object is the parts joined, with the multipart ETag, layout and the metadata given at create', async () => {
      const id = await create();
      const { datas, parts } = await uploadParts(id, [5 * MiB, 5 * MiB + 3, 1000]);
      const result = await complete(id, parts);
      const expectedEtag = `${createHash('md5').update(Buffer.concat(datas.map(md5))).digest('hex')}-3`;
      assert.equal(result.etag, expectedEtag);
      assert.equal(result.size, 10 * MiB + 1003);
      const { info, data } = await read();
      assert.ok(data.equals(Buffer.concat(datas)));
      assert.equal(info.etag, expectedEtag);
      assert.equal(info.partsCount, 3);
      assert.deepEqual(info.parts, [{ size: 5 * MiB }, { size: 5 * MiB + 3 }, { size: 1000 }]);
      assert.equal(info.meta.contentType, 'text/x-test');
      assert.deepEqual(info.meta.userMetadata, { color: 'blue' });
      assert.deepEqual(await visibleTree(bucketDir), ['dir/', 'dir/obj.bin']);
      // The parts are gone (deleted after the answer); only the completion marker stays, for retries.
      assert.ok(!(await readdir(mpDir())).includes(id), 'the upload directory is moved away before the answer');
      await partsDiscarded();
      assert.deepEqual(await readdir(mpDir()), [`${id}.completed.json`]);
      assert.deepEqual(await readdir(join(bucketDir, '.dirbucket', 'tmp')), []);
    });

    test('upload ids are unguessable, sort by initiation, and an id of another form is NoSuchUpload', async () => {
      const a = await create();
      await new Promise((r) => setTimeout(r, 5));
      const b = await create();
      assert.match(a, /^[0-9a-f]{44}$/);
      assert.ok(a < b);
      assert.notEqual(a.slice(12), b.slice(12));
      for (const bad of ['', '../../etc', `${a}/..`, a.toUpperCase(), `${a}.completing`]) {
        await rejectsS3(part(bad, 1, Buffer.from('x')), 'NoSuchUpload');
      }
    });

    test('uploading a part number again replaces it: one version stays, ListParts and Complete see the new one', async () => {
      const id = await create();
      const first = await part(id, 1, Buffer.from('first version'));
      const second = await part(id, 1, Buffer.from('second, longer version'));
      assert.notEqual(first.etag, second.etag);
      const files = (await readdir(join(mpDir(), id))).filter((n) => n.startsWith('p'));
      assert.equal(files.length, 2, `one data file and one record: ${files.join(', ')}`);
      const listed = await backend.listParts({ bucket: 'bkt', key: 'dir/obj.bin', uploadId: id, maxParts: 1000, partNumberMarker: 0 });
      assert.deepEqual(listed.parts.map((p) => [p.partNumber, p.etag, p.size]), [[1, second.etag, 22]]);
      await rejectsS3(complete(id, [{ partNumber: 1, etag: first.etag }]), 'InvalidPart');
      await complete(id, [{ partNumber: 1, etag: second.etag }]);
      assert.equal((await read()).data.toString(), 'second, longer version');
    });

    test('part numbers outside 1..10000 are InvalidArgument', async () => {
      const id = await create();
      for (const n of [0, 10001, 1.5, -1]) await rejectsS3(part(id, n, Buffer.from('x')), 'InvalidArgument');
    });

    test('Content-MD5 and checksum mismatches are BadDigest and store nothing', async () => {
      const id = await create('dir/obj.bin', { checksum: { algorithm: 'CRC32C', type: 'COMPOSITE' } });
      const data = Buffer.from('some part bytes');
      await rejectsS3(part(id, 1, data, 'dir/obj.bin', { contentMd5: md5(Buffer.from('other')) }), 'BadDigest');
      await rejectsS3(part(id, 1, data, 'dir/obj.bin', { checksum: { algorithm: 'CRC32C', expected: () => 'AAAAAA==' } }), 'BadDigest');
      await rejectsS3(part(id, 1, data, 'dir/obj.bin', { checksum: { algorithm: 'SHA256' } }), 'InvalidRequest', /crc32c/);
      assert.deepEqual(await readdir(join(mpDir(), id)), ['upload.json']);
      const ok = await part(id, 1, data, 'dir/obj.bin', { contentMd5: md5(data) });
      assert.equal(ok.checksum?.algorithm, 'CRC32C', 'the upload\'s algorithm is computed even when the part request names none');
    });

    test('a failed Complete gives the upload back as it was; it can be completed afterwards', async () => {
      const id = await create();
      const { datas, parts } = await uploadParts(id, [1000, 5 * MiB]);
      await rejectsS3(complete(id, parts), 'EntityTooSmall');
      await rejectsS3(complete(id, [parts[1]!, parts[0]!]), 'InvalidPartOrder');
      await rejectsS3(complete(id, [{ partNumber: 1, etag: '"0000"' }]), 'InvalidPart');
      await rejectsS3(complete(id, [parts[1]!], 'dir/obj.bin', { conditions: { ifMatch: ['abc'] } }), 'NoSuchKey');
      assert.ok(existsSync(join(mpDir(), id, 'upload.json')), 'the upload is back under its name');
      await rejectsS3(backend.headObject({ bucket: 'bkt', key: 'dir/obj.bin' }), 'NoSuchKey');
      await complete(id, [parts[1]!]);
      assert.ok((await read()).data.equals(datas[1]!));
    });

    test('a resent Complete answers the same success; different parts, or an abort, are NoSuchUpload', async () => {
      const id = await create();
      const { parts } = await uploadParts(id, [5 * MiB, 10]);
      const first = await complete(id, parts);
      assert.deepEqual(await complete(id, parts), first);
      assert.deepEqual(await complete(id, parts.map((p) => ({ ...p, etag: `"${p.etag}"` }))), first, 'quoted ETags are the same parts');
      await rejectsS3(complete(id, [parts[0]!]), 'NoSuchUpload');
      await rejectsS3(complete(id, parts, 'dir/other.bin'), 'NoSuchUpload');
      await rejectsS3(backend.abortMultipartUpload({ bucket: 'bkt', key: 'dir/obj.bin', uploadId: id }), 'NoSuchUpload');
      await rejectsS3(part(id, 3, Buffer.from('late')), 'NoSuchUpload');
    });

    test('concurrent Completes of one upload all succeed with one result, and the object is whole', async () => {
      const id = await create();
      const { datas, parts } = await uploadParts(id, [5 * MiB, 5 * MiB, 77]);
      const results = await Promise.all([1, 2, 3, 4].map(() => complete(id, parts)));
      for (const r of results) assert.deepEqual(r, results[0]);
      assert.ok((await read()).data.equals(Buffer.concat(datas)));
      assert.deepEqual(await readdir(join(bucketDir, '.dirbucket', 'tmp')), []);
    });

    test('Complete and Abort at once: either the object is whole and the abort fails, or no object and no upload', async () => {
      for (let round = 0; round < 4; round++) {
        const key = `race-${round}`;
        const id = await create(key);
        const { datas, parts } = await uploadParts(id, [5 * MiB, 9], key);
        const [c, a] = await Promise.allSettled([complete(id, parts, key), backend.abortMultipartUpload({ bucket: 'bkt', key, uploadId: id })]);
        if (c.status === 'fulfilled') {
          assert.equal(a.status, 'rejected');
          assert.equal((a as PromiseRejectedResult).reason.code, 'NoSuchUpload');
          assert.ok((await read(key)).data.equals(Buffer.concat(datas)));
        } else {
          assert.equal(a.status, 'fulfilled', String((c as PromiseRejectedResult).reason));
          assert.equal(c.reason.code, 'NoSuchUpload');
          await rejectsS3(backend.headObject({ bucket: 'bkt', key }), 'NoSuchKey');
        }
        await partsDiscarded();
        assert.ok(!(await readdir(mpDir())).some((n) => n.startsWith(id) && !n.endsWith('.completed.json')), 'nothing of the upload is left');
      }
    });

    test('Abort frees the parts at once; every later call is NoSuchUpload', async () => {
      const id = await create();
      await uploadParts(id, [5 * MiB, 100]);
      await backend.abortMultipartUpload({ bucket: 'bkt', key: 'dir/obj.bin', uploadId: id });
      assert.deepEqual(await readdir(mpDir()), []);
      await rejectsS3(backend.abortMultipartUpload({ bucket: 'bkt', key: 'dir/obj.bin', uploadId: id }), 'NoSuchUpload');
      await rejectsS3(part(id, 1, Buffer.from('x')), 'NoSuchUpload');
      await rejectsS3(backend.listParts({ bucket: 'bkt', key: 'dir/obj.bin', uploadId: id, maxParts: 10, partNumberMarker: 0 }), 'NoSuchUpload');
      await rejectsS3(complete(id, [{ partNumber: 1, etag: 'x' }]), 'NoSuchUpload');
      assert.deepEqual(await visibleTree(bucketDir), []);
    });

    test('an upload is addressed by key and id together: another key is NoSuchUpload everywhere', async () => {
      const id = await create();
      await rejectsS3(part(id, 1, Buffer.from('x'), 'elsewhere'), 'NoSuchUpload');
      await rejectsS3(backend.listParts({ bucket: 'bkt', key: 'elsewhere', uploadId: id, maxParts: 10, partNumberMarker: 0 }), 'NoSuchUpload');
      await rejectsS3(complete(id, [{ partNumber: 1, etag: 'x' }], 'elsewhere'), 'NoSuchUpload');
      await rejectsS3(backend.abortMultipartUpload({ bucket: 'bkt', key: 'elsewhere', uploadId: id }), 'NoSuchUpload');
      assert.ok(existsSync(join(mpDir(), id, 'upload.json')), 'the upload was not touched');
    });

    test('keys that cannot be objects are refused at create: directory objects, reserved names', async () => {
      await rejectsS3(create('dir/'), 'InvalidArgument', /directory object/);
      await rejectsS3(create('a/.dirbucket/x'), 'InvalidArgument');
      await rejectsS3(create('a//b'), 'InvalidArgument');
    });

    test('Complete refuses a key that conflicts with a directory (KeyConflict) and gives the upload back', async () => {
      await mkdir(join(bucketDir, 'dir', 'obj.bin'), { recursive: true });
      await writeFile(join(bucketDir, 'dir', 'obj.bin', 'inside'), 'x');
      const id = await create();
      const { parts } = await uploadParts(id, [10]);
      await rejectsS3(complete(id, parts), 'KeyConflict');
      assert.ok(existsSync(join(mpDir(), id, 'upload.json')));
      assert.deepEqual(await readdir(join(bucketDir, '.dirbucket', 'tmp')), []);
    });

    test('conditions: If-None-Match * on an existing key and a wrong If-Match are PreconditionFailed; a right If-Match wins', async () => {
      await backend.putObject({ bucket: 'bkt', key: 'dir/obj.bin', body: body('old'), size: 3, meta: { userMetadata: {} } });
      const old = await backend.headObject({ bucket: 'bkt', key: 'dir/obj.bin' });
      const id = await create();
      const { parts } = await uploadParts(id, [10]);
      await rejectsS3(complete(id, parts, 'dir/obj.bin', { conditions: { ifNoneMatch: '*' } }), 'PreconditionFailed');
      await rejectsS3(complete(id, parts, 'dir/obj.bin', { conditions: { ifMatch: ['0123'] } }), 'PreconditionFailed');
      assert.equal((await read()).data.toString(), 'old');
      await complete(id, parts, 'dir/obj.bin', { conditions: { ifMatch: [old.etag] } });
      assert.equal((await read()).info.size, 10);
    });

    test('a Complete that died holding the upload (owner gone) is recovered: the upload comes back and completes', async () => {
      const id = await create();
      const { datas, parts } = await uploadParts(id, [5 * MiB, 10]);
      // What kill -9 leaves mid-join: the held directory, its intent, and a half-written staging file.
      const held = join(mpDir(), `${id}.completing`);
      await rename(join(mpDir(), id), held);
      const staging = join(bucketDir, '.dirbucket', 'tmp', 'crashed-staging');
      await mkdir(join(bucketDir, '.dirbucket', 'tmp'), { recursive: true });
      await writeFile(staging, randomBytes(1000));
      const owner = { ...currentOwner(), pid: deadPid(), start: '1' };
      await writeFile(join(held, 'complete.json'), JSON.stringify({ owner, key: 'dir/obj.bin', staging }));
      await backend.putObject({ bucket: 'bkt', key: 'dir/obj.bin', body: body('previous'), size: 8, meta: { userMetadata: {} } });
      assert.equal((await read()).data.toString(), 'previous', 'the previous object is intact');
      const r = await complete(id, parts);
      assert.ok((await read()).data.equals(Buffer.concat(datas)));
      assert.equal(r.size, 5 * MiB + 10);
      assert.ok(!existsSync(staging), 'the dead Complete\'s staging file is removed');
      await partsDiscarded();
      assert.deepEqual((await readdir(mpDir())).sort(), [`${id}.completed.json`]);
    });

    test('a Complete that died after its rename is finished by recovery: a resent Complete gets success', async () => {
      const id = await create();
      const { parts } = await uploadParts(id, [10]);
      // The object is in place (as the dead Complete's rename left it) and the intent says which inode it is.
      await backend.putObject({ bucket: 'bkt', key: 'dir/obj.bin', body: body('joined'), size: 6, meta: { userMetadata: {} } });
      const ino = String((await lstat(join(bucketDir, 'dir', 'obj.bin'), { bigint: true })).ino);
      const held = join(mpDir(), `${id}.completing`);
      await rename(join(mpDir(), id), held);
      const marker = { v: 1, uploadId: id, key: 'dir/obj.bin', etag: 'e'.repeat(32) + '-1', size: 6, parts: [[1, parts[0]!.etag]], completed: new Date().toISOString() };
      const owner = { ...currentOwner(), pid: deadPid(), start: '1' };
      await writeFile(join(held, 'complete.json'), JSON.stringify({ owner, key: 'dir/obj.bin', sealed: { ino, marker } }));
      const r = await complete(id, parts);
      assert.equal(r.etag, marker.etag);
      assert.equal((await read()).data.toString(), 'joined');
      assert.deepEqual(await readdir(mpDir()), [`${id}.completed.json`]);
    });

    test('a live Complete of another process is waited for, not taken over', async () => {
      const id = await create();
      const { parts } = await uploadParts(id, [10]);
      const held = join(mpDir(), `${id}.completing`);
      await rename(join(mpDir(), id), held);
      // Alive: this very process (as another host would be), fresh: just renamed.
      await writeFile(join(held, 'complete.json'), JSON.stringify({ owner: { ...currentOwner(), host: `not-${hostname()}` }, key: 'dir/obj.bin' }));
      const waiting = complete(id, parts);
      await new Promise((r) => setTimeout(r, 600));
      assert.ok(existsSync(held), 'still held by its owner');
      await rename(held, join(mpDir(), id)); // the owner gives it back (its Complete failed)
      const r = await waiting;
      assert.equal(r.size, 10);
    });

    test('UploadPartCopy: a range or the whole source, hashed as it is copied; an invalid range names the source size', async () => {
      const src = randomBytes(6 * MiB);
      await backend.putObject({ bucket: 'bkt', key: 'src.bin', body: body(src), size: src.length, meta: { userMetadata: {} } });
      const id = await create('dir/obj.bin', { checksum: { algorithm: 'SHA256', type: 'COMPOSITE' } });
      const ref = { bucket: 'bkt', key: 'src.bin' };
      const p1 = await backend.uploadPartCopy({ bucket: 'bkt', key: 'dir/obj.bin', uploadId: id, partNumber: 1, source: ref, range: { start: 0, end: 5 * MiB - 1 } });
      const p2 = await backend.uploadPartCopy({ bucket: 'bkt', key: 'dir/obj.bin', uploadId: id, partNumber: 2, source: ref });
      assert.equal(p1.etag, md5(src.subarray(0, 5 * MiB)).toString('hex'));
      assert.equal(p2.etag, md5(src).toString('hex'));
      assert.equal(p2.checksum?.value, createHash('sha256').update(src).digest('base64'));
      await rejectsS3(backend.uploadPartCopy({ bucket: 'bkt', key: 'dir/obj.bin', uploadId: id, partNumber: 3, source: ref, range: { start: 0, end: src.length } }),
        'InvalidRange', new RegExp(`size: ${src.length}`));
      await rejectsS3(backend.uploadPartCopy({ bucket: 'bkt', key: 'dir/obj.bin', uploadId: id, partNumber: 3, source: { bucket: 'bkt', key: 'nope' } }), 'NoSuchKey');
      await assert.rejects(backend.uploadPartCopy({ bucket: 'bkt', key: 'dir/obj.bin', uploadId: id, partNumber: 3, source: ref,
        checkSource: () => { throw new Error('refused by condition'); } }), /refused by condition/);
      assert.equal((await backend.listParts({ bucket: 'bkt', key: 'dir/obj.bin', uploadId: id, maxParts: 10, partNumberMarker: 0 })).parts.length, 2);
      const sums = { SHA256: p1.checksum!.value };
      await complete(id, [{ partNumber: 1, etag: p1.etag, checksums: sums }, { partNumber: 2, etag: p2.etag, checksums: { SHA256: p2.checksum!.value } }]);
      assert.ok((await read()).data.equals(Buffer.concat([src.subarray(0, 5 * MiB), src])));
    });

    test('ListParts pages by part number with a marker', async () => {
      const id = await create();
      for (const n of [5, 1, 3, 2, 9]) await part(id, n, Buffer.from(`part ${n}`));
      const page = (marker: number, max: number) => backend.listParts({ bucket: 'bkt', key: 'dir/obj.bin', uploadId: id, maxParts: max, partNumberMarker: marker });
      const a = await page(0, 2);
      assert.deepEqual(a.parts.map((p) => p.partNumber), [1, 2]);
      assert.equal(a.isTruncated, true);
      const b = await page(2, 2);
      assert.deepEqual(b.parts.map((p) => p.partNumber), [3, 5]);
      const c = await page(5, 2);
      assert.deepEqual(c.parts.map((p) => p.partNumber), [9]);
      assert.equal(c.isTruncated, false);
      assert.equal(a.upload.initiator, 'admin');
      assert.equal(a.upload.key, 'dir/obj.bin');
    });
  });
}
