/**
 * boto3 (Debian's, run with /usr/bin/python3) against a real dirbucket: upload_file/download_file of a small, an
 * empty and a 40 MiB file, recursive listing and deletion, and the list_objects_v2 paginator over 1,200 keys.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestServer } from '../helpers/server.js';
import { boto3Script, clientSession } from '../helpers/clients.js';
import { requirePythonWithBoto3 } from '../helpers/requires.js';
import { fileDigest, isInternal, listFiles } from '../helpers/files.js';
import { makeFixtures, type Fixture } from '../helpers/fixtures.js';

const BUCKET = 'boto3-bucket';
const PAGE_BUCKET = 'boto3-pages';

/** The python script, one phase per run: `python3 script.py PHASE`; prints one JSON line. */
const SCRIPT = String.raw`
import json, os, sys
from concurrent.futures import ThreadPoolExecutor
import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

env = os.environ
s3 = boto3.client(
    's3', endpoint_url=env['DB_ENDPOINT'], region_name='us-east-1',
    aws_access_key_id=env['DB_KEY'], aws_secret_access_key=env['DB_SECRET'],
    config=Config(signature_version='s3v4', s3={'addressing_style': 'path'},
                  retries={'mode': 'standard', 'total_max_attempts': 2}, max_pool_connections=16))
bucket = env['DB_BUCKET']
names = ['small.txt', 'empty.bin', 'big.bin']
# 64 MiB threshold: the 40 MiB file goes up in one PutObject.
transfer = TransferConfig(multipart_threshold=64 * 1024 * 1024, multipart_chunksize=64 * 1024 * 1024)
# 1,000 keys under ten prefixes and 200 at the top: 1,200 keys.
many = ['d%d/k%04d' % (i % 10, i) for i in range(1000)] + ['top-%04d' % i for i in range(200)]

def pages(**kwargs):
    out = []
    for page in s3.get_paginator('list_objects_v2').paginate(Bucket=bucket, **kwargs):
        out.append({'keys': [o['Key'] for o in page.get('Contents', [])],
                    'prefixes': [p['Prefix'] for p in page.get('CommonPrefixes', [])],
                    'truncated': page['IsTruncated'], 'keyCount': page.get('KeyCount')})
    return out

phase = sys.argv[1]
if phase == 'create':
    s3.create_bucket(Bucket=bucket)
    result = {'buckets': [b['Name'] for b in s3.list_buckets()['Buckets']]}
elif phase == 'upload':
    result = {}
    for name in names:
        s3.upload_file(os.path.join(env['DB_UP'], name), bucket, 'files/' + name, Config=transfer)
        head = s3.head_object(Bucket=bucket, Key='files/' + name)
        result[name] = {'etag': head['ETag'], 'size': head['ContentLength']}
elif phase == 'download':
    for name in names:
        s3.download_file(bucket, 'files/' + name, os.path.join(env['DB_DOWN'], name), Config=transfer)
    result = {}
elif phase == 'list':
    result = [[o['Key'], o['Size'], o['ETag']] for p in s3.get_paginator('list_objects_v2').paginate(Bucket=bucket) for o in p.get('Contents', [])]
elif phase == 'delete-all':
    deleted = boto3.resource('s3', endpoint_url=env['DB_ENDPOINT'], region_name='us-east-1',
        aws_access_key_id=env['DB_KEY'], aws_secret_access_key=env['DB_SECRET'],
        config=Config(signature_version='s3v4', s3={'addressing_style': 'path'})).Bucket(bucket).objects.all().delete()
    errors = [e for batch in deleted for e in batch.get('Errors', [])]
    left = s3.list_objects_v2(Bucket=bucket)
    result = {'errors': errors, 'left': left.get('KeyCount', 0)}
elif phase == 'delete-bucket':
    s3.delete_bucket(Bucket=bucket)
    result = {'buckets': [b['Name'] for b in s3.list_buckets()['Buckets']]}
elif phase == 'put-many':
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=k.encode()), many))
    result = {'count': len(many)}
elif phase == 'paginate':
    result = {
        'flat': pages(PaginationConfig={'PageSize': 250}),
        'flatDefault': pages(),
        'delimited': pages(Delimiter='/', PaginationConfig={'PageSize': 50}),
        'prefixed': pages(Prefix='d3/', Delimiter='/'),
        'startAfter': pages(StartAfter='d5/', PaginationConfig={'PageSize': 300}),
        'expected': sorted(many),
    }
else:
    raise SystemExit('unknown phase ' + phase)
print(json.dumps(result))
`;

interface Page {
  keys: string[];
  prefixes: string[];
  truncated: boolean;
  keyCount: number | null;
}

const PYTHON = await requirePythonWithBoto3();

