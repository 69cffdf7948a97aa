/**
 * Bucket policies with real clients: the AWS CLI (`s3api put-bucket-policy`, `get-bucket-policy`,
 * `get-bucket-policy-status`, `put-public-access-block`) and Debian's boto3, whose unsigned client then reads
 * what the policy opened to everyone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, type TestServer } from '../helpers/server.js';
import { cleanEnv, describeRun, findExecutable, run, type RunResult } from '../helpers/tool.js';
import { unmet } from '../helpers/requires.js';
import { makeTempDir, removeDir } from '../helpers/files.js';

// Why /usr/bin/aws first: PATH may lead to pyenv's aws v1; CI installs Debian's awscli there.
const AWS = findExecutable('aws', ['/usr/bin/aws']);
const PYTHON = findExecutable('python3', ['/usr/bin/python3']);
const BUCKET = 'policy-clients';

const BOTO3 = String.raw`
import json, os, sys
import boto3
from botocore import UNSIGNED
from botocore.config import Config
env = os.environ
common = dict(endpoint_url=env['DB_ENDPOINT'], region_name='us-east-1')
s3 = boto3.client('s3', aws_access_key_id=env['DB_KEY'], aws_secret_access_key=env['DB_SECRET'],
                  config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}), **common)
anon = boto3.client('s3', config=Config(signature_version=UNSIGNED, s3={'addressing_style': 'path'}), **common)
b = env['DB_BUCKET']
s3.put_object(Bucket=b, Key='open/boto.txt', Body=b'from boto3')
s3.put_bucket_policy(Bucket=b, Policy=json.dumps({'Version': '2012-10-17', 'Statement': [
    {'Effect': 'Allow', 'Principal': '*', 'Action': 's3:GetObject', 'Resource': 'arn:aws:s3:::%s/open/*' % b}]}))
out = {'status': s3.get_bucket_policy_status(Bucket=b)['PolicyStatus']['IsPublic'],
       'anon': anon.get_object(Bucket=b, Key='open/boto.txt')['Body'].read().decode()}
try:
    anon.put_object(Bucket=b, Key='open/no.txt', Body=b'x')
    out['anon_put'] = 'allowed'
except Exception as e:
    out['anon_put'] = e.response['Error']['Code']
s3.delete_bucket_policy(Bucket=b)
print(json.dumps(out))
`;

describe('bucket policies with the aws cli and boto3', { skip: (AWS ? false : unmet('aws cli is not installed (.ci/run installs it)')) || (PYTHON ? false : unmet('python3 is not installed (.ci/run installs it)')) }, () => {
  let server: TestServer;
  let work: string;
  let aws: (args: string[]) => Promise<RunResult>;

  before(async () => {
    work = await makeTempDir('dirbucket-policy-clients-');
    server = await startServer();
    const config = join(work, 'aws-config');
    await writeFile(config, '[default]\nregion = us-east-1\nmax_attempts = 2\ns3 =\n  addressing_style = path\n');
    const env = cleanEnv({
      AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'), AWS_EC2_METADATA_DISABLED: 'true', AWS_PAGER: '', HOME: work,
    });
    aws = (args) => run(AWS!, ['--endpoint-url', server.endpoint, ...args], { env, cwd: work, timeoutMs: 60_000 });
    const mb = await aws(['s3', 'mb', `s3://${BUCKET}`]);
    assert.equal(mb.code, 0, describeRun('aws s3 mb', mb));
    await chmod(join(server.root, BUCKET), 0o755);
  });

  after(async () => {
    await server?.stop();
    if (work) await removeDir(work);
  });

  it('aws s3api put-bucket-policy / get-bucket-policy / get-bucket-policy-status / delete-bucket-policy', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'pub', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }] });
    const putR = await aws(['s3api', 'put-bucket-policy', '--bucket', BUCKET, '--policy', policy]);
    assert.equal(putR.code, 0, describeRun('put-bucket-policy', putR));
    const getR = await aws(['s3api', 'get-bucket-policy', '--bucket', BUCKET, '--output', 'json']);
    assert.equal(getR.code, 0, describeRun('get-bucket-policy', getR));
    assert.equal(JSON.parse(getR.stdout).Policy, policy);
    const status = await aws(['s3api', 'get-bucket-policy-status', '--bucket', BUCKET, '--output', 'json']);
    assert.equal(JSON.parse(status.stdout).PolicyStatus.IsPublic, true, describeRun('get-bucket-policy-status', status));
    const bad = await aws(['s3api', 'put-bucket-policy', '--bucket', BUCKET, '--policy', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /MalformedPolicy/);
    const del = await aws(['s3api', 'delete-bucket-policy', '--bucket', BUCKET]);
    assert.equal(del.code, 0, describeRun('delete-bucket-policy', del));
    const none = await aws(['s3api', 'get-bucket-policy', '--bucket', BUCKET]);
    assert.match(none.stderr, /NoSuchBucketPolicy/);
  });

  it('aws s3api put-public-access-block blocks a public policy', async () => {
    const pab = await aws(['s3api', 'put-public-access-block', '--bucket', BUCKET, '--public-access-block-configuration', 'BlockPublicPolicy=true']);
    assert.equal(pab.code, 0, describeRun('put-public-access-block', pab));
    const got = await aws(['s3api', 'get-public-access-block', '--bucket', BUCKET, '--output', 'json']);
    assert.equal(JSON.parse(got.stdout).PublicAccessBlockConfiguration.BlockPublicPolicy, true);
    const refused = await aws(['s3api', 'put-bucket-policy', '--bucket', BUCKET, '--policy',
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }] })]);
    assert.match(refused.stderr, /AccessDenied/);
    const del = await aws(['s3api', 'delete-public-access-block', '--bucket', BUCKET]);
    assert.equal(del.code, 0, describeRun('delete-public-access-block', del));
  });

  it('boto3: put_bucket_policy, get_bucket_policy_status, and an unsigned client reads what the policy opened', async () => {
    const r = await run(PYTHON!, ['-c', BOTO3], {
      env: cleanEnv({ DB_ENDPOINT: server.endpoint, DB_KEY: server.accessKeyId, DB_SECRET: server.secretAccessKey, DB_BUCKET: BUCKET, HOME: work }),
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 0, describeRun('boto3 policy script', r));
    assert.deepEqual(JSON.parse(r.stdout.trim()), { status: true, anon: 'from boto3', anon_put: 'AccessDenied' });
  });
});
