/** followSymlinks: links that stay inside the bucket are objects; links that leave it never are. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PosixBackend } from '../../src/storage/posix/posix-backend.js';
import { body, filesUnder, readAll, rejectsS3, rootBackend, tempDir } from './storage-fixture.js';

test('with following on, inside links read and list; outside links stay unreachable', async () => {
  const { backend, bucketDir, cleanup } = await rootBackend('xattr', { followSymlinks: true });
  const outside = await tempDir('dirbucket-outside-');
  try {
    await mkdir(join(bucketDir, 'real'));
    await writeFile(join(bucketDir, 'real/f.txt'), 'inside');
    await writeFile(join(outside.dir, 'secret'), 'secret');
    await symlink(join(bucketDir, 'real/f.txt'), join(bucketDir, 'file-link'));
    await symlink('real', join(bucketDir, 'dir-link'));
    await symlink(join(outside.dir, 'secret'), join(bucketDir, 'out-file'));
    await symlink(outside.dir, join(bucketDir, 'out-dir'));

    const h = await backend.getObject({ bucket: 'bkt', key: 'file-link' });
    assert.equal((await readAll(h.stream())).toString(), 'inside');
    await h.close();
    assert.equal((await backend.headObject({ bucket: 'bkt', key: 'dir-link/f.txt' })).size, 6);
    await rejectsS3(backend.getObject({ bucket: 'bkt', key: 'out-file' }), 'NoSuchKey');
    await rejectsS3(backend.getObject({ bucket: 'bkt', key: 'out-dir/secret' }), 'NoSuchKey');
    await rejectsS3(backend.putObject({ bucket: 'bkt', key: 'out-dir/new', body: body('x'), meta: { userMetadata: {} } }), 'AccessDenied', /outside the bucket/);
    await backend.deleteObject({ bucket: 'bkt', key: 'out-dir/secret' });
    assert.deepEqual(await filesUnder(outside.dir), ['secret']);

    const keys = (await backend.listObjects({ bucket: 'bkt', prefix: '', maxKeys: 100 })).objects.map((o) => o.key);
    assert.deepEqual(keys, ['dir-link/f.txt', 'file-link', 'real/f.txt']);
    // A write through an inside directory link lands in the real directory; the link itself stays.
    await backend.putObject({ bucket: 'bkt', key: 'dir-link/g.txt', body: body('via link'), meta: { userMetadata: {} } });
    assert.equal(await readFile(join(bucketDir, 'real/g.txt'), 'utf8'), 'via link');
  } finally {
    await outside.cleanup();
    await cleanup();
  }
});

test('a bucket configured through a symlinked path works (paths are checked against its real root)', async () => {
  const t = await tempDir();
  try {
    await mkdir(join(t.dir, 'real-volume'));
    await symlink(join(t.dir, 'real-volume'), join(t.dir, 'mount'));
    const backend = new PosixBackend({ buckets: [{ name: 'vol', path: join(t.dir, 'mount'), readOnly: false }] });
    await backend.putObject({ bucket: 'vol', key: 'a/b', body: body('ok'), meta: { userMetadata: {} } });
    const h = await backend.getObject({ bucket: 'vol', key: 'a/b' });
    assert.equal((await readAll(h.stream())).toString(), 'ok');
    await h.close();
    assert.equal(await readFile(join(t.dir, 'real-volume/a/b'), 'utf8'), 'ok');
    await backend.deleteObject({ bucket: 'vol', key: 'a/b' });
    assert.deepEqual((await filesUnder(join(t.dir, 'real-volume'))).filter((p) => !p.startsWith('.dirbucket')), []);
  } finally {
    await t.cleanup();
  }
});
