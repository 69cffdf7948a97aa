/**
 * Owner, grants and tags in the POSIX back end, against both metadata stores: kept with the content, replaced
 * without touching the data, dropped when a NAS user replaces the content, carried by copies and multipart
 * uploads; bucket configuration kept with the bucket.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Grant } from '../../src/storage/backend.js';
import { PosixBackend } from '../../src/storage/posix/posix-backend.js';
import { body, rejectsS3, rootBackend, tempDir, type StoreMode } from './storage-fixture.js';

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');
const meta = { userMetadata: { m: '1' }, contentType: 'text/x-tagged' };
const publicRead: Grant[] = [
  { grantee: { type: 'CanonicalUser', id: 'a'.repeat(64), displayName: 'alice' }, permission: 'FULL_CONTROL' },
  { grantee: { type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers' }, permission: 'READ' },
];
const tags = [{ key: 'project', value: 'x' }, { key: 'tier', value: 'hot cold' }];

for (const mode of ['xattr', 'sidecar'] as const satisfies readonly StoreMode[]) {
  describe(`object attachments (${mode} store)`, () => {
    test('a PUT keeps owner, grants and tags with the object; a tag change leaves data, ETag and mtime as they were', async () => {
      const { backend, bucketDir, cleanup } = await rootBackend(mode);
      try {
        await backend.putObject({ bucket: 'bkt', key: 'a/k', body: body('data'), meta, owner: 'alice', grants: publicRead, tags });
        const info = await backend.headObject({ bucket: 'bkt', key: 'a/k' });
        assert.equal(info.owner, 'alice');
        assert.deepEqual(info.grants, publicRead);
        assert.deepEqual(info.tags, tags);
        const before = await stat(join(bucketDir, 'a/k'), { bigint: true });
        await backend.putObjectAttachments({ bucket: 'bkt', key: 'a/k', tags: [{ key: 'only', value: 'one' }] });
        const after = await backend.headObject({ bucket: 'bkt', key: 'a/k' });
        assert.deepEqual(after.tags, [{ key: 'only', value: 'one' }]);
        assert.equal(after.owner, 'alice', 'fields not given are kept');
        assert.deepEqual(after.grants, publicRead);
        assert.equal(after.etag, md5('data'));
        assert.deepEqual(after.meta, info.meta);
        const st = await stat(join(bucketDir, 'a/k'), { bigint: true });
        assert.equal(st.mtimeNs, before.mtimeNs);
        assert.equal(st.ino, before.ino);
        assert.equal(st.nlink, 1n, 'the private link made for the write is gone');
        assert.equal(await readFile(join(bucketDir, 'a/k'), 'utf8'), 'data');
        await backend.putObjectAttachments({ bucket: 'bkt', key: 'a/k', tags: [] });
        assert.equal((await backend.headObject({ bucket: 'bkt', key: 'a/k' })).tags, undefined);
        const listed = await backend.listObjects({ bucket: 'bkt', prefix: '', maxKeys: 10 });
        assert.equal(listed.objects[0]?.etag, md5('data'));
      } finally {
        await cleanup();
      }
    });

    test('a NAS user replacing the content drops owner, grants and tags; tagging that file keeps its synthetic ETag', async () => {
      const { backend, bucketDir, cleanup } = await rootBackend(mode);
      try {
        await backend.putObject({ bucket: 'bkt', key: 'k', body: body('v1'), meta, owner: 'alice', grants: publicRead, tags });
        await new Promise((r) => setTimeout(r, 5)); // a later mtime, even on coarse clocks
        await writeFile(join(bucketDir, 'k'), 'changed by a NAS user'); // same inode, new size and mtime
        const changed = await backend.headObject({ bucket: 'bkt', key: 'k' });
        assert.equal(changed.tags, undefined);
        assert.equal(changed.grants, undefined, 'a public-read grant does not carry over to content nobody granted');
        assert.equal(changed.owner, undefined);
        assert.doesNotMatch(changed.etag, /^[0-9a-f]{32}$/);
        await backend.putObjectAttachments({ bucket: 'bkt', key: 'k', tags: [{ key: 'new', value: 'tag' }] });
        const tagged = await backend.headObject({ bucket: 'bkt', key: 'k' });
        assert.deepEqual(tagged.tags, [{ key: 'new', value: 'tag' }]);
        assert.equal(tagged.etag, changed.etag, 'tagging does not make the stale ETag valid again');
        assert.equal(tagged.checksum, undefined);
        assert.equal(tagged.grants, undefined);
        await new Promise((r) => setTimeout(r, 5));
        await writeFile(join(bucketDir, 'k'), 'changed again');
        assert.equal((await backend.headObject({ bucket: 'bkt', key: 'k' })).tags, undefined);
        // Files never written through S3 take tags too.
        await writeFile(join(bucketDir, 'nas.txt'), 'from the NAS');
        await backend.putObjectAttachments({ bucket: 'bkt', key: 'nas.txt', tags });
        assert.deepEqual((await backend.headObject({ bucket: 'bkt', key: 'nas.txt' })).tags, tags);
      } finally {
        await cleanup();
      }
    });

    test('a copy keeps the source\'s tags unless given others, and takes its owner and grants from the request', async () => {
      const { backend, cleanup } = await rootBackend(mode);
      try {
        await backend.putObject({ bucket: 'bkt', key: 'src', body: body('s'), meta, owner: 'alice', grants: publicRead, tags });
        await backend.copyObject({ bucket: 'bkt', key: 'c1', source: { bucket: 'bkt', key: 'src' }, owner: 'bob' });
        const c1 = await backend.headObject({ bucket: 'bkt', key: 'c1' });
        assert.deepEqual(c1.tags, tags);
        assert.equal(c1.owner, 'bob');
        assert.equal(c1.grants, undefined, 'ACLs are not copied (S3 gives the copy the request\'s ACL)');
        await backend.copyObject({ bucket: 'bkt', key: 'c2', source: { bucket: 'bkt', key: 'src' }, owner: 'bob', tags: [] });
        assert.equal((await backend.headObject({ bucket: 'bkt', key: 'c2' })).tags, undefined);
      } finally {
        await cleanup();
      }
    });

    test('directory objects carry attachments; plain directories and missing keys are NoSuchKey', async () => {
      const { backend, bucketDir, cleanup } = await rootBackend(mode);
      try {
        await backend.putObject({ bucket: 'bkt', key: 'dir/', body: body(), meta, owner: 'alice', tags });
        assert.deepEqual((await backend.headObject({ bucket: 'bkt', key: 'dir/' })).tags, tags);
        await backend.putObjectAttachments({ bucket: 'bkt', key: 'dir/', tags: [{ key: 'd', value: '1' }] });
        const info = await backend.headObject({ bucket: 'bkt', key: 'dir/' });
        assert.deepEqual(info.tags, [{ key: 'd', value: '1' }]);
        assert.equal(info.meta.contentType, 'text/x-tagged');
        // A directory that holds a key is a prefix, no object; an empty one made on the NAS is a folder and takes tags.
        await mkdir(join(bucketDir, 'plain'));
        await writeFile(join(bucketDir, 'plain', 'f'), 'f');
        await rejectsS3(backend.putObjectAttachments({ bucket: 'bkt', key: 'plain/', tags }), 'NoSuchKey');
        await mkdir(join(bucketDir, 'folder'));
        await backend.putObjectAttachments({ bucket: 'bkt', key: 'folder/', tags });
        assert.deepEqual((await backend.headObject({ bucket: 'bkt', key: 'folder/' })).tags, tags);
        await rejectsS3(backend.putObjectAttachments({ bucket: 'bkt', key: 'missing', tags }), 'NoSuchKey');
      } finally {
        await cleanup();
      }
    });

    test('a multipart upload gives the completed object the owner, grants and tags it was created with', async () => {
      const { backend, cleanup } = await rootBackend(mode);
      try {
        const { uploadId } = await backend.createMultipartUpload({ bucket: 'bkt', key: 'mp', meta, initiator: 'alice', owner: 'alice', grants: publicRead, tags });
        const part = await backend.uploadPart({ bucket: 'bkt', key: 'mp', uploadId, partNumber: 1, body: body('one part'), size: 8 });
        await backend.completeMultipartUpload({ bucket: 'bkt', key: 'mp', uploadId, parts: [{ partNumber: 1, etag: part.etag }] });
        const info = await backend.headObject({ bucket: 'bkt', key: 'mp' });
        assert.deepEqual(info.tags, tags);
        assert.deepEqual(info.grants, publicRead);
        assert.equal(info.owner, 'alice');
      } finally {
        await cleanup();
      }
    });

    test('tag writes racing with PUTs never put a record on the wrong file (bounded: 60 rounds)', async () => {
      const { backend, cleanup } = await rootBackend(mode);
      try {
        await backend.putObject({ bucket: 'bkt', key: 'race', body: body('start'), meta });
        let put = 1;
        for (let i = 0; i < 60; i++) {
          const data = `version ${i}`;
          // The tag write starts a little later each round, sweeping across the PUT's rename.
          const delay = ((i % 15) * put) / 15;
          const started = performance.now();
          await Promise.all([
            backend.putObject({ bucket: 'bkt', key: 'race', body: body(data), meta: { userMetadata: { v: String(i) } } })
              .then(() => (put = Math.max(0.2, performance.now() - started))),
            new Promise((r) => setTimeout(r, delay)).then(() =>
              backend.putObjectAttachments({ bucket: 'bkt', key: 'race', tags: [{ key: 'round', value: String(i) }] })),
          ]);
          const info = await backend.headObject({ bucket: 'bkt', key: 'race' });
          // Whichever came first, the file now at the key has its own record: its ETag and metadata are the PUT's.
          assert.equal(info.etag, md5(data), `round ${i}`);
          assert.deepEqual(info.meta.userMetadata, { v: String(i) });
        }
      } finally {
        await cleanup();
      }
    });
  });
}

test('bucket configuration is kept with the bucket, seen by another back end on the same tree, removable', async () => {
  const { backend, root, cleanup } = await rootBackend('xattr');
  try {
    assert.equal(await backend.getBucketConfig({ bucket: 'bkt', name: 'tags' }), undefined);
    await backend.putBucketConfig({ bucket: 'bkt', name: 'tags', value: tags });
    await backend.putBucketConfig({ bucket: 'bkt', name: 'cors', value: [{ allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: [], exposeHeaders: [] }] });
    await backend.putBucketConfig({ bucket: 'bkt', name: 'ownership', value: 'BucketOwnerEnforced' });
    const other = new PosixBackend({ root, metadata: 'xattr' });
    assert.deepEqual(await other.getBucketConfig({ bucket: 'bkt', name: 'tags' }), tags);
    assert.equal(await other.getBucketConfig({ bucket: 'bkt', name: 'ownership' }), 'BucketOwnerEnforced');
    await other.putBucketConfig({ bucket: 'bkt', name: 'tags', value: undefined });
    assert.equal(await backend.getBucketConfig({ bucket: 'bkt', name: 'tags' }), undefined);
    assert.equal((await backend.getBucketConfig({ bucket: 'bkt', name: 'cors' }))?.length, 1, 'other settings stay');
    const onDisk = JSON.parse(await readFile(join(root, 'bkt/.dirbucket/bucket.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(onDisk['ownership'], 'BucketOwnerEnforced');
    await rejectsS3(backend.getBucketConfig({ bucket: 'nope', name: 'cors' }), 'NoSuchBucket');
    await other.close();
  } finally {
    await backend.close();
    await cleanup();
  }
});

test('a read-only mapped bucket refuses configuration and tag changes', async () => {
  const t = await tempDir();
  try {
    await writeFile(join(t.dir, 'f'), 'x');
    const backend = new PosixBackend({ buckets: [{ name: 'ro', path: t.dir, readOnly: true }], metadata: 'xattr' });
    await rejectsS3(backend.putBucketConfig({ bucket: 'ro', name: 'tags', value: tags }), 'AccessDenied');
    await rejectsS3(backend.putObjectAttachments({ bucket: 'ro', key: 'f', tags }), 'AccessDenied');
    await backend.close();
  } finally {
    await t.cleanup();
  }
});
