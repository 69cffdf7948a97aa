/** Pure storage helpers: bucket naming rules, Content-Type by extension, ETag forms and matching. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { bucketNameProblem, isValidBucketName } from '../../src/config/bucket-name.js';
import { contentTypeFor } from '../../src/storage/content-type.js';
import { EMPTY_MD5, syntheticEtag } from '../../src/storage/posix/read/etag.js';
import { bareEtag, etagMatches } from '../../src/storage/conditions/etag-match.js';

test('valid bucket names', () => {
  for (const name of ['abc', 'my-bucket', 'my.bucket.v2', 'a1b', '123', 'x'.repeat(63), 'a-b-c', 'xn-abc', 'abc-s3alia']) {
    assert.equal(bucketNameProblem(name), undefined, name);
  }
});

test('invalid bucket names, each with the rule it breaks', () => {
  const cases: [string, RegExp][] = [
    ['ab', /between 3 and 63/],
    ['x'.repeat(64), /between 3 and 63/],
    ['My-Bucket', /lowercase/],
    ['my_bucket', /lowercase/],
    ['my bucket', /lowercase/],
    ['-abc', /begin and end/],
    ['abc-', /begin and end/],
    ['.abc', /begin and end/],
    ['abc.', /begin and end/],
    ['a..b', /adjacent periods/],
    ['192.168.1.1', /IP address/],
    ['xn--abc', /xn--/],
    ['sthree-abc', /sthree-/],
    ['abc-s3alias', /-s3alias/],
    ['abc--ol-s3', /--ol-s3/],
    ['.dirbucket', /lowercase|begin/],
  ];
  for (const [name, rule] of cases) {
    assert.match(bucketNameProblem(name) ?? 'valid', rule, name);
    assert.equal(isValidBucketName(name), false, name);
  }
});

test('Content-Type from the extension, case-insensitive, octet-stream otherwise', () => {
  assert.equal(contentTypeFor('a/b/data.json'), 'application/json');
  assert.equal(contentTypeFor('report.PDF'), 'application/pdf');
  assert.equal(contentTypeFor('t.parquet'), 'application/vnd.apache.parquet');
  assert.equal(contentTypeFor('x.csv'), 'text/csv');
  assert.equal(contentTypeFor('index.html'), 'text/html');
  assert.equal(contentTypeFor('pic.JPG'), 'image/jpeg');
  assert.equal(contentTypeFor('a.tar.gz'), 'application/gzip');
  assert.equal(contentTypeFor('song.mp3'), 'audio/mpeg');
  assert.equal(contentTypeFor('clip.mp4'), 'video/mp4');
  assert.equal(contentTypeFor('README'), 'application/octet-stream');
  assert.equal(contentTypeFor('.env'), 'application/octet-stream');
  assert.equal(contentTypeFor('dir.json/file'), 'application/octet-stream');
  assert.equal(contentTypeFor('x.unknownext'), 'application/octet-stream');
});

test('synthetic ETags never look like an MD5 and change with inode, size or mtime', () => {
  const base = { ino: 10n, size: 5n, mtimeNs: 1_700_000_000_000_000_000n };
  const e = syntheticEtag(base);
  assert.match(e, /^[0-9a-f]{32}-1$/);
  assert.equal(e, `${createHash('md5').update('10:5:1700000000000000000').digest('hex')}-1`);
  assert.notEqual(syntheticEtag({ ...base, ino: 11n }), e);
  assert.notEqual(syntheticEtag({ ...base, size: 6n }), e);
  assert.notEqual(syntheticEtag({ ...base, mtimeNs: base.mtimeNs + 1n }), e);
  assert.equal(EMPTY_MD5, createHash('md5').digest('hex'));
});

test('ETag conditions match with or without quotes, lists and *', () => {
  assert.equal(bareEtag('"abc"'), 'abc');
  assert.equal(bareEtag('W/"abc"'), 'abc');
  assert.equal(bareEtag('abc"'), 'abc');
  assert.ok(etagMatches('"abc"', 'abc'));
  assert.ok(etagMatches('abc', '"abc"'));
  assert.ok(etagMatches('*', 'whatever'));
  assert.ok(etagMatches('"x", "abc"', 'abc'));
  assert.ok(!etagMatches('"abd"', 'abc'));
  assert.ok(!etagMatches('', 'abc'));
});
