/**
 * The versions store on XFS with reflink (a loop-mounted image): in 'clone' mode a kept version is a clone,
 * so a NAS user rewriting the plain file in place changes only the current version, and the old one is
 * still served with its own bytes. Needs root and mkfs.xfs; under CI=true their absence fails the test.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteVersion } from '../../src/storage/posix/versions/delete-version.js';
import { versionsDirOf } from '../../src/storage/posix/versions/layout.js';
import { findExecutable, run } from '../helpers/tool.js';
import { unmet } from '../helpers/requires.js';
import { rejectsS3 } from './storage-fixture.js';
import { ENABLED, historyOf, put, readVersion, versionedBucket } from './versions-fixture.js';
import { findVersion } from '../../src/storage/posix/versions/find-version.js';

const mkfs = findExecutable('mkfs.xfs', ['/usr/sbin/mkfs.xfs', '/sbin/mkfs.xfs']);
let mnt: string | undefined;
let work: string | undefined;
let skip: string | false = false;

// The one rule (helpers/requires.ts): skip here, fail under CI=true, where .ci/run installs xfsprogs and runs as root.
const unavailable = (why: string): string => unmet(`${why} (install xfsprogs; run as root with loop devices)`);

before(async () => {
  if (!mkfs) return void (skip = unavailable('mkfs.xfs is not installed'));
  if (process.getuid?.() !== 0) return void (skip = unavailable('mounting an XFS image needs root'));
  work = await mkdtemp(join(tmpdir(), 'dirbucket-xfs-'));
  const image = join(work, 'xfs.img');
  await writeFile(image, '');
  await run('truncate', ['-s', '320M', image]);
  const made = await run(mkfs, ['-q', '-m', 'reflink=1', image]);
  if (made.code !== 0) throw new Error(`mkfs.xfs failed: ${made.stderr}`);
  mnt = join(work, 'mnt');
  await mkdir(mnt);
  const mounted = await run('mount', ['-o', 'loop', image, mnt]);
  if (mounted.code !== 0) {
    mnt = undefined;
    skip = unavailable(`cannot mount an XFS image here: ${mounted.stderr.trim()}`);
  }
});

after(async () => {
  if (mnt) await run('umount', [mnt]);
  if (work) await rm(work, { recursive: true, force: true });
});

test('clone mode on XFS: a rewrite in place leaves the kept version its own bytes', async (t) => {
  if (skip) return t.skip(skip);
  const { ctx, root } = await versionedBucket('xattr', { keep: 'clone', parent: mnt });
  const v1 = await put(ctx, 'f', 'original');
  const v2 = await put(ctx, 'f', 'second');
  const kept = await lstat(join(versionsDirOf(ctx.stateDir, ['f']), v2));
  assert.notEqual(kept.ino, (await lstat(join(root, 'f'))).ino, 'the kept version is a clone, not a link');
  await writeFile(join(root, 'f'), 'rewritten in place!');
  const history = await historyOf(ctx, 'f');
  assert.deepEqual(history.slice(1), [v2, v1]);
  assert.equal(await readVersion(ctx, 'f', v2), 'second');
  assert.equal(await readVersion(ctx, 'f', history[0]), 'rewritten in place!');
  // Deleting the current version puts a clone of the previous one at the path.
  await deleteVersion(ctx, { key: 'f', segments: ['f'], versionId: history[0] }, ENABLED);
  assert.equal(await readFile(join(root, 'f'), 'utf8'), 'second');
  assert.deepEqual(await historyOf(ctx, 'f'), [v2, v1]);
});

test('link mode on XFS: the same rewrite loses the version, which is reported lost', async (t) => {
  if (skip) return t.skip(skip);
  const { ctx, root } = await versionedBucket('xattr', { keep: 'link', parent: mnt });
  const v1 = await put(ctx, 'f', 'original');
  await writeFile(join(root, 'f'), 'rewritten in place!');
  await rejectsS3(findVersion(ctx, 'f', ['f'], v1, ENABLED), 'NoSuchVersion', /lost/);
  assert.equal((await historyOf(ctx, 'f')).length, 1);
});
