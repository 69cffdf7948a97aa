/** The record thread reads what the main thread reads: same records, same order, damaged values as no record. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setAttributeSync } from '@napi-rs/xattr';
import { RecordReader, type RecordRequest } from '../../src/storage/posix/metadata/record-reader.js';
import { RecordThread } from '../../src/storage/posix/metadata/record-thread.js';
import { SidecarStore } from '../../src/storage/posix/metadata/sidecar-store.js';
import type { MetadataStore } from '../../src/storage/posix/metadata/store.js';
import { XattrStore } from '../../src/storage/posix/metadata/xattr-store.js';
import { body, rootBackend } from './storage-fixture.js';

// Values a record can hold on disk after damage or by hand: none of them is a record, and none may spill into
// its neighbours when the thread sends a batch back as one JSON array.
const DAMAGED = ['not json', '{"v":1,', '{"v":2,"ino":"1"}', '1],[2', '{"v":1,"ino":"1"}],[{"v":1,"ino":"2"}', 'null', '[]'];

for (const mode of ['xattr', 'sidecar'] as const) {
  test(`${mode}: the record thread returns exactly the records read on the main thread, in order`, async () => {
    const { backend, bucketDir, cleanup } = await rootBackend(mode);
    try {
      const sidecars = new SidecarStore(join(bucketDir, '.dirbucket/meta'), false);
      const store: MetadataStore = mode === 'xattr' ? new XattrStore(sidecars) : sidecars;
      const requests: RecordRequest[] = [];
      const add = async (key: string) => {
        const path = join(bucketDir, key);
        requests.push({ path, key, ino: (await lstat(path, { bigint: true })).ino });
      };
      for (let i = 0; i < 40; i++) {
        const key = `s3/${i === 7 ? 'ünï ✓ ' : ''}k${i}`;
        const userMetadata: Record<string, string> = i % 3 === 0 ? { n: String(i), q: 'a "quoted" \\ value' } : {};
        const meta = { userMetadata, contentType: 'text/plain' };
        await backend.putObject({ bucket: 'bkt', key, body: body(`body ${i}`), meta });
        await add(key);
      }
      // Records too big for an xattr overflow to sidecars (xattr mode); in sidecar mode they are just big.
      for (let i = 0; i < 3; i++) {
        const key = `big/k${i}`;
        await backend.putObject({ bucket: 'bkt', key, body: body('x'), meta: { userMetadata: { a: 'x'.repeat(3000), b: 'y'.repeat(3000) } } });
        await add(key);
      }
      await mkdir(join(bucketDir, 'disk'));
      for (let i = 0; i < 20; i++) {
        await writeFile(join(bucketDir, `disk/f${i}`), `on disk ${i}`);
        await add(`disk/f${i}`);
      }
      for (const [i, value] of DAMAGED.entries()) {
        const key = `bad/k${i}`;
        await backend.putObject({ bucket: 'bkt', key, body: body('b'), meta: { userMetadata: {} } });
        await add(key);
        const r = requests[requests.length - 1]!;
        if (mode === 'xattr') setAttributeSync(r.path, 'user.dirbucket.meta', value);
        else await writeFile(sidecars.fileOf(r.key, r.ino), value);
      }
      const here = await new RecordReader(store, { thread: false }).readAll(requests);
      assert.equal(here.filter((r) => r !== undefined).length, 43, 'the S3-written objects have records, the others none');
      const there = await RecordThread.shared().read(store, requests, 0.1);
      assert.deepEqual(there.records, here);
      assert.deepEqual(await new RecordReader(store).readAll(requests), here);
    } finally {
      await cleanup();
    }
  });
}

test('a batch for a store whose directory is gone reads as no records, and the thread serves the next one', async () => {
  const { backend, bucketDir, cleanup } = await rootBackend('sidecar');
  try {
    await backend.putObject({ bucket: 'bkt', key: 'k', body: body('v'), meta: { userMetadata: {} } });
    const path = join(bucketDir, 'k');
    const ino = (await lstat(path, { bigint: true })).ino;
    const request = { path, key: 'k', ino };
    const gone = new SidecarStore(join(bucketDir, 'no-such-dir'), false);
    assert.deepEqual((await RecordThread.shared().read(gone, [request], 0.1)).records, [undefined]);
    const store = new SidecarStore(join(bucketDir, '.dirbucket/meta'), false);
    const [record] = (await RecordThread.shared().read(store, [request], 0.1)).records;
    assert.equal(record?.ino, String(ino));
  } finally {
    await cleanup();
  }
});
