/** Shared helpers for the storage tests: temp roots, bodies, error assertions, a peek into the bucket's state. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { S3Error } from '../../src/errors/s3-error.js';
import { PosixBackend, type PosixOptions } from '../../src/storage/posix/posix-backend.js';

export type StoreMode = 'xattr' | 'sidecar';

/** A fresh temp directory, and its removal. */
export async function tempDir(prefix = 'dirbucket-storage-'): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // maxRetries: rm retries ENOTEMPTY, as when a file appears while the tree is being removed (a write a
  // test's other process or background removal was finishing).
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true, maxRetries: 5 }) };
}

/** A root-mode back end over a temp root with one bucket 'bkt' (at `${root}/bkt`). */
export async function rootBackend(metadata: StoreMode, extra: Partial<PosixOptions> = {}) {
  const tmp = await tempDir();
  const backend = new PosixBackend({ root: tmp.dir, metadata, fsync: true, followSymlinks: false, ...extra });
  await backend.createBucket({ bucket: 'bkt' });
  // Closed before the tree goes: an aborted upload's parts are removed in the background (close waits for them),
  // and removing the tree under that removal fails with ENOTEMPTY.
  const cleanup = async () => {
    await backend.close();
    await tmp.cleanup();
  };
  return { backend, root: tmp.dir, bucketDir: join(tmp.dir, 'bkt'), cleanup };
}

/** A body stream of the given chunks. */
export function body(...chunks: (string | Buffer)[]): Readable {
  return Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
}

/** A body that sends `first` and then fails, as a client that disconnects mid-upload. */
export function failingBody(first: Buffer, error = new Error('client went away')): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(first);
      } else {
        setImmediate(() => this.destroy(error));
      }
    },
  });
}

/** All bytes of a stream. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Asserts that `p` rejects with an S3Error of `code` (and a message matching `message`). */
export async function rejectsS3(p: Promise<unknown>, code: string, message?: RegExp): Promise<S3Error> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof S3Error, `expected S3Error ${code}, got ${caught === undefined ? 'success' : String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}

/** Every entry below `dir` (relative paths, directories ending in '/'), for "left no trace" checks; [] when dir is missing. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (d: string, rel: string) => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        out.push(`${rel}${e.name}/`);
        await visit(join(d, e.name), `${rel}${e.name}/`);
      } else {
        out.push(`${rel}${e.name}`);
      }
    }
  };
  await visit(dir, '');
  return out.sort();
}

/** The bucket's tree without its internal state: what a NAS user sees. */
export async function visibleTree(bucketDir: string): Promise<string[]> {
  return (await filesUnder(bucketDir)).filter((p) => !p.startsWith('.dirbucket'));
}

/**
 * The bucket's whole tree, internal state included, for "left no trace" checks. The sidecar store's shard
 * directories (.dirbucket/meta/xx/) are left out: made once, shared by many keys, they are not a trace.
 */
export async function snapshot(bucketDir: string): Promise<string[]> {
  return (await filesUnder(bucketDir)).filter((p) => !/^\.dirbucket\/meta\/[0-9a-f]{2}\/$/.test(p));
}

/** A body that says what it is: its length and MD5 go in the user metadata written with it. */
export function versionBody(tag: string, pad: number): { bytes: Buffer; meta: Record<string, string>; md5: string } {
  const bytes = Buffer.from(`${tag}:${'x'.repeat(pad)}`);
  const md5 = createHash('md5').update(bytes).digest('hex');
  return { bytes, md5, meta: { md5, size: String(bytes.length) } };
}

/** Whether `bytes` are the body `meta` (versionBody's user metadata) was written with: never another version's. */
export function bodyMatchesMeta(bytes: Buffer, meta: Record<string, string>): boolean {
  return meta['md5'] === createHash('md5').update(bytes).digest('hex') && meta['size'] === String(bytes.length);
}
