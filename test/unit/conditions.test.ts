import test from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRead } from '../../src/storage/conditions/read-conditions.js';
import { checkWrite, evaluateWrite } from '../../src/storage/conditions/write-conditions.js';
import { S3Error } from '../../src/errors/s3-error.js';

const info = { etag: 'abc', lastModified: new Date('2024-05-01T10:00:00.900Z') };
const before = new Date('2024-04-30T10:00:00Z');
const after = new Date('2024-05-02T10:00:00Z');

test('read: RFC 7232 order, dates compared in whole seconds', () => {
  assert.equal(evaluateRead({}, info), 'proceed');
  assert.equal(evaluateRead({ ifMatch: ['zzz'] }, info), 'precondition-failed');
  assert.equal(evaluateRead({ ifMatch: ['abc'], ifUnmodifiedSince: before }, info), 'proceed');
  assert.equal(evaluateRead({ ifUnmodifiedSince: before }, info), 'precondition-failed');
  assert.equal(evaluateRead({ ifNoneMatch: '*' }, info), 'not-modified');
  assert.equal(evaluateRead({ ifNoneMatch: ['zzz'], ifModifiedSince: after }, info), 'proceed');
  assert.equal(evaluateRead({ ifModifiedSince: after }, info), 'not-modified');
  // Last-Modified is sent without milliseconds: the same second is "not modified since".
  assert.equal(evaluateRead({ ifModifiedSince: new Date('2024-05-01T10:00:00Z') }, info), 'not-modified');
  assert.equal(evaluateRead({ ifMatch: ['zzz'], ifNoneMatch: ['abc'] }, info), 'precondition-failed');
});

test('write: no conditions, or conditions that hold, proceed', () => {
  assert.deepEqual(evaluateWrite(undefined, 'abc'), { ok: true });
  assert.deepEqual(evaluateWrite({ ifNoneMatch: '*' }, undefined), { ok: true });
  assert.deepEqual(evaluateWrite({ ifMatch: ['x', 'abc'] }, 'abc'), { ok: true });
  assert.deepEqual(evaluateWrite({ ifMatch: '*' }, 'abc'), { ok: true });
});

test('write: If-None-Match on an existing object, then If-Match, each failure naming its header', () => {
  assert.deepEqual(evaluateWrite({ ifNoneMatch: '*' }, 'abc'), { ok: false, error: 'PreconditionFailed', condition: 'If-None-Match' });
  assert.deepEqual(evaluateWrite({ ifNoneMatch: '*', ifMatch: ['zzz'] }, 'abc'), { ok: false, error: 'PreconditionFailed', condition: 'If-None-Match' });
  assert.deepEqual(evaluateWrite({ ifMatch: ['zzz'] }, 'abc'), { ok: false, error: 'PreconditionFailed', condition: 'If-Match' });
});

test('write: If-Match on no object is 404 NoSuchKey, as S3 answers', () => {
  assert.deepEqual(evaluateWrite({ ifMatch: '*' }, undefined), { ok: false, error: 'NoSuchKey' });
  assert.throws(() => checkWrite({ ifMatch: ['abc'] }, undefined, 'k'), (e: S3Error) => e.code === 'NoSuchKey' && e.status === 404);
  assert.throws(() => checkWrite({ ifMatch: ['x'] }, 'abc', 'k'), (e: S3Error) => e.code === 'PreconditionFailed' && e.status === 412);
  checkWrite({ ifMatch: ['abc'] }, 'abc', 'k');
});