describe('boto3', { skip: PYTHON.skip }, () => {
  const session = clientSession('dirbucket-boto3-');
  let server: TestServer;
  let work: string;
  let fixtures: Fixture[];
  let py: (phase: string, bucket?: string) => Promise<unknown>;

  before(async () => {
    ({ server, work } = session);
    await mkdir(join(work, 'up'));
    await mkdir(join(work, 'down'));
    fixtures = await makeFixtures(join(work, 'up'));
    py = await boto3Script(PYTHON.path!, session, {
      script: SCRIPT, bucket: BUCKET, env: { DB_UP: join(work, 'up'), DB_DOWN: join(work, 'down') }, timeoutMs: 180_000,
    });
  });

  it('creates a bucket', async () => {
    const r = (await py('create')) as { buckets: string[] };
    assert.ok(r.buckets.includes(BUCKET), `ListBuckets: ${r.buckets.join(', ')}`);
    assert.ok(existsSync(join(server.root, BUCKET)), 'bucket directory missing under the root');
  });

  it('uploads a small, an empty and a 40 MiB file, each in one PutObject', async () => {
    const r = (await py('upload')) as Record<string, { etag: string; size: number }>;
    for (const f of fixtures) {
      assert.deepEqual(r[f.name], { etag: `"${f.md5}"`, size: f.size }, f.name);
      assert.equal(await fileDigest(join(server.root, BUCKET, 'files', f.name), 'md5'), f.md5, `${f.name}: bytes on disk differ`);
    }
  });

  it('downloads them with the same bytes', async () => {
    await py('download');
    for (const f of fixtures) assert.equal(await fileDigest(join(work, 'down', f.name), 'md5'), f.md5, `${f.name}: downloaded bytes differ`);
  });

  it('lists recursively with sizes and ETags', async () => {
    const r = (await py('list')) as [string, number, string][];
    const expected = fixtures.map((f): [string, number, string] => [`files/${f.name}`, f.size, `"${f.md5}"`]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    assert.deepEqual(r, expected);
  });

  it('deletes everything (DeleteObjects), leaving no files, then deletes the bucket', async () => {
    const r = (await py('delete-all')) as { errors: unknown[]; left: number };
    assert.deepEqual(r, { errors: [], left: 0 });
    assert.deepEqual(await listFiles(join(server.root, BUCKET), isInternal), []);
    const b = (await py('delete-bucket')) as { buckets: string[] };
    assert.ok(!b.buckets.includes(BUCKET), `bucket still listed: ${b.buckets.join(', ')}`);
    assert.ok(!existsSync(join(server.root, BUCKET)), 'bucket directory still exists');
  });

  it('pages list_objects_v2 over 1,200 keys, with and without a delimiter', async () => {
    await py('create', PAGE_BUCKET);
    assert.deepEqual(await py('put-many', PAGE_BUCKET), { count: 1200 });
    const r = (await py('paginate', PAGE_BUCKET)) as Record<'flat' | 'flatDefault' | 'delimited' | 'prefixed' | 'startAfter', Page[]> & { expected: string[] };
    const expected = r.expected;
    assert.equal(expected.length, 1200);

    assertPages(r.flat, expected, [], 250, 'flat, PageSize 250');
    assertPages(r.flatDefault, expected, [], 1000, 'flat, default MaxKeys 1000');
    const tops = expected.filter((k) => !k.includes('/'));
    const dirs = Array.from({ length: 10 }, (_, i) => `d${i}/`);
    assertPages(r.delimited, tops, dirs, 50, 'delimiter /, PageSize 50');
    assertPages(r.prefixed, expected.filter((k) => k.startsWith('d3/')), [], 1000, 'prefix d3/, delimiter /');
    assertPages(r.startAfter, expected.filter((k) => k > 'd5/'), [], 300, 'StartAfter d5/');
  });
});

/**
 * Checks a paginated listing: exactly the expected keys and prefixes, each once, in S3 order across pages,
 * pages full (keys + prefixes = page size) except the last, IsTruncated on all but the last.
 */
function assertPages(pages: Page[], keys: string[], prefixes: string[], pageSize: number, what: string): void {
  const total = keys.length + prefixes.length;
  assert.equal(pages.length, Math.max(1, Math.ceil(total / pageSize)), `${what}: page count`);
  let last = '';
  pages.forEach((p, i) => {
    const entries = [...p.keys, ...p.prefixes].sort();
    const isLast = i === pages.length - 1;
    assert.equal(p.truncated, !isLast, `${what}: IsTruncated of page ${i + 1}`);
    if (!isLast) assert.equal(entries.length, pageSize, `${what}: entries on page ${i + 1}`);
    if (p.keyCount !== null) assert.equal(p.keyCount, entries.length, `${what}: KeyCount of page ${i + 1}`);
    assert.deepEqual(p.keys, [...p.keys].sort(), `${what}: keys of page ${i + 1} out of order`);
    assert.ok(entries.length === 0 || entries[0]! > last, `${what}: page ${i + 1} starts at ${entries[0]}, not after ${last}`);
    last = entries[entries.length - 1] ?? last;
  });
  assert.deepEqual(pages.flatMap((p) => p.keys), keys, `${what}: keys`);
  assert.deepEqual(pages.flatMap((p) => p.prefixes).sort(), prefixes, `${what}: common prefixes`);
}
