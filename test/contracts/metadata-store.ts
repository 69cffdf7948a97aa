/**
 * The contract of a metadata store (src/storage/posix/metadata/store.ts), as one suite that each implementation's
 * test file runs over real temp directories: what the interface's doc comments promise, whatever the store keeps
 * its records in. A case that holds for one store only belongs in that store's own tests.
 */
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { MetaRecord } from '../../src/storage/posix/metadata/record.js';
import type { MetadataStore } from '../../src/storage/posix/metadata/store.js';

/** A store under test, and a way to put bytes where it keeps a record, as damage on disk would. */
export interface StoreUnderTest {
  store: MetadataStore;
  /** Replaces the stored bytes of the record of `key` at `path` (inode `ino`) with `value`. */
  damage(path: string, key: string, ino: bigint, value: string): Promise<void>;
}

/** Makes the store under test whose sidecar records (its own, or its overflow) live in `metaDir`. */
export type StoreFactory = (metaDir: string) => StoreUnderTest;

/** A directory of data files and a store over it, fresh for one case. */
interface Fixture extends StoreUnderTest {
  data: string;
  metaDir: string;
}

/**
 * Registers the contract's cases for `name` on a suite of their own. `skip`: the reason the store cannot run
 * here (decided with test/helpers/requires.ts, so CI fails instead).
 */
