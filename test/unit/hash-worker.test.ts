/** Hashing on worker threads (streams/hash-worker.ts) and the receive path that uses it for large bodies. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { HASH_SLOT_BYTES, startOffThreadHash, type OffThreadHash } from '../../src/checksums/hash-worker.js';
import { checksumOf } from '../../src/checksums/checksum.js';
import { receiveBody } from '../../src/storage/posix/write/receive.js';
import { S3Error } from '../../src/errors/s3-error.js';
import { skipTest } from '../helpers/requires.js';

const md5Of = (b: Buffer) => createHash('md5').update(b).digest();

/** A job, waiting (bounded) for a worker to come back to the pool. */
async function job(alg?: Parameters<typeof startOffThreadHash>[0]): Promise<OffThreadHash> {
  const deadline = Date.now() + 5000;
  for (let i = 0; i < 500; i++) {
    const j = startOffThreadHash(alg);
    if (j) return j;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no hash worker became free within 5 s');
}

/** Feeds `data` through the job in slot-sized pieces, each "written" at once. */
async function feed(j: OffThreadHash, data: Buffer): Promise<void> {
  for (let off = 0; off < data.length; off += HASH_SLOT_BYTES) {
    const slot = j.trySlot() ?? await j.nextSlot();
    const n = data.copy(slot, 0, off, Math.min(data.length, off + HASH_SLOT_BYTES));
    j.submit(slot, n, Promise.resolve());
  }
}

test('a worker job gives the MD5 and the checksum of every byte, in order', async () => {
  const data = randomBytes(5 * HASH_SLOT_BYTES + 12345);
  for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const) {
    const j = await job(alg);
    await feed(j, data);
    const d = await j.digest();
    assert.deepEqual(d.md5, md5Of(data), alg);
    assert.deepEqual(d.checksum, checksumOf(alg, data), alg);
  }
  const j = await job();
  await feed(j, data);
  const d = await j.digest();
  assert.deepEqual(d.md5, md5Of(data));
  assert.equal(d.checksum, undefined);
});

test('a slot comes back only when both the worker and the write are done with it', async () => {
  const j = await job();
  const held: Buffer[] = [];
  for (let i = 0; i < 64; i++) {
    const s = j.trySlot();
    if (!s) break;
    held.push(s);
  }
  assert.ok(held.length >= 2 && held.length < 64, `slots: ${held.length}`);
  let release!: () => void;
  const written = new Promise<void>((r) => { release = r; });
  for (const s of held) { s.fill(1); j.submit(s, 10, written); }
  let got: Buffer | undefined;
  const next = j.nextSlot().then((s) => { got = s; });
  await new Promise((r) => setTimeout(r, 100)); // the worker has long hashed 10 bytes by now
  assert.equal(got, undefined, 'a slot came back while its write was still running');
  release();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([next, new Promise((_, rej) => { timer = setTimeout(() => rej(new Error('no slot after the write')), 5000); })]);
  clearTimeout(timer);
  assert.ok(got);
  j.submit(got, 0, Promise.resolve());
  const d = await j.digest();
  assert.deepEqual(d.md5, md5Of(Buffer.alloc(10 * held.length, 1)));
});

test('an abandoned job leaves nothing behind for the next one', async () => {
  const a = await job('SHA256');
  await feed(a, randomBytes(2 * HASH_SLOT_BYTES + 5));
  a.abandon();
  const data = randomBytes(HASH_SLOT_BYTES + 77);
  const b = await job('SHA256');
  await feed(b, data);
  const d = await b.digest();
  assert.deepEqual(d.md5, md5Of(data));
  assert.deepEqual(d.checksum, checksumOf('SHA256', data));
});

test('when every worker is busy there is no job, and freed workers serve again', async () => {
  const busy: OffThreadHash[] = [];
  for (let i = 0; i < 64; i++) {
    const j = startOffThreadHash();
    if (!j) break;
    busy.push(j);
  }
  // Each worker serves a few jobs at once (lanes); the pool is bounded.
  assert.ok(busy.length >= 2 && busy.length < 64, `jobs at once: ${busy.length}`);
  assert.equal(startOffThreadHash(), undefined);
  for (const j of busy) j.abandon();
  const j = await job();
  await feed(j, Buffer.from('abc'));
  assert.deepEqual((await j.digest()).md5, md5Of(Buffer.from('abc')));
});

