/** The POSIX back end's buckets: root-mode discovery and naming, create/head/delete, mapped and read-only buckets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PosixBackend } from '../../src/storage/posix/posix-backend.js';
import { body, readAll, rejectsS3, tempDir } from './storage-fixture.js';

const meta = { userMetadata: {} };

test('root mode lists subdirectories with valid bucket names only, sorted, with a creation date', async () => {
  const t = await tempDir();
  try {
    for (const d of ['zeta', 'alpha-1', 'Invalid_Name', 'ab', '.dirbucket', '192.168.0.1', 'xn--bad']) await mkdir(join(t.dir, d));
    await writeFile(join(t.dir, 'not-a-dir'), 'x');
    await symlink(join(t.dir, 'zeta'), join(t.dir, 'linked'));
    const backend = new PosixBackend({ root: t.dir, metadata: 'auto', fsync: false, followSymlinks: false });
    const buckets = await backend.listBuckets();
    assert.deepEqual(buckets.map((b) => b.name), ['alpha-1', 'zeta']);
    for (const b of buckets) assert.ok(Math.abs(b.creationDate.getTime() - Date.now()) < 60_000, 'recent creation date');
    await rejectsS3(backend.headBucket({ bucket: 'Invalid_Name' }), 'NoSuchBucket');
    await rejectsS3(backend.headBucket({ bucket: 'not-a-dir' }), 'NoSuchBucket');
    await rejectsS3(backend.headBucket({ bucket: 'linked' }), 'NoSuchBucket');
    assert.equal((await backend.headBucket({ bucket: 'zeta' })).name, 'zeta');
    // With following on, a link to a directory is a bucket too.
    const following = new PosixBackend({ root: t.dir, followSymlinks: true });
    assert.deepEqual((await following.listBuckets()).map((b) => b.name), ['alpha-1', 'linked', 'zeta']);
  } finally {
    await t.cleanup();
  }
});

test('createBucket: naming rules, already owned, and the directory appears', async () => {
  const t = await tempDir();
  try {
    const backend = new PosixBackend({ root: t.dir, metadata: 'sidecar' });
    await rejectsS3(backend.createBucket({ bucket: 'Bad_Name' }), 'InvalidBucketName', /lowercase/);
    await rejectsS3(backend.createBucket({ bucket: '../escape' }), 'InvalidBucketName');
    await rejectsS3(backend.createBucket({ bucket: 'a..b' }), 'InvalidBucketName', /adjacent/);
    await backend.createBucket({ bucket: 'new-bucket' });
    assert.ok(existsSync(join(t.dir, 'new-bucket')));
    await rejectsS3(backend.createBucket({ bucket: 'new-bucket' }), 'BucketAlreadyOwnedByYou');
    assert.deepEqual((await backend.listBuckets()).map((b) => b.name), ['new-bucket']);
    assert.equal(existsSync(join(t.dir, '..', 'escape')), false);
  } finally {
    await t.cleanup();
  }
});

test('deleteBucket: NotEmpty while any key exists, then removes the directory and its state', async () => {
  const t = await tempDir();
  try {
    const backend = new PosixBackend({ root: t.dir, metadata: 'xattr' });
    await backend.createBucket({ bucket: 'bkt' });
    await backend.putObject({ bucket: 'bkt', key: 'a/b/c', body: body('x'), meta });
    await rejectsS3(backend.deleteBucket({ bucket: 'bkt' }), 'BucketNotEmpty', /a\/b\/c/);
    await backend.deleteObject({ bucket: 'bkt', key: 'a/b/c' });
    // Only a directory object left: still a key.
    await backend.putObject({ bucket: 'bkt', key: 'folder/', body: body(), meta });
    await rejectsS3(backend.deleteBucket({ bucket: 'bkt' }), 'BucketNotEmpty', /folder\//);
    await backend.deleteObject({ bucket: 'bkt', key: 'folder/' });
    // An empty directory made on the NAS is a folder, a key as in S3. Deleted, it leaves its parent (emptied
    // through S3, so no folder: a delete never makes a key appear), which goes with the bucket.
    await mkdir(join(t.dir, 'bkt/empty/deeper'), { recursive: true });
    await rejectsS3(backend.deleteBucket({ bucket: 'bkt' }), 'BucketNotEmpty', /empty\/deeper\//);
    await backend.deleteObject({ bucket: 'bkt', key: 'empty/deeper/' });
    assert.equal(existsSync(join(t.dir, 'bkt/empty')), true);
    await backend.deleteBucket({ bucket: 'bkt' });
    assert.equal(existsSync(join(t.dir, 'bkt')), false);
    await rejectsS3(backend.headBucket({ bucket: 'bkt' }), 'NoSuchBucket');
    await rejectsS3(backend.deleteBucket({ bucket: 'bkt' }), 'NoSuchBucket');
  } finally {
    await t.cleanup();
  }
});

test('deleteBucket keeps a bucket whose directory holds something that is not an object', async () => {
  const t = await tempDir();
  try {
    const backend = new PosixBackend({ root: t.dir });
    await backend.createBucket({ bucket: 'bkt' });
    await mkdir(join(t.dir, 'bkt/d'));
    await symlink('/etc/hostname', join(t.dir, 'bkt/d/link'));
    await rejectsS3(backend.deleteBucket({ bucket: 'bkt' }), 'BucketNotEmpty', /d\/link/);
    assert.ok(existsSync(join(t.dir, 'bkt/d')));
  } finally {
    await t.cleanup();
  }
});

test('mapped buckets: any directory, read-only refuses writes, cannot be created or deleted through S3', async () => {
  const t = await tempDir();
  try {
    const ro = join(t.dir, 'volume-ro');
    const rw = join(t.dir, 'volume-rw');
    await mkdir(ro);
    await mkdir(rw);
    await writeFile(join(ro, 'readme.txt'), 'read me');
    const backend = new PosixBackend({ buckets: [{ name: 'docs', path: ro, readOnly: true }, { name: 'work', path: rw, readOnly: false }] });
    assert.deepEqual((await backend.listBuckets()).map((b) => b.name), ['docs', 'work']);
    const h = await backend.getObject({ bucket: 'docs', key: 'readme.txt' });
    assert.equal((await readAll(h.stream())).toString(), 'read me');
    await h.close();
    await rejectsS3(backend.putObject({ bucket: 'docs', key: 'x', body: body('x'), meta }), 'AccessDenied', /read-only/);
    await rejectsS3(backend.deleteObject({ bucket: 'docs', key: 'readme.txt' }), 'AccessDenied', /read-only/);
    await rejectsS3(backend.copyObject({ source: { bucket: 'docs', key: 'readme.txt' }, bucket: 'docs', key: 'c' }), 'AccessDenied');
    assert.ok(existsSync(join(ro, 'readme.txt')));
    assert.equal(existsSync(join(ro, '.dirbucket')), false, 'a read-only bucket gets no state directory');
    // Copy out of the read-only bucket into the writable one.
    await backend.copyObject({ source: { bucket: 'docs', key: 'readme.txt' }, bucket: 'work', key: 'copied.txt' });
    assert.equal((await backend.headObject({ bucket: 'work', key: 'copied.txt' })).size, 7);
    await rejectsS3(backend.createBucket({ bucket: 'another' }), 'AccessDenied', /root directory/);
    await rejectsS3(backend.createBucket({ bucket: 'work' }), 'BucketAlreadyOwnedByYou');
    await rejectsS3(backend.deleteBucket({ bucket: 'work' }), 'MethodNotAllowed', /mapped/);
    assert.ok(existsSync(rw));
  } finally {
    await t.cleanup();
  }
});

test('getBucketVersioning reads the bucket settings file: undefined until set', async () => {
  const t = await tempDir();
  try {
    const backend = new PosixBackend({ root: t.dir });
    await backend.createBucket({ bucket: 'bkt' });
    assert.equal(await backend.getBucketVersioning({ bucket: 'bkt' }), undefined);
    await mkdir(join(t.dir, 'bkt/.dirbucket'), { recursive: true });
    await writeFile(join(t.dir, 'bkt/.dirbucket/bucket.json'), JSON.stringify({ versioning: 'Enabled' }));
    assert.equal(await backend.getBucketVersioning({ bucket: 'bkt' }), 'Enabled');
    await rejectsS3(backend.getBucketVersioning({ bucket: 'nobkt' }), 'NoSuchBucket');
  } finally {
    await t.cleanup();
  }
});
