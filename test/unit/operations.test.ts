import test from 'node:test';
import assert from 'node:assert/strict';
import { OPERATIONS, operationRow, type OperationName } from '../../src/s3/operations.js';
import { refineOperation, resolveRequest } from '../../src/s3/resolve.js';
import { S3_ACTIONS } from '../../src/s3/policy/s3-actions.js';

const NAMES = Object.keys(OPERATIONS) as OperationName[];

/** A request that addresses `name`'s row: its target, subresource, query refinement and header. */
function requestFor(name: OperationName): { method: string; url: string; headers: Record<string, string> } {
  const row = operationRow(name);
  const path = row.target === 'service' ? '/' : row.target === 'bucket' ? '/b1' : '/b1/k';
  const query = new URLSearchParams();
  if (row.sub !== undefined) query.set(row.sub, row.sub === 'uploadId' ? 'u1' : '');
  const headers: Record<string, string> = {};
  if (row.when && 'query' in row.when) query.set(row.when.query, row.when.is);
  if (row.when && 'header' in row.when) headers[row.when.header] = '/src/key';
  const q = query.toString();
  return { method: row.method, url: q ? `${path}?${q}` : path, headers };
}

test('every row is recognised as itself', () => {
  for (const name of NAMES) {
    const r = requestFor(name);
    const resolved = resolveRequest(r.method, r.url, 'localhost');
    assert.equal(refineOperation(resolved.operation, r.headers), name, `${r.method} ${r.url}`);
  }
});

test('no two rows are recognised the same way', () => {
  const seen = new Map<string, OperationName>();
  for (const name of NAMES) {
    const row = operationRow(name);
    const when = row.when ? JSON.stringify(row.when) : '';
    const id = `${row.target} ${row.method} ${row.sub ?? ''} ${when}`;
    assert.equal(seen.get(id), undefined, `${name} and ${seen.get(id)} share ${id}`);
    seen.set(id, name);
  }
});

test('rights and grants: as S3 maps them, the owner for configuration, read or write for the rest', () => {
  assert.deepEqual(operationRow('ListBuckets').right, { bucket: 'any' });
  assert.deepEqual(operationRow('CreateBucket').right, { bucket: 'create' });
  assert.deepEqual(operationRow('CopyObject').right, { bucket: 'write', copySource: 'read' });
  assert.deepEqual(operationRow('UploadPartCopy').right, { bucket: 'write', copySource: 'read' });
  assert.equal(operationRow('PutBucketCors').right.bucket, 'owner');
  assert.equal(operationRow('GetObjectRetention').right.bucket, 'read', 'not yet implemented, its right already named');
  assert.equal(operationRow('PutObjectLegalHold').right.bucket, 'write');
  assert.deepEqual(operationRow('GetObject').grant, { on: 'object', permission: 'READ' });
  assert.deepEqual(operationRow('PutBucketAcl').grant, { on: 'bucket', permission: 'WRITE_ACP' });
  assert.equal(operationRow('PutBucketCors').grant, undefined);
  assert.equal(operationRow('SomeFutureOperation' as OperationName).right.bucket, 'owner', 'an unlisted name fails closed');
});

test('rows without a handler are the ones answered 501', () => {
  const missing = NAMES.filter((n) => !operationRow(n).handler);
  for (const n of ['PutBucketWebsite', 'PutBucketEncryption', 'SelectObjectContent']) assert.ok(missing.includes(n as OperationName), n);
  for (const n of ['GetObject', 'CopyObject', 'ListObjectsV2', 'UploadPartCopy', 'PutBucketPolicy', 'GetBucketPolicyStatus', 'PutPublicAccessBlock', 'PutBucketLifecycleConfiguration']) assert.ok(!missing.includes(n as OperationName), n);
});

test('every row names an IAM action a bucket policy knows, of the resource kind its target is', () => {
  for (const name of NAMES) {
    const row = operationRow(name);
    const kind = S3_ACTIONS.get(row.action);
    assert.ok(kind, `${name}: ${row.action} is a known action`);
    // DeleteObjects and PostObject address the bucket but act on keys in it (s3:DeleteObject, s3:PutObject).
    if (name !== 'DeleteObjects' && name !== 'PostObject') assert.equal(kind, row.target === 'service' ? 'account' : row.target, `${name}: ${row.action}`);
  }
  assert.equal(operationRow('ListObjectsV2').action, 's3:ListBucket');
  assert.equal(operationRow('HeadObject').action, 's3:GetObject');
  assert.equal(operationRow('CompleteMultipartUpload').action, 's3:PutObject');
});
