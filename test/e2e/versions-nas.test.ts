/**
 * End to end (issue #11): what NAS users do to the plain files of a versioned bucket, checked on disk and through
 * S3: create, rewrite in place (link mode: the old version is reported lost, never served with the new bytes),
 * replace by rename, delete, delete of a whole directory of files (every version kept, delete markers listed);
 * and clone mode on XFS, where a rewrite in place leaves every kept version its own bytes.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startServer, startWithBuckets, type TestServer } from '../helpers/server.js';
import { unmet } from '../helpers/requires.js';
import { findExecutable, run } from '../helpers/tool.js';
import { bodyBytes, errorOf, md5hex, rawRequest, sdkError } from './util.js';
import { historyOf, keptNames, listedVersions } from './versions-model.js';

const B = 'nas';

async function put(s3: S3Client, bucket: string, key: string, body: string): Promise<string> {
  const out = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  assert.match(out.VersionId ?? '', /^[0-9a-v]{20}$/);
  return out.VersionId!;
}

async function read(s3: S3Client, bucket: string, key: string, versionId?: string): Promise<{ id?: string; text: string }> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return { id: out.VersionId, text: (await bodyBytes(out.Body)).toString() };
}

describe('NAS changes in a versioned bucket (link mode)', () => {
  let ts: TestServer;
  let s3: S3Client;
  const file = (key: string) => join(ts.root, B, ...key.split('/'));
  const kept = (key: string) => keptNames(ts.root, B, key);
  const history = (key: string) => historyOf(ts, B, key);

  before(async () => {
    ({ ts, s3 } = await startWithBuckets([B]));
    await s3.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } }));
  });
  after(() => ts?.stop());

  it('create: a file made on disk is the current version at once, and kept once S3 names it', async () => {
    await mkdir(join(ts.root, B, 'made'), { recursive: true });
    writeFileSync(file('made/new.txt'), 'made on the NAS');
    const got = await read(s3, B, 'made/new.txt');
    assert.equal(got.text, 'made on the NAS');
    assert.match(got.id ?? '', /^[0-9a-v]{20}$/);
    assert.deepEqual(await history('made/new.txt'), [`${got.id}!`]);
    assert.deepEqual(kept('made/new.txt'), [got.id], 'kept in the store as soon as S3 named it');
    assert.equal(statSync(join(ts.root, B, '.dirbucket', 'versions', 'made', 'new.txt', '.dirbucket', got.id!)).ino, statSync(file('made/new.txt')).ino,
      'a hard link to the file, no copy');
    // Every later read names the same id.
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'made/new.txt' }))).VersionId, got.id);
    // An S3 overwrite keeps it.
    const v2 = await put(s3, B, 'made/new.txt', 'from S3');
    assert.deepEqual(await history('made/new.txt'), [`${v2}!`, got.id]);
    assert.equal((await read(s3, B, 'made/new.txt', got.id)).text, 'made on the NAS');
  });

  it('in-place rewrite: the old version is reported lost, never served with the new bytes', async () => {
    const v1 = await put(s3, B, 'inplace.txt', 'written by S3');
    const v2 = await put(s3, B, 'inplace.txt', 'second S3 version');
    const ino = statSync(file('inplace.txt')).ino;
    writeFileSync(file('inplace.txt'), 'rewritten in place by a NAS user, longer'); // same inode: O_TRUNC
    assert.equal(statSync(file('inplace.txt')).ino, ino);
    const cur = await read(s3, B, 'inplace.txt');
    assert.equal(cur.text, 'rewritten in place by a NAS user, longer');
    assert.ok(cur.id && cur.id !== v2 && cur.id > v2, 'the rewritten file is a new version');
    const e = await sdkError(() => s3.send(new GetObjectCommand({ Bucket: B, Key: 'inplace.txt', VersionId: v2 })));
    assert.equal(e.name, 'NoSuchVersion');
    const raw = await rawRequest(ts, { method: 'GET', path: `/${B}/inplace.txt`, query: [['versionId', v2]] });
    assert.equal(raw.status, 404);
    assert.match(errorOf(raw).Message, /lost/);
    assert.doesNotMatch(raw.text, /rewritten in place/);
    assert.equal((await read(s3, B, 'inplace.txt', v1)).text, 'written by S3', 'the version before is intact');
    assert.deepEqual(await history('inplace.txt'), [`${cur.id}!`, v1], 'the lost version is not listed');
    assert.deepEqual(kept('inplace.txt'), [cur.id, `${v2}.lost`, v1].sort(), 'written down as lost on disk');
    // HEAD of the lost id says the same, and never answers the new size.
    const head = await rawRequest(ts, { method: 'HEAD', path: `/${B}/inplace.txt`, query: [['versionId', v2]] });
    assert.equal(head.status, 404);
  });

  it('rename-replace: the replaced version stays, by its id, with its bytes', async () => {
    const v1 = await put(s3, B, 'doc.txt', 'S3 version');
    writeFileSync(file('.doc.txt.swp'), 'saved by an editor');
    renameSync(file('.doc.txt.swp'), file('doc.txt'));
    const cur = await read(s3, B, 'doc.txt');
    assert.equal(cur.text, 'saved by an editor');
    assert.ok(cur.id! > v1);
    assert.deepEqual(await history('doc.txt'), [`${cur.id}!`, v1]);
    assert.equal((await read(s3, B, 'doc.txt', v1)).text, 'S3 version');
    assert.deepEqual(kept('doc.txt'), [v1, cur.id].sort());
    assert.equal(readFileSync(join(ts.root, B, '.dirbucket', 'versions', 'doc.txt', '.dirbucket', v1), 'utf8'), 'S3 version');
    // A second rename over it, never read in between: the version S3 named is kept all the same.
    writeFileSync(file('doc.txt.tmp'), 'rsync');
    renameSync(file('doc.txt.tmp'), file('doc.txt'));
    const h = await history('doc.txt');
    assert.equal(h.length, 3);
    assert.deepEqual(h.slice(1), [cur.id, v1]);
    assert.equal((await read(s3, B, 'doc.txt', cur.id)).text, 'saved by an editor');
  });

  it('delete: the version stays readable; a delete marker is latest; deleting that marker puts the file back', async () => {
    const v1 = await put(s3, B, 'del.txt', 'one');
    const v2 = await put(s3, B, 'del.txt', 'two');
    rmSync(file('del.txt'));
    const h = await history('del.txt');
    assert.equal(h.length, 3);
    assert.ok(h[0]!.endsWith('*!'), `a delete marker is latest: ${h.join(' ')}`);
    assert.deepEqual(h.slice(1), [v2, v1]);
    const r = await rawRequest(ts, { method: 'GET', path: `/${B}/del.txt` });
    assert.equal(r.status, 404);
    assert.equal(r.headers['x-amz-delete-marker'], 'true');
    assert.equal((await read(s3, B, 'del.txt', v2)).text, 'two');
    assert.deepEqual((await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'del.txt' }))).Contents ?? [], []);
    const marker = h[0]!.slice(0, -2);
    const undo = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'del.txt', VersionId: marker }));
    assert.equal(undo.DeleteMarker, true);
    assert.equal(readFileSync(file('del.txt'), 'utf8'), 'two', 'the previous version is back at its path');
    assert.deepEqual(await history('del.txt'), [`${v2}!`, v1]);
  });

  it('delete of a whole directory of files: every version kept, a delete marker listed for each key', async () => {
    const keys = ['tree/a.txt', 'tree/b.txt', 'tree/sub/c.txt', 'tree/sub/deeper/d.txt'];
    const ids = new Map<string, string[]>();
    for (const k of keys) ids.set(k, [await put(s3, B, k, `${k} v1`), await put(s3, B, k, `${k} v2`)]);
    // One file made on the NAS and never read through S3: it was never named, so it has no version to keep.
    writeFileSync(file('tree/nas-only.txt'), 'never seen by S3');
    rmSync(join(ts.root, B, 'tree'), { recursive: true });
    assert.equal(existsSync(join(ts.root, B, 'tree')), false);
    assert.deepEqual((await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'tree/' }))).Contents ?? [], []);
    const listed = await listedVersions(ts, B, 'tree/');
    assert.deepEqual([...new Set(listed.map((e) => e.key))], keys, 'every key with kept versions is listed');
    for (const k of keys) {
      const mine = listed.filter((e) => e.key === k);
      assert.equal(mine.length, 3, `${k}: ${JSON.stringify(mine)}`);
      assert.ok(mine[0]!.marker && mine[0]!.latest, `${k}: a delete marker is latest`);
      const [v1, v2] = ids.get(k)!;
      assert.deepEqual(mine.slice(1).map((e) => e.id), [v2, v1]);
      assert.equal(mine[1]!.etag, `"${md5hex(`${k} v2`)}"`);
      assert.equal((await read(s3, B, k, v1)).text, `${k} v1`);
      assert.equal((await read(s3, B, k, v2)).text, `${k} v2`);
      assert.deepEqual(keptNames(ts.root, B, k).filter((n) => !n.endsWith('.m')), [v1, v2].sort(), `${k}: kept on disk`);
    }
    // Deleting one key's marker puts that file back, making its directories again.
    const c = listed.find((e) => e.key === 'tree/sub/c.txt' && e.marker)!;
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'tree/sub/c.txt', VersionId: c.id }));
    assert.equal(readFileSync(file('tree/sub/c.txt'), 'utf8'), 'tree/sub/c.txt v2');
    assert.deepEqual(((await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'tree/' }))).Contents ?? []).map((o) => o.Key), ['tree/sub/c.txt']);
  });
});

// XFS with reflink on a loop image, as test/unit/versions-xfs.test.ts makes it: needs root and mkfs.xfs.
const mkfs = findExecutable('mkfs.xfs', ['/usr/sbin/mkfs.xfs', '/sbin/mkfs.xfs']);

describe('clone mode on XFS: a NAS rewrite in place of the current file', () => {
  let work: string | undefined;
  let mnt: string | undefined;
  let ts: TestServer | undefined;
  let s3: S3Client;
  let skip: string | false = false;
  const C = 'cloned';

  before(async () => {
    if (!mkfs) return void (skip = unmet('mkfs.xfs is not installed (install xfsprogs)'));
    if (process.getuid?.() !== 0) return void (skip = unmet('mounting an XFS image needs root'));
    work = await mkdtemp(join(tmpdir(), 'dirbucket-e2e-xfs-'));
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
      return void (skip = unmet(`cannot mount an XFS image here: ${mounted.stderr.trim()}`));
    }
    ts = await startServer({ root: mnt });
    s3 = ts.client();
    await s3.send(new CreateBucketCommand({ Bucket: C }));
    // The per-bucket setting, as an operator sets it in bucket.json before enabling versioning.
    const settings = join(mnt, C, '.dirbucket', 'bucket.json');
    const current = existsSync(settings) ? JSON.parse(await readFile(settings, 'utf8')) as Record<string, unknown> : {};
    await writeFile(settings, JSON.stringify({ ...current, versionsKeep: 'clone' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: C, VersioningConfiguration: { Status: 'Enabled' } }));
  });

  after(async () => {
    await ts?.stop();
    if (mnt) await run('umount', [mnt]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('leaves every kept version intact; the rewrite is a new current version', async (t) => {
    if (skip) return t.skip(skip);
    const path = join(mnt!, C, 'report.txt');
    const ids = [await put(s3, C, 'report.txt', 'first draft'), await put(s3, C, 'report.txt', 'second draft'), await put(s3, C, 'report.txt', 'third draft')];
    const keptDir = join(mnt!, C, '.dirbucket', 'versions', 'report.txt', '.dirbucket');
    assert.notEqual(statSync(join(keptDir, ids[2]!)).ino, statSync(path).ino, 'the current version is kept as a clone, not a link');
    writeFileSync(path, 'third draft, edited in place by a NAS user'); // same inode
    const cur = await read(s3, C, 'report.txt');
    assert.equal(cur.text, 'third draft, edited in place by a NAS user');
    assert.ok(cur.id! > ids[2]!);
    assert.deepEqual(await historyOf(ts!, C, 'report.txt'), [`${cur.id}!`, ids[2], ids[1], ids[0]]);
    assert.deepEqual(await Promise.all(ids.map(async (id) => (await read(s3, C, 'report.txt', id)).text)), ['first draft', 'second draft', 'third draft']);
    for (const [i, id] of ids.entries()) assert.equal(readFileSync(join(keptDir, id), 'utf8'), ['first draft', 'second draft', 'third draft'][i], `${id} on disk`);
    assert.deepEqual(keptNames(mnt!, C, 'report.txt').filter((n) => n.endsWith('.lost')), [], 'nothing lost');
    // A second rewrite in place: the first rewrite's version keeps its bytes too.
    writeFileSync(path, 'and again');
    const again = await read(s3, C, 'report.txt');
    assert.ok(again.id! > cur.id!);
    assert.equal((await read(s3, C, 'report.txt', cur.id)).text, 'third draft, edited in place by a NAS user');
  });
});
