/** The lifecycle lease (fsutil/file-lock.ts tryTakeLock, server/lifecycle underLease): one holder, taken over from the dead. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tryTakeLock } from '../../src/fsutil/file-lock.js';
import { currentOwner } from '../../src/fsutil/lock-owner.js';
import { LEASE_FILE, underLease } from '../../src/server/lifecycle/lifecycle-job.js';
import { makeTempDir, removeDir } from '../helpers/files.js';

test('one holder at a time; the release frees it; nothing is left behind', async () => {
  const dir = await makeTempDir('dirbucket-lease-');
  try {
    const file = join(dir, 'state', LEASE_FILE);
    const first = await tryTakeLock(file, { makeDir: true });
    assert.ok(first, 'a free lease is taken');
    assert.equal(JSON.parse(await readFile(file, 'utf8')).pid, process.pid, 'it names its holder');
    assert.equal(await tryTakeLock(file), undefined, 'a live holder keeps it');
    assert.equal(await underLease(join(dir, 'state'), 10_000, async () => 'ran'), undefined, 'underLease skips while held');
    assert.ok(await first.stillHeld());
    await first.release();
    assert.equal(await underLease(join(dir, 'state'), 10_000, async (stillHeld) => ((await stillHeld()) ? 'ran' : 'lost')), 'ran');
    assert.deepEqual(await readdir(join(dir, 'state')), []);
  } finally {
    await removeDir(dir);
  }
});

test('a lease left by a process of this host that died is taken over at once', async () => {
  const dir = await makeTempDir('dirbucket-lease-');
  try {
    const file = join(dir, LEASE_FILE);
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(file, `${JSON.stringify({ ...currentOwner(), pid: dead, start: '1' })}\n`);
    const taken = await tryTakeLock(file, { staleMs: 3_600_000 });
    assert.ok(taken, 'taken over without waiting for the hour');
    assert.equal(JSON.parse(await readFile(file, 'utf8')).pid, process.pid);
    await taken.release();
  } finally {
    await removeDir(dir);
  }
});

test('a lease of another host is taken over only once untouched for staleMs', async () => {
  const dir = await makeTempDir('dirbucket-lease-');
  try {
    const file = join(dir, LEASE_FILE);
    await writeFile(file, `${JSON.stringify({ host: 'another-host.invalid', pid: 1 })}\n`);
    assert.equal(await tryTakeLock(file, { staleMs: 60_000 }), undefined, 'fresh: its holder may be alive');
    const old = new Date(Date.now() - 120_000);
    await utimes(file, old, old);
    const taken = await tryTakeLock(file, { staleMs: 60_000 });
    assert.ok(taken, 'stale: taken over');
    await taken.release();
  } finally {
    await removeDir(dir);
  }
});

test('stillHeld turns false once another has the lease, and the release leaves the other\'s file alone', async () => {
  const dir = await makeTempDir('dirbucket-lease-');
  try {
    const file = join(dir, LEASE_FILE);
    const mine = await tryTakeLock(file);
    assert.ok(mine);
    // As a breaker would after we hung past staleMs: our file goes, another's takes its place.
    await unlink(file);
    await writeFile(file, `${JSON.stringify({ host: 'another-host.invalid', pid: 1 })}\n`);
    assert.equal(await mine.stillHeld(), false);
    await mine.release();
    assert.match(await readFile(file, 'utf8'), /another-host/, 'not ours to remove');
  } finally {
    await removeDir(dir);
  }
});
