/**
 * Signature V2 with real clients: Debian's boto3 with `signature_version='s3'` (put, get, list, delete), the URL
 * its `generate_presigned_url` makes by default (V2 in boto3 1.26 — the URL a new user gets), and s3cmd with
 * `signature_v2 = True` (mb, put, ls, get, del).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, type TestServer } from '../helpers/server.js';
import { cleanEnv, describeRun, findExecutable, run } from '../helpers/tool.js';
import { unmet } from '../helpers/requires.js';
import { makeTempDir, removeDir } from '../helpers/files.js';

const PYTHON = findExecutable('python3', ['/usr/bin/python3']);
const S3CMD = findExecutable('s3cmd', ['/usr/bin/s3cmd']);
const BUCKET = 'sigv2-clients';

const BOTO3 = String.raw`
import json, os, urllib.request
import boto3
from botocore.config import Config
env = os.environ
args = dict(endpoint_url=env['DB_ENDPOINT'], region_name='us-east-1',
            aws_access_key_id=env['DB_KEY'], aws_secret_access_key=env['DB_SECRET'])
v2 = boto3.client('s3', config=Config(signature_version='s3', s3={'addressing_style': 'path'}), **args)
default = boto3.client('s3', config=Config(s3={'addressing_style': 'path'}), **args)
b = env['DB_BUCKET']
v2.create_bucket(Bucket=b)
v2.put_object(Bucket=b, Key='dir/boto v2.txt', Body=b'boto3 signed this with V2', ContentType='text/plain', Metadata={'k': 'v'})
got = v2.get_object(Bucket=b, Key='dir/boto v2.txt')
keys = [o['Key'] for o in v2.list_objects_v2(Bucket=b, Prefix='dir/')['Contents']]
url = default.generate_presigned_url('get_object', Params={'Bucket': b, 'Key': 'dir/boto v2.txt'}, ExpiresIn=300)
with urllib.request.urlopen(url) as r:
    presigned = r.read().decode()
put_url = default.generate_presigned_url('put_object', Params={'Bucket': b, 'Key': 'presigned-put.txt'}, ExpiresIn=300)
# urllib would add a form Content-Type, which V2 signs: send the empty one that was signed.
req = urllib.request.Request(put_url, data=b'put through a V2 URL', method='PUT', headers={'Content-Type': ''})
with urllib.request.urlopen(req) as r:
    put_status = r.status
v2.delete_object(Bucket=b, Key='dir/boto v2.txt')
print(json.dumps({'body': got['Body'].read().decode(), 'meta': got['Metadata'], 'keys': keys,
                  'v2_url': 'AWSAccessKeyId=' in url, 'presigned': presigned, 'put_status': put_status}))
`;

describe('signature V2 with boto3 and s3cmd', { skip: (PYTHON ? false : unmet('python3 is not installed (.ci/run installs it)')) || (S3CMD ? false : unmet('s3cmd is not installed (.ci/run installs it)')) }, () => {
  let server: TestServer;
  let work: string;

  before(async () => {
    work = await makeTempDir('dirbucket-sigv2-clients-');
    server = await startServer();
  });

  after(async () => {
    await server?.stop();
    if (work) await removeDir(work);
  });

  it('boto3 signature_version=s3, and generate_presigned_url\'s default (V2) URLs for GET and PUT', async () => {
    const r = await run(PYTHON!, ['-c', BOTO3], {
      env: cleanEnv({ DB_ENDPOINT: server.endpoint, DB_KEY: server.accessKeyId, DB_SECRET: server.secretAccessKey, DB_BUCKET: BUCKET, HOME: work }),
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 0, describeRun('boto3 V2 script', r));
    assert.deepEqual(JSON.parse(r.stdout.trim()), {
      body: 'boto3 signed this with V2', meta: { k: 'v' }, keys: ['dir/boto v2.txt'], v2_url: true, presigned: 'boto3 signed this with V2', put_status: 200,
    });
    assert.equal(await readFile(join(server.root, BUCKET, 'presigned-put.txt'), 'utf8'), 'put through a V2 URL');
  });

  it('s3cmd with signature_v2 = True: mb, put, ls, get, del', async () => {
    const config = join(work, 's3cfg');
    const hostPort = `127.0.0.1:${server.port}`;
    await writeFile(config, ['[default]', `access_key = ${server.accessKeyId}`, `secret_key = ${server.secretAccessKey}`, `host_base = ${hostPort}`,
      `host_bucket = ${hostPort}`, 'bucket_location = us-east-1', 'use_https = False', 'signature_v2 = True', 'progress_meter = False', ''].join('\n'));
    const s3cmd = (args: string[]) => run(S3CMD!, ['--config', config, '--no-progress', ...args], { env: cleanEnv({ HOME: work }), cwd: work, timeoutMs: 60_000 });
    const src = join(work, 'up.txt');
    await writeFile(src, 'uploaded by s3cmd with V2\n');
    for (const args of [['mb', 's3://s3cmd-v2'], ['put', src, 's3://s3cmd-v2/a/up.txt'], ['get', 's3://s3cmd-v2/a/up.txt', join(work, 'down.txt')]]) {
      const r = await s3cmd(args);
      assert.equal(r.code, 0, describeRun(`s3cmd ${args.join(' ')}`, r));
    }
    assert.equal(await readFile(join(work, 'down.txt'), 'utf8'), 'uploaded by s3cmd with V2\n');
    const ls = await s3cmd(['ls', '-r', 's3://s3cmd-v2']);
    assert.match(ls.stdout, /s3:\/\/s3cmd-v2\/a\/up.txt/, describeRun('s3cmd ls', ls));
    const del = await s3cmd(['del', 's3://s3cmd-v2/a/up.txt']);
    assert.equal(del.code, 0, describeRun('s3cmd del', del));
  });
});
