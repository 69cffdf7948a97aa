/**
 * End to end, the file-system side of object lock (issue #12), as root on ext4 (CI): a locked version's kept
 * entry is immutable, so `rm`, `mv` and writing into it fail for everyone, root and NAS users included, until its retention has
 * passed (the gateway lifts the attribute then) or its legal hold is released; the file at the key's path stays an
 * ordinary file that a new version replaces. Lock state lives in the bucket's internal state, mode 0600, not in
 * user.* xattrs. The start-up banner says how each lock-enabled bucket is enforced. after() clears every
 * immutable attribute under the tree, so no run leaves one behind.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, chmod, lstat, mkdir, mkdtemp, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, GetObjectLegalHoldCommand, PutObjectCommand, PutObjectLegalHoldCommand, type S3Client } from '@aws-sdk/client-s3';
import { requireRoot } from '../helpers/requires.js';
import { adminOf } from '../helpers/admin.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { dirbucket, dirbucketOk } from './users-cli.js';

const run = promisify(execFile);
const ROOT_SKIP = requireRoot('set and test the immutable attribute');
const B = 'lock-fs';
const PLAIN = 'lock-fs-plain';

async function immutable(path: string): Promise<boolean> {
  const { stdout } = await run('lsattr', ['-d', path]);
  return /^\S*i\S*\s/.test(stdout);
}

async function refused(what: string, fn: () => Promise<unknown>): Promise<void> {
  await assert.rejects(fn, (e: NodeJS.ErrnoException) => e.code === 'EPERM' || e.code === 'EACCES', what);
}

describe('object lock on the file system', { skip: ROOT_SKIP }, () => {
  let root: string;
  let ts: TestServer;
  let s3: S3Client;
  const keptEntry = (key: string, versionId: string) => join(root, B, '.dirbucket', 'versions', key, '.dirbucket', versionId);

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'dirbucket-lock-fs-'));
    const first = await startServer({ root });
    await first.client().send(new CreateBucketCommand({ Bucket: B, ObjectLockEnabledForBucket: true }));
    await first.client().send(new CreateBucketCommand({ Bucket: PLAIN }));
    await first.stop();
    ts = await startServer({ root, args: ['--admin-listen', '127.0.0.1:0'] });
    s3 = ts.client();
  });

  after(async () => {
    if (root) await run('chattr', ['-R', '-i', root]).catch(() => {});
    await ts?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('says at start-up that the bucket\'s locks are enforced by the file system', () => {
    assert.match(ts.stdout(), new RegExp(`Object lock: bucket ${B} is enforced by the file system`));
  });

  it('dirbucket bucket status says so per bucket, from the tree and through the running gateway\'s admin API', async () => {
    const fromTree = await dirbucketOk(['bucket', 'status', '--root', root]);
    assert.match(fromTree, new RegExp(`^Bucket ${B}: versioning Enabled; object lock on, enforced by the file system \\(locked versions are immutable files\\); file system ext4$`, 'm'));
    assert.match(fromTree, new RegExp(`^Bucket ${PLAIN}: versioning never enabled; object lock off; file system ext4$`, 'm'));
    const remote = ['--endpoint', adminOf(ts), '--access-key', ts.accessKeyId, '--secret-key', ts.secretAccessKey];
    const json = JSON.parse(await dirbucketOk(['bucket', 'status', B, '--json', ...remote])) as { buckets: { name: string; versioning: string; objectLock: { enabled: boolean }; lockEnforcement?: string }[] };
    assert.deepEqual(json.buckets.map((b) => [b.name, b.versioning, b.objectLock.enabled, b.lockEnforcement]), [[B, 'Enabled', true, 'file-system']]);
    const plain = await dirbucketOk(['bucket', 'status', PLAIN, ...remote]);
    assert.match(plain, new RegExp(`^Bucket ${PLAIN}: versioning never enabled; object lock off; file system ext4\n$`));
    const missing = await dirbucket(['bucket', 'status', 'no-such-bucket', '--root', root]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /no bucket "no-such-bucket" here/);
  });

  it('a version under retention is immutable: rm, mv and writes fail, root included; the key\'s file stays replaceable', async () => {
    const until = new Date(Date.now() + 5000);
    const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'doc', Body: 'locked bytes', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: until }));
    const entry = keptEntry('doc', put.VersionId!);
    assert.equal(await immutable(entry), true, 'the kept entry is immutable');
    // Its own inode: the file at the path is not the locked version's bytes, so it may change.
    const [kept, current] = await Promise.all([stat(entry), stat(join(root, B, 'doc'))]);
    assert.notEqual(kept.ino, current.ino);
    assert.equal(await immutable(join(root, B, 'doc')), false);
    await refused('rm', () => unlink(entry));
    await refused('mv', () => rename(entry, `${entry}-moved`));
    await refused('write', () => appendFile(entry, 'more'));
    await assert.rejects(run('rm', ['-f', entry]), 'rm -f as root');
    await assert.rejects(run('mv', [entry, `${entry}-moved`]), 'mv as root');
    await lstat(entry); // still there
    // The lock itself: a 0600 file in the internal state, nothing in the file's xattrs.
    const lockFile = join(root, B, '.dirbucket', 'versions', 'doc', '.dirbucket', `${put.VersionId}.worm`);
    assert.equal((await lstat(lockFile)).mode & 0o777, 0o600);
    assert.match(await readFile(lockFile, 'utf8'), /COMPLIANCE/);
    // A NAS write to the key's path only makes a new version.
    await writeFile(join(root, B, 'doc'), 'nas edit');
    const old = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'doc', VersionId: put.VersionId }));
    assert.equal(await old.Body!.transformToString(), 'locked bytes');
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'doc', Body: 'a newer S3 version' }));
    // Once retention has passed the gateway lifts the attribute, and the entry can go.
    const deadline = Date.now() + 15_000;
    while ((await immutable(entry)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.ok(Date.now() >= until.getTime(), 'not lifted before the date');
    assert.equal(await immutable(entry), false, 'lifted after the retain-until date');
    await rename(entry, `${entry}-moved`);
    await rename(`${entry}-moved`, entry);
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'doc', VersionId: put.VersionId }));
    await assert.rejects(lstat(entry), { code: 'ENOENT' });
    await assert.rejects(lstat(lockFile), { code: 'ENOENT' }, 'the lock file goes with its version');
  });

  it('a legal hold keeps the entry immutable until released, then the version can be deleted', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'held', Body: 'x', ObjectLockLegalHoldStatus: 'ON' }));
    const entry = keptEntry('held', put.VersionId!);
    assert.equal(await immutable(entry), true);
    await refused('rm', () => unlink(entry));
    // A NAS user (nobody) in a directory they may write to: only the attribute stands in the way.
    const dir = join(root, B, '.dirbucket', 'versions', 'held', '.dirbucket');
    for (let d = dir; d.length >= root.length; d = d.slice(0, d.lastIndexOf('/'))) await chmod(d, (await stat(d)).mode & 0o7777 | 0o005);
    await chmod(dir, 0o777);
    const asNobody = (cmd: string[]) => run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...cmd]);
    await assert.rejects(asNobody(['rm', '-f', entry]), 'rm as a NAS user');
    await assert.rejects(asNobody(['mv', entry, `${dir}/moved`]), 'mv as a NAS user');
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: B, Key: 'held', VersionId: put.VersionId, LegalHold: { Status: 'OFF' } }));
    assert.equal(await immutable(entry), false, 'released with the hold');
    await asNobody(['mv', entry, `${dir}/moved`]);
    await rename(`${dir}/moved`, entry);
    await chmod(dir, 0o700);
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'held', VersionId: put.VersionId }));
    await assert.rejects(lstat(entry), { code: 'ENOENT' });
  });

  it('a GOVERNANCE version deleted with bypass loses its attribute and goes; tags still change on a locked version', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'gov', Body: 'x', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date(Date.now() + 600_000) }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'gov', Body: 'newer' }));
    const entry = keptEntry('gov', put.VersionId!);
    assert.equal(await immutable(entry), true);
    const { PutObjectTaggingCommand, GetObjectTaggingCommand } = await import('@aws-sdk/client-s3');
    await s3.send(new PutObjectTaggingCommand({ Bucket: B, Key: 'gov', VersionId: put.VersionId, Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } }));
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: B, Key: 'gov', VersionId: put.VersionId }));
    assert.deepEqual(tags.TagSet, [{ Key: 'k', Value: 'v' }]);
    assert.equal(await immutable(entry), true, 'immutable again after the tag change');
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'gov', VersionId: put.VersionId, BypassGovernanceRetention: true }));
    await assert.rejects(lstat(entry), { code: 'ENOENT' });
  });
});

describe('object lock when the immutable attribute fails after the data is placed', { skip: ROOT_SKIP }, () => {
  let root: string;
  let ts: TestServer;
  let s3: S3Client;
  const G = 'lock-fails';

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'dirbucket-lock-fails-'));
    // Sidecar records: ramfs below takes no user.* xattrs either, and this test is about the immutable attribute.
    ts = await startServer({ root, args: ['--metadata', 'sidecar'] });
    s3 = ts.client();
    await s3.send(new CreateBucketCommand({ Bucket: G, ObjectLockEnabledForBucket: true }));
  });

  after(async () => {
    if (root) await run('chattr', ['-R', '-i', root]).catch(() => {});
    await ts?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('the write stands, its lock held by the gateway, and the log says the version is enforced by the gateway only', async () => {
    // The key's versions directory on ramfs, which has no immutable attribute, in a bucket whose state (ext4) has
    // it: the probe says file-system, and chattr then fails for this one version, after its data is in place.
    const mnt = join(root, G, '.dirbucket', 'versions', 'on-ramfs');
    await mkdir(mnt, { recursive: true });
    await run('mount', ['-t', 'ramfs', 'ramfs', mnt]);
    try {
      const put = await s3.send(new PutObjectCommand({ Bucket: G, Key: 'on-ramfs', Body: 'kept', ObjectLockLegalHoldStatus: 'ON' }));
      assert.ok(put.VersionId, 'the write answered success with its version');
      assert.equal((await s3.send(new GetObjectLegalHoldCommand({ Bucket: G, Key: 'on-ramfs', VersionId: put.VersionId }))).LegalHold?.Status, 'ON');
      const del = await s3.send(new DeleteObjectCommand({ Bucket: G, Key: 'on-ramfs', VersionId: put.VersionId })).then(() => 'deleted', (e: Error) => e.name);
      assert.equal(del, 'AccessDenied', 'the gateway holds the lock');
      const warned = ts.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string; versionId?: string })
        .find((l) => l.versionId === put.VersionId);
      assert.ok(warned, `no log line for the version:\n${ts.stdout().slice(-3000)}`);
      assert.equal(warned.level, 40, 'logged as a warning');
      assert.match(warned.msg, /enforced by the gateway only/);
      const got = await s3.send(new GetObjectCommand({ Bucket: G, Key: 'on-ramfs', VersionId: put.VersionId }));
      assert.equal(await got.Body!.transformToString(), 'kept');
      await s3.send(new PutObjectLegalHoldCommand({ Bucket: G, Key: 'on-ramfs', VersionId: put.VersionId, LegalHold: { Status: 'OFF' } }));
      await s3.send(new DeleteObjectCommand({ Bucket: G, Key: 'on-ramfs', VersionId: put.VersionId }));
    } finally {
      await run('umount', [mnt]);
    }
  });
});
