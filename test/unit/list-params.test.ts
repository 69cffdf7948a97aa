import test from 'node:test';
import assert from 'node:assert/strict';
import { decodeToken, encodeToken, maxKeysOf, urlEncodeKey } from '../../src/s3/list-params.js';
import { S3Error } from '../../src/errors/s3-error.js';

test('continuation tokens round-trip any key and refuse forgeries', () => {
  for (const k of ['a', 'dir/sub/', 'ünïcödé/😀', ' spaces and+plus']) assert.equal(decodeToken(encodeToken(k)), k);
  for (const bad of ['garbage', Buffer.from('x:abc').toString('base64url'), '']) {
    assert.throws(() => decodeToken(bad), (e: S3Error) => e.code === 'InvalidArgument');
  }
});

test('max-keys: default 1000, clamped, integers only', () => {
  assert.equal(maxKeysOf(new URLSearchParams('')), 1000);
  assert.equal(maxKeysOf(new URLSearchParams('max-keys=0')), 0);
  assert.equal(maxKeysOf(new URLSearchParams('max-keys=5000')), 1000);
  for (const v of ['-1', 'abc', '1.5']) {
    assert.throws(() => maxKeysOf(new URLSearchParams(`max-keys=${v}`)), (e: S3Error) => e.code === 'InvalidArgument');
  }
});

test('url encoding keeps slashes and unreserved characters, encodes the rest', () => {
  assert.equal(urlEncodeKey('a b/c+d&é~_.-'), 'a%20b/c%2Bd%26%C3%A9~_.-');
  assert.equal(decodeURIComponent(urlEncodeKey("it's (x)*!")), "it's (x)*!");
});
