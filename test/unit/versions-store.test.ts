/**
 * The versions store over a real directory, with each metadata store: S3 writes, deletes and markers, the
 * `null` version, and what NAS users do to the plain files (create, replace by rename, delete, rewrite in place).
 */
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { link, lstat, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { putDeleteMarker } from '../../src/storage/posix/versions/delete-marker.js';
import { deleteVersion } from '../../src/storage/posix/versions/delete-version.js';
import { currentVersionId, findVersion, latestVersion } from '../../src/storage/posix/versions/find-version.js';
import { readKeyState } from '../../src/storage/posix/versions/key-state.js';
import { hasKeptVersions } from '../../src/storage/posix/versions/kept-walk.js';
import { withFileLock } from '../../src/fsutil/file-lock.js';
import { KEY_LOCK } from '../../src/storage/posix/versions/context.js';
import { lockFileOf, versionsDirOf, versionsRootOf } from '../../src/storage/posix/versions/layout.js';
import { settleKey } from '../../src/storage/posix/versions/settle.js';
import { isVersionId } from '../../src/storage/posix/versions/version-id.js';
import type { VersionedRecord } from '../../src/storage/posix/versions/version-record.js';
import { rejectsS3, type StoreMode } from './storage-fixture.js';
import { ENABLED, historyOf, put, readVersion, SUSPENDED, versionedBucket } from './versions-fixture.js';

const marker = (ctx: Parameters<typeof putDeleteMarker>[0], key: string, policy = ENABLED) =>
  putDeleteMarker(ctx, { key, segments: key.split('/') }, policy).then((r) => r.versionId);
const del = (ctx: Parameters<typeof deleteVersion>[0], key: string, versionId: string, policy = ENABLED) =>
  deleteVersion(ctx, { key, segments: key.split('/'), versionId }, policy);
const settle = async (ctx: Parameters<typeof settleKey>[0], key: string, policy = ENABLED) =>
  withFileLock(lockFileOf(versionsDirOf(ctx.stateDir, key.split('/'))), async () => settleKey(ctx, await readKeyState(ctx, key, key.split('/')), policy), KEY_LOCK);
const current = async (ctx: Parameters<typeof currentVersionId>[0], key: string, policy = ENABLED) => {
  const path = join(ctx.root, key);
  const stats = await lstat(path, { bigint: true });
  const record = (await ctx.store.readAsync(path, key, stats.ino)) as VersionedRecord | undefined;
  return currentVersionId(ctx, key, key.split('/'), { stats, record }, policy);
};

for (const mode of ['xattr', 'sidecar'] as StoreMode[]) {
  test(`${mode}: overwrites keep every version, newest first, with no data copied`, async () => {
    const { ctx, root, cleanup } = await versionedBucket(mode);
    try {
      const ids = [await put(ctx, 'a/b', 'one'), await put(ctx, 'a/b', 'two'), await put(ctx, 'a/b', 'three')];
      assert.ok(ids.every(isVersionId) && ids[0] < ids[1] && ids[1] < ids[2]);
      assert.deepEqual(await historyOf(ctx, 'a/b'), [...ids].reverse());
      assert.equal(await readFile(join(root, 'a/b'), 'utf8'), 'three', 'the plain file is the current version');
      assert.deepEqual(await Promise.all(ids.map((id) => readVersion(ctx, 'a/b', id))), ['one', 'two', 'three']);
      assert.equal(await current(ctx, 'a/b'), ids[2]);
      // The current version is the same inode as its kept link: demotion is a rename, not a copy.
      const kept = await lstat(join(versionsDirOf(ctx.stateDir, ['a', 'b']), ids[2]));
      assert.equal(kept.ino, (await lstat(join(root, 'a/b'))).ino);
      assert.deepEqual(await readdir(root), ['.dirbucket', 'a'], 'NAS users see the plain tree only');
      await rejectsS3(findVersion(ctx, 'a/b', ['a', 'b'], 'null', ENABLED), 'NoSuchVersion');
      await rejectsS3(findVersion(ctx, 'a/b', ['a', 'b'], ids[0].replace(/.$/, (c) => (c === '0' ? '1' : '0')), ENABLED), 'NoSuchVersion');
    } finally {
      await cleanup();
    }
  });

  test(`${mode}: keys 'a', 'a/b' and 'a!' keep their versions apart`, async () => {
    const { ctx, cleanup } = await versionedBucket(mode);
    try {
      await put(ctx, 'x', '1');
      await rm(join(ctx.root, 'x'));
      const a = await put(ctx, 'x/y', '2');
      const b = await put(ctx, 'x!', '3');
      assert.deepEqual(await historyOf(ctx, 'x/y'), [a]);
      assert.deepEqual(await historyOf(ctx, 'x!'), [b]);
      assert.equal((await historyOf(ctx, 'x')).length, 2, 'x: its version and the marker of its NAS delete');
    } finally {
      await cleanup();
    }
  });

  test(`${mode}: a delete marker hides the file; deleting the marker puts the file back`, async () => {
    const { ctx, root, cleanup } = await versionedBucket(mode);
    try {
      const v1 = await put(ctx, 'k', 'data');
      const m = await marker(ctx, 'k');
      assert.ok(m > v1);
      await assert.rejects(lstat(join(root, 'k')), { code: 'ENOENT' });
      assert.deepEqual(await historyOf(ctx, 'k'), [`${m}*`, v1]);
      const found = await findVersion(ctx, 'k', ['k'], m, ENABLED);
      assert.equal(found.kind, 'marker');
      assert.equal(found.isLatest, true);
      assert.equal(await readVersion(ctx, 'k', v1), 'data');
      assert.deepEqual(await del(ctx, 'k', m), { found: true, deleteMarker: true });
      assert.equal(await readFile(join(root, 'k'), 'utf8'), 'data');
      assert.deepEqual(await historyOf(ctx, 'k'), [v1]);
      assert.equal(await current(ctx, 'k'), v1);
    } finally {
      await cleanup();
    }
  });

  test(`${mode}: deleting the current version makes the next newest current, at its path`, async () => {
    const { ctx, root, cleanup } = await versionedBucket(mode);
    try {
      const v1 = await put(ctx, 'd/k', 'one');
      const v2 = await put(ctx, 'd/k', 'two');
      const v3 = await put(ctx, 'd/k', 'three');
      assert.deepEqual(await del(ctx, 'd/k', v2), { found: true, deleteMarker: false });
      assert.deepEqual(await historyOf(ctx, 'd/k'), [v3, v1]);
      assert.deepEqual(await del(ctx, 'd/k', v3), { found: true, deleteMarker: false });
      assert.equal(await readFile(join(root, 'd/k'), 'utf8'), 'one');
      assert.equal(await current(ctx, 'd/k'), v1);
      assert.deepEqual(await del(ctx, 'd/k', v3), { found: false, deleteMarker: false });
      await del(ctx, 'd/k', v1);
      await assert.rejects(lstat(join(root, 'd/k')), { code: 'ENOENT' });
      assert.deepEqual(await historyOf(ctx, 'd/k'), []);
      await assert.rejects(lstat(join(ctx.stateDir, 'versions/d')), { code: 'ENOENT' }, 'emptied directories of versions are pruned');
    } finally {
      await cleanup();
    }
  });

  test(`${mode}: suspended writes make the null version, replacing only the previous null`, async () => {
    const { ctx, cleanup } = await versionedBucket(mode);
    try {
      const v1 = await put(ctx, 'k', 'enabled');
      assert.equal(await put(ctx, 'k', 'null one', SUSPENDED), 'null');
      assert.equal(await put(ctx, 'k', 'null two', SUSPENDED), 'null');
      assert.deepEqual(await historyOf(ctx, 'k', SUSPENDED), ['null', v1]);
      assert.equal(await readVersion(ctx, 'k', 'null', SUSPENDED), 'null two');
      const v2 = await put(ctx, 'k', 'enabled again');
      assert.deepEqual(await historyOf(ctx, 'k'), [v2, 'null', v1]);
      assert.equal(await marker(ctx, 'k', SUSPENDED), 'null');
      assert.deepEqual(await historyOf(ctx, 'k', SUSPENDED), ['null*', v2, v1], 'the null marker replaced the null version');
    } finally {
      await cleanup();
    }
  });

  test(`${mode}: a file from before versioning is the null version, and stays when overwritten`, async () => {
    const { ctx, root, cleanup } = await versionedBucket(mode);
    try {
      await writeFile(join(root, 'old'), 'from before');
      const policy = { status: 'Enabled' as const, enabledAt: Date.now() + 1000 };
      assert.deepEqual(await historyOf(ctx, 'old', policy), ['null']);
      const v1 = await put(ctx, 'old', 'new', policy);
      assert.deepEqual(await historyOf(ctx, 'old', policy), [v1, 'null']);
      assert.equal(await readVersion(ctx, 'old', 'null', policy), 'from before');
    } finally {
      await cleanup();
    }
  });

  test(`${mode}: a file a NAS user creates is a version at once, with the id every gateway derives`, async () => {
    const { ctx, root, cleanup } = await versionedBucket(mode);
    try {
      await writeFile(join(root, 'nas'), 'by hand');
      const [id] = await historyOf(ctx, 'nas');
      assert.ok(isVersionId(id));
      assert.equal(await current(ctx, 'nas'), id, 'GET reports the same id as the listing');
      await settle(ctx, 'nas'); // a writer keeps it: its id does not change
      assert.deepEqual(await historyOf(ctx, 'nas'), [id]);
      const v2 = await put(ctx, 'nas', 'by S3');
      assert.deepEqual(await historyOf(ctx, 'nas'), [v2, id]);
      assert.equal(await readVersion(ctx, 'nas', id), 'by hand');
    } finally {
      await cleanup();
    }
  });

  test(`${mode}: replacing a file by rename (editors, rsync) keeps the replaced version`, async () => {
    const { ctx, root, cleanup } = await versionedBucket(mode);
    try {
      const v1 = await put(ctx, 'doc', 'v1');
      await writeFile(join(root, '.doc.swp'), 'edited');
      await rename(join(root, '.doc.swp'), join(root, 'doc'));
      const history = await historyOf(ctx, 'doc');
      assert.equal(history.length, 2);
      assert.equal(history[1], v1);
      assert.ok(history[0] > v1);
      assert.equal(await readVersion(ctx, 'doc', v1), 'v1');
      assert.equal(await readVersion(ctx, 'doc', history[0]), 'edited');
    } finally {
      await cleanup();
    }
  });

  test(`${mode}: a NAS delete or rename-away loses no version and reads as a delete marker`, async () => {
    const { ctx, root, cleanup } = await versionedBucket(mode);
    try {
      const v1 = await put(ctx, 'gone', 'kept');
      await rename(join(root, 'gone'), join(root, 'elsewhere'));
      const history = await historyOf(ctx, 'gone');
      assert.equal(history.length, 2);
      assert.equal(history[1], v1);
      assert.ok(history[0].endsWith('*'));
      await settle(ctx, 'gone');
      assert.deepEqual(await historyOf(ctx, 'gone'), history, 'writing the marker down keeps its id');
      assert.equal(await readVersion(ctx, 'gone', v1), 'kept');
      // Deleting the marker puts the version back at its path, as an S3 undelete does.
      await del(ctx, 'gone', history[0].slice(0, -1));
      assert.equal(await readFile(join(root, 'gone'), 'utf8'), 'kept');
    } finally {
      await cleanup();
    }
  });

  test(`${mode}: a rewrite in place loses the old version: reported lost, never served with the new bytes`, async () => {
    const { ctx, root, cleanup } = await versionedBucket(mode);
    try {
      const v1 = await put(ctx, 'f', 'original');
      const v2 = await put(ctx, 'f', 'second');
      await writeFile(join(root, 'f'), 'rewritten in place!'); // same inode
      await rejectsS3(findVersion(ctx, 'f', ['f'], v2, ENABLED), 'NoSuchVersion', /overwritten outside S3 and is lost/);
      const { lost } = await settle(ctx, 'f');
      assert.deepEqual(lost, [v2]);
      // (A listing would have settled too: it keeps the current file it names.)
      const history = await historyOf(ctx, 'f');
      assert.equal(history.length, 2);
      assert.equal(history[1], v1);
      assert.ok(history[0] > v2);
      await rejectsS3(findVersion(ctx, 'f', ['f'], v2, ENABLED), 'NoSuchVersion', /lost/);
      assert.deepEqual(await historyOf(ctx, 'f'), history);
      assert.equal(await readVersion(ctx, 'f', history[0]), 'rewritten in place!');
      const v4 = await put(ctx, 'f', 'after');
      assert.ok(v4 > history[0] && v4 > v2, 'a lost id is never given again');
      assert.deepEqual(await del(ctx, 'f', v2), { found: true, deleteMarker: false });
    } finally {
      await cleanup();
    }
  });

  test(`${mode}: a crash between the staging link and the rename leaves the previous state`, async () => {
    const { ctx, root, cleanup } = await versionedBucket(mode);
    try {
      const v1 = await put(ctx, 'c', 'old');
      const dir = versionsDirOf(ctx.stateDir, ['c']);
      await writeFile(join(ctx.stateDir, 'tmp/staged'), 'new');
      await link(join(ctx.stateDir, 'tmp/staged'), join(dir, '.t-deadbeef0000')); // the commit's pending link
      assert.deepEqual(await historyOf(ctx, 'c'), [v1]);
      await put(ctx, 'c', 'next');
      assert.ok(!(await readdir(dir)).some((n) => n.startsWith('.t-')), 'the next writer sweeps it');
      assert.equal(await readFile(join(root, 'c'), 'utf8'), 'next');
    } finally {
      await cleanup();
    }
  });

  test(`${mode}: a crash after the rename, before the version's link, leaves the new version current`, async () => {
    const { ctx, root, cleanup } = await versionedBucket(mode);
    try {
      const v1 = await put(ctx, 'c', 'old');
      const v2 = await put(ctx, 'c', 'new');
      await rm(join(versionsDirOf(ctx.stateDir, ['c']), v2)); // as if we died before naming the link
      assert.deepEqual(await historyOf(ctx, 'c'), [v2, v1]);
      assert.equal(await current(ctx, 'c'), v2);
      assert.equal(await readVersion(ctx, 'c', v2), 'new');
      const v3 = await put(ctx, 'c', 'newer');
      assert.deepEqual(await historyOf(ctx, 'c'), [v3, v2, v1]);
      assert.equal(await readVersion(ctx, 'c', v2), 'new');
      assert.equal(await readFile(join(root, 'c'), 'utf8'), 'newer');
    } finally {
      await cleanup();
    }
  });

  test(`${mode}: many concurrent writes and deletes of one key: every acknowledged version listed once, the last current`, async () => {
    const { ctx, root, cleanup } = await versionedBucket(mode);
    try {
      const ops = Array.from({ length: 40 }, (_, i) => (i % 5 === 4 ? marker(ctx, 'hot').then((id) => `${id}*`) : put(ctx, 'hot', `body ${i}`)));
      const acked = await Promise.all(ops);
      const history = await historyOf(ctx, 'hot');
      assert.deepEqual([...history].sort(), [...acked].sort(), 'each acknowledged version exactly once');
      assert.deepEqual(history, [...history].sort().reverse(), 'ids in the order versions became current');
      const top = history[0];
      if (top.endsWith('*')) await assert.rejects(lstat(join(root, 'hot')), { code: 'ENOENT' });
      else assert.equal(await readFile(join(root, 'hot'), 'utf8'), await readVersion(ctx, 'hot', top));
    } finally {
      await cleanup();
    }
  });
}

for (const mode of ['xattr', 'sidecar'] as StoreMode[]) test(`${mode}: two gateway processes racing writes and deletes on one key: every acknowledged version listed once, in order`, async () => {
  const { ctx, root, cleanup } = await versionedBucket(mode);
  try {
    const worker = new URL('./versions-race-worker.js', import.meta.url).pathname;
    const run = (seed: string) => new Promise<string[]>((resolve, reject) => {
      const child = spawn(process.execPath, [worker, root, ctx.stateDir, mode, 'race/key', '40', seed], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(JSON.parse(out) as string[]);
        else reject(new Error(`worker ${seed} exited ${code}`));
      });
    });
    const [a, b] = await Promise.all([run('A'), run('B')]);
    const history = await historyOf(ctx, 'race/key');
    assert.equal(history.length, 80);
    assert.deepEqual([...history].sort(), [...a, ...b].sort(), 'each acknowledged version exactly once');
    assert.deepEqual(history, [...history].sort().reverse(), 'ids in the order versions became current');
    for (const acked of [a, b]) assert.deepEqual(acked, [...acked].sort(), 'each gateway saw its own ids rise');
    const top = history[0];
    if (top.endsWith('*')) await assert.rejects(lstat(join(root, 'race/key')), { code: 'ENOENT' });
    else assert.equal(await readFile(join(root, 'race/key'), 'utf8'), await readVersion(ctx, 'race/key', top));
  } finally {
    await cleanup();
  }
});

