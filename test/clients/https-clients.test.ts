/**
 * Real clients over HTTPS against a certificate from a CA made by openssl, each told to trust that CA its own way:
 * aws cli (--ca-bundle), rclone (--ca-cert) and boto3 (verify=). Each also refuses the server without it, so the
 * trust given is what made the difference.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { awsCli, boto3Script, rclone as rcloneFor, type ClientSession } from '../helpers/clients.js';
import { makeTempDir, removeDir } from '../helpers/files.js';
import { requirePythonWithBoto3, requireTool } from '../helpers/requires.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { describeRun } from '../helpers/tool.js';
import { TestCa } from '../e2e/openssl-ca.js';

const OPENSSL = requireTool('openssl');
const AWS = requireTool('aws');
const RCLONE = requireTool('rclone');
const PYTHON = await requirePythonWithBoto3();

const SCRIPT = String.raw`
import json, os, sys
import boto3
from botocore.config import Config
env = os.environ
verify = env['DB_CA'] if sys.argv[1] == 'trusting' else True
s3 = boto3.client('s3', endpoint_url=env['DB_ENDPOINT'], region_name='us-east-1', verify=verify,
                  aws_access_key_id=env['DB_KEY'], aws_secret_access_key=env['DB_SECRET'],
                  config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}, retries={'total_max_attempts': 1}))
bucket = env['DB_BUCKET']
if sys.argv[1] == 'trusting':
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key='hello.txt', Body=b'hello over tls')
    body = s3.get_object(Bucket=bucket, Key='hello.txt')['Body'].read().decode()
    print(json.dumps({'body': body}))
else:
    try:
        s3.list_buckets()
        print(json.dumps({'error': None}))
    except Exception as e:
        print(json.dumps({'error': type(e).__name__ + ': ' + str(e)}))
`;

describe('real clients over HTTPS, trusting a CA made by openssl', { skip: OPENSSL.skip }, () => {
  let ca: TestCa;
  let server: TestServer | undefined;
  let work: string | undefined;
  const session: ClientSession = {
    get server() {
      assert.ok(server, 'started in before()');
      return server;
    },
    get work() {
      assert.ok(work, 'made in before()');
      return work;
    },
  };
  before(async () => {
    ca = new TestCa();
    const pair = ca.issue(['localhost']);
    work = await makeTempDir('dirbucket-https-clients-');
    server = await startServer({ args: ['--tls-cert', pair.cert, '--tls-key', pair.key] });
    assert.match(server.endpoint, /^https:\/\/127\.0\.0\.1:/);
  });
  after(async () => {
    await server?.stop();
    if (work) await removeDir(work);
    ca?.dispose();
  });

  it('aws cli with --ca-bundle', { skip: AWS.skip }, async () => {
    const trusting = await awsCli(AWS.path!, session, { args: ['--ca-bundle', ca.file], timeoutMs: 60_000 });
    const local = join(session.work, 'aws.txt');
    await writeFile(local, 'aws over tls');
    for (const args of [['s3', 'mb', 's3://aws-tls'], ['s3', 'cp', local, 's3://aws-tls/a.txt'], ['s3', 'cp', 's3://aws-tls/a.txt', join(session.work, 'aws-down.txt')]]) {
      const r = await trusting(args);
      assert.equal(r.code, 0, describeRun(`aws ${args.join(' ')}`, r));
    }
    assert.equal(await readFile(join(session.work, 'aws-down.txt'), 'utf8'), 'aws over tls');
    const untrusting = await awsCli(AWS.path!, session, { timeoutMs: 60_000 });
    const r = await untrusting(['s3', 'ls']);
    assert.notEqual(r.code, 0, describeRun('aws s3 ls without --ca-bundle', r));
    assert.match(r.stderr, /SSL|certificate verify failed/i, describeRun('aws s3 ls without --ca-bundle', r));
  });

  it('rclone with --ca-cert', { skip: RCLONE.skip }, async () => {
    const flags = ['--retries', '1', '--low-level-retries', '1'];
    const trusting = rcloneFor(RCLONE.path!, session, { flags: [...flags, '--ca-cert', ca.file], timeoutMs: 60_000 });
    const local = join(session.work, 'rclone.txt');
    await writeFile(local, 'rclone over tls');
    for (const args of [['mkdir', 'db:rclone-tls'], ['copyto', local, 'db:rclone-tls/r.txt']]) {
      const r = await trusting(args);
      assert.equal(r.code, 0, describeRun(`rclone ${args.join(' ')}`, r));
    }
    const cat = await trusting(['cat', 'db:rclone-tls/r.txt']);
    assert.equal(cat.code, 0, describeRun('rclone cat', cat));
    assert.equal(cat.stdout, 'rclone over tls');
    const r = await rcloneFor(RCLONE.path!, session, { flags, timeoutMs: 60_000 })(['lsd', 'db:']);
    assert.notEqual(r.code, 0, describeRun('rclone lsd without --ca-cert', r));
    assert.match(r.stderr, /x509|certificate/i, describeRun('rclone lsd without --ca-cert', r));
  });

  it('boto3 with verify= the CA file', { skip: PYTHON.skip }, async () => {
    const phase = await boto3Script(PYTHON.path!, session, { script: SCRIPT, bucket: 'boto3-tls', env: { DB_CA: ca.file }, timeoutMs: 60_000 });
    assert.deepEqual(await phase('trusting'), { body: 'hello over tls' });
    const refused = (await phase('untrusting')) as { error: string | null };
    assert.match(refused.error ?? 'no error', /SSLError|certificate verify failed/);
  });
});
