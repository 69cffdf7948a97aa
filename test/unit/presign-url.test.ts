/**
 * The console's presigned links (src/admin/api/presign-url.ts) against outside truth: the example of AWS's
 * "Authenticating Requests: Using Query Parameters" (GET examplebucket/test.txt for a day) gives AWS's URL, to the
 * character; a path-style key with spaces, non-ASCII and a version is encoded once, as SigV4 encodes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectPath, presignGetUrl } from '../../src/admin/api/presign-url.js';

const AWS_EXAMPLE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1',
  now: new Date('2013-05-24T00:00:00Z'),
};

test('AWS\'s published example: the same URL, signature included', () => {
  const url = presignGetUrl({ ...AWS_EXAMPLE, endpoint: new URL('https://examplebucket.s3.amazonaws.com'), path: '/test.txt', expiresSeconds: 86400 });
  assert.equal(url, 'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256'
    + '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z'
    + '&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404');
});

test('path-style: the key encoded once, slashes kept; a version in the signed query; the port in the signed host', () => {
  assert.equal(objectPath('b', 'a dir/ü+x.txt'), '/b/a%20dir/%C3%BC%2Bx.txt');
  const url = new URL(presignGetUrl({ ...AWS_EXAMPLE, endpoint: new URL('http://127.0.0.1:9000'), path: objectPath('b', 'a dir/ü+x.txt'), versionId: 'v/1', expiresSeconds: 60 }));
  assert.equal(url.pathname, '/b/a%20dir/%C3%BC%2Bx.txt');
  assert.equal(url.searchParams.get('versionId'), 'v/1');
  const other = new URL(presignGetUrl({ ...AWS_EXAMPLE, endpoint: new URL('http://127.0.0.1:9001'), path: objectPath('b', 'a dir/ü+x.txt'), versionId: 'v/1', expiresSeconds: 60 }));
  assert.notEqual(url.searchParams.get('X-Amz-Signature'), other.searchParams.get('X-Amz-Signature'), 'the host is signed');
});
