import test from 'node:test';
import assert from 'node:assert/strict';
import { parseRange } from '../../src/s3/range.js';
import { readConditions } from '../../src/s3/conditional.js';
import { etagMatches } from '../../src/storage/conditions/etag-match.js';
import { evaluateRead as evaluate } from '../../src/storage/conditions/read-conditions.js';

/** The headers' verdict: parsed as the S3 layer parses them, judged as storage/conditions judges them. */
const evaluateRead = (h: { ifMatch?: string; ifNoneMatch?: string; ifModifiedSince?: string; ifUnmodifiedSince?: string }, info: { etag: string; lastModified: Date }) =>
  evaluate(readConditions({ 'if-match': h.ifMatch, 'if-none-match': h.ifNoneMatch, 'if-modified-since': h.ifModifiedSince, 'if-unmodified-since': h.ifUnmodifiedSince }), info);

test('ranges: a-b, a-, -n, clamping, unsatisfiable and ignored forms', () => {
  assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
  assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=-1000', 100), { start: 0, end: 99 });
  assert.deepEqual(parseRange('bytes=50-1000', 100), { start: 50, end: 99 });
  assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
  assert.equal(parseRange('bytes=-0', 100), 'unsatisfiable');
  assert.equal(parseRange('bytes=0-', 0), 'unsatisfiable');
  assert.equal(parseRange(undefined, 100), null);
  assert.equal(parseRange('bytes=0-1,5-6', 100), null);
  assert.equal(parseRange('items=0-1', 100), null);
  assert.equal(parseRange('bytes=9-1', 100), null);
});

const info = { etag: 'abc', lastModified: new Date('2024-05-01T10:00:00Z') };
const before = 'Tue, 30 Apr 2024 10:00:00 GMT';
const after = 'Thu, 02 May 2024 10:00:00 GMT';

test('etag lists, weak tags and *', () => {
  assert.ok(etagMatches('"abc"', 'abc'));
  assert.ok(etagMatches('"x", "abc"', 'abc'));
  assert.ok(etagMatches('W/"abc"', 'abc'));
  assert.ok(etagMatches('*', 'abc'));
  assert.ok(!etagMatches('"abd"', 'abc'));
});

test('RFC 7232 precedence', () => {
  assert.equal(evaluateRead({}, info), 'proceed');
  assert.equal(evaluateRead({ ifMatch: '"zzz"' }, info), 'precondition-failed');
  // If-Match true wins over a failing If-Unmodified-Since (S3 answers 200).
  assert.equal(evaluateRead({ ifMatch: '"abc"', ifUnmodifiedSince: before }, info), 'proceed');
  assert.equal(evaluateRead({ ifUnmodifiedSince: before }, info), 'precondition-failed');
  assert.equal(evaluateRead({ ifUnmodifiedSince: after }, info), 'proceed');
  assert.equal(evaluateRead({ ifNoneMatch: '"abc"' }, info), 'not-modified');
  // If-None-Match present: If-Modified-Since is not consulted.
  assert.equal(evaluateRead({ ifNoneMatch: '"zzz"', ifModifiedSince: after }, info), 'proceed');
  assert.equal(evaluateRead({ ifModifiedSince: after }, info), 'not-modified');
  assert.equal(evaluateRead({ ifModifiedSince: before }, info), 'proceed');
  assert.equal(evaluateRead({ ifModifiedSince: 'not a date' }, info), 'proceed');
  assert.equal(evaluateRead({ ifMatch: '"zzz"', ifNoneMatch: '"abc"' }, info), 'precondition-failed');
});
