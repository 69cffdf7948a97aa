/**
 * curl against a real dirbucket: its own SigV4 signing (`--aws-sigv4`) for PUT and GET, and anonymous requests
 * that a bucket policy opens to everyone under a prefix (and nothing else), as a user of a public bucket would.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { requireTool } from '../helpers/requires.js';
import { cleanEnv, describeRun, run } from '../helpers/tool.js';
import { makeTempDir, removeDir } from '../helpers/files.js';

const CURL = requireTool('curl');
const BUCKET = 'curl-bucket';

describe('curl', { skip: CURL.skip }, () => {
  let ts: TestServer;
  let work: string;
  /** curl with the given arguments: exit code, and `%{http_code}` last on standard output. */
  const curl = (args: string[]) => run(CURL.path!, ['-sS', '--max-time', '30', '-w', '\n%{http_code}', ...args], { env: cleanEnv({ HOME: work }), cwd: work, timeoutMs: 40_000 });
  const statusOf = (stdout: string) => Number(stdout.slice(stdout.lastIndexOf('\n') + 1));
  const bodyOf = (stdout: string) => stdout.slice(0, stdout.lastIndexOf('\n'));

  before(async () => {
    work = await makeTempDir('dirbucket-curl-');
    let s3;
    ({ ts, s3 } = await startWithBuckets([BUCKET]));
    // Anonymous requests act as nobody on the file system: the bucket lets everyone read and search it.
    await chmod(join(ts.root, BUCKET), 0o755);
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [
      { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/public/*` },
    ] }) }));
  });

  after(async () => {
    await ts?.stop();
    if (work) await removeDir(work);
  });

  // S3 (and so dirbucket) requires x-amz-content-sha256 on SigV4 requests; curl signs it when it is given, as S3's
  // own examples for curl do.
  const signed = (secret = ts.secretAccessKey) => ['--aws-sigv4', `aws:amz:${ts.region}:s3`, '--user', `${ts.accessKeyId}:${secret}`,
    '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD'];

  it('uploads and downloads with its own SigV4 signature (--aws-sigv4)', async () => {
    await writeFile(join(work, 'up.txt'), 'sent by curl\n');
    const put = await curl([...signed(), '-T', join(work, 'up.txt'), `${ts.endpoint}/${BUCKET}/public/up.txt`]);
    assert.equal(put.code, 0, describeRun('curl PUT', put));
    assert.equal(statusOf(put.stdout), 200, describeRun('curl PUT', put));
    assert.equal(await readFile(join(ts.root, BUCKET, 'public', 'up.txt'), 'utf8'), 'sent by curl\n');
    const get = await curl([...signed(), `${ts.endpoint}/${BUCKET}/public/up.txt`]);
    assert.equal(statusOf(get.stdout), 200, describeRun('curl GET', get));
    assert.equal(bodyOf(get.stdout), 'sent by curl\n');
  });

  it('a wrong secret is SignatureDoesNotMatch, and nothing is written', async () => {
    const bad = await curl([...signed('not-the-secret'), '-T', join(work, 'up.txt'), `${ts.endpoint}/${BUCKET}/public/bad.txt`]);
    assert.equal(statusOf(bad.stdout), 403);
    assert.match(bodyOf(bad.stdout), /<Code>SignatureDoesNotMatch<\/Code>/);
    await assert.rejects(readFile(join(ts.root, BUCKET, 'public', 'bad.txt')), { code: 'ENOENT' });
  });

  it('anonymous: the policy opens public/ to GET and nothing else', async () => {
    const open = await curl([`${ts.endpoint}/${BUCKET}/public/up.txt`]);
    assert.equal(statusOf(open.stdout), 200, describeRun('anonymous curl GET', open));
    assert.equal(bodyOf(open.stdout), 'sent by curl\n');
    await writeFile(join(ts.root, BUCKET, 'private.txt'), 'not for everyone');
    const closed = await curl([`${ts.endpoint}/${BUCKET}/private.txt`]);
    assert.equal(statusOf(closed.stdout), 403);
    assert.match(bodyOf(closed.stdout), /<Code>AccessDenied<\/Code>/);
    const put = await curl(['-T', join(work, 'up.txt'), `${ts.endpoint}/${BUCKET}/public/anon.txt`]);
    assert.equal(statusOf(put.stdout), 403);
    const list = await curl([`${ts.endpoint}/${BUCKET}`]);
    assert.equal(statusOf(list.stdout), 403);
  });
  it('x-amz-meta-* values with non-ASCII characters come back byte for byte as sent, also after a copy', async () => {
    const value = 'Zoë café ✓ 日本';
    await writeFile(join(work, 'meta.txt'), 'm');
    const put = await curl([...signed(), '-T', join(work, 'meta.txt'), '-H', `x-amz-meta-name: ${value}`, `${ts.endpoint}/${BUCKET}/meta.txt`]);
    assert.equal(statusOf(put.stdout), 200, describeRun('curl PUT', put));
    const copy = await curl([...signed(), '-X', 'PUT', '-H', `x-amz-copy-source: /${BUCKET}/meta.txt`, `${ts.endpoint}/${BUCKET}/meta-copy.txt`]);
    assert.equal(statusOf(copy.stdout), 200, describeRun('curl copy', copy));
    for (const key of ['meta.txt', 'meta-copy.txt']) {
      // -D - writes the raw header block; run() reads standard output as UTF-8, so raw UTF-8 bytes read back as the text.
      const head = await curl([...signed(), '-I', '-D', '-', '-o', '/dev/null', `${ts.endpoint}/${BUCKET}/${key}`]);
      assert.match(head.stdout, new RegExp(`^x-amz-meta-name: ${value}\\r$`, 'mi'), key);
    }
    // The 2 KB limit counts the bytes sent: 1000 two-byte characters are 2000 bytes, within it.
    const wide = await curl([...signed(), '-T', join(work, 'meta.txt'), '-H', `x-amz-meta-wide: ${'é'.repeat(1000)}`, `${ts.endpoint}/${BUCKET}/wide.txt`]);
    assert.equal(statusOf(wide.stdout), 200, describeRun('curl PUT 2000 bytes of metadata', wide));
    const over = await curl([...signed(), '-T', join(work, 'meta.txt'), '-H', `x-amz-meta-wide: ${'é'.repeat(1030)}`, `${ts.endpoint}/${BUCKET}/over.txt`]);
    assert.equal(statusOf(over.stdout), 400, describeRun('curl PUT 2060 bytes of metadata', over));
  });
});
