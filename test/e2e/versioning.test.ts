/** End to end: bucket versioning wired through the S3 operations (issue #11; design in docs/versioning.md). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  GetBucketVersioningCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { errorOf, rawRequest, sdkError } from './util.js';

let ts: TestServer;
let s3: S3Client;
const V = 'versioned';
const SETTINGS = 'settings';

before(async () => {
  ({ ts, s3 } = await startWithBuckets([V, SETTINGS]));
  await s3.send(new PutBucketVersioningCommand({ Bucket: V, VersioningConfiguration: { Status: 'Enabled' } }));
});

after(() => ts?.stop());

function putVersioningRaw(bucket: string, xml: string) {
  return rawRequest(ts, { method: 'PUT', path: `/${bucket}`, query: [['versioning', '']], body: xml });
}

describe('PutBucketVersioning and GetBucketVersioning', () => {
  it('stores Enabled and Suspended, with when versioning was first enabled, and answers them', async () => {
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: SETTINGS }))).Status, undefined);
    await s3.send(new PutBucketVersioningCommand({ Bucket: SETTINGS, VersioningConfiguration: { Status: 'Enabled' } }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: SETTINGS }))).Status, 'Enabled');
    const first = JSON.parse(readFileSync(join(ts.root, SETTINGS, '.dirbucket', 'bucket.json'), 'utf8'));
    assert.equal(first.versioning, 'Enabled');
    assert.equal(typeof first.versioningEnabledAt, 'number');
    await s3.send(new PutBucketVersioningCommand({ Bucket: SETTINGS, VersioningConfiguration: { Status: 'Suspended' } }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: SETTINGS }))).Status, 'Suspended');
    await s3.send(new PutBucketVersioningCommand({ Bucket: SETTINGS, VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Disabled' } }));
    const again = JSON.parse(readFileSync(join(ts.root, SETTINGS, '.dirbucket', 'bucket.json'), 'utf8'));
    assert.equal(again.versioningEnabledAt, first.versioningEnabledAt, 'enabledAt is the first enabling');
  });

  it('refuses any other status with MalformedXML: a bucket never goes back to unversioned', async () => {
    for (const xml of [
      '<VersioningConfiguration><Status>Disabled</Status></VersioningConfiguration>',
      '<VersioningConfiguration></VersioningConfiguration>',
      '<VersioningConfiguration><Status>enabled</Status></VersioningConfiguration>',
      'not xml',
    ]) {
      const r = await putVersioningRaw(V, xml);
      assert.equal(r.status, 400, xml);
      assert.equal(errorOf(r).Code, 'MalformedXML', xml);
    }
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: V }))).Status, 'Enabled');
  });

  it('refuses MfaDelete Enabled with a clear error', async () => {
    const e = await sdkError(() => s3.send(new PutBucketVersioningCommand({ Bucket: V, VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Enabled' } })));
    assert.equal(e.name, 'NotImplemented');
    assert.match(e.message, /MFA Delete/);
  });

  it('answers NoSuchBucket for a missing bucket', async () => {
    const e = await sdkError(() => s3.send(new PutBucketVersioningCommand({ Bucket: 'no-such-versioned', VersioningConfiguration: { Status: 'Enabled' } })));
    assert.equal(e.name, 'NoSuchBucket');
  });
});
