/** boto3's transfer manager with a small threshold: upload_fileobj of 30 MiB in 5 MiB parts, download_fileobj, compared. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { TestServer } from '../helpers/server.js';
import { boto3Script, clientSession } from '../helpers/clients.js';
import { requirePythonWithBoto3 } from '../helpers/requires.js';
import { fileDigest, writeRandomFile } from '../helpers/files.js';

const BUCKET = 'boto3-mp';
const SIZE = 30 * 1024 * 1024;

const SCRIPT = String.raw`
import json, os, sys
import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

env = os.environ
s3 = boto3.client('s3', endpoint_url=env['DB_ENDPOINT'], region_name='us-east-1',
    aws_access_key_id=env['DB_KEY'], aws_secret_access_key=env['DB_SECRET'],
    config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}, retries={'mode': 'standard', 'total_max_attempts': 2}))
small = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024, max_concurrency=4)
phase = sys.argv[1]
if phase == 'upload':
    s3.create_bucket(Bucket=env['DB_BUCKET'])
    with open(env['DB_FILE'], 'rb') as f:
        s3.upload_fileobj(f, env['DB_BUCKET'], 'thirty.bin', Config=small)
    head = s3.head_object(Bucket=env['DB_BUCKET'], Key='thirty.bin')
    print(json.dumps({'etag': head['ETag'], 'size': head['ContentLength']}))
elif phase == 'download':
    with open(env['DB_OUT'], 'wb') as f:
        s3.download_fileobj(env['DB_BUCKET'], 'thirty.bin', f, Config=small)
    print(json.dumps({}))
elif phase == 'parts':
    # The low-level calls, as a script would make them, with a retried Complete.
    key = 'low-level.bin'
    up = s3.create_multipart_upload(Bucket=env['DB_BUCKET'], Key=key, ContentType='application/x-boto')
    parts = []
    for n in (1, 2):
        body = bytes([n]) * (5 * 1024 * 1024 if n == 1 else 100)
        r = s3.upload_part(Bucket=env['DB_BUCKET'], Key=key, UploadId=up['UploadId'], PartNumber=n, Body=body)
        parts.append({'PartNumber': n, 'ETag': r['ETag']})
    listed = s3.list_parts(Bucket=env['DB_BUCKET'], Key=key, UploadId=up['UploadId'])
    done = s3.complete_multipart_upload(Bucket=env['DB_BUCKET'], Key=key, UploadId=up['UploadId'], MultipartUpload={'Parts': parts})
    again = s3.complete_multipart_upload(Bucket=env['DB_BUCKET'], Key=key, UploadId=up['UploadId'], MultipartUpload={'Parts': parts})
    part2 = s3.get_object(Bucket=env['DB_BUCKET'], Key=key, PartNumber=2)
    print(json.dumps({'listed': [p['PartNumber'] for p in listed['Parts']], 'etag': done['ETag'], 'again': again['ETag'],
        'partsCount': part2['PartsCount'], 'part2': len(part2['Body'].read()), 'type': s3.head_object(Bucket=env['DB_BUCKET'], Key=key)['ContentType']}))
`;

const PYTHON = await requirePythonWithBoto3();

describe('boto3 multipart', { skip: PYTHON.skip }, () => {
  const session = clientSession('dirbucket-boto3-mp-');
  let server: TestServer;
  let work: string;
  let md5: string;
  let py: (phase: string) => Promise<Record<string, unknown>>;

  before(async () => {
    ({ server, work } = session);
    md5 = await writeRandomFile(join(work, 'thirty.bin'), SIZE);
    const phase = await boto3Script(PYTHON.path!, session, {
      script: SCRIPT, bucket: BUCKET, env: { DB_FILE: join(work, 'thirty.bin'), DB_OUT: join(work, 'back.bin') }, timeoutMs: 180_000,
    });
    py = async (name) => (await phase(name)) as Record<string, unknown>;
  });

  it('upload_fileobj of 30 MiB with a 5 MiB threshold: a 6-part object with the same bytes', async () => {
    const r = await py('upload');
    assert.match(String(r['etag']), /^"[0-9a-f]{32}-6"$/);
    assert.equal(r['size'], SIZE);
    assert.equal(await fileDigest(join(server.root, BUCKET, 'thirty.bin'), 'md5'), md5);
  });

  it('download_fileobj (ranged GETs) gives the same bytes', async () => {
    await py('download');
    assert.equal(await fileDigest(join(work, 'back.bin'), 'md5'), md5);
  });

  it('the low-level calls: list_parts, a retried complete, get_object with PartNumber', async () => {
    const r = await py('parts');
    assert.deepEqual(r['listed'], [1, 2]);
    assert.equal(r['again'], r['etag']);
    assert.equal(r['partsCount'], 2);
    assert.equal(r['part2'], 100);
    assert.equal(r['type'], 'application/x-boto');
  });
});
