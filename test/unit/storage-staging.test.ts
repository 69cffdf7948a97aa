/** Staging housekeeping: files left by a crashed process are swept, live ones never. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STALE_STAGING_MS, sweepStaleStaging } from '../../src/storage/posix/write/staging.js';
import { body, rootBackend, tempDir } from './storage-fixture.js';

test('sweepStaleStaging removes only staging files untouched for the stale period', async () => {
  const t = await tempDir();
  try {
    const old = new Date(Date.now() - STALE_STAGING_MS - 60_000);
    await writeFile(join(t.dir, 'dead'), 'left by a crash');
    await utimes(join(t.dir, 'dead'), old, old);
    await writeFile(join(t.dir, 'live'), 'an upload in progress');
    await mkdir(join(t.dir, 'subdir'));
    await utimes(join(t.dir, 'subdir'), old, old);
    assert.equal(await sweepStaleStaging(t.dir), 1);
    assert.deepEqual((await readdir(t.dir)).sort(), ['live', 'subdir']);
    assert.equal(await sweepStaleStaging(join(t.dir, 'missing')), 0);
  } finally {
    await t.cleanup();
  }
});

test('a bucket sweeps its stale staging files on first write', async () => {
  const { backend, bucketDir, cleanup } = await rootBackend('xattr');
  try {
    const tmp = join(bucketDir, '.dirbucket/tmp');
    await mkdir(tmp, { recursive: true });
    const old = new Date(Date.now() - STALE_STAGING_MS - 60_000);
    await writeFile(join(tmp, 'dead'), 'x');
    await utimes(join(tmp, 'dead'), old, old);
    await backend.putObject({ bucket: 'bkt', key: 'k', body: body('v'), meta: { userMetadata: {} } });
    const deadline = Date.now() + 5000;
    while ((await readdir(tmp)).includes('dead') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await readdir(tmp), []);
  } finally {
    await cleanup();
  }
});
