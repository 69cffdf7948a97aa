/** End to end: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation with the AWS SDK. */
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketLocationCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startServer, startWithBuckets, type TestServer } from '../helpers/server.js';
import { errorOf, rawRequest, sdkError } from './util.js';

let ts: TestServer;
let s3: S3Client;

before(async () => ({ ts, s3 } = await startWithBuckets([])));
after(() => ts?.stop());

describe('CreateBucket', () => {
  it('makes a directory under the root and answers 200 with a Location', async () => {
    const out = await s3.send(new CreateBucketCommand({ Bucket: 'made-by-s3' }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.Location, '/made-by-s3');
    assert.ok(statSync(join(ts.root, 'made-by-s3')).isDirectory());
  });

  it('answers BucketAlreadyOwnedByYou (409) when the bucket exists', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'twice' }));
    const e = await sdkError(() => s3.send(new CreateBucketCommand({ Bucket: 'twice' })));
    assert.equal(e.name, 'BucketAlreadyOwnedByYou');
    assert.equal(e.status, 409);
  });

  // S3's naming rules: 3..63 chars of a-z 0-9 . -, starting and ending with a letter or digit, no `..`,
  // not an IP address, no reserved prefixes (xn--, sthree-) or suffixes (-s3alias, --ol-s3).
  const invalid = [
    'ab',
    'a'.repeat(64),
    'UpperCase',
    'under_score',
    '-leading-dash',
    'trailing-dash-',
    '.leading-dot',
    'trailing-dot.',
    'double..dot',
    '192.168.5.4',
    'xn--punycode',
    'sthree-reserved',
    'bucket-s3alias',
    'bucket--ol-s3',
    'spa ce',
  ];
  for (const name of invalid) {
    it(`refuses the name ${JSON.stringify(name)} with InvalidBucketName (400) and makes nothing`, async () => {
      const r = await rawRequest(ts, { method: 'PUT', path: '/' + encodeURIComponent(name) });
      assert.equal(r.status, 400, r.text);
      assert.equal(errorOf(r).Code, 'InvalidBucketName');
      assert.equal(existsSync(join(ts.root, name)), false);
    });
  }

  it('accepts names at the limits: 3 and 63 characters, dots and dashes inside', async () => {
    for (const name of ['abc', 'a'.repeat(63), 'a.b-c.d0']) {
      const out = await s3.send(new CreateBucketCommand({ Bucket: name }));
      assert.equal(out.$metadata.httpStatusCode, 200, name);
      assert.ok(statSync(join(ts.root, name)).isDirectory(), name);
    }
  });
});

describe('ListBuckets', () => {
  it('lists every bucket directory in name order, including ones made on disk, with a creation date', async () => {
    await mkdir(join(ts.root, 'zz-made-on-disk'));
    await s3.send(new CreateBucketCommand({ Bucket: 'listed-one' }));
    const out = await s3.send(new ListBucketsCommand({}));
    const names = (out.Buckets ?? []).map((b) => b.Name!);
    assert.ok(names.includes('listed-one'));
    assert.ok(names.includes('zz-made-on-disk'));
    assert.deepEqual(names, [...names].sort());
    for (const b of out.Buckets ?? []) assert.ok(b.CreationDate instanceof Date && !Number.isNaN(b.CreationDate.getTime()), b.Name);
  });

  it('leaves out directories whose names are not valid bucket names, plain files and the internal state directory', async () => {
    await mkdir(join(ts.root, 'Not_A_Bucket'));
    await writeFile(join(ts.root, 'plain-file'), 'x');
    const out = await s3.send(new ListBucketsCommand({}));
    const names = (out.Buckets ?? []).map((b) => b.Name!);
    assert.ok(!names.includes('Not_A_Bucket'));
    assert.ok(!names.includes('plain-file'));
    assert.ok(!names.some((n) => n.startsWith('.')), names.join(','));
  });

  it('names an Owner whose ID and DisplayName are the same on every call', async () => {
    const a = await s3.send(new ListBucketsCommand({}));
    const b = await s3.send(new ListBucketsCommand({}));
    assert.ok(a.Owner?.ID, 'Owner.ID present');
    assert.ok(a.Owner?.DisplayName, 'Owner.DisplayName present');
    assert.deepEqual(b.Owner, a.Owner);
  });

  it('keeps the same Owner for the same user after a restart', async () => {
    const first = await s3.send(new ListBucketsCommand({}));
    const other = await startServer({
      root: ts.root,
      env: { DIRBUCKET_ACCESS_KEY: ts.accessKeyId, DIRBUCKET_SECRET_KEY: ts.secretAccessKey },
    });
    try {
      const c = new S3Client({
        endpoint: other.endpoint,
        region: ts.region,
        forcePathStyle: true,
        credentials: { accessKeyId: ts.accessKeyId, secretAccessKey: ts.secretAccessKey },
      });
      try {
        const second = await c.send(new ListBucketsCommand({}));
        assert.deepEqual(second.Owner, first.Owner);
      } finally {
        c.destroy();
      }
    } finally {
      await other.stop();
    }
  });
});

