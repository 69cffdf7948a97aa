/** Where records live and how they are found: xattr overflow, store detection, per-inode sidecars, bad records. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getAttributeSync, setAttributeSync } from '@napi-rs/xattr';
import { PosixBackend } from '../../src/storage/posix/posix-backend.js';
import { body, filesUnder, rejectsS3, rootBackend, tempDir } from './storage-fixture.js';

const XATTR = 'user.dirbucket.meta';
const sidecarFiles = async (bucketDir: string) => (await filesUnder(join(bucketDir, '.dirbucket/meta'))).filter((f) => f.endsWith('.json'));

test('a record too big for the xattr goes to a sidecar, marked in the xattr, and is removed with the object', async () => {
  const { backend, bucketDir, cleanup } = await rootBackend('xattr');
  try {
    const big = { userMetadata: { a: 'x'.repeat(3000), b: 'y'.repeat(3000), c: 'z'.repeat(3000) } };
    await backend.putObject({ bucket: 'bkt', key: 'big', body: body('data'), meta: big });
    assert.equal(getAttributeSync(join(bucketDir, 'big'), XATTR)?.toString(), '@sidecar');
    assert.equal((await sidecarFiles(bucketDir)).length, 1);
    const info = await backend.headObject({ bucket: 'bkt', key: 'big' });
    assert.deepEqual(info.meta.userMetadata, big.userMetadata);
    assert.equal(info.etag, createHash('md5').update('data').digest('hex'));
    const listed = await backend.listObjects({ bucket: 'bkt', prefix: '', maxKeys: 5 });
    assert.equal(listed.objects[0].etag, info.etag);
    await backend.deleteObject({ bucket: 'bkt', key: 'big' });
    assert.deepEqual(await sidecarFiles(bucketDir), []);
  } finally {
    await cleanup();
  }
});

test("'auto' detects xattr support once per bucket and keeps the answer with the bucket", async () => {
  const t = await tempDir();
  try {
    const backend = new PosixBackend({ root: t.dir, metadata: 'auto' });
    await backend.createBucket({ bucket: 'one' });
    await backend.putObject({ bucket: 'one', key: 'k', body: body('v'), meta: { userMetadata: { m: '1' } } });
    assert.equal(await readFile(join(t.dir, 'one/.dirbucket/metadata-store'), 'utf8'), 'xattr'); // ext4 has user xattrs
    assert.ok(getAttributeSync(join(t.dir, 'one/k'), XATTR));
    // A bucket whose saved answer is 'sidecar' (made on a file system without xattrs) keeps using sidecars.
    await mkdir(join(t.dir, 'two/.dirbucket'), { recursive: true });
    await writeFile(join(t.dir, 'two/.dirbucket/metadata-store'), 'sidecar');
    await backend.putObject({ bucket: 'two', key: 'k', body: body('v'), meta: { userMetadata: { m: '2' } } });
    assert.equal(getAttributeSync(join(t.dir, 'two/k'), XATTR), null);
    assert.equal((await sidecarFiles(join(t.dir, 'two'))).length, 1);
    // Another gateway process (a new back end) finds both records.
    const other = new PosixBackend({ root: t.dir, metadata: 'auto' });
    assert.deepEqual((await other.headObject({ bucket: 'one', key: 'k' })).meta.userMetadata, { m: '1' });
    assert.deepEqual((await other.headObject({ bucket: 'two', key: 'k' })).meta.userMetadata, { m: '2' });
    // And a read-only mapped view of the sidecar bucket reads them without writing anything.
    const ro = new PosixBackend({ buckets: [{ name: 'view', path: join(t.dir, 'two'), readOnly: true }] });
    assert.deepEqual((await ro.headObject({ bucket: 'view', key: 'k' })).meta.userMetadata, { m: '2' });
  } finally {
    await t.cleanup();
  }
});

test('sidecar records belong to one inode: a refused write leaves the current record untouched', async () => {
  const { backend, bucketDir, cleanup } = await rootBackend('sidecar');
  try {
    await backend.putObject({ bucket: 'bkt', key: 'k', body: body('v1'), meta: { contentType: 'text/one', userMetadata: { v: '1' } } });
    await rejectsS3(backend.putObject({ bucket: 'bkt', key: 'k', body: body('v2'), meta: { contentType: 'text/two', userMetadata: { v: '2' } },
      conditions: { ifNoneMatch: '*' } }), 'PreconditionFailed');
    await rejectsS3(backend.putObject({ bucket: 'bkt', key: 'k', body: body('v2'), meta: { userMetadata: {} }, contentMd5: Buffer.alloc(16) }), 'BadDigest');
    const info = await backend.headObject({ bucket: 'bkt', key: 'k' });
    assert.equal(info.meta.contentType, 'text/one');
    assert.deepEqual(info.meta.userMetadata, { v: '1' });
    assert.equal((await sidecarFiles(bucketDir)).length, 1);
  } finally {
    await cleanup();
  }
});

test('an unreadable record counts as none: synthetic ETag, guessed Content-Type', async () => {
  const { backend, bucketDir, cleanup } = await rootBackend('xattr');
  try {
    await backend.putObject({ bucket: 'bkt', key: 'k.csv', body: body('a,b'), meta: { contentType: 'text/x', userMetadata: {} } });
    setAttributeSync(join(bucketDir, 'k.csv'), XATTR, '{not json');
    const info = await backend.headObject({ bucket: 'bkt', key: 'k.csv' });
    assert.match(info.etag, /^[0-9a-f]{32}-1$/);
    assert.equal(info.meta.contentType, 'text/csv');
    setAttributeSync(join(bucketDir, 'k.csv'), XATTR, JSON.stringify({ v: 2, ino: '1' }));
    assert.match((await backend.headObject({ bucket: 'bkt', key: 'k.csv' })).etag, /-1$/);
  } finally {
    await cleanup();
  }
});

test('a record copied to another inode (cp --preserve=xattr) does not vouch for it', async () => {
  const { backend, bucketDir, cleanup } = await rootBackend('xattr');
  try {
    await backend.putObject({ bucket: 'bkt', key: 'orig', body: body('same'), meta: { contentType: 'text/o', userMetadata: {} } });
    const value = getAttributeSync(join(bucketDir, 'orig'), XATTR)!;
    await writeFile(join(bucketDir, 'clone'), 'same');
    setAttributeSync(join(bucketDir, 'clone'), XATTR, value);
    const info = await backend.headObject({ bucket: 'bkt', key: 'clone' });
    assert.match(info.etag, /-1$/);
    assert.equal(info.meta.contentType, 'text/o');
  } finally {
    await cleanup();
  }
});

test('metadata is never written outside the bucket, even by a write that fails late', async () => {
  const { backend, root, cleanup } = await rootBackend('sidecar');
  try {
    await rejectsS3(backend.putObject({ bucket: 'bkt', key: 'x', body: body('abc'), size: 9, meta: { userMetadata: {} } }), 'IncompleteBody');
    assert.deepEqual((await filesUnder(root)).filter((p) => !p.startsWith('bkt/')), []);
    assert.equal(existsSync(join(root, 'bkt/x')), false);
  } finally {
    await cleanup();
  }
});
