/**
 * kill -9 during moves into the archive tier (CopyObject onto itself with StorageClass GLACIER: a copy, then the
 * move) and during restores (the archive job copying back), at random moments; after a restart every object must
 * be readable from the tree or safely in the tier — never in neither — the tier must hold each archived object's
 * data exactly once and nothing else, and the moves cut short are finished by the archive job.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, RestoreObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';

const B = 'crashy';
const KEYS = 4;
const SIZE = 24 * 1024 * 1024;
let root: string;
let archive: string;
let ts: TestServer | undefined;
let s3: S3Client;
let credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
const digests = new Map<string, string>();

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function start(): Promise<void> {
  ts = await startServer({ root, credentials, args: ['--archive-dir', archive, '--lifecycle-day-seconds', '3600'] });
  credentials ??= { accessKeyId: ts.accessKeyId, secretAccessKey: ts.secretAccessKey };
  s3 = ts.client();
}

async function crash(): Promise<void> {
  ts!.kill();
  await ts!.exited;
  await ts!.stop();
}

/** Digests of every data file in the tier (no `.part` leftovers counted apart: they must not stay). */
function tier(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(e.name.endsWith('.part') ? `part:${e.name}` : sha(readFileSync(p)));
    }
  };
  walk(archive);
  return out;
}

/**
 * What each key is now: its class, and where its bytes are (the tree, or a stub). Asserts it is readable from one,
 * and that the tier holds exactly the archived objects' data: true once the archive job has settled what a crash
 * left (journals, partial copies), which is what `settled` waits for.
 */
async function check(): Promise<Map<string, { cls: string; stub: boolean; restore?: string }>> {
  const state = new Map<string, { cls: string; stub: boolean; restore?: string }>();
  const inTier = tier();
  assert.ok(!inTier.some((t) => t.startsWith('part:')), 'no partial copy is left in the tier');
  const moves = join(root, B, '.dirbucket', 'archive', 'moves');
  assert.deepEqual(existsSync(moves) ? readdirSync(moves) : [], [], 'no move is left half done');
  for (const [key, digest] of digests) {
    const h = await s3.send(new HeadObjectCommand({ Bucket: B, Key: key }));
    const cls = h.StorageClass ?? 'STANDARD';
    assert.equal(h.ContentLength, SIZE, key);
    const onDisk = statSync(join(root, B, key));
    const stub = onDisk.size === 0;
    if (stub) {
      assert.equal(cls, 'GLACIER', `${key}: a stub is an archived object`);
      assert.equal(inTier.filter((t) => t === digest).length, 1, `${key}: a stub's data is in the tier, once`);
    } else {
      assert.equal(sha(readFileSync(join(root, B, key))), digest, `${key}: the tree holds its bytes`);
      if (cls === 'STANDARD') {
        const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: key }));
        assert.equal(sha(Buffer.from(await got.Body!.transformToByteArray())), digest);
      }
    }
    state.set(key, { cls, stub, ...(h.Restore ? { restore: h.Restore } : {}) });
  }
  const stubs = [...state.values()].filter((s) => s.stub || s.restore !== undefined).length;
  assert.equal(inTier.length, stubs, 'the tier holds the data of archived objects and nothing else');
  return state;
}

/** Waits (bounded) until check() passes and `done` holds of its answer; the last failure otherwise. */
async function settled(what: string, done: (s: { cls: string; stub: boolean; restore?: string }) => boolean, timeoutMs = 30_000) {
  let last: unknown;
  let state = new Map<string, { cls: string; stub: boolean; restore?: string }>();
  const ok = await waitUntil(async () => {
    try {
      state = await check();
      return [...state.values()].every(done);
    } catch (e) {
      last = e;
      return false;
    }
  }, { timeoutMs, intervalMs: 500 });
  assert.ok(ok, `${what}: ${JSON.stringify([...state])} ${last instanceof Error ? last.message : ''}`);
  return state;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'dirbucket-archive-crash-'));
  archive = await mkdtemp(join(tmpdir(), 'dirbucket-archive-crash-tier-'));
  await start();
  const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
  await s3.send(new CreateBucketCommand({ Bucket: B }));
  for (let i = 0; i < KEYS; i++) {
    const data = randomBytes(SIZE);
    digests.set(`k${i}`, sha(data));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: `k${i}`, Body: data }));
  }
});
after(async () => {
  await ts?.stop();
  await rm(root, { recursive: true, force: true });
  await rm(archive, { recursive: true, force: true });
});

describe('kill -9 during archive moves', () => {
  it('during moves into the tier: consistent after a restart, and every move finished by the job', async () => {
    for (let round = 0; round < 3; round++) {
      const archiving = [...digests.keys()].map((Key) =>
        s3.send(new CopyObjectCommand({ Bucket: B, Key, CopySource: `${B}/${Key}`, StorageClass: 'GLACIER' })).catch(() => undefined));
      await new Promise((res) => setTimeout(res, 30 + Math.floor(Math.random() * 400)));
      await crash();
      await Promise.all(archiving);
      await start();
      // The archive job's first run settles the journals and finishes the moves noted.
      await settled(`round ${round}: every GLACIER write is moved to the tier`, (s) => s.cls === 'STANDARD' || s.stub);
    }
    // Whatever is still STANDARD goes now, without a crash.
    for (const Key of digests.keys()) {
      if (statSync(join(root, B, Key)).size > 0) await s3.send(new CopyObjectCommand({ Bucket: B, Key, CopySource: `${B}/${Key}`, StorageClass: 'GLACIER' }));
    }
    const state = await check();
    assert.ok([...state.values()].every((s) => s.stub));
  });

  it('during restores: consistent after a restart, and the restores complete', async () => {
    for (const Key of digests.keys()) await s3.send(new RestoreObjectCommand({ Bucket: B, Key, RestoreRequest: { Days: 1 } }));
    // The job starts within 2 s and copies 24 MiB per key: kill somewhere in there.
    await new Promise((res) => setTimeout(res, 300 + Math.floor(Math.random() * 2500)));
    await crash();
    await start();
    await settled('every restore completes', (s) => !s.stub && s.restore?.startsWith('ongoing-request="false"') === true, 60_000);
    for (const [Key, digest] of digests) {
      const got = await s3.send(new GetObjectCommand({ Bucket: B, Key }));
      assert.equal(sha(Buffer.from(await got.Body!.transformToByteArray())), digest);
    }
  });
});