test('jobs at once share the workers, slots interleaved, each with its own digest', { timeout: 30_000 }, async () => {
  const jobs = await grabAll();
  try {
    assert.ok(jobs.length >= 2, `jobs at once: ${jobs.length}`);
    const datas = jobs.map((_, k) => randomBytes(3 * HASH_SLOT_BYTES + 1000 * k));
    // One slot per job in turn, so that every worker has slots of several jobs in its queue.
    for (let off = 0; off < datas[datas.length - 1]!.length; off += HASH_SLOT_BYTES) {
      for (const [k, j] of jobs.entries()) {
        const piece = datas[k]!.subarray(off, off + HASH_SLOT_BYTES);
        if (!piece.length) continue;
        const slot = await j.nextSlot();
        piece.copy(slot);
        j.submit(slot, piece.length, Promise.resolve());
      }
    }
    const digests = await Promise.all(jobs.map((j) => j.digest()));
    for (const [k, d] of digests.entries()) assert.deepEqual(d.md5, md5Of(datas[k]!), `job ${k}`);
  } catch (e) {
    for (const j of jobs) j.abandon();
    throw e;
  }
});

/** A body of `data` in chunks of varied sizes, optionally failing after `failAfter` bytes. */
function bodyOf(data: Buffer, failAfter?: number): Readable {
  const sizes = [1, 65536, 7, 300_000, 16384, 1_048_576, 4093];
  function* gen() {
    let off = 0;
    for (let i = 0; off < data.length && i < 100_000; i++) {
      if (failAfter !== undefined && off >= failAfter) throw new Error('client went away');
      const n = sizes[i % sizes.length];
      yield data.subarray(off, off + n);
      off += n;
    }
  }
  return Readable.from(gen(), { objectMode: false });
}

