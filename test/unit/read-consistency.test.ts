/**
 * One consistent (stats, record) pair per object read, whatever the path: GET, HEAD (and so GetObjectAttributes),
 * the sources of CopyObject and UploadPartCopy, and listings, while another process keeps overwriting the key.
 * Never one version's bytes with another's metadata, never a synthetic ETag for an S3-written object.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { ObjectInfo } from '../../src/storage/backend.js';
import { body, bodyMatchesMeta, readAll, rootBackend, versionBody, type StoreMode } from './storage-fixture.js';

const WRITE_MS = 2500;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const synthetic = (etag: string) => !/^[0-9a-f]{32}$/.test(etag);

/** Runs the overwriting process for WRITE_MS; resolves with how many versions it wrote. */
function overwriter(root: string, mode: StoreMode, key: string): Promise<number> {
  const worker = new URL('./overwrite-worker.js', import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, root, mode, key, String(WRITE_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(Number(out));
      else reject(new Error(`the overwriting process exited ${code}`));
    });
  });
}

for (const mode of ['xattr', 'sidecar'] as StoreMode[]) {
  test(`${mode}: reads, copies and listings of a key another process keeps overwriting never mix two versions nor show a synthetic ETag`, async () => {
    const { backend, root, cleanup } = await rootBackend(mode, { fsync: false });
    const bucket = 'bkt';
    try {
      const first = versionBody('first', 5);
      await backend.putObject({ bucket, key: 'k', body: body(first.bytes), meta: { userMetadata: first.meta } });
      // Neighbours, so a listing's records go through the record thread as a batch (and take their time).
      for (let i = 0; i < 40; i++) await backend.putObject({ bucket, key: `k-${String(i).padStart(2, '0')}`, body: body('n'), meta: { userMetadata: {} } });
      let done = false;
      const writing = overwriter(root, mode, 'k').finally(() => (done = true));
      const problems: string[] = [];
      const seen = { reads: 0, copies: 0, partCopies: 0, lists: 0 };
      const note = (what: string, ok: boolean, detail: unknown) => {
        if (!ok && problems.length < 20) problems.push(`${what}: ${JSON.stringify(detail)}`);
      };
      for (let i = 0; !done; i++) {
        const got = await backend.getObject({ bucket, key: 'k' });
        const bytes = await readAll(got.stream()).finally(() => got.close());
        note('GET', bodyMatchesMeta(bytes, got.info.meta.userMetadata) && got.info.etag === md5(bytes), { etag: got.info.etag, meta: got.info.meta.userMetadata, bytes: bytes.length });
        const head = await backend.headObject({ bucket, key: 'k' });
        note('HEAD', head.etag === head.meta.userMetadata['md5'], { etag: head.etag, meta: head.meta.userMetadata });
        seen.reads++;

        const target = `copy/${i % 4}`;
        const copied = await backend.copyObject({ source: { bucket, key: 'k' }, bucket, key: target });
        const copy = await backend.getObject({ bucket, key: target });
        const copyBytes = await readAll(copy.stream()).finally(() => copy.close());
        note('CopyObject', bodyMatchesMeta(copyBytes, copy.info.meta.userMetadata) && copied.etag === md5(copyBytes) && copy.info.etag === copied.etag,
          { answered: copied.etag, etag: copy.info.etag, meta: copy.info.meta.userMetadata, bytes: copyBytes.length });
        seen.copies++;

        if (i % 5 === 0) {
          const { uploadId } = await backend.createMultipartUpload({ bucket, key: 'mp', meta: { userMetadata: {} }, initiator: 'admin' });
          let source: ObjectInfo | undefined;
          const part = await backend.uploadPartCopy({ bucket, key: 'mp', uploadId, partNumber: 1, source: { bucket, key: 'k' }, checkSource: (s) => (source = s) });
          note('UploadPartCopy', source !== undefined && !synthetic(source.etag) && source.etag === part.etag && source.etag === source.meta.userMetadata['md5'],
            { source: source?.etag, part: part.etag, meta: source?.meta.userMetadata });
          await backend.abortMultipartUpload({ bucket, key: 'mp', uploadId });
          seen.partCopies++;
        }

        const listed = await backend.listObjects({ bucket, prefix: 'k', maxKeys: 100 });
        const k = listed.objects.find((o) => o.key === 'k');
        note('ListObjects', k !== undefined && !synthetic(k.etag), { etag: k?.etag });
        note('ListObjects (neighbours)', listed.objects.length === 41, { count: listed.objects.length });
        seen.lists++;
      }
      const written = await writing;
      assert.ok(written > 20, `the other process wrote only ${written} versions`);
      assert.ok(seen.copies > 5, `only ${seen.copies} copies raced the writes`);
      assert.deepEqual(problems, [], `${problems.length} inconsistent answers (${JSON.stringify(seen)}, ${written} versions written)`);
    } finally {
      await cleanup();
    }
  });
}