test('a delete marker written after its file was removed has the id a crash between the two would have shown', async () => {
  const { ctx, root, cleanup } = await versionedBucket('xattr');
  try {
    const v1 = await put(ctx, 'k', 'data');
    await rm(join(root, 'k')); // as if putDeleteMarker died right after removing the file
    const [implied] = await historyOf(ctx, 'k');
    await del(ctx, 'k', implied.slice(0, -1)); // undo: the file is back
    assert.deepEqual(await historyOf(ctx, 'k'), [v1]);
    assert.equal(`${await marker(ctx, 'k')}*`, implied);
  } finally {
    await cleanup();
  }
});

test('clone mode where the file system cannot clone (ext4) keeps links, and says what a bucket holds', async () => {
  const { ctx, root, cleanup } = await versionedBucket('xattr', { keep: 'clone' });
  try {
    assert.equal(await hasKeptVersions(versionsRootOf(ctx.stateDir)), false);
    const v1 = await put(ctx, 'k', 'data');
    assert.equal((await lstat(join(versionsDirOf(ctx.stateDir, ['k']), v1))).ino, (await lstat(join(root, 'k'))).ino);
    const m = await marker(ctx, 'k');
    assert.deepEqual(await latestVersion(ctx, 'k', ['k'], ENABLED).then((v) => [v?.id, v?.kind]), [m, 'marker']);
    assert.equal(await hasKeptVersions(versionsRootOf(ctx.stateDir)), true, 'a bucket with only noncurrent versions is not empty');
    await del(ctx, 'k', m);
    await del(ctx, 'k', v1);
    assert.equal(await hasKeptVersions(versionsRootOf(ctx.stateDir)), false);
    assert.equal(await latestVersion(ctx, 'k', ['k'], ENABLED), undefined);
  } finally {
    await cleanup();
  }
});