async function withFile<T>(fn: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'dirbucket-hashworker-'));
  try {
    return await fn(join(dir, 'f'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('receiveBody writes and hashes large and small bodies the same way', async () => {
  for (const size of [0, 5, 70_000, HASH_SLOT_BYTES - 1, HASH_SLOT_BYTES, 6 * HASH_SLOT_BYTES + 3]) {
    await withFile(async (path) => {
      const data = randomBytes(size);
      const fh = await open(path, 'wx');
      try {
        const r = await receiveBody(bodyOf(data), fh, { size, checksum: 'CRC32C' });
        assert.equal(r.size, size);
        assert.deepEqual(r.md5, md5Of(data), `md5 of ${size} bytes`);
        assert.deepEqual(r.checksum, checksumOf('CRC32C', data), `crc32c of ${size} bytes`);
      } finally {
        await fh.close();
      }
      assert.ok((await readFile(path)).equals(data), `file of ${size} bytes`);
    });
  }
});

/**
 * Every job the pool can start, waiting for workers still finishing a job to come back: until none came
 * for 300 ms, at most 3 s.
 */
async function grabAll(): Promise<OffThreadHash[]> {
  const got: OffThreadHash[] = [];
  const deadline = Date.now() + 3000;
  let lastGot = Date.now();
  for (let i = 0; i < 1000 && Date.now() < deadline && Date.now() - lastGot < 300; i++) {
    const j = startOffThreadHash();
    if (j) { got.push(j); lastGot = Date.now(); }
    else await new Promise((r) => setTimeout(r, 5));
  }
  return got;
}

test('receiveBody refuses a large body of the wrong size, and a failed body frees its worker', async () => {
  const before = await grabAll();
  for (const j of before) j.abandon();
  const data = randomBytes(4 * HASH_SLOT_BYTES);
  await withFile(async (path) => {
    const fh = await open(path, 'wx');
    try {
      await assert.rejects(receiveBody(bodyOf(data), fh, { size: data.length - 1 }),
        (e: unknown) => e instanceof S3Error && e.code === 'BadDigest');
      await assert.rejects(receiveBody(bodyOf(data), fh, { size: data.length + 1 }),
        (e: unknown) => e instanceof S3Error && e.code === 'IncompleteBody');
      await assert.rejects(receiveBody(bodyOf(data, 3 * HASH_SLOT_BYTES), fh, {}), /client went away/);
    } finally {
      await fh.close();
    }
  });
  const after = await grabAll();
  for (const j of after) j.abandon();
  assert.ok(before.length >= 1);
  assert.equal(after.length, before.length, 'a failed body kept its worker');
});

test('receiveBody writes at the given position, with write-back, on a worker and inline when every worker is busy', async () => {
  const data = randomBytes(20 * HASH_SLOT_BYTES + 99);
  for (const inline of [false, true]) {
    const busy = inline ? await grabAll() : [];
    try {
      await withFile(async (path) => {
        const lead = Buffer.from('0123456789');
        await writeFile(path, lead);
        const fh = await open(path, 'r+');
        try {
          const r = await receiveBody(bodyOf(data), fh, { size: data.length, position: lead.length, writeBack: true, checksum: 'SHA256' });
          assert.equal(r.size, data.length);
          assert.deepEqual(r.md5, md5Of(data), inline ? 'inline' : 'worker');
          assert.deepEqual(r.checksum, checksumOf('SHA256', data));
        } finally {
          await fh.close();
        }
        assert.ok((await readFile(path)).equals(Buffer.concat([lead, data])), inline ? 'inline' : 'worker');
      });
    } finally {
      for (const j of busy) j.abandon();
    }
  }
});

/** Bytes of `path` in the page cache (util-linux fincore), or undefined without fincore. */
function residentBytes(path: string): number | undefined {
  try {
    return Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
}

const EXT4_OR_XFS = new Set([0xef53, 0x58465342]);

test('with write-back on ext4 or XFS, whole aligned slots bypass the page cache; the short tail does not', async (t) => {
  const type = (await statfs(tmpdir())).type;
  if (!EXT4_OR_XFS.has(type) || residentBytes(tmpdir()) === undefined) {
    skipTest(t, `needs ext4 or XFS under ${tmpdir()} (f_type 0x${type.toString(16)}) and fincore (apt-get install util-linux)`);
    return;
  }
  const data = randomBytes(6 * HASH_SLOT_BYTES + 5000);
  // [position, writeBack]: 0 and a block-aligned position go direct when synced; unsynced writes stay cached.
  for (const [position, writeBack] of [[0, true], [8192, true], [0, false]] as const) {
    await withFile(async (path) => {
      const lead = randomBytes(position);
      await writeFile(path, lead);
      const fh = await open(path, 'r+');
      try {
        const r = await receiveBody(bodyOf(data), fh, { size: data.length, position, writeBack, checksum: 'CRC32' });
        assert.deepEqual(r.md5, md5Of(data));
        await fh.sync();
      } finally {
        await fh.close();
      }
      const what = `position ${position}, writeBack ${writeBack}`;
      assert.ok((await readFile(path)).equals(Buffer.concat([lead, data])), what);
    });
  }
  // In one chunk, full slots queue up behind the write in flight and go out together with the short tail.
  for (const [writeBack, expectCached, oneChunk] of [[true, false, false], [true, false, true], [false, true, false]] as const) {
    await withFile(async (path) => {
      const fh = await open(path, 'wx');
      try {
        await receiveBody(oneChunk ? Readable.from([data]) : bodyOf(data), fh, { size: data.length, writeBack });
      } finally {
        await fh.close();
      }
      const resident = residentBytes(path)!;
      if (expectCached) assert.ok(resident >= 6 * HASH_SLOT_BYTES, `unsynced: ${resident} bytes cached`);
      else assert.ok(resident <= HASH_SLOT_BYTES, `synced: ${resident} bytes cached, more than the short last slot`);
    });
  }
});
