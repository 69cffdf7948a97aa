/**
 * End to end: POST Object (browser-based uploads) with node's fetch and FormData: SigV4 and V2 signed forms,
 * `${filename}`, content headers, x-amz-meta-*, tagging, acl, success_action_status and redirect; the errors S3
 * gives (expired policy, failed condition, extra field, too large or small a file, bad signature, missing key);
 * anonymous forms where the bucket policy allows them; and boto3's generate_presigned_post.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectAclCommand, GetObjectTaggingCommand, HeadObjectCommand, PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { formData, signedForm } from '../helpers/post-form.js';
import { cleanEnv, describeRun, findExecutable, run } from '../helpers/tool.js';
import { unmet } from '../helpers/requires.js';

const B = 'post-e2e';
let ts: TestServer;
let s3: S3Client;

before(async () => {
  ({ ts, s3 } = await startWithBuckets([B]));
  // Anonymous uploads act as nobody on the file system: the bucket directory lets them create entries.
  chmodSync(join(ts.root, B), 0o777);
});
after(() => ts?.stop());

const post = (fd: FormData, bucket = B) => fetch(`${ts.endpoint}/${bucket}`, { method: 'POST', body: fd, redirect: 'manual' });
const onDisk = (key: string) => join(ts.root, B, key);
const code = async (r: Response) => /<Code>([^<]*)<\/Code>/.exec(await r.text())?.[1];

describe('POST Object', () => {
  it('a SigV4 form uploads the file with its key (${filename}), type, metadata, tags and ACL; 204 by default', async () => {
    const fields = signedForm(ts, B, { key: 'uploads/${filename}', 'content-type': 'text/plain', 'x-amz-meta-origin': 'form', acl: 'public-read',
      tagging: '<Tagging><TagSet><Tag><Key>via</Key><Value>post</Value></Tag></TagSet></Tagging>' });
    const r = await post(formData(fields, { name: 'hello.txt', body: 'hello from a form' }));
    assert.equal(r.status, 204, await r.text());
    assert.match(r.headers.get('etag') ?? '', /^"[0-9a-f]{32}"$/);
    assert.equal(await readFile(onDisk('uploads/hello.txt'), 'utf8'), 'hello from a form');
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'uploads/hello.txt' }));
    assert.equal(head.ContentType, 'text/plain');
    assert.deepEqual(head.Metadata, { origin: 'form' });
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: B, Key: 'uploads/hello.txt' }))).TagSet, [{ Key: 'via', Value: 'post' }]);
    const acl = await s3.send(new GetObjectAclCommand({ Bucket: B, Key: 'uploads/hello.txt' }));
    assert.ok(acl.Grants?.some((g) => g.Grantee?.URI?.endsWith('/AllUsers') && g.Permission === 'READ'));
  });

  it('success_action_status 201 answers a PostResponse document; 200 an empty answer; a redirect is a 303 with bucket, key and etag', async () => {
    const r201 = await post(formData(signedForm(ts, B, { key: 'status/201.bin', success_action_status: '201' }), { name: 'x', body: 'one' }));
    assert.equal(r201.status, 201);
    const xml = await r201.text();
    assert.match(xml, /<PostResponse[^>]*><Location>http:\/\/127.0.0.1:\d+\/post-e2e\/status\/201.bin<\/Location><Bucket>post-e2e<\/Bucket><Key>status\/201.bin<\/Key><ETag>&quot;[0-9a-f]{32}&quot;<\/ETag><\/PostResponse>/);
    const r200 = await post(formData(signedForm(ts, B, { key: 'status/200.bin', success_action_status: '200' }), { name: 'x', body: 'two' }));
    assert.equal(r200.status, 200);
    const r303 = await post(formData(signedForm(ts, B, { key: 'status/r.bin', success_action_redirect: 'http://example.test/done?x=1' }), { name: 'x', body: 'three' }));
    assert.equal(r303.status, 303);
    const to = new URL(r303.headers.get('location')!);
    assert.deepEqual([to.host, to.searchParams.get('x'), to.searchParams.get('bucket'), to.searchParams.get('key')], ['example.test', '1', B, 'status/r.bin']);
    assert.match(to.searchParams.get('etag')!, /^"[0-9a-f]{32}"$/);
  });

  it('a V2 form (AWSAccessKeyId, signature) uploads too', async () => {
    const r = await post(formData(signedForm(ts, B, { key: 'v2/form.txt' }, { version: 2 }), { name: 'form.txt', body: 'v2 form' }));
    assert.equal(r.status, 204, await r.text());
    assert.equal(await readFile(onDisk('v2/form.txt'), 'utf8'), 'v2 form');
  });

  it('content-length-range: too large is EntityTooLarge, too small EntityTooSmall, and nothing is written', async () => {
    const range = ['content-length-range', 5, 10];
    const large = await post(formData(signedForm(ts, B, { key: 'range/large' }, { conditions: [range] }), { name: 'x', body: 'x'.repeat(11) }));
    assert.equal(large.status, 400);
    assert.equal(await code(large), 'EntityTooLarge');
    const small = await post(formData(signedForm(ts, B, { key: 'range/small' }, { conditions: [range] }), { name: 'x', body: 'x'.repeat(4) }));
    assert.equal(await code(small), 'EntityTooSmall');
    assert.equal(existsSync(onDisk('range/large')) || existsSync(onDisk('range/small')), false);
    const ok = await post(formData(signedForm(ts, B, { key: 'range/ok' }, { conditions: [range] }), { name: 'x', body: 'x'.repeat(7) }));
    assert.equal(ok.status, 204);
  });

  it('Content-MD5 and x-amz-checksum-* fields are checked against the file: BadDigest writes nothing; a match stores the checksum', async () => {
    const body = 'checked by the form';
    const md5 = createHash('md5').update(body).digest('base64');
    const sha256 = createHash('sha256').update(body).digest('base64');
    const good = await post(formData(signedForm(ts, B, { key: 'digest/ok', 'Content-MD5': md5, 'x-amz-checksum-sha256': sha256 }), { name: 'x', body }));
    assert.equal(good.status, 204, await good.text());
    assert.equal(good.headers.get('x-amz-checksum-sha256'), sha256);
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'digest/ok', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumSHA256, sha256);
    const wrongMd5 = await post(formData(signedForm(ts, B, { key: 'digest/bad-md5', 'Content-MD5': md5 }), { name: 'x', body: `${body}!` }));
    assert.equal(wrongMd5.status, 400);
    assert.equal(await code(wrongMd5), 'BadDigest');
    const wrongSum = await post(formData(signedForm(ts, B, { key: 'digest/bad-sum', 'x-amz-checksum-sha256': sha256 }), { name: 'x', body: `${body}?` }));
    assert.equal(wrongSum.status, 400);
    assert.equal(await code(wrongSum), 'BadDigest');
    const malformed = await post(formData(signedForm(ts, B, { key: 'digest/malformed', 'Content-MD5': 'not base64!' }), { name: 'x', body }));
    assert.equal(await code(malformed), 'InvalidDigest');
    for (const k of ['digest/bad-md5', 'digest/bad-sum', 'digest/malformed']) assert.equal(existsSync(onDisk(k)), false, k);
  });

  it('refuses an expired policy, a failed condition, an uncovered field, a bad signature, a missing key', async () => {
    const expired = await post(formData(signedForm(ts, B, { key: 'e/1' }, { expiresIn: -60 }), { name: 'x', body: 'x' }));
    assert.equal(expired.status, 403);
    assert.match(await expired.text(), /Policy expired/);
    const fields = signedForm(ts, B, { key: 'e/2' });
    const failed = await post(formData({ ...fields, key: 'elsewhere/2' }, { name: 'x', body: 'x' }));
    assert.equal(failed.status, 403);
    assert.match(await failed.text(), /Policy Condition failed/);
    const extra = await post(formData({ ...signedForm(ts, B, { key: 'e/3' }), 'x-amz-meta-sneaky': 'y' }, { name: 'x', body: 'x' }));
    assert.match(await extra.text(), /Extra input fields: x-amz-meta-sneaky/);
    const bad = await post(formData({ ...signedForm(ts, B, { key: 'e/4' }), 'x-amz-signature': '0'.repeat(64) }, { name: 'x', body: 'x' }));
    assert.equal(await code(bad), 'SignatureDoesNotMatch');
    const noKey = await post(formData(signedForm(ts, B, {}), { name: 'x', body: 'x' }));
    assert.equal(await code(noKey), 'InvalidArgument');
    const notMultipart = await fetch(`${ts.endpoint}/${B}`, { method: 'POST', body: 'key=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(await code(notMultipart), 'PreconditionFailed');
    for (const k of ['e/1', 'e/2', 'elsewhere/2', 'e/3', 'e/4']) assert.equal(existsSync(onDisk(k)), false, k);
  });

  it('an unsigned form is anonymous: refused, until the bucket policy allows s3:PutObject to everyone under a prefix', async () => {
    const anon = (key: string) => post(formData({ key }, { name: 'x', body: 'anonymous upload' }));
    assert.equal(await code(await anon('drop/a.txt')), 'AccessDenied');
    await s3.send(new PutBucketPolicyCommand({ Bucket: B, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [
      { Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/drop/*` }] }) }));
    const ok = await anon('drop/a.txt');
    assert.equal(ok.status, 204, await ok.text());
    assert.equal(await readFile(onDisk('drop/a.txt'), 'utf8'), 'anonymous upload');
    assert.equal(await code(await anon('elsewhere.txt')), 'AccessDenied', 'outside the prefix');
  });
});

const PYTHON = findExecutable('python3', ['/usr/bin/python3']);
const BOTO3 = String.raw`
import json, os, urllib.request, uuid
import boto3
from botocore.config import Config
env = os.environ
s3 = boto3.client('s3', endpoint_url=env['DB_ENDPOINT'], region_name='us-east-1', aws_access_key_id=env['DB_KEY'],
                  aws_secret_access_key=env['DB_SECRET'], config=Config(signature_version=env['DB_SIG'], s3={'addressing_style': 'path'}))
p = s3.generate_presigned_post(env['DB_BUCKET'], 'boto/' + env['DB_SIG'] + '/$' '{filename}', Fields={'success_action_status': '201'},
                               Conditions=[{'success_action_status': '201'}, ['content-length-range', 1, 1000]], ExpiresIn=300)
boundary = uuid.uuid4().hex
parts = [('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary, k, v)).encode() for k, v in p['fields'].items()]
parts.append(('--%s\r\nContent-Disposition: form-data; name="file"; filename="post.txt"\r\nContent-Type: text/plain\r\n\r\n' % boundary).encode() + b'posted by boto3\r\n')
body = b''.join(parts) + ('--%s--\r\n' % boundary).encode()
req = urllib.request.Request(p['url'], data=body, method='POST', headers={'Content-Type': 'multipart/form-data; boundary=' + boundary})
with urllib.request.urlopen(req) as r:
    print(json.dumps({'status': r.status, 'body': r.read().decode()}))
`;

describe('POST Object with boto3 generate_presigned_post', { skip: (PYTHON ? false : unmet('python3 is not installed (.ci/run installs it)')) }, () => {
  for (const sig of ['s3v4', 's3']) {
    it(`signature_version=${sig}`, async () => {
      const r = await run(PYTHON!, ['-c', BOTO3], {
        env: cleanEnv({ DB_ENDPOINT: ts.endpoint, DB_KEY: ts.accessKeyId, DB_SECRET: ts.secretAccessKey, DB_BUCKET: B, DB_SIG: sig, HOME: ts.root }),
        timeoutMs: 60_000,
      });
      assert.equal(r.code, 0, describeRun('boto3 generate_presigned_post', r));
      const out = JSON.parse(r.stdout.trim()) as { status: number; body: string };
      assert.equal(out.status, 201);
      assert.match(out.body, new RegExp(`<Key>boto/${sig}/post.txt</Key>`));
      assert.equal(await readFile(onDisk(`boto/${sig}/post.txt`), 'utf8'), 'posted by boto3\r\n'.slice(0, -2));
    });
  }
});
