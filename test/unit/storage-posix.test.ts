/**
 * The POSIX back end's object operations, one shared suite run against both metadata stores (xattr and
 * sidecar), on real temp directories: round trips, verification, failures that must leave no trace,
 * conditions, directory objects, conflicts, cleanup of empty directories, staleness and escape safety.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getAttributeSync } from '@napi-rs/xattr';
import { checksumOf } from '../../src/checksums/checksum.js';
import type { PosixBackend } from '../../src/storage/posix/posix-backend.js';
import { body, failingBody, filesUnder, readAll, rejectsS3, rootBackend, snapshot, tempDir, visibleTree, type StoreMode } from './storage-fixture.js';

const md5hex = (s: string | Buffer) => createHash('md5').update(s).digest('hex');
const md5raw = (s: string | Buffer) => createHash('md5').update(s).digest();
const meta = (extra: Record<string, string> = {}) => ({ userMetadata: {}, ...extra });

for (const mode of ['xattr', 'sidecar'] as const satisfies readonly StoreMode[]) {
  describe(`PosixBackend objects (${mode} store)`, () => {
    let backend: PosixBackend;
    let bucketDir: string;
    let cleanup: () => Promise<void>;
    const put = (key: string, data: string | Buffer, extra: Record<string, unknown> = {}) =>
      backend.putObject({ bucket: 'bkt', key, body: body(data), size: Buffer.byteLength(data), meta: meta(), ...extra });
    const get = async (key: string) => {
      const h = await backend.getObject({ bucket: 'bkt', key });
      try {
        return { info: h.info, data: (await readAll(h.stream())).toString() };
      } finally {
        await h.close();
      }
    };

    beforeEach(async () => {
      ({ backend, bucketDir, cleanup } = await rootBackend(mode));
    });
    afterEach(async () => {
      await backend.close();
      await cleanup();
    });

    test('put, get, head and list agree on bytes, ETag and metadata', async () => {
      const m = { contentType: 'text/x-test', contentEncoding: 'identity', contentDisposition: 'inline', contentLanguage: 'en',
        cacheControl: 'no-cache', expires: 'Wed, 21 Oct 2037 07:28:00 GMT', userMetadata: { color: 'blue', 'x-y': 'ü' } };
      const r = await backend.putObject({ bucket: 'bkt', key: 'a/b/hello.txt', body: body('hel', 'lo'), size: 5, meta: m });
      assert.equal(r.etag, md5hex('hello'));
      assert.equal(await readFile(join(bucketDir, 'a/b/hello.txt'), 'utf8'), 'hello');
      const { info, data } = await get('a/b/hello.txt');
      assert.equal(data, 'hello');
      assert.equal(info.etag, md5hex('hello'));
      assert.equal(info.size, 5);
      assert.deepEqual(info.meta, m);
      assert.equal(info.isDirectoryObject, false);
      assert.equal(info.lastModified.getTime(), Math.floor((await stat(join(bucketDir, 'a/b/hello.txt'))).mtimeMs));
      const head = await backend.headObject({ bucket: 'bkt', key: 'a/b/hello.txt' });
      assert.deepEqual(head, info);
      const list = await backend.listObjects({ bucket: 'bkt', prefix: '', maxKeys: 10 });
      assert.deepEqual(list.objects.map((o) => [o.key, o.etag, o.size]), [['a/b/hello.txt', md5hex('hello'), 5]]);
    });

    test('ranges stream exactly the requested bytes; empty objects stream nothing', async () => {
      await put('r', '0123456789');
      const h = await backend.getObject({ bucket: 'bkt', key: 'r' });
      try {
        assert.equal((await readAll(h.stream({ start: 2, end: 5 }))).toString(), '2345');
        assert.equal((await readAll(h.stream({ start: 9, end: 9 }))).toString(), '9');
        assert.equal((await readAll(h.stream())).toString(), '0123456789');
      } finally {
        await h.close();
      }
      await put('empty', '');
      const e = await get('empty');
      assert.equal(e.data, '');
      assert.equal(e.info.etag, md5hex(''));
    });

    test('records live in the configured store', async () => {
      await put('k', 'v');
      const sidecars = (await filesUnder(join(bucketDir, '.dirbucket/meta'))).filter((f) => f.endsWith('.json'));
      const xattr = getAttributeSync(join(bucketDir, 'k'), 'user.dirbucket.meta');
      if (mode === 'xattr') {
        assert.ok(xattr && JSON.parse(xattr.toString()).etag === md5hex('v'));
        assert.equal(sidecars.length, 0);
      } else {
        assert.equal(xattr, null);
        assert.equal(sidecars.length, 1);
      }
    });

    test('overwrite replaces bytes and metadata whole, and drops the old record', async () => {
      await put('k', 'one', { meta: meta({ contentType: 'text/one' }) });
      await put('k', 'second', { meta: { userMetadata: { a: 'b' } } });
      const { info, data } = await get('k');
      assert.equal(data, 'second');
      assert.equal(info.etag, md5hex('second'));
      assert.equal(info.meta.contentType, 'application/octet-stream'); // none stored: guessed, not the old one
      assert.deepEqual(info.meta.userMetadata, { a: 'b' });
      const sidecars = (await filesUnder(join(bucketDir, '.dirbucket/meta'))).filter((f) => f.endsWith('.json'));
      assert.equal(sidecars.length, mode === 'sidecar' ? 1 : 0);
    });

    test('Content-MD5 is verified: a mismatch is BadDigest and leaves no trace', async () => {
      const ok = await put('m', 'data', { contentMd5: md5raw('data') });
      assert.equal(ok.etag, md5hex('data'));
      const before = await snapshot(bucketDir);
      await rejectsS3(put('bad', 'data', { contentMd5: md5raw('other') }), 'BadDigest', /Content-MD5/);
      assert.deepEqual(await snapshot(bucketDir), before);
    });

    test('checksums are computed, stored and verified (expected() asked after the body)', async () => {
      const crc = checksumOf('CRC32C', Buffer.from('payload')).toString('base64');
      let asked = false;
      const r = await put('c', 'payload', { checksum: { algorithm: 'CRC32C', expected: () => { asked = true; return crc; } } });
      assert.ok(asked);
      assert.deepEqual(r.checksum, { algorithm: 'CRC32C', value: crc, type: 'FULL_OBJECT' });
      assert.deepEqual((await get('c')).info.checksum, r.checksum);
      // No expected value: computed and stored all the same.
      const sha = await put('s', 'payload', { checksum: { algorithm: 'SHA256' } });
      assert.equal(sha.checksum?.value, createHash('sha256').update('payload').digest('base64'));
      const before = await snapshot(bucketDir);
      await rejectsS3(put('bad', 'payload', { checksum: { algorithm: 'CRC32', expected: () => 'AAAAAA==' } }), 'BadDigest', /CRC32 you specified/);
      assert.deepEqual(await snapshot(bucketDir), before);
    });

    test('a body shorter than declared is IncompleteBody, longer is BadDigest; neither leaves a trace', async () => {
      await put('keep', 'old');
      const before = await snapshot(bucketDir);
      await rejectsS3(backend.putObject({ bucket: 'bkt', key: 'keep', body: body('abc'), size: 10, meta: meta() }), 'IncompleteBody', /3 of 10/);
      await rejectsS3(backend.putObject({ bucket: 'bkt', key: 'keep', body: body('abc', 'def'), size: 4, meta: meta() }), 'BadDigest', /longer/);
      await rejectsS3(backend.putObject({ bucket: 'bkt', key: 'new/deep/x', body: body('abc'), size: 4, meta: meta() }), 'IncompleteBody');
      assert.deepEqual(await snapshot(bucketDir), before.filter((f) => f !== 'new/'));
      assert.equal((await get('keep')).data, 'old');
    });

    test('a body stream that fails midway leaves no trace and keeps the old object', async () => {
      await put('obj', 'original');
      const before = await snapshot(bucketDir);
      const err = new Error('client disconnected');
      await assert.rejects(backend.putObject({ bucket: 'bkt', key: 'obj', body: failingBody(Buffer.alloc(100_000, 1), err), meta: meta() }), err);
      await assert.rejects(backend.putObject({ bucket: 'bkt', key: 'fresh', body: failingBody(Buffer.alloc(10, 1)), meta: meta() }));
      assert.deepEqual(await snapshot(bucketDir), before);
      assert.equal((await get('obj')).data, 'original');
    });

    test('If-None-Match * creates only; If-Match replaces only the expected version', async () => {
      const first = await put('c', 'v1', { conditions: { ifNoneMatch: '*' } });
      const e = await rejectsS3(put('c', 'v2', { conditions: { ifNoneMatch: '*' } }), 'PreconditionFailed');
      assert.equal(e.fields.Condition, 'If-None-Match');
      assert.equal((await get('c')).data, 'v1');
      await rejectsS3(put('c', 'v2', { conditions: { ifMatch: ['0123456789abcdef0123456789abcdef'] } }), 'PreconditionFailed');
      assert.equal((await get('c')).data, 'v1');
      await put('c', 'v3', { conditions: { ifMatch: [first.etag] } });
      assert.equal((await get('c')).data, 'v3');
      await put('c', 'v4', { conditions: { ifMatch: '*' } });
      // S3 answers NoSuchKey (not 412) for If-Match on a key that does not exist.
      await rejectsS3(put('missing', 'x', { conditions: { ifMatch: '*' } }), 'NoSuchKey');
      assert.equal(existsSync(join(bucketDir, 'missing')), false);
      assert.deepEqual(await filesUnder(join(bucketDir, '.dirbucket/tmp')), []);
    });

    test('concurrent If-None-Match * writes: exactly one wins', async () => {
      const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => put('race', `writer-${i}`, { conditions: { ifNoneMatch: '*' } })));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const { info, data } = await get('race');
      assert.match(data, /^writer-\d$/);
      assert.equal(info.etag, md5hex(data));
    });

    test('concurrent writes to one key end with one of them whole', async () => {
      const bodies = Array.from({ length: 8 }, (_, i) => Buffer.alloc(200_000 + i, 97 + i));
      await Promise.all(bodies.map((b) => put('same', b)));
      const { info, data } = await get('same');
      assert.ok(bodies.some((b) => b.toString() === data), 'content is one writer\'s whole body');
      assert.equal(info.etag, md5hex(data));
      assert.deepEqual(await filesUnder(join(bucketDir, '.dirbucket/tmp')), []);
    });

    test('directory objects: created with metadata, listed, kept when their last child goes', async () => {
      const r = await backend.putObject({ bucket: 'bkt', key: 'dir/', body: body(), size: 0, meta: meta({ contentType: 'application/x-directory' }) });
      assert.equal(r.etag, 'd41d8cd98f00b204e9800998ecf8427e');
      assert.ok((await stat(join(bucketDir, 'dir'))).isDirectory());
      const head = await backend.headObject({ bucket: 'bkt', key: 'dir/' });
      assert.equal(head.isDirectoryObject, true);
      assert.equal(head.size, 0);
      assert.equal(head.meta.contentType, 'application/x-directory');
      assert.equal((await get('dir/')).data, '');
      await rejectsS3(backend.headObject({ bucket: 'bkt', key: 'dir' }), 'NoSuchKey');
      await put('dir/child', 'c');
      await backend.deleteObject({ bucket: 'bkt', key: 'dir/child' });
      const list = await backend.listObjects({ bucket: 'bkt', prefix: '', maxKeys: 10 });
      assert.deepEqual(list.objects.map((o) => [o.key, o.etag, o.size, o.isDirectoryObject]), [['dir/', 'd41d8cd98f00b204e9800998ecf8427e', 0, true]]);
      await backend.deleteObject({ bucket: 'bkt', key: 'dir/' });
      assert.equal(existsSync(join(bucketDir, 'dir')), false);
    });

    test('a directory object may carry bytes, kept out of every listing; deleting a non-empty one only unmarks it', async () => {
      // A body that fails its digest changes nothing.
      await rejectsS3(backend.putObject({ bucket: 'bkt', key: 'd/', body: body('x'), size: 1, meta: meta(), contentMd5: md5raw('y') }), 'BadDigest');
      assert.deepEqual(await visibleTree(bucketDir), []);
      const put1 = await backend.putObject({ bucket: 'bkt', key: 'd/', body: body('bytes of d'), size: 10, meta: meta() });
      assert.equal(put1.etag, md5hex('bytes of d'));
      const got = await get('d/');
      assert.deepEqual([got.data, got.info.size, got.info.etag, got.info.isDirectoryObject], ['bytes of d', 10, md5hex('bytes of d'), true]);
      assert.ok((await stat(join(bucketDir, 'd'))).isDirectory());
      const listed = await backend.listObjects({ bucket: 'bkt', prefix: '', maxKeys: 10 });
      assert.deepEqual(listed.objects.map((o) => [o.key, o.size, o.etag]), [['d/', 10, md5hex('bytes of d')]]);
      await put('d/inside', 'i');
      assert.deepEqual((await backend.listObjects({ bucket: 'bkt', prefix: '', maxKeys: 10 })).objects.map((o) => o.key), ['d/', 'd/inside']);
      // Replaced by an empty body: no bytes left.
      await backend.putObject({ bucket: 'bkt', key: 'd/', body: body(), size: 0, meta: meta() });
      assert.deepEqual([(await get('d/')).data, (await get('d/')).info.etag], ['', md5hex('')]);
      await backend.putObject({ bucket: 'bkt', key: 'd/', body: body('again'), meta: meta() });
      assert.equal((await get('d/')).data, 'again');
      // Deleted while it holds a key: unmarked, its bytes gone, the key below kept.
      await backend.deleteObject({ bucket: 'bkt', key: 'd/' });
      await rejectsS3(backend.headObject({ bucket: 'bkt', key: 'd/' }), 'NoSuchKey');
      assert.equal(existsSync(join(bucketDir, 'd', '.dirbucket')), false, 'the bytes of a deleted directory object stayed');
      assert.equal((await get('d/inside')).data, 'i');
      await backend.deleteObject({ bucket: 'bkt', key: 'd/inside' });
      assert.deepEqual(await visibleTree(bucketDir), []);
      await backend.putObject({ bucket: 'bkt', key: 'p/', body: body(), meta: meta() });
      await put('p/q', 'data');
      await backend.deleteObject({ bucket: 'bkt', key: 'p/' });
      assert.equal((await get('p/q')).data, 'data');
      await rejectsS3(backend.headObject({ bucket: 'bkt', key: 'p/' }), 'NoSuchKey');
      // 'p' was made by the gateway (for the directory object): it goes with its last object now.
      await backend.deleteObject({ bucket: 'bkt', key: 'p/q' });
      assert.deepEqual(await visibleTree(bucketDir), []);
    });

    test('file/directory conflicts are 409 KeyConflict naming the conflict, and change nothing', async () => {
      await put('a', 'file');
      await put('x/y', 'nested');
      const before = await snapshot(bucketDir);
      await rejectsS3(put('a/b', 'z'), 'KeyConflict', /'a' is an object \(file\)/);
      await rejectsS3(put('a/b/c', 'z'), 'KeyConflict', /'a' is an object/);
      await rejectsS3(put('x', 'z'), 'KeyConflict', /'x\/' is a directory/);
      await rejectsS3(backend.putObject({ bucket: 'bkt', key: 'a/', body: body(), meta: meta() }), 'KeyConflict', /'a' is an object/);
      assert.deepEqual(await snapshot(bucketDir), before);
      assert.equal((await get('a')).data, 'file');
      assert.equal((await get('x/y')).data, 'nested');
    });

    test('deleting the last object removes gateway-made directories only', async () => {
      await mkdir(join(bucketDir, 'nas/made'), { recursive: true }); // made on the NAS side
      await put('nas/made/f', '1');
      await put('nas/gw/deep/f', '2');
      await put('solo/a/b/c', '3');
      await backend.deleteObject({ bucket: 'bkt', key: 'nas/made/f' });
      await backend.deleteObject({ bucket: 'bkt', key: 'nas/gw/deep/f' });
      await backend.deleteObject({ bucket: 'bkt', key: 'solo/a/b/c' });
      assert.deepEqual(await visibleTree(bucketDir), ['nas/', 'nas/made/']);
      // The NAS user's directory stays on disk, but emptied through S3 it is no folder: the prefix went with its key.
      const list = await backend.listObjects({ bucket: 'bkt', prefix: '', delimiter: '/', maxKeys: 10 });
      assert.deepEqual(list.commonPrefixes, []);
      const flat = await backend.listObjects({ bucket: 'bkt', prefix: '', maxKeys: 10 });
      assert.deepEqual(flat.objects.map((o) => o.key), []);
      // A directory that still holds something stays.
      await put('keep/a', '1');
      await put('keep/b', '2');
      await backend.deleteObject({ bucket: 'bkt', key: 'keep/a' });
      assert.deepEqual(await visibleTree(bucketDir), ['keep/', 'keep/b', 'nas/', 'nas/made/']);
    });

    test('deleting a missing key, or something that is not an object, is a quiet no-op', async () => {
      await backend.deleteObject({ bucket: 'bkt', key: 'nope' });
      await backend.deleteObject({ bucket: 'bkt', key: 'no/such/dir/key' });
      // A directory that holds a key is a prefix, no object: neither 'plain' nor 'plain/' deletes anything.
      await mkdir(join(bucketDir, 'plain'));
      await writeFile(join(bucketDir, 'plain/f'), 'f');
      await backend.deleteObject({ bucket: 'bkt', key: 'plain' });
      await backend.deleteObject({ bucket: 'bkt', key: 'plain/' });
      assert.deepEqual(await visibleTree(bucketDir), ['plain/', 'plain/f']);
      // Nor does a directory holding what is no key (a FIFO): it is not empty, so no folder.
      await mkdir(join(bucketDir, 'odd'));
      execFileSync('mkfifo', [join(bucketDir, 'odd/pipe')]);
      await backend.deleteObject({ bucket: 'bkt', key: 'odd/' });
      assert.ok(existsSync(join(bucketDir, 'odd/pipe')), 'a directory that is not empty was removed');
    });

    test('a file changed outside S3 gets a synthetic ETag and loses its checksum', async () => {
      const crc = checksumOf('CRC32', Buffer.from('original')).toString('base64');
      await put('f.txt', 'original', { meta: meta({ contentType: 'text/special' }), checksum: { algorithm: 'CRC32', expected: () => crc } });
      const path = join(bucketDir, 'f.txt');
      await writeFile(path, 'rewritten on the NAS');
      const info = (await get('f.txt')).info;
      assert.match(info.etag, /^[0-9a-f]{32}-1$/);
      assert.notEqual(info.etag, md5hex('original'));
      assert.equal(info.checksum, undefined);
      assert.equal(info.size, 20);
      assert.equal(info.meta.contentType, 'text/special'); // headers are not content: kept
      const listed = await backend.listObjects({ bucket: 'bkt', prefix: 'f', maxKeys: 1 });
      assert.equal(listed.objects[0].etag, info.etag);
      // Same size, only the mtime moves: still noticed.
      const again = await put('g', 'abc');
      const t = new Date(Date.now() + 5000);
      await writeFile(join(bucketDir, 'g'), 'xyz');
      await utimes(join(bucketDir, 'g'), t, t);
      assert.notEqual((await get('g')).info.etag, again.etag);
    });

    test('files written on disk directly: synthetic ETag, Content-Type from the extension', async () => {
      await mkdir(join(bucketDir, 'raw'));
      await writeFile(join(bucketDir, 'raw/data.json'), '{"a":1}');
      await writeFile(join(bucketDir, 'raw/noext'), 'x');
      const json = (await get('raw/data.json')).info;
      assert.equal(json.meta.contentType, 'application/json');
      assert.match(json.etag, /^[0-9a-f]{32}-1$/);
      assert.deepEqual(json.meta.userMetadata, {});
      assert.equal((await get('raw/noext')).info.meta.contentType, 'application/octet-stream');
      const list = await backend.listObjects({ bucket: 'bkt', prefix: 'raw/', maxKeys: 10 });
      assert.deepEqual(list.objects.map((o) => [o.key, o.etag]), [['raw/data.json', json.etag], ['raw/noext', (await get('raw/noext')).info.etag]]);
    });

    test('a symlink to a file outside the bucket is never read, written or deleted through', async () => {
      const outside = await tempDir('dirbucket-outside-');
      try {
        const secret = join(outside.dir, 'secret.txt');
        await writeFile(secret, 'top secret');
        await symlink(secret, join(bucketDir, 'link.txt'));
        await rejectsS3(backend.getObject({ bucket: 'bkt', key: 'link.txt' }), 'NoSuchKey');
        await rejectsS3(backend.headObject({ bucket: 'bkt', key: 'link.txt' }), 'NoSuchKey');
        await rejectsS3(put('link.txt', 'overwrite'), 'KeyConflict', /symbolic link/);
        await backend.deleteObject({ bucket: 'bkt', key: 'link.txt' });
        await rejectsS3(backend.copyObject({ source: { bucket: 'bkt', key: 'link.txt' }, bucket: 'bkt', key: 'copy' }), 'NoSuchKey');
        const list = await backend.listObjects({ bucket: 'bkt', prefix: '', maxKeys: 10 });
        assert.deepEqual(list.objects, []);
        assert.equal(await readFile(secret, 'utf8'), 'top secret');
        assert.ok(existsSync(join(bucketDir, 'link.txt')));
      } finally {
        await outside.cleanup();
      }
    });

    test('a symlinked directory component pointing outside is never followed', async () => {
      const outside = await tempDir('dirbucket-outside-');
      try {
        await writeFile(join(outside.dir, 'secret.txt'), 'top secret');
        await symlink(outside.dir, join(bucketDir, 'escape'));
        await rejectsS3(backend.getObject({ bucket: 'bkt', key: 'escape/secret.txt' }), 'NoSuchKey');
        await rejectsS3(backend.headObject({ bucket: 'bkt', key: 'escape/secret.txt' }), 'NoSuchKey');
        await rejectsS3(put('escape/new.txt', 'x'), 'KeyConflict', /symbolic link/);
        await rejectsS3(put('escape/sub/new.txt', 'x'), 'KeyConflict', /symbolic link/);
        await rejectsS3(backend.putObject({ bucket: 'bkt', key: 'escape/d/', body: body(), meta: meta() }), 'KeyConflict');
        await backend.deleteObject({ bucket: 'bkt', key: 'escape/secret.txt' });
        await backend.deleteObject({ bucket: 'bkt', key: 'escape/' });
        assert.deepEqual(await filesUnder(outside.dir), ['secret.txt']);
        assert.equal(await readFile(join(outside.dir, 'secret.txt'), 'utf8'), 'top secret');
        // A symlink to a directory inside the bucket is not followed either (following is off).
        await put('real/f', 'inside');
        await symlink(join(bucketDir, 'real'), join(bucketDir, 'alias'));
        await rejectsS3(backend.getObject({ bucket: 'bkt', key: 'alias/f' }), 'NoSuchKey');
      } finally {
        await outside.cleanup();
      }
    });

    test('a FIFO is never opened: NoSuchKey, not listed, not replaced', { timeout: 10_000 }, async () => {
      execFileSync('mkfifo', [join(bucketDir, 'pipe')]);
      await rejectsS3(backend.getObject({ bucket: 'bkt', key: 'pipe' }), 'NoSuchKey');
      await rejectsS3(backend.headObject({ bucket: 'bkt', key: 'pipe' }), 'NoSuchKey');
      await rejectsS3(backend.copyObject({ source: { bucket: 'bkt', key: 'pipe' }, bucket: 'bkt', key: 'c' }), 'NoSuchKey');
      await rejectsS3(put('pipe', 'x'), 'KeyConflict', /special file/);
      await backend.deleteObject({ bucket: 'bkt', key: 'pipe' });
      assert.ok((await stat(join(bucketDir, 'pipe'))).isFIFO());
      assert.deepEqual((await backend.listObjects({ bucket: 'bkt', prefix: '', maxKeys: 10 })).objects, []);
    });

    test('keys the file system cannot hold are refused before anything is touched', async () => {
      await rejectsS3(put('../escape', 'x'), 'InvalidArgument', /'\.\.' segment/);
      await rejectsS3(put('a/../../escape', 'x'), 'InvalidArgument');
      await rejectsS3(put('.dirbucket/tmp/x', 'x'), 'InvalidArgument', /reserved/);
      await rejectsS3(put('a//b', 'x'), 'InvalidArgument', /empty segment/);
      await rejectsS3(backend.getObject({ bucket: 'bkt', key: '../bkt/x' }), 'InvalidArgument');
      await rejectsS3(backend.deleteObject({ bucket: 'bkt', key: '.dirbucket/metadata-store' }), 'InvalidArgument');
      await rejectsS3(put('k'.repeat(1025), 'x'), 'KeyTooLongError');
      assert.deepEqual(await visibleTree(bucketDir), []);
      assert.equal(existsSync(join(bucketDir, '..', 'escape')), false);
    });

    test('copy keeps or replaces metadata, reuses a valid MD5, and computes one otherwise', async () => {
      const crc = checksumOf('CRC32', Buffer.from('copy me')).toString('base64');
      await put('src', 'copy me', { meta: meta({ contentType: 'text/src' }), checksum: { algorithm: 'CRC32', expected: () => crc } });
      let seen: string | undefined;
      const c1 = await backend.copyObject({ source: { bucket: 'bkt', key: 'src' }, bucket: 'bkt', key: 'dst/one', checkSource: (i) => { seen = i.etag; } });
      assert.equal(seen, md5hex('copy me'));
      assert.equal(c1.etag, md5hex('copy me'));
      const one = await get('dst/one');
      assert.equal(one.data, 'copy me');
      assert.equal(one.info.meta.contentType, 'text/src');
      assert.equal(one.info.checksum?.value, crc);
      const c2 = await backend.copyObject({ source: { bucket: 'bkt', key: 'src' }, bucket: 'bkt', key: 'two', meta: { contentType: 'text/new', userMetadata: { n: '1' } } });
      assert.deepEqual((await get('two')).info.meta, { contentType: 'text/new', userMetadata: { n: '1' } });
      assert.equal(c2.etag, md5hex('copy me'));
      // Source changed on disk: its record no longer holds, so the copy's ETag is the real MD5.
      await writeFile(join(bucketDir, 'src'), 'changed on NAS');
      const c3 = await backend.copyObject({ source: { bucket: 'bkt', key: 'src' }, bucket: 'bkt', key: 'three' });
      assert.equal(c3.etag, md5hex('changed on NAS'));
      assert.equal(c3.checksum, undefined);
      // Onto itself (the front end demands REPLACE for that).
      await backend.copyObject({ source: { bucket: 'bkt', key: 'three' }, bucket: 'bkt', key: 'three', meta: meta({ contentType: 'text/self' }) });
      assert.equal((await get('three')).info.meta.contentType, 'text/self');
      assert.equal((await get('three')).data, 'changed on NAS');
    });

    test('copy: a refusing checkSource or a missing source leaves nothing behind', async () => {
      await put('src', 'x');
      const before = await snapshot(bucketDir);
      await assert.rejects(backend.copyObject({ source: { bucket: 'bkt', key: 'src' }, bucket: 'bkt', key: 'new/dst', checkSource: () => { throw new Error('refused'); } }), /refused/);
      await rejectsS3(backend.copyObject({ source: { bucket: 'bkt', key: 'nope' }, bucket: 'bkt', key: 'dst' }), 'NoSuchKey');
      await rejectsS3(backend.copyObject({ source: { bucket: 'bkt', key: 'src' }, bucket: 'bkt', key: 'dst', conditions: { ifMatch: '*' } }), 'NoSuchKey');
      assert.deepEqual(await snapshot(bucketDir), before);
    });

    test('unknown buckets are NoSuchBucket for every object operation', async () => {
      await rejectsS3(put('k', 'v', { bucket: 'nobucket' }), 'NoSuchBucket');
      await rejectsS3(backend.getObject({ bucket: 'nobucket', key: 'k' }), 'NoSuchBucket');
      await rejectsS3(backend.listObjects({ bucket: 'nobucket', prefix: '', maxKeys: 1 }), 'NoSuchBucket');
      await rejectsS3(backend.deleteObject({ bucket: '..', key: 'k' }), 'NoSuchBucket');
    });
  });
}
