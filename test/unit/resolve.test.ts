import test from 'node:test';
import assert from 'node:assert/strict';
import { refineOperation, resolveRequest } from '../../src/s3/resolve.js';
import { S3Error } from '../../src/errors/s3-error.js';

test('operation names follow method, target and subresource', () => {
  const cases: [string, string, string][] = [
    ['GET', '/', 'ListBuckets'],
    ['PUT', '/b1', 'CreateBucket'],
    ['HEAD', '/b1', 'HeadBucket'],
    ['DELETE', '/b1/', 'DeleteBucket'],
    ['GET', '/b1', 'ListObjects'],
    ['GET', '/b1?list-type=2&prefix=a', 'ListObjectsV2'],
    ['GET', '/b1?versioning', 'GetBucketVersioning'],
    ['GET', '/b1?versions', 'ListObjectVersions'],
    ['GET', '/b1?location', 'GetBucketLocation'],
    ['POST', '/b1?delete', 'DeleteObjects'],
    ['GET', '/b1?uploads', 'ListMultipartUploads'],
    ['PUT', '/b1?cors', 'PutBucketCors'],
    ['GET', '/b1/k', 'GetObject'],
    ['HEAD', '/b1/k', 'HeadObject'],
    ['PUT', '/b1/k', 'PutObject'],
    ['DELETE', '/b1/k', 'DeleteObject'],
    ['POST', '/b1/k?uploads', 'CreateMultipartUpload'],
    ['PUT', '/b1/k?partNumber=1&uploadId=x', 'UploadPart'],
    ['POST', '/b1/k?uploadId=x', 'CompleteMultipartUpload'],
    ['GET', '/b1/k?tagging', 'GetObjectTagging'],
    ['GET', '/b1/k?acl', 'GetObjectAcl'],
  ];
  for (const [method, url, op] of cases) assert.equal(resolveRequest(method, url, 'localhost').operation, op, `${method} ${url}`);
});

test('keys are decoded once, with slashes and odd characters kept', () => {
  const r = resolveRequest('GET', '/b1/a%2Fb/c%20d+e%25', 'localhost');
  assert.equal(r.bucket, 'b1');
  assert.equal(r.key, 'a/b/c d+e%');
  assert.equal(resolveRequest('GET', '/b1//x', undefined).key, '/x');
});

test('a malformed escape is InvalidURI', () => {
  assert.throws(() => resolveRequest('GET', '/b1/%zz', undefined), (e: S3Error) => e.code === 'InvalidURI');
  assert.throws(() => resolveRequest('GET', '//b1/../x', undefined), (e: S3Error) => e.code === 'InvalidURI');
});

test('virtual-hosted style takes the bucket from the host', () => {
  const r = resolveRequest('GET', '/dir/file.txt', 'photos.s3.example.com:9000', 's3.example.com');
  assert.equal(r.bucket, 'photos');
  assert.equal(r.key, 'dir/file.txt');
  assert.equal(resolveRequest('GET', '/', 's3.example.com', 's3.example.com').operation, 'ListBuckets');
});

test('copies are refined from PUTs by x-amz-copy-source', () => {
  assert.equal(refineOperation('PutObject', { 'x-amz-copy-source': '/a/b' }), 'CopyObject');
  assert.equal(refineOperation('UploadPart', { 'x-amz-copy-source': '/a/b' }), 'UploadPartCopy');
  assert.equal(refineOperation('PutObject', {}), 'PutObject');
});

test('a method the resource does not have is MethodNotAllowed', () => {
  assert.throws(() => resolveRequest('POST', '/b1/k', undefined), (e: S3Error) => e.code === 'MethodNotAllowed' && e.status === 405);
});
