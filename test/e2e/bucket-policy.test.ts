/** Bucket policies are not supported: answered truthfully (no policy exists), and setting one is 501. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { sdkError } from './util.js';

let ts: TestServer;
let s3: S3Client;
const B = 'policy-e2e';

before(async () => ({ ts, s3 } = await startWithBuckets([B])));
after(() => ts?.stop());

/** The error name and status a failing SDK call ends with (util.ts's sdkError, without the extras). */
async function failure(p: Promise<unknown>): Promise<{ name: string; status?: number }> {
  const { name, status } = await sdkError(() => p);
  return { name, status };
}

describe('bucket policy', () => {
  it('GetBucketPolicy answers 404 NoSuchBucketPolicy, and NoSuchBucket for a missing bucket', async () => {
    assert.deepEqual(await failure(s3.send(new GetBucketPolicyCommand({ Bucket: B }))), { name: 'NoSuchBucketPolicy', status: 404 });
    assert.deepEqual(await failure(s3.send(new GetBucketPolicyCommand({ Bucket: 'no-such-bucket-here' }))), { name: 'NoSuchBucket', status: 404 });
  });

  it('DeleteBucketPolicy succeeds with 204: there is none', async () => {
    const r = await s3.send(new DeleteBucketPolicyCommand({ Bucket: B }));
    assert.equal(r.$metadata.httpStatusCode, 204);
  });

  it('PutBucketPolicy is 501 NotImplemented, and no policy appears', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*` }] });
    assert.deepEqual(await failure(s3.send(new PutBucketPolicyCommand({ Bucket: B, Policy: policy }))), { name: 'NotImplemented', status: 501 });
    assert.equal((await failure(s3.send(new GetBucketPolicyCommand({ Bucket: B })))).name, 'NoSuchBucketPolicy');
  });
});
