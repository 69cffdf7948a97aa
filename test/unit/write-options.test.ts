import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { contentMd5, writeConditions } from '../../src/s3/write/options.js';
import { S3Error } from '../../src/errors/s3-error.js';

test('Content-MD5 is parsed to its 16 bytes; anything else is InvalidDigest', () => {
  const md5 = createHash('md5').update('data').digest();
  assert.deepEqual(contentMd5({ 'content-md5': ` ${md5.toString('base64')} ` }), md5);
  assert.equal(contentMd5({}), undefined);
  for (const bad of ['not-base64!', 'AAAA', md5.toString('base64').replace(/==$/, ''), md5.toString('hex'), 'AAAAAAAAAAAAAAAAAAAAAB==']) {
    assert.throws(() => contentMd5({ 'content-md5': bad }), (e: S3Error) => e.code === 'InvalidDigest', bad);
  }
});

test('write conditions are parsed once: ETag lists or *; If-None-Match takes only *', () => {
  assert.equal(writeConditions({}), undefined);
  assert.deepEqual(writeConditions({ 'if-match': '"a", "b"' }), { ifMatch: ['a', 'b'] });
  assert.deepEqual(writeConditions({ 'if-none-match': ' * ' }), { ifNoneMatch: '*' });
  assert.throws(() => writeConditions({ 'if-none-match': '"a"' }), (e: S3Error) => e.code === 'NotImplemented');
});