describe('HeadBucket', () => {
  it('answers 200 for an existing bucket, with its region', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'headed' }));
    const out = await s3.send(new HeadBucketCommand({ Bucket: 'headed' }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.BucketRegion, 'us-east-1');
  });

  it('answers 404 without a body for a missing bucket', async () => {
    const e = await sdkError(() => s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket-here' })));
    assert.equal(e.status, 404);
    const r = await rawRequest(ts, { method: 'HEAD', path: '/no-such-bucket-here' });
    assert.equal(r.status, 404);
    assert.equal(r.body.length, 0);
  });
});

describe('DeleteBucket', () => {
  it('removes an empty bucket (204) and its directory', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'to-delete' }));
    const out = await s3.send(new DeleteBucketCommand({ Bucket: 'to-delete' }));
    assert.equal(out.$metadata.httpStatusCode, 204);
    assert.equal(existsSync(join(ts.root, 'to-delete')), false);
    const e = await sdkError(() => s3.send(new HeadBucketCommand({ Bucket: 'to-delete' })));
    assert.equal(e.status, 404);
  });

  it('refuses a bucket that holds objects with BucketNotEmpty (409) and keeps everything', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'not-empty' }));
    await s3.send(new PutObjectCommand({ Bucket: 'not-empty', Key: 'deep/inside/file.txt', Body: 'keep me' }));
    const e = await sdkError(() => s3.send(new DeleteBucketCommand({ Bucket: 'not-empty' })));
    assert.equal(e.name, 'BucketNotEmpty');
    assert.equal(e.status, 409);
    assert.ok(existsSync(join(ts.root, 'not-empty', 'deep', 'inside', 'file.txt')));
  });

  it('refuses a bucket whose only object was written on disk', async () => {
    await mkdir(join(ts.root, 'disk-object'));
    await writeFile(join(ts.root, 'disk-object', 'f'), 'x');
    const e = await sdkError(() => s3.send(new DeleteBucketCommand({ Bucket: 'disk-object' })));
    assert.equal(e.name, 'BucketNotEmpty');
  });

  it('answers NoSuchBucket (404) for a missing bucket', async () => {
    const e = await sdkError(() => s3.send(new DeleteBucketCommand({ Bucket: 'never-was' })));
    assert.equal(e.name, 'NoSuchBucket');
    assert.equal(e.status, 404);
  });
});

describe('GetBucketLocation', () => {
  it('answers an empty LocationConstraint for us-east-1, as S3 does', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'located' }));
    const r = await rawRequest(ts, { method: 'GET', path: '/located', query: [['location', '']] });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /<LocationConstraint[^>]*(\/>|>\s*<\/LocationConstraint>)/);
    const out = await s3.send(new GetBucketLocationCommand({ Bucket: 'located' }));
    assert.ok(out.LocationConstraint === undefined || (out.LocationConstraint as string) === '', String(out.LocationConstraint));
  });

  it('answers NoSuchBucket for a missing bucket', async () => {
    const e = await sdkError(() => s3.send(new GetBucketLocationCommand({ Bucket: 'gone-away' })));
    assert.equal(e.name, 'NoSuchBucket');
  });
});
