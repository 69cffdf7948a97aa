/** Key rules and key → path mapping (src/storage/posix/paths.ts): every refused form, and exact paths for the rest. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Error } from '../../src/errors/s3-error.js';
import { dirKeyOf, keyToPath, parseKey } from '../../src/storage/posix/paths/paths.js';

function refuses(key: string, code: string, rule: RegExp): void {
  assert.throws(() => parseKey(key), (e: unknown) => {
    assert.ok(e instanceof S3Error, `expected an S3Error for ${JSON.stringify(key)}`);
    assert.equal(e.code, code, `code for ${JSON.stringify(key)}`);
    assert.match(e.message, rule, `message for ${JSON.stringify(key)}`);
    return true;
  });
}

test('plain keys split into segments; a trailing slash is a directory object', () => {
  assert.deepEqual(parseKey('a'), { segments: ['a'], dirObject: false });
  assert.deepEqual(parseKey('a/b/c.txt'), { segments: ['a', 'b', 'c.txt'], dirObject: false });
  assert.deepEqual(parseKey('a/b/'), { segments: ['a', 'b'], dirObject: true });
  assert.deepEqual(parseKey('..a/b..'), { segments: ['..a', 'b..'], dirObject: false });
  assert.deepEqual(parseKey('.hidden/...'), { segments: ['.hidden', '...'], dirObject: false });
  assert.deepEqual(parseKey('ünï/日本/😀'), { segments: ['ünï', '日本', '😀'], dirObject: false });
  assert.deepEqual(parseKey('a\\b'), { segments: ['a\\b'], dirObject: false });
  assert.deepEqual(parseKey('.dirbucketx/y'), { segments: ['.dirbucketx', 'y'], dirObject: false });
});

test('empty key and empty segments are refused', () => {
  refuses('', 'InvalidArgument', /empty/);
  refuses('/a', 'InvalidArgument', /empty segment/);
  refuses('a//b', 'InvalidArgument', /empty segment/);
  refuses('/', 'InvalidArgument', /empty segment/);
  refuses('a//', 'InvalidArgument', /empty segment/);
});

test("'.' and '..' segments are refused, never resolved", () => {
  refuses('..', 'InvalidArgument', /'\.\.' segment/);
  refuses('../etc/passwd', 'InvalidArgument', /'\.\.' segment/);
  refuses('a/../../b', 'InvalidArgument', /'\.\.' segment/);
  refuses('a/..', 'InvalidArgument', /'\.\.' segment/);
  refuses('a/../', 'InvalidArgument', /'\.\.' segment/);
  refuses('./a', 'InvalidArgument', /'\.' segment/);
  refuses('a/./b', 'InvalidArgument', /'\.' segment/);
});

test('NUL, lone surrogates and the reserved name are refused', () => {
  refuses('a\0b', 'InvalidArgument', /NUL/);
  refuses('a/\uD800x', 'InvalidArgument', /Unicode/);
  refuses('a\uDC00', 'InvalidArgument', /Unicode/);
  refuses('.dirbucket', 'InvalidArgument', /reserved/);
  refuses('.dirbucket/tmp/x', 'InvalidArgument', /reserved/);
  refuses('a/.dirbucket/meta', 'InvalidArgument', /reserved/);
  refuses('a/.dirbucket/', 'InvalidArgument', /reserved/);
});

test('length limits: 255 bytes a segment, 1024 bytes a key (UTF-8 bytes, not characters)', () => {
  assert.doesNotThrow(() => parseKey('x'.repeat(255)));
  refuses('x'.repeat(256), 'InvalidArgument', /255 bytes/);
  // 128 two-byte characters: 256 bytes though only 128 characters.
  refuses(`a/${'é'.repeat(128)}`, 'InvalidArgument', /255 bytes/);
  const long = Array.from({ length: 8 }, () => 'y'.repeat(127)).join('/'); // 1023 bytes
  assert.doesNotThrow(() => parseKey(long));
  assert.doesNotThrow(() => parseKey(`${long}z`));
  refuses(`${long}zz`, 'KeyTooLongError', /1025 bytes/);
  refuses('€'.repeat(342), 'KeyTooLongError', /too long/); // 1026 bytes in 342 characters
});

test('keyToPath maps a key to exactly that path under the root', () => {
  assert.equal(keyToPath('/data/bkt', 'a/b/c.txt'), '/data/bkt/a/b/c.txt');
  assert.equal(keyToPath('/data/bkt/', 'a'), '/data/bkt/a');
  assert.equal(keyToPath('/data/bkt', 'd/'), '/data/bkt/d');
  assert.throws(() => keyToPath('/data/bkt', '../x'), S3Error);
  assert.throws(() => keyToPath('/data/bkt', 'a/%2e%2e/../x'), S3Error);
});

test('dirKeyOf names the directory made of the first segments', () => {
  assert.equal(dirKeyOf(['a', 'b', 'c'], 0), '');
  assert.equal(dirKeyOf(['a', 'b', 'c'], 1), 'a/');
  assert.equal(dirKeyOf(['a', 'b', 'c'], 2), 'a/b/');
});
