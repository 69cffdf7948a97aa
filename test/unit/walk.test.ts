/** The ordered walk over real temp directories: order, prefix, delimiters, startAfter, and what is skipped. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { walk, type WalkItem } from '../../src/storage/posix/list/walk.js';
import { skipTest } from '../helpers/requires.js';
import { addToTree, byBytes, list, makeTree, removeTree } from './walk-fixture.js';

describe('walk order', () => {
  let root: string;
  before(() => {
    // U+1F600 is below U+FF21 in UTF-16 (a surrogate pair, D83D...) but above it in UTF-8 (F0... > EF...).
    root = makeTree(['a/x', 'a0', 'a-b', 'a.txt', 'a/y/z', 'b', '\u{1F600}', '\u{1F601}/k', '\uFF21', '\uFF21x', '\uFF22/k', 'é', 'z']);
  });
  after(() => removeTree(root));

  test('lists every key in UTF-8 byte order, as if the tree were flat', async () => {
    const keys = await list(root);
    assert.deepEqual(keys, ['a-b', 'a.txt', 'a/x', 'a/y/z', 'a0', 'b', 'z', 'é', '\uFF21', '\uFF21x', '\uFF22/k', '\u{1F600}', '\u{1F601}/k']);
    assert.deepEqual(keys, [...keys].sort(byBytes));
  });

  test('yields real stats and paths for files', async () => {
    for await (const item of walk({ root, prefix: 'a.', followSymlinks: false, isDirectoryObject: () => false })) {
      assert.equal(item.type, 'object');
      if (item.type !== 'object') continue;
      assert.equal(item.key, 'a.txt');
      assert.equal(item.path, join(root, 'a.txt'));
      assert.equal(item.directory, false);
      assert.ok(item.stats.isFile());
      assert.equal(item.stats.size, BigInt('a.txt'.length));
    }
  });
});

describe('walk prefix', () => {
  let root: string;
  before(() => {
    root = makeTree(['photos/2024/a.jpg', 'photos/2024-old/b.jpg', 'photos/2025/c.jpg', 'photo.txt', 'other/x']);
  });
  after(() => removeTree(root));

  test('a prefix inside a name matches files and directories starting with it', async () => {
    assert.deepEqual(await list(root, { prefix: 'photos/202' }), [
      'photos/2024-old/b.jpg',
      'photos/2024/a.jpg',
      'photos/2025/c.jpg',
    ]);
    assert.deepEqual(await list(root, { prefix: 'photos/2024' }), ['photos/2024-old/b.jpg', 'photos/2024/a.jpg']);
    assert.deepEqual(await list(root, { prefix: 'photo' }), [
      'photo.txt',
      'photos/2024-old/b.jpg',
      'photos/2024/a.jpg',
      'photos/2025/c.jpg',
    ]);
    assert.deepEqual(await list(root, { prefix: 'photo.txt' }), ['photo.txt']);
  });

  test('a prefix ending at "/" starts in that directory', async () => {
    assert.deepEqual(await list(root, { prefix: 'photos/2024/' }), ['photos/2024/a.jpg']);
    assert.deepEqual(await list(root, { prefix: 'photos/' , delimiter: '/' }), [
      'P:photos/2024-old/',
      'P:photos/2024/',
      'P:photos/2025/',
    ]);
  });

  test('a prefix naming nothing, a file as a directory, or a path out of the root lists nothing', async () => {
    const outside = makeTree(['secret']);
    try {
      for (const prefix of ['nope/', 'photo.txt/', 'photos//', 'photos/./', `../${outside.split('/').pop()}/`, '../', './photos/', '/photos/']) {
        assert.deepEqual(await list(root, { prefix }), [], prefix);
      }
    } finally {
      removeTree(outside);
    }
  });
});

describe('walk delimiter', () => {
  let root: string;
  before(() => {
    root = makeTree(['a-b', 'a.txt', 'a/x', 'a/y-z', 'a0', 'bx/y', 'cx/d/e', 'c-1', 'c-2', 'd-e/f', 'dx', 'empty/', 'e-mpty/deep/']);
  });
  after(() => removeTree(root));

  test("'/' rolls up each directory that holds a key into one common prefix", async () => {
    assert.deepEqual(await list(root, { delimiter: '/' }), ['a-b', 'a.txt', 'P:a/', 'a0', 'P:bx/', 'c-1', 'c-2', 'P:cx/', 'P:d-e/', 'dx']);
    assert.deepEqual(await list(root, { prefix: 'a/', delimiter: '/' }), ['a/x', 'a/y-z']);
  });

  test("'-' rolls up across files and directories, once per common prefix", async () => {
    assert.deepEqual(await list(root, { delimiter: '-' }), ['P:a-', 'a.txt', 'a/x', 'P:a/y-', 'a0', 'bx/y', 'P:c-', 'cx/d/e', 'P:d-', 'dx']);
    assert.deepEqual(await list(root, { prefix: 'a', delimiter: '-' }), ['P:a-', 'a.txt', 'a/x', 'P:a/y-', 'a0']);
    // After the prefix only: 'a-' itself is in the prefix, so 'a-b' is a key.
    assert.deepEqual(await list(root, { prefix: 'a-', delimiter: '-' }), ['a-b']);
  });

  test("a delimiter spanning '/' ('x/') rolls up where it ends", async () => {
    assert.deepEqual(await list(root, { delimiter: 'x/' }), ['a-b', 'a.txt', 'a/x', 'a/y-z', 'a0', 'P:bx/', 'c-1', 'c-2', 'P:cx/', 'd-e/f', 'dx']);
  });

  test('a delimiter that is never found lists keys as without one', async () => {
    assert.deepEqual(await list(root, { delimiter: 'QQ' }), await list(root));
    assert.deepEqual(await list(root, { delimiter: '' }), await list(root));
  });

  test('startAfter applies to common prefixes: a prefix at or before it is not repeated', async () => {
    assert.deepEqual(await list(root, { delimiter: '/', startAfter: 'a/' }), ['a0', 'P:bx/', 'c-1', 'c-2', 'P:cx/', 'P:d-e/', 'dx']);
    assert.deepEqual(await list(root, { delimiter: '/', startAfter: 'a/x' }), ['a0', 'P:bx/', 'c-1', 'c-2', 'P:cx/', 'P:d-e/', 'dx']);
    assert.deepEqual(await list(root, { delimiter: '/', startAfter: 'a.txt' }), ['P:a/', 'a0', 'P:bx/', 'c-1', 'c-2', 'P:cx/', 'P:d-e/', 'dx']);
  });
});

describe('walk startAfter', () => {
  let root: string;
  before(() => {
    root = makeTree(['a/b/c', 'a/b/d', 'a/c', 'b', 'c/d/e/f']);
  });
  after(() => removeTree(root));

  test('lists only keys after it, whether it is a key, a directory or no key at all', async () => {
    assert.deepEqual(await list(root, { startAfter: 'a/b/c' }), ['a/b/d', 'a/c', 'b', 'c/d/e/f']);
    assert.deepEqual(await list(root, { startAfter: 'a/b/' }), ['a/b/c', 'a/b/d', 'a/c', 'b', 'c/d/e/f']);
    assert.deepEqual(await list(root, { startAfter: 'a/b/cz' }), ['a/b/d', 'a/c', 'b', 'c/d/e/f']);
    assert.deepEqual(await list(root, { startAfter: 'a/bb' }), ['a/c', 'b', 'c/d/e/f']);
    assert.deepEqual(await list(root, { startAfter: 'c/d/e/f' }), []);
    assert.deepEqual(await list(root, { startAfter: 'zzz' }), []);
    assert.deepEqual(await list(root, { startAfter: '' }), ['a/b/c', 'a/b/d', 'a/c', 'b', 'c/d/e/f']);
  });

  test('combines with a prefix before or after it', async () => {
    assert.deepEqual(await list(root, { prefix: 'a/', startAfter: 'a/b/c' }), ['a/b/d', 'a/c']);
    assert.deepEqual(await list(root, { prefix: 'c/', startAfter: 'a' }), ['c/d/e/f']);
    assert.deepEqual(await list(root, { prefix: 'a/', startAfter: 'b' }), []);
  });

  test('skips subtrees before it without reading them', async (t) => {
    // Reading a directory updates its access time when that is older than a day (relatime), so an old
    // atime left alone shows the directory was not read. 'a/' must be read (it holds keys after 'a/c'):
    // it is the control that shows atimes move on this file system at all.
    const other = makeTree(['a/b/c', 'a/b/d', 'a/c', 'a/d', 'z']);
    try {
      const old = new Date('2001-01-01T00:00:00Z');
      utimesSync(join(other, 'a'), old, old);
      utimesSync(join(other, 'a/b'), old, old);
      assert.deepEqual(await list(other, { startAfter: 'a/c' }), ['a/d', 'z']);
      if (statSync(join(other, 'a')).atimeMs === old.getTime()) return skipTest(t, `atime is not updated under ${tmpdir()} (mounted noatime?)`);
      assert.equal(statSync(join(other, 'a/b')).atimeMs, old.getTime());
    } finally {
      removeTree(other);
    }
  });
});

describe('walk directory objects and empty directories', () => {
  let root: string;
  const dirObjects = new Set(['d/', 'd/e/', 'lone/']);
  before(() => {
    root = makeTree(['d/f', 'd/e/', 'lone/', 'empty/', 'nested/a/b/c/', 'x']);
  });
  after(() => removeTree(root));

  test('empty directories and trees of them yield nothing', async () => {
    assert.deepEqual(await list(root), ['d/f', 'x']);
    assert.deepEqual(await list(root, { delimiter: '/' }), ['P:d/', 'x']);
    assert.deepEqual(await list(root, { prefix: 'nested/' }), []);
    assert.deepEqual(await list(root, { prefix: 'nested/', delimiter: '/' }), []);
  });

  test("directory objects are keys 'd/', listed before their contents, and count as keys for roll-up", async () => {
    assert.deepEqual(await list(root, {}, dirObjects), ['d/', 'd/e/', 'd/f', 'lone/', 'x']);
    assert.deepEqual(await list(root, { delimiter: '/' }, dirObjects), ['P:d/', 'P:lone/', 'x']);
    assert.deepEqual(await list(root, { prefix: 'd/' }, dirObjects), ['d/', 'd/e/', 'd/f']);
    assert.deepEqual(await list(root, { prefix: 'd/', delimiter: '/' }, dirObjects), ['d/', 'P:d/e/', 'd/f']);
    assert.deepEqual(await list(root, { prefix: 'd/', startAfter: 'd/' }, dirObjects), ['d/e/', 'd/f']);
    assert.deepEqual(await list(root, { prefix: 'd' }, dirObjects), ['d/', 'd/e/', 'd/f']);
  });

  test('directory objects carry the directory path and stats', async () => {
    const asked: string[] = [];
    const items: WalkItem[] = [];
    const walker = walk({
      root,
      prefix: 'd/',
      followSymlinks: false,
      isDirectoryObject: (abs, key) => {
        asked.push(`${abs} ${key}`);
        return dirObjects.has(key);
      },
    });
    for await (const item of walker) items.push(item);
    assert.ok(asked.includes(`${join(root, 'd')} d/`));
    assert.ok(asked.includes(`${join(root, 'd/e')} d/e/`));
    const d = items[0];
    assert.ok(d.type === 'object' && d.directory && d.path === join(root, 'd') && d.stats.isDirectory());
  });
});

describe('walk skips what cannot be a key', () => {
  let root: string;
  let outside: string;
  before(() => {
    root = makeTree(['a/b', 'a/.dirbucket/x', '.dirbucket/state', 'in/f', 'z']);
    outside = makeTree(['secret', 'dir/secret']);
    symlinkSync(join(outside, 'secret'), join(root, 'out-file'));
    symlinkSync(join(outside, 'dir'), join(root, 'out-dir'));
    symlinkSync('../outside-relative-does-not-matter', join(root, 'dangling'));
    symlinkSync(join(root, 'in/f'), join(root, 'link-file'));
    symlinkSync('in', join(root, 'link-dir'));
    symlinkSync('..', join(root, 'in/loop'));
    symlinkSync('.dirbucket', join(root, 'sneak'));
    execFileSync('mkfifo', [join(root, 'fifo')]);
  });
  after(() => {
    removeTree(root);
    removeTree(outside);
  });

  test('reserved name at any depth, FIFOs and (by default) all symbolic links', async () => {
    assert.deepEqual(await list(root), ['a/b', 'in/f', 'z']);
    assert.deepEqual(await list(root, { prefix: '.dirbucket/' }), []);
    assert.deepEqual(await list(root, { prefix: '.dirb' }), []);
    assert.deepEqual(await list(root, { prefix: 'link-dir/' }), []);
    assert.deepEqual(await list(root, { prefix: 'a/.dirbucket/' }), []);
  });

  test('sockets are skipped', async () => {
    const server = createServer();
    const sock = join(root, 'sock');
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      assert.deepEqual(await list(root), ['a/b', 'in/f', 'z']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(sock, { force: true });
    }
  });

  test('with followSymlinks, links inside the root are followed; outside, dangling, looping and reserved ones are not', async () => {
    assert.deepEqual(await list(root, { followSymlinks: true }), ['a/b', 'in/f', 'link-dir/f', 'link-file', 'z']);
    assert.deepEqual(await list(root, { followSymlinks: true, prefix: 'link-dir/' }), ['link-dir/f']);
    const dirObjects = new Set(['link-dir/']);
    assert.deepEqual(await list(root, { followSymlinks: true, prefix: 'link-dir/' }, dirObjects), ['link-dir/', 'link-dir/f']);
    assert.deepEqual(await list(root, { followSymlinks: true, prefix: 'link-d' }, dirObjects), ['link-dir/', 'link-dir/f']);
    assert.deepEqual(await list(root, { followSymlinks: true, prefix: 'out-dir/' }), []);
    assert.deepEqual(await list(root, { followSymlinks: true, prefix: 'sneak/' }), []);
    assert.deepEqual(await list(root, { followSymlinks: true, delimiter: '/' }), ['P:a/', 'P:in/', 'P:link-dir/', 'link-file', 'z']);
    const items: WalkItem[] = [];
    for await (const item of walk({ root, prefix: 'link-file', followSymlinks: true, isDirectoryObject: () => false })) items.push(item);
    assert.equal(items.length, 1);
    const [file] = items;
    assert.ok(file.type === 'object' && file.path === join(root, 'link-file') && file.stats.isFile());
  });

  test('names that are not valid UTF-8 are skipped; a real U+FFFD name is listed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walk-utf8-'));
    try {
      writeFileSync(Buffer.concat([Buffer.from(dir + '/bad'), Buffer.from([0xff])]), 'x');
      mkdirSync(Buffer.concat([Buffer.from(dir + '/baddir'), Buffer.from([0xc3])]));
      writeFileSync(Buffer.concat([Buffer.from(dir + '/baddir'), Buffer.from([0xc3]), Buffer.from('/f')]), 'x');
      // 'ok' + 0xFF decodes to the same string as the real 'ok\uFFFD': it must not show up as a second one.
      writeFileSync(Buffer.concat([Buffer.from(dir + '/ok'), Buffer.from([0xff])]), 'x');
      writeFileSync(join(dir, 'ok\uFFFD'), 'x');
      writeFileSync(join(dir, 'plain'), 'x');
      assert.deepEqual(await list(dir), ['ok\uFFFD', 'plain']);
      assert.deepEqual(await list(dir, { delimiter: '/' }), ['ok\uFFFD', 'plain']);
    } finally {
      removeTree(dir);
    }
  });
});

describe('walk while the tree changes', () => {
  test('a directory removed before the walk reaches it is skipped', async () => {
    const root = makeTree(['a/1', 'b/x/1', 'b/2', 'c']);
    try {
      const keys: string[] = [];
      for await (const item of walk({ root, prefix: '', followSymlinks: false, isDirectoryObject: () => false })) {
        if (item.type === 'object') keys.push(item.key);
        if (keys.length === 1) rmSync(join(root, 'b'), { recursive: true });
      }
      assert.deepEqual(keys, ['a/1', 'c']);
    } finally {
      removeTree(root);
    }
  });

  test('a file removed before the walk stats it is skipped', async () => {
    // Files are stat'ed a window ahead (tens of entries), so the last of 300 is not stat'ed yet after the first.
    const names = Array.from({ length: 300 }, (_, i) => `f${String(i).padStart(3, '0')}`);
    const root = makeTree(names);
    try {
      const keys: string[] = [];
      for await (const item of walk({ root, prefix: '', followSymlinks: false, isDirectoryObject: () => false })) {
        if (item.type === 'object') keys.push(item.key);
        if (keys.length === 1) unlinkSync(join(root, 'f299'));
      }
      assert.deepEqual(keys, names.slice(0, 299));
    } finally {
      removeTree(root);
    }
  });
});

describe('walk early return', () => {
  test('return() ends the walk cleanly, and it yields nothing after', async () => {
    const root = makeTree(Array.from({ length: 100 }, (_, i) => `d${i % 10}/f${i}`));
    const rejections: unknown[] = [];
    const onRejection = (err: unknown) => rejections.push(err);
    process.on('unhandledRejection', onRejection);
    try {
      const walker = walk({ root, prefix: '', followSymlinks: false, isDirectoryObject: () => false });
      const first = await walker.next();
      assert.equal(first.done, false);
      assert.deepEqual(await walker.return(undefined), { done: true, value: undefined });
      assert.deepEqual(await walker.next(), { done: true, value: undefined });
      let n = 0;
      const again = makeTree(['a', 'b', 'c']);
      try {
        for await (const _ of walk({ root: again, prefix: '', followSymlinks: false, isDirectoryObject: () => false })) {
          if (++n === 2) break;
        }
      } finally {
        removeTree(again);
      }
      assert.equal(n, 2);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(rejections, []);
    } finally {
      process.off('unhandledRejection', onRejection);
      removeTree(root);
    }
  });

  test('a missing root yields nothing', async () => {
    const root = makeTree([]);
    removeTree(root);
    assert.deepEqual(await list(root), []);
  });
});

describe('walk over unreadable directories', () => {
  test('a directory that cannot be read or searched is skipped silently, like ls -R', async () => {
    const root = makeTree(['a/f', 'locked/f', 'noexec/f', 'z']);
    try {
      execFileSync('chmod', ['755', root]);
      execFileSync('chmod', ['000', join(root, 'locked')]);
      execFileSync('chmod', ['644', join(root, 'noexec')]);
      const expected = ['a/f', 'z'];
      const expectedRolled = ['P:a/', 'z'];
      if (process.getuid?.() !== 0) {
        assert.deepEqual(await list(root), expected);
        assert.deepEqual(await list(root, { delimiter: '/' }), expectedRolled);
        return;
      }
      // As root, EACCES never happens (root reads everything), so walk as 'nobody' in a child process.
      const walkUrl = new URL('../../src/storage/posix/list/walk.js', import.meta.url).href;
      const script = `
        import { walk } from ${JSON.stringify(walkUrl)};
        const out = [];
        for (const delimiter of [undefined, '/']) {
          const items = [];
          for await (const i of walk({ root: process.argv[1], prefix: '', delimiter, followSymlinks: false, isDirectoryObject: () => false }))
            items.push(i.type === 'object' ? i.key : 'P:' + i.prefix);
          out.push(items);
        }
        console.log(JSON.stringify(out));`;
      const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script, root], {
        uid: 65534,
        gid: 65534,
        timeout: 20_000,
        encoding: 'utf8',
      });
      assert.deepEqual(JSON.parse(stdout), [expected, expectedRolled]);
    } finally {
      execFileSync('chmod', ['-R', '755', root]);
      removeTree(root);
    }
  });
});

describe('walk fixture', () => {
  test('addToTree adds files and directories', async () => {
    const root = makeTree(['a']);
    try {
      addToTree(root, ['b/c', 'd/']);
      assert.deepEqual(await list(root, {}, new Set(['d/'])), ['a', 'b/c', 'd/']);
    } finally {
      removeTree(root);
    }
  });
});
