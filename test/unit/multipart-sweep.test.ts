/**
 * Multipart housekeeping on real directories: the background sweep (expired uploads, old completion markers,
 * crashed Completes, leftovers of interrupted removals and creations, part staging files), staleness of a held
 * upload by time, and the JavaScript fallback that joins parts when `cat` cannot be run.
 */
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { PosixBackend } from '../../src/storage/posix/posix-backend.js';
import { isStale, NO_INTENT_MS, STALE_MS } from '../../src/storage/posix/multipart/completion-lock.js';
import { concatenate } from '../../src/storage/posix/multipart/concatenate.js';
import { currentOwner, ownerIsGone } from '../../src/fsutil/lock-owner.js';
import { sweepUploads, LEFTOVER_MS } from '../../src/storage/posix/multipart/sweep.js';
import { Bucket } from '../../src/storage/posix/buckets/bucket.js';
import { sweepBuckets } from '../../src/storage/posix/multipart/sweeper.js';
import { body, rootBackend, tempDir } from './storage-fixture.js';
import { Jobs } from '../../src/server/jobs.js';
import pino from 'pino';

const DAY = 24 * 60 * 60 * 1000;

describe('multipart sweep', () => {
  let backend: PosixBackend;
  let bucketDir: string;
  let cleanup: () => Promise<void>;
  let bucket: Bucket;
  const mpDir = () => join(bucketDir, '.dirbucket', 'multipart');

  beforeEach(async () => {
    ({ backend, bucketDir, cleanup } = await rootBackend('xattr', { multipartExpiryMs: 0 }));
    bucket = new Bucket('bkt', bucketDir, { readOnly: false, mapped: false }, { metadata: 'xattr', fsync: false, followSymlinks: false });
  });
  afterEach(async () => {
    await backend.close();
    await cleanup();
  });

  const create = async (key: string) => (await backend.createMultipartUpload({ bucket: 'bkt', key, meta: { userMetadata: {} }, initiator: 'admin' })).uploadId;

  test('removes uploads older than the expiry, and only those', async () => {
    const old = await create('a');
    await backend.uploadPart({ bucket: 'bkt', key: 'a', uploadId: old, partNumber: 1, body: body('x'), size: 1 });
    const report = await sweepUploads(bucket, { expiryMs: 7 * DAY, now: Date.now() + 7 * DAY + 1000 });
    assert.equal(report.expired, 1);
    assert.deepEqual(await readdir(mpDir()), []);
    const fresh = await create('b');
    const again = await sweepUploads(bucket, { expiryMs: 7 * DAY });
    assert.equal(again.expired, 0);
    assert.deepEqual(await readdir(mpDir()), [fresh]);
  });

  test('removes completion markers after their time, keeps fresh ones', async () => {
    const id = await create('k');
    const p = await backend.uploadPart({ bucket: 'bkt', key: 'k', uploadId: id, partNumber: 1, body: body('x'), size: 1 });
    await backend.completeMultipartUpload({ bucket: 'bkt', key: 'k', uploadId: id, parts: [{ partNumber: 1, etag: p.etag }] });
    assert.equal((await sweepUploads(bucket, { expiryMs: 7 * DAY })).markers, 0);
    const marker = join(mpDir(), `${id}.completed.json`);
    const past = new Date(Date.now() - 11 * 60 * 1000);
    await utimes(marker, past, past);
    assert.equal((await sweepUploads(bucket, { expiryMs: 7 * DAY })).markers, 1);
    assert.ok(!existsSync(marker));
  });

  test('recovers a Complete whose owner is gone, finishes interrupted removals and creations, and drops stale part staging', async () => {
    const id = await create('k');
    await rename(join(mpDir(), id), join(mpDir(), `${id}.completing`));
    const gone = { ...currentOwner(), pid: 2 ** 22 + 7, start: '1' }; // above pid_max's default: no such process
    await writeFile(join(mpDir(), `${id}.completing`, 'complete.json'), JSON.stringify({ owner: gone, key: 'k' }));
    const other = await create('other');
    await mkdir(join(mpDir(), `${other}.aborting-0123456789ab`));
    await writeFile(join(mpDir(), `${other}.aborting-0123456789ab`, 'p00001-x'), 'left');
    await mkdir(join(mpDir(), `.new-${other.slice(0, 12)}${'0'.repeat(32)}`));
    const staging = join(mpDir(), other, 'tmp-deadbeef');
    await writeFile(staging, 'half a part');
    const longAgo = new Date(Date.now() - LEFTOVER_MS - 1000);
    await utimes(staging, longAgo, longAgo);

    const soon = await sweepUploads(bucket, { expiryMs: 7 * DAY });
    assert.equal(soon.recovered, 1, 'the dead owner\'s hold is recovered at once');
    assert.ok(existsSync(join(mpDir(), id, 'upload.json')), 'the upload is back');
    assert.ok(!existsSync(staging), 'a part staging file untouched for long is removed');
    assert.ok(existsSync(join(mpDir(), `${other}.aborting-0123456789ab`)), 'a removal under way is given time');

    const later = await sweepUploads(bucket, { expiryMs: 7 * DAY, now: Date.now() + LEFTOVER_MS + 1000 });
    assert.equal(later.leftovers, 2);
    assert.deepEqual((await readdir(mpDir())).sort(), [id, other].sort());
  });

  test('one bucket that cannot be swept does not stop the others; its failure is thrown, named', async () => {
    const { dir, cleanup: c2 } = await tempDir();
    try {
      await mkdir(join(dir, '.dirbucket'), { recursive: true });
      await writeFile(join(dir, '.dirbucket', 'multipart'), 'not a directory');
      const broken = new Bucket('broken', dir, { readOnly: false, mapped: false }, { metadata: 'xattr', fsync: false, followSymlinks: false });
      const id = (await backend.createMultipartUpload({ bucket: 'bkt', key: 'k', meta: { userMetadata: {} }, initiator: 'admin' })).uploadId;
      await new Promise((r) => setTimeout(r, 5));
      await assert.rejects(sweepBuckets([broken, bucket], 1), /bucket broken: .*ENOTDIR/);
      assert.ok(!existsSync(join(mpDir(), id)), 'the other bucket was swept');
    } finally {
      await c2();
    }
  });

  test('the sweep job runs on the scheduler\'s timer, and the back end starts none of its own', async () => {
    const { backend: b2, bucketDir: dir2, cleanup: c2 } = await rootBackend('xattr', { multipartExpiryMs: 1000 });
    const jobs = new Jobs(pino({ level: 'silent' }));
    try {
      const job = b2.multipartSweepJob();
      assert.deepEqual(job && { name: job.name, intervalMs: job.intervalMs, firstRunMs: job.firstRunMs }, { name: 'multipart-sweep', intervalMs: 1000, firstRunMs: 1000 });
      const stale = (await b2.createMultipartUpload({ bucket: 'bkt', key: 'k', meta: { userMetadata: {} }, initiator: 'admin' })).uploadId;
      await new Promise((r) => setTimeout(r, 2500));
      assert.ok(existsSync(join(dir2, '.dirbucket', 'multipart', stale)), 'no sweep without the scheduler');
      jobs.add(job!);
      const id = (await b2.createMultipartUpload({ bucket: 'bkt', key: 'k', meta: { userMetadata: {} }, initiator: 'admin' })).uploadId;
      assert.ok(existsSync(join(dir2, '.dirbucket', 'multipart', id)));
      const deadline = Date.now() + 10_000;
      while (existsSync(join(dir2, '.dirbucket', 'multipart', id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.ok(!existsSync(join(dir2, '.dirbucket', 'multipart', id)), 'expired upload removed by the timer within 10 s');
      assert.ok(!existsSync(join(dir2, '.dirbucket', 'multipart', stale)));
    } finally {
      await jobs.stop();
      await b2.close();
      await c2();
    }
  });
});

describe('held uploads go stale by time', () => {
  afterEach(() => mock.timers.reset());

  test(`a hold not touched for ${STALE_MS / 1000} s is stale, whoever owns it; a fresh one on another host is not`, async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(join(dir, 'complete.json'), JSON.stringify({ owner: { host: `not-${hostname()}`, pid: 1 }, key: 'k' }));
      const { ctimeMs } = await stat(dir);
      assert.equal(await isStale(dir, ctimeMs), false);
      mock.timers.enable({ apis: ['Date'], now: Date.now() + STALE_MS + 1000 });
      assert.equal(await isStale(dir, ctimeMs), true);
    } finally {
      await cleanup();
    }
  });
});

describe('held uploads whose holder provably died are recovered at once', () => {
  afterEach(() => mock.timers.reset());

  test(`a hold that says whose it is not, ${NO_INTENT_MS / 1000} s after it was taken, was left by a process killed in between`, async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { ctimeMs } = await stat(dir);
      assert.equal(await isStale(dir, ctimeMs), false, 'a hold just taken is its taker\'s');
      mock.timers.enable({ apis: ['Date'], now: Date.now() + NO_INTENT_MS + 500 });
      assert.equal(await isStale(dir, ctimeMs), true);
    } finally {
      await cleanup();
    }
  });

  test('a holder killed but not yet reaped (a zombie) is gone: its /proc entry outlives it', async () => {
    // bash starts a sleep, then becomes a sleep itself, which never reaps its child: killed, the child is a zombie.
    const parent = spawn('bash', ['-c', 'sleep 60 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (c: Buffer) => resolve(c.toString().trim()))));
      const statLine = await readFile(`/proc/${pid}/stat`, 'utf8');
      const owner = { ...currentOwner(), pid, start: statLine.slice(statLine.lastIndexOf(')') + 2).split(' ')[19] };
      assert.equal(await ownerIsGone(owner), false, 'a running holder is not gone');
      process.kill(pid, 'SIGKILL');
      const deadline = Date.now() + 5000;
      while (!/\) Z /.test(await readFile(`/proc/${pid}/stat`, 'utf8')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.match(await readFile(`/proc/${pid}/stat`, 'utf8'), /\) Z /, 'the killed holder is a zombie');
      assert.equal(await ownerIsGone(owner), true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

describe('concatenate', () => {
  test('joins files with cat, and in JavaScript when cat cannot be run, to the same bytes', async () => {
    const { dir, cleanup } = await tempDir();
    const savedPath = process.env.PATH;
    try {
      const parts = [randomBytes(3 * 1024 * 1024 + 5), Buffer.alloc(0), randomBytes(4096), randomBytes(1)];
      const files = parts.map((p, i) => ({ name: `p${i}`, size: p.length }));
      await Promise.all(parts.map((p, i) => writeFile(join(dir, files[i]!.name), p)));
      // Whole, and in batches of about 1 MiB with write-back between them (the batching must not reorder a byte).
      for (const [expected, flushEvery] of [['cat', undefined], ['cat', 1024 * 1024], ['js', undefined], ['js', 1024 * 1024]] as const) {
        if (expected === 'js') process.env.PATH = join(dir, 'no-such-dir');
        const out = await open(join(dir, `out-${expected}-${flushEvery}`), 'wx');
        try {
          assert.equal(await concatenate(dir, files, out, flushEvery ? { flushEvery } : {}), expected);
        } finally {
          await out.close();
        }
        assert.ok((await readFile(join(dir, `out-${expected}-${flushEvery}`))).equals(Buffer.concat(parts)), `${expected} ${flushEvery}: bytes differ`);
      }
    } finally {
      process.env.PATH = savedPath;
      await cleanup();
    }
  });

  test('joins ranges of a shared file (parts written in place) among whole files, with dd and without it, to the same bytes', async () => {
    const { dir, cleanup } = await tempDir();
    const savedPath = process.env.PATH;
    try {
      const shared = randomBytes(9 * 1024 * 1024 + 77);
      await writeFile(join(dir, 'assembly'), shared);
      const own = randomBytes(2 * 1024 * 1024 + 3);
      await writeFile(join(dir, 'own'), own);
      const files = [
        { name: 'assembly', size: 4 * 1024 * 1024, at: 0 },
        { name: 'own', size: own.length },
        { name: 'assembly', size: 5 * 1024 * 1024 + 77, at: 4 * 1024 * 1024 },
        { name: 'assembly', size: 1000, at: 12345 },
      ];
      const expected = Buffer.concat([shared.subarray(0, 4 * 1024 * 1024), own, shared.subarray(4 * 1024 * 1024), shared.subarray(12345, 13345)]);
      for (const tools of ['dd and cat', 'none']) {
        if (tools === 'none') process.env.PATH = join(dir, 'no-such-dir');
        const out = await open(join(dir, `out-${tools}`), 'wx');
        try {
          await concatenate(dir, files, out, { flushEvery: 1024 * 1024 });
        } finally {
          await out.close();
        }
        assert.ok((await readFile(join(dir, `out-${tools}`))).equals(expected), `${tools}: bytes differ`);
      }
    } finally {
      process.env.PATH = savedPath;
      await cleanup();
    }
  });

  test('a missing part fails the join with cat\'s message', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(join(dir, 'a'), 'a');
      const out = await open(join(dir, 'out'), 'wx');
      try {
        await assert.rejects(concatenate(dir, [{ name: 'a', size: 1 }, { name: 'missing', size: 1 }], out), /cat failed.*missing/s);
      } finally {
        await out.close();
      }
    } finally {
      await cleanup();
    }
  });
});
