/**
 * Crash safety of the Complete that takes the upload's assembly file as the object: the server is killed (SIGKILL)
 * during such Completes and restarted; and the states a crash can leave are laid out on disk and recovered. The
 * key must hold the old object or the whole new one, the assembly file must never be lost (a resent Complete
 * takes that same inode), and an assembly file given back must be the upload's again: owner, mode, no record.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, readFileSync, readlinkSync } from 'node:fs';
import { chmod, rename, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand, type CompletedPart, CreateMultipartUploadCommand,
  PutObjectCommand, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getAttributeSync, setAttributeSync } from '@napi-rs/xattr';
import { isInternal, listFiles } from '../helpers/files.js';
import { serverOnTree } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { fireComplete, md5hex, objectMd5 } from './util.js';

const MiB = 1024 * 1024;
const BUCKET = 'crash-in-place';
const KEY = 'victim.bin';
const PARTS = 6;
const asRoot = process.getuid?.() === 0;

const tree = serverOnTree('dirbucket-mp-crash-in-place-', BUCKET);

const mpDir = () => join(tree.root, BUCKET, '.dirbucket', 'multipart');
const assemblyOf = (id: string) => join(mpDir(), id, 'assembly');
const objectFile = (key: string) => join(tree.root, BUCKET, key);

const keyMd5 = (key: string) => objectMd5(tree.s3, BUCKET, key);

/** A new upload of `key` with PARTS parts of 5 MiB, the last shorter, all in place; its id, parts, MD5 and the assembly's inode. */
async function inPlaceUpload(key: string) {
  const id = (await tree.s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }))).UploadId!;
  const whole = createHash('md5');
  const parts: CompletedPart[] = [];
  for (let n = 1; n <= PARTS; n++) {
    const data = randomBytes(n < PARTS ? 5 * MiB : 1234);
    whole.update(data);
    const out = await tree.s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: id, PartNumber: n, Body: data }));
    parts.push({ PartNumber: n, ETag: out.ETag });
  }
  return { id, parts, md5: whole.digest('hex'), ino: (await stat(assemblyOf(id))).ino };
}

const complete = (key: string, id: string, parts: CompletedPart[]) =>
  tree.s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id, MultipartUpload: { Parts: parts } }));

const visible = () => listFiles(join(tree.root, BUCKET), isInternal);

/** A process of this host that has exited: a Complete it held is known abandoned. */
function deadOwner() {
  const pid = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();
  return {
    host: hostname(), pid: Number(pid), start: '1', ns: readlinkSync('/proc/self/ns/pid'),
    boot: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
  };
}

describe('kill -9 during a Complete that takes the assembly file', () => {
  it('leaves the old object or the new one, never loses the assembly file, and a resent Complete finishes in place', async (t) => {
    const old = randomBytes(MiB);
    await tree.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: old }));
    let current = md5hex(old);
    const warm = await inPlaceUpload('warmup.bin');
    const t0 = performance.now();
    await complete('warmup.bin', warm.id, warm.parts);
    const duration = performance.now() - t0;
    assert.equal((await stat(objectFile('warmup.bin'))).ino, warm.ino, 'the warm-up Complete took the assembly file');
    t.diagnostic(`a Complete in place takes ${duration.toFixed(1)} ms here`);

    const FRACTIONS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.5];
    let heldAtKill = 0;
    let newBeforeRetry = 0;
    for (const fraction of FRACTIONS) {
      const up = await inPlaceUpload(KEY);
      fireComplete(tree.server, { bucket: BUCKET, key: KEY, uploadId: up.id, parts: up.parts });
      await new Promise((r) => setTimeout(r, fraction * duration));
      await tree.crash();
      if (existsSync(join(mpDir(), `${up.id}.completing`))) heldAtKill++;

      await tree.start();
      const seen = await keyMd5(KEY);
      assert.ok(seen === current || seen === up.md5, `after a kill at ${(fraction * 100).toFixed(0)}% the key holds neither the old nor the new object`);
      if (seen === up.md5) newBeforeRetry++;
      assert.deepEqual(await visible(), [KEY, 'warmup.bin'], 'no stray visible file');

      const retried = await complete(KEY, up.id, up.parts);
      assert.match(retried.ETag ?? '', new RegExp(`-${PARTS}"$`));
      assert.equal(await keyMd5(KEY), up.md5, 'after the resent Complete the key is the new object');
      assert.equal((await stat(objectFile(KEY))).ino, up.ino, 'the object is the upload\'s assembly file, never a copy of it');
      current = up.md5;
    }
    t.diagnostic(`killed while holding the upload: ${heldAtKill} of ${FRACTIONS.length}; new object already in place at restart: ${newBeforeRetry}`);
    assert.ok(heldAtKill + newBeforeRetry >= 1 && newBeforeRetry < FRACTIONS.length, 'no kill landed during or before the end of a Complete: the test proved nothing');
  });
});

