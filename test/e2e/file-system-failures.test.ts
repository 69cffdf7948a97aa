/**
 * End to end, as root (real mounts): a bucket whose file system turns read-only while the gateway runs (a NAS
 * export remounted ro, ext4's errors=remount-ro) answers writes with AccessDenied naming EROFS, and one whose file
 * system is full answers InsufficientStorage (507) naming ENOSPC — not "InternalError, please try again" — and
 * nothing half-written is left. Reads keep working in both.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, PutObjectCommand, CreateMultipartUploadCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { requireRoot } from '../helpers/requires.js';
import { startServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const ROOT_SKIP = requireRoot('mount a bind mount read-only and a small tmpfs');

async function failure(p: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof S3ServiceException) return { code: e.name, status: e.$metadata.httpStatusCode ?? 0, message: e.message };
    throw e;
  }
  throw new Error('the request succeeded');
}

describe('a bucket whose file system refuses writes', { skip: ROOT_SKIP }, () => {
  let base: string;
  let ts: TestServer | undefined;
  let s3: S3Client;
  const mounts: string[] = [];

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'dirbucket-fsfail-'));
    const src = join(base, 'src');
    const ro = join(base, 'ro');
    const full = join(base, 'full');
    await mkdir(src);
    await mkdir(ro);
    await mkdir(full);
    await writeFile(join(src, 'kept.txt'), 'still readable');
    await run('mount', ['--bind', src, ro]);
    mounts.push(ro);
    await run('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', full]);
    mounts.push(full);
    await mkdir(join(base, 'root'));
    await writeFile(join(base, 'config.yaml'), `buckets:\n  - name: turned-ro\n    path: ${ro}\n  - name: full\n    path: ${full}\n`);
    ts = await startServer({ root: join(base, 'root'), args: ['--config', join(base, 'config.yaml')] });
    s3 = ts.client();
    // Written while the mount is still writable: the bucket's state directory exists, as on a running gateway.
    await s3.send(new PutObjectCommand({ Bucket: 'turned-ro', Key: 'before.txt', Body: 'before' }));
    await run('mount', ['-o', 'remount,ro,bind', ro]);
  });

  after(async () => {
    await ts?.stop();
    for (const m of mounts.reverse()) await run('umount', [m]).catch(() => {});
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('read-only: PUT and CreateMultipartUpload answer AccessDenied naming EROFS; GET still works', async () => {
    const put = await failure(s3.send(new PutObjectCommand({ Bucket: 'turned-ro', Key: 'new.txt', Body: 'x' })));
    assert.deepEqual([put.code, put.status], ['AccessDenied', 403]);
    assert.match(put.message, /read-only \(EROFS\)|EROFS/);
    const mpu = await failure(s3.send(new CreateMultipartUploadCommand({ Bucket: 'turned-ro', Key: 'big.bin' })));
    assert.deepEqual([mpu.code, mpu.status], ['AccessDenied', 403]);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'turned-ro', Key: 'kept.txt' }));
    assert.equal(await got.Body!.transformToString(), 'still readable');
  });

  it('full: a PUT larger than the space left answers InsufficientStorage (507) naming ENOSPC and leaves nothing', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 7);
    const put = await failure(s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'too-big.bin', Body: body })));
    assert.deepEqual([put.code, put.status], ['InsufficientStorage', 507]);
    assert.match(put.message, /ENOSPC/);
    assert.ok(!(await readdir(join(base, 'full'))).includes('too-big.bin'), 'no object at the key');
    // The staging file is gone too: the space is free again for a PUT that fits.
    await s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'fits.txt', Body: 'fits' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'full', Key: 'fits.txt' }));
    assert.equal(await got.Body!.transformToString(), 'fits');
  });
});
