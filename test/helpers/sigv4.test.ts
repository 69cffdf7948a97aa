/** The test signer against AWS's published S3 SigV4 example (GET Object with Range, examplebucket, 2013-05-24). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signV4, uriEncode } from './sigv4.js';

test('signV4 reproduces the signature of AWS\'s GET Object example', () => {
  const signed = signV4({
    method: 'GET',
    canonicalUri: '/test.txt',
    headers: { host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9' },
    payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    region: 'us-east-1',
    date: new Date('2013-05-24T00:00:00Z'),
  });
  assert.equal(
    signed.headers.authorization,
    'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
      'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
      'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  );
  assert.equal(signed.headers['x-amz-date'], '20130524T000000Z');
});

test('signV4 reproduces AWS\'s GET Bucket lifecycle example (query string)', () => {
  const signed = signV4({
    method: 'GET',
    canonicalUri: '/',
    query: { lifecycle: '' },
    headers: { host: 'examplebucket.s3.amazonaws.com' },
    payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    region: 'us-east-1',
    date: new Date('2013-05-24T00:00:00Z'),
  });
  assert.match(signed.headers.authorization, /Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543$/);
});

test('uriEncode keeps unreserved bytes, encodes the rest in upper-case UTF-8', () => {
  assert.equal(uriEncode('a b/ü~.', false), 'a%20b/%C3%BC~.');
  assert.equal(uriEncode('a/b'), 'a%2Fb');
  assert.equal(uriEncode('..\\'), '..%5C');
});