describe('recovery of what a crash leaves of a Complete in place', () => {
  /** Lays out `<id>.completing` as a Complete by a dead process left it, with `intent` (the owner is added). */
  async function abandon(id: string, intent: Record<string, unknown>): Promise<string> {
    const held = join(mpDir(), `${id}.completing`);
    await rename(join(mpDir(), id), held);
    await writeFile(join(held, 'complete.json'), JSON.stringify({ owner: deadOwner(), ...intent }));
    return held;
  }

  it('an assembly file taken before the commit is given back as it was (owner, mode, no record), then completes in place', async () => {
    const key = 'recover/before-commit.bin';
    const up = await inPlaceUpload(key);
    const st = await stat(assemblyOf(up.id));
    const attrs = { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 };
    const held = await abandon(up.id, { key, assembly: attrs });
    // What the seal and the commit may have done to it before the crash.
    await chmod(join(held, 'assembly'), 0o644);
    setAttributeSync(join(held, 'assembly'), 'user.dirbucket.meta', Buffer.from('{"v":1}'));
    if (asRoot) chownSync(join(held, 'assembly'), 4242, 4242);

    // The sweep (first pass ~5 s after start) recovers it.
    await tree.crash();
    await tree.start();
    const back = await waitUntil(() => existsSync(assemblyOf(up.id)), { timeoutMs: 20_000, intervalMs: 200 });
    assert.ok(back, 'the upload was given back with its assembly file');
    const now = await stat(assemblyOf(up.id));
    assert.equal(now.ino, up.ino);
    assert.equal(now.mode & 0o7777, attrs.mode, 'its mode');
    assert.deepEqual([now.uid, now.gid], [attrs.uid, attrs.gid], 'its owner');
    assert.equal(getAttributeSync(assemblyOf(up.id), 'user.dirbucket.meta'), null, 'no object record');

    await complete(key, up.id, up.parts);
    assert.equal(await keyMd5(key), up.md5);
    assert.equal((await stat(objectFile(key))).ino, up.ino, 'completed in place');
  });

  it('an assembly file renamed into place is a completed upload, even if the key changed since', async () => {
    const key = 'recover/after-commit.bin';
    const up = await inPlaceUpload(key);
    const st = await stat(assemblyOf(up.id));
    const etags = up.parts.map((p) => p.ETag!.replace(/"/g, ''));
    const etag = `${createHash('md5').update(Buffer.concat(etags.map((e) => Buffer.from(e, 'hex')))).digest('hex')}-${PARTS}`;
    const marker = {
      v: 1, uploadId: up.id, key, etag, size: (PARTS - 1) * 5 * MiB + 1234, parts: up.parts.map((p, i) => [p.PartNumber, etags[i]]),
      completed: new Date().toISOString(),
    };
    const held = await abandon(up.id, {
      key, assembly: { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 }, sealed: { ino: String(st.ino), marker },
    });
    // The commit's rename happened; then, before any recovery, another writer replaced the key.
    await rename(join(held, 'assembly'), objectFile(key));
    await tree.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'newer' }));

    const retried = await complete(key, up.id, up.parts);
    assert.equal(retried.ETag, `"${etag}"`, 'the resent Complete gets the completed answer');
    assert.equal(await keyMd5(key), md5hex(Buffer.from('newer')), 'the newer object stays');
    assert.ok(!existsSync(held) && !existsSync(join(mpDir(), up.id)), 'the upload is gone');
  });
});