export function metadataStoreContract(name: string, make: StoreFactory, opts: { skip?: false | string } = {}): void {
  describe(`metadata store contract: ${name}`, { skip: opts.skip ?? false }, () => {
    let base: string;
    let n = 0;
    before(async () => {
      base = await mkdtemp(join(tmpdir(), 'dirbucket-store-contract-'));
    });
    after(() => rm(base, { recursive: true, force: true }));

    const fixture = async (): Promise<Fixture> => {
      const dir = join(base, `case-${n++}`);
      const data = join(dir, 'data');
      const metaDir = join(dir, 'meta');
      await mkdir(data, { recursive: true });
      return { data, metaDir, ...make(metaDir) };
    };

    test('names its kind and the directory of its sidecar records', async () => {
      const f = await fixture();
      assert.ok(f.store.kind === 'xattr' || f.store.kind === 'sidecar');
      assert.equal(f.store.metaDir, f.metaDir);
    });

    test('a file never written has no record, in both reads', async () => {
      const f = await fixture();
      const { path, ino } = await newFile(f.data, 'plain');
      assert.equal(f.store.read(path, 'plain', ino), undefined);
      assert.equal(await f.store.readAsync(path, 'plain', ino), undefined);
    });

    test('a path that does not exist has no record, and reading it does not throw', async () => {
      const f = await fixture();
      const path = join(f.data, 'missing');
      assert.equal(f.store.read(path, 'missing', 12345n), undefined);
      assert.equal(await f.store.readAsync(path, 'missing', 12345n), undefined);
    });

    test('a written record reads back equal, in both reads', async () => {
      const f = await fixture();
      const { path, ino, record } = await newFile(f.data, 'k', { contentType: 'text/plain', userMetadata: { a: '1', 'b-c': 'ünï ✓' } });
      await f.store.write(path, 'k', record);
      assert.deepEqual(f.store.read(path, 'k', ino), record);
      assert.deepEqual(await f.store.readAsync(path, 'k', ino), record);
    });

    test('a directory (a directory object, or one the gateway made) keeps a record too, rewritten in place', async () => {
      const f = await fixture();
      const path = join(f.data, 'dir');
      await mkdir(path);
      const ino = (await lstat(path, { bigint: true })).ino;
      const made: MetaRecord = { v: 1, ino: String(ino), made: true };
      await f.store.write(path, 'dir/', made);
      assert.deepEqual(f.store.read(path, 'dir/', ino), made);
      const object: MetaRecord = { ...made, dirObject: true, contentType: 'application/x-directory', userMetadata: { m: 'v' } };
      await f.store.write(path, 'dir/', object);
      assert.deepEqual(f.store.read(path, 'dir/', ino), object);
      assert.deepEqual(await f.store.readAsync(path, 'dir/', ino), object);
    });

    test('a second write replaces the first, from small to large and back', async () => {
      const f = await fixture();
      const { path, ino, record } = await newFile(f.data, 'k', { userMetadata: { v: '1' } });
      const versions = [record, bigRecord(record, 100_000), { ...record, userMetadata: { v: '3' } }, bigRecord(record, 10_000)];
      for (const r of versions) {
        await f.store.write(path, 'k', r);
        assert.deepEqual(f.store.read(path, 'k', ino), r);
        assert.deepEqual(await f.store.readAsync(path, 'k', ino), r);
      }
    });

    test('records of any size read back whole: past an xattr block, past 64 KiB, past the xattr size limit', async () => {
      const f = await fixture();
      for (const size of [3_000, 9_000, 70_000, 300_000]) {
        const key = `big/${size}`;
        const { path, ino, record } = await newFile(f.data, `big-${size}`);
        const big = bigRecord(record, size);
        await f.store.write(path, key, big);
        assert.deepEqual(f.store.read(path, key, ino), big, `${size} bytes, read`);
        assert.deepEqual(await f.store.readAsync(path, key, ino), big, `${size} bytes, readAsync`);
      }
    });

    test('records of different objects stay apart, keys that differ only by a slash included', async () => {
      const f = await fixture();
      const keys = ['a', 'a/', 'A', 'a b', 'ünï ✓', 'x'.repeat(1000)];
      const written = [];
      for (const [i, key] of keys.entries()) {
        const file = await newFile(f.data, `f${i}`, { userMetadata: { i: String(i) } });
        await f.store.write(file.path, key, file.record);
        written.push({ key, ...file });
      }
      for (const w of written) {
        assert.deepEqual(f.store.read(w.path, w.key, w.ino), w.record, w.key);
        assert.deepEqual(await f.store.readAsync(w.path, w.key, w.ino), w.record, w.key);
      }
    });

    test('a record written on a staging file belongs to that inode: after the rename it is the object\'s', async () => {
      const f = await fixture();
      const staged = await newFile(f.data, '.staging-1', { userMetadata: { s: '1' } });
      await f.store.write(staged.path, 'obj', staged.record);
      const final = join(f.data, 'obj');
      await rename(staged.path, final);
      assert.deepEqual(f.store.read(final, 'obj', staged.ino), staged.record);
      assert.deepEqual(await f.store.readAsync(final, 'obj', staged.ino), staged.record);
    });

    test('a failed write (a staging file never renamed) leaves the record of the object it would replace', async () => {
      const f = await fixture();
      const current = await newFile(f.data, 'obj', { userMetadata: { v: 'current' } });
      await f.store.write(current.path, 'obj', current.record);
      for (const size of [0, 100_000]) {
        const staged = await newFile(f.data, `.staging-${size}`, { userMetadata: { v: 'refused' } });
        await f.store.write(staged.path, 'obj', size ? bigRecord(staged.record, size) : staged.record);
        await unlink(staged.path);
        await f.store.forget('obj', staged.ino);
        assert.deepEqual(f.store.read(current.path, 'obj', current.ino), current.record);
        assert.deepEqual(await f.store.readAsync(current.path, 'obj', current.ino), current.record);
      }
    });

    test('a file replaced by another (a new inode) has no record until one is written for it', async () => {
      const f = await fixture();
      for (const size of [0, 100_000]) {
        const key = `replaced-${size}`;
        const old = await newFile(f.data, key);
        await f.store.write(old.path, key, size ? bigRecord(old.record, size) : old.record);
        const next = await newFile(f.data, `${key}.new`, { body: 'other bytes' });
        await rename(next.path, old.path);
        assert.notEqual(next.ino, old.ino);
        assert.equal(f.store.read(old.path, key, next.ino), undefined);
        assert.equal(await f.store.readAsync(old.path, key, next.ino), undefined);
        await f.store.forget(key, old.ino);
        const record = { ...next.record, userMetadata: { fresh: 'yes' } };
        await f.store.write(old.path, key, record);
        assert.deepEqual(f.store.read(old.path, key, next.ino), record);
      }
    });

    test('forget after a removal leaves nothing of the record behind, at any size', async () => {
      const f = await fixture();
      for (const size of [0, 3_000, 100_000]) {
        const key = `gone-${size}`;
        const file = await newFile(f.data, key);
        await f.store.write(file.path, key, size ? bigRecord(file.record, size) : file.record);
        await unlink(file.path);
        await f.store.forget(key, file.ino);
      }
      assert.deepEqual(await filesUnder(f.metaDir), []);
    });

    test('forget of a record never written resolves', async () => {
      const f = await fixture();
      await f.store.forget('never', 1n);
      await f.store.forget('never/', 987654321n);
    });

    test('writes leave no temporary files, only records', async () => {
      const f = await fixture();
      const { path, ino, record } = await newFile(f.data, 'k');
      for (const size of [0, 100_000, 200_000]) await f.store.write(path, 'k', size ? bigRecord(record, size) : record);
      assert.deepEqual((await filesUnder(f.metaDir)).filter((p) => !p.endsWith('.json')), []);
      assert.ok(f.store.read(path, 'k', ino));
    });

    test('concurrent writes of one record leave one of them, whole', async () => {
      const f = await fixture();
      const { path, ino, record } = await newFile(f.data, 'k');
      const versions = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? bigRecord({ ...record, userMetadata: { i: String(i) } }, 80_000) : { ...record, userMetadata: { i: String(i) } }));
      await Promise.all(versions.map((r) => f.store.write(path, 'k', r)));
      const read = f.store.read(path, 'k', ino);
      assert.ok(versions.some((r) => deepEqual(r, read)), 'the record read is one of those written');
      assert.deepEqual(await f.store.readAsync(path, 'k', ino), read);
    });

    test('a damaged record, or one of another version, reads as none', async () => {
      const f = await fixture();
      for (const [i, value] of ['not json', '{"v":1,', '{"v":2,"ino":"1"}', '{"v":1}', 'null', '[]', ''].entries()) {
        const key = `bad-${i}`;
        const { path, ino, record } = await newFile(f.data, key);
        await f.store.write(path, key, record);
        await f.damage(path, key, ino, value);
        assert.equal(f.store.read(path, key, ino), undefined, JSON.stringify(value));
        assert.equal(await f.store.readAsync(path, key, ino), undefined, JSON.stringify(value));
      }
    });
  });
}

/** A new data file and the content record for it, as a PUT would write it. */
async function newFile(dir: string, name: string, o: { body?: string; contentType?: string; userMetadata?: Record<string, string> } = {}) {
  const path = join(dir, name);
  await writeFile(path, o.body ?? `bytes of ${name}`, { flag: 'wx' });
  const st = await lstat(path, { bigint: true });
  const record: MetaRecord = {
    v: 1, ino: String(st.ino), size: Number(st.size), mtimeNs: String(st.mtimeNs), etag: 'd41d8cd98f00b204e9800998ecf8427e',
    ...(o.contentType ? { contentType: o.contentType } : {}), userMetadata: o.userMetadata ?? {},
  };
  return { path, ino: st.ino, record };
}

/** `record` with user metadata that makes its encoding about `bytes` long. */
function bigRecord(record: MetaRecord, bytes: number): MetaRecord {
  const userMetadata: Record<string, string> = { ...record.userMetadata };
  for (let i = 0; i * 1000 < bytes; i++) userMetadata[`m${i}`] = String.fromCharCode(97 + (i % 26)).repeat(990);
  return { ...record, userMetadata };
}

/** Every regular file under `dir` (relative paths), none when it does not exist. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

function deepEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}
