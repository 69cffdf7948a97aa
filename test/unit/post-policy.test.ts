/**
 * POST Object building blocks: policy decoding and conditions (AWS's documented example policy), the
 * signature of forms that botocore's generate_presigned_post makes at test time (s3v4 and V2), and the
 * streaming multipart reader over a real Readable fed in small chunks.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import type { CredentialStore } from '../../src/accounts/credentials.js';
import { readPostForm } from '../../src/auth/post-policy/post-form.js';
import { checkFileSize, checkPostPolicy, contentLengthRange, parsePostPolicy, resolveKey } from '../../src/auth/post-policy/post-policy.js';
import { verifyPostSignature } from '../../src/auth/post-policy/verify-post-signature.js';
import { S3Error } from '../../src/errors/s3-error.js';
import { requireTool } from '../helpers/requires.js';

const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const store: CredentialStore = { lookup: (id) => (id === AKID ? { accessKeyId: AKID, secretAccessKey: SECRET, user: 'alice' } : undefined) };
const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64');

async function failure(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.ok(e instanceof S3Error, String(e));
    return `${e.code}: ${e.message}`;
  }
  return 'none';
}

// The example of "Creating a POST policy" in AWS's documentation (SigV4 fields), expiry moved to our test time.
const EXAMPLE = {
  expiration: '2015-12-30T12:00:00.000Z',
  conditions: [
    { bucket: 'sigv4examplebucket' },
    ['starts-with', '$key', 'user/user1/'],
    { acl: 'public-read' },
    { success_action_redirect: 'http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html' },
    ['starts-with', '$Content-Type', 'image/'],
    { 'x-amz-meta-uuid': '14365123651274' },
    { 'x-amz-server-side-encryption': 'AES256' },
    ['starts-with', '$x-amz-meta-tag', ''],
    { 'x-amz-credential': 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request' },
    { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' },
    { 'x-amz-date': '20151229T000000Z' },
  ],
};
const EXAMPLE_FIELDS = new Map(Object.entries({
  key: 'user/user1/${filename}', acl: 'public-read', success_action_redirect: 'http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html',
  'content-type': 'image/jpeg', 'x-amz-meta-uuid': '14365123651274', 'x-amz-server-side-encryption': 'AES256', 'x-amz-meta-tag': '',
  'x-amz-credential': 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request', 'x-amz-algorithm': 'AWS4-HMAC-SHA256',
  'x-amz-date': '20151229T000000Z', policy: b64(EXAMPLE), 'x-amz-signature': 'x',
}));
const BEFORE = new Date('2015-12-29T01:00:00Z');

describe('POST policy: decoding and conditions', () => {
  it('AWS\'s example policy accepts its example form', () => {
    const p = parsePostPolicy(b64(EXAMPLE));
    assert.equal(p.conditions.length, 11);
    checkPostPolicy(p, { fields: EXAMPLE_FIELDS, bucket: 'sigv4examplebucket' }, BEFORE);
    assert.equal(resolveKey(EXAMPLE_FIELDS.get('key')!, 'photo.jpg'), 'user/user1/photo.jpg');
  });

  it('refusals: expired, wrong bucket, prefix, exact value, case of values, extra field, missing field', async () => {
    const p = parsePostPolicy(b64(EXAMPLE));
    const check = (changes: Record<string, string | undefined>, bucket = 'sigv4examplebucket', now = BEFORE) => () => {
      const fields = new Map(EXAMPLE_FIELDS);
      for (const [k, v] of Object.entries(changes)) if (v === undefined) fields.delete(k); else fields.set(k, v);
      checkPostPolicy(p, { fields, bucket }, now);
    };
    assert.equal(await failure(check({}, 'sigv4examplebucket', new Date('2015-12-30T12:00:01Z'))), 'AccessDenied: Invalid according to Policy: Policy expired.');
    assert.match(await failure(check({}, 'other')), /AccessDenied: .*Policy Condition failed: \{"bucket":"sigv4examplebucket"\}/);
    assert.match(await failure(check({ key: 'user/user2/x' })), /Condition failed: \["starts-with","\$key","user\/user1\/"\]/);
    assert.match(await failure(check({ acl: 'private' })), /Condition failed: \{"acl":"public-read"\}/);
    assert.match(await failure(check({ acl: 'PUBLIC-READ' })), /Condition failed/);
    assert.match(await failure(check({ 'content-type': 'text/plain' })), /starts-with","\$Content-Type"/);
    assert.match(await failure(check({ 'x-amz-meta-other': '1' })), /Extra input fields: x-amz-meta-other/);
    assert.equal(await failure(check({ 'x-ignore-me': '1', 'x-amz-meta-tag': 'anything' })), 'none');
    assert.match(await failure(check({ 'x-amz-meta-uuid': undefined })), /Condition failed/);
  });

  it('content-length-range: EntityTooSmall and EntityTooLarge', async () => {
    const p = parsePostPolicy(b64({ expiration: '2030-01-01T00:00:00Z', conditions: [['content-length-range', 10, 100]] }));
    const range = contentLengthRange(p);
    assert.deepEqual(range, { min: 10, max: 100 });
    checkFileSize(10, range);
    checkFileSize(100, range);
    assert.match(await failure(() => checkFileSize(9, range)), /^EntityTooSmall/);
    assert.match(await failure(() => checkFileSize(101, range)), /^EntityTooLarge/);
    checkFileSize(1e12, undefined);
  });

  it('malformed policies: InvalidPolicyDocument', async () => {
    const cases: [string, RegExp][] = [
      ['not base64 json', /Invalid JSON/],
      [b64({ conditions: [] }), /missing expiration/],
      [b64({ expiration: 'soon', conditions: [] }), /Invalid 'expiration'/],
      [b64({ expiration: '2030-01-01T00:00:00Z' }), /missing conditions/],
      [b64({ expiration: '2030-01-01T00:00:00Z', conditions: [['between', '$key', 'a']] }), /Unknown condition operator/],
      [b64({ expiration: '2030-01-01T00:00:00Z', conditions: [['eq', 'key', 'a']] }), /must start with '\$'/],
      [b64({ expiration: '2030-01-01T00:00:00Z', conditions: [['content-length-range', 5, 1]] }), /content-length-range/],
    ];
    for (const [policy, re] of cases) {
      const f = await failure(() => parsePostPolicy(policy));
      assert.match(f, /^InvalidPolicyDocument/);
      assert.match(f, re);
    }
  });
});

const BOTOCORE = String.raw`
import json, sys
import botocore.session
from botocore.config import Config
s = botocore.session.get_session()
out = {}
for version in ('s3v4', 's3'):
    c = s.create_client('s3', region_name='us-east-1', aws_access_key_id=sys.argv[1], aws_secret_access_key=sys.argv[2],
                        endpoint_url='http://127.0.0.1:9000', config=Config(signature_version=version, s3={'addressing_style': 'path'}))
    out[version] = c.generate_presigned_post('forms', 'uploads/$' '{filename}', Fields={'acl': 'private', 'success_action_status': '201'},
        Conditions=[{'acl': 'private'}, {'success_action_status': '201'}, ['starts-with', '$key', 'uploads/'], ['content-length-range', 1, 1048576]],
        ExpiresIn=600)
print(json.dumps(out))
`;

const { path: python, skip: noPython } = requireTool('python3');

describe('POST signatures made by botocore generate_presigned_post', { skip: noPython }, () => {
  const forms = (): Record<string, { url: string; fields: Record<string, string> }> =>
    JSON.parse(execFileSync(python!, ['-c', BOTOCORE, AKID, SECRET], { encoding: 'utf8' }));
  const lower = (f: Record<string, string>) => new Map(Object.entries(f).map(([k, v]) => [k.toLowerCase(), v]));

  it('s3v4 and V2 forms verify, and their policies accept their own fields', () => {
    for (const [version, form] of Object.entries(forms())) {
      const fields = lower(form.fields);
      const signer = verifyPostSignature(fields, store, { region: 'us-east-1' });
      assert.equal(signer?.credential.user, 'alice');
      assert.equal(signer?.signatureVersion, version === 's3' ? 'AWS' : 'AWS4-HMAC-SHA256');
      const policy = parsePostPolicy(fields.get('policy')!);
      checkPostPolicy(policy, { fields, bucket: 'forms' });
      assert.deepEqual(contentLengthRange(policy), { min: 1, max: 1048576 });
    }
  });

  it('a changed policy, a wrong signature, an unknown key are refused', async () => {
    for (const form of Object.values(forms())) {
      const fields = lower(form.fields);
      const sigField = fields.has('x-amz-signature') ? 'x-amz-signature' : 'signature';
      const otherPolicy = b64({ expiration: '2099-01-01T00:00:00Z', conditions: [] });
      assert.match(await failure(() => verifyPostSignature(new Map([...fields, ['policy', otherPolicy]]), store, { region: 'us-east-1' })), /^SignatureDoesNotMatch/);
      const sig = fields.get(sigField)!;
      assert.match(await failure(() => verifyPostSignature(new Map([...fields, [sigField, sig.slice(0, -2) + (sig.endsWith('aa') ? 'bb' : 'aa')]]), store, { region: 'us-east-1' })), /^SignatureDoesNotMatch/);
      const none: CredentialStore = { lookup: () => undefined };
      assert.match(await failure(() => verifyPostSignature(fields, none, { region: 'us-east-1' })), /^InvalidAccessKeyId/);
      const noPolicy = new Map(fields);
      noPolicy.delete('policy');
      assert.match(await failure(() => verifyPostSignature(noPolicy, store, { region: 'us-east-1' })), /^InvalidArgument.*'Policy'/);
    }
  });

  it('an anonymous form has no signer', () => {
    assert.equal(verifyPostSignature(new Map([['key', 'k']]), store, { region: 'us-east-1' }), undefined);
  });
});

/** A multipart/form-data body: fields, then optionally a file, then more fields. */
function multipart(boundary: string, parts: { name: string; value: string; filename?: string; type?: string }[]): Buffer {
  const out = parts.map((p) => `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n`
    + (p.type ? `Content-Type: ${p.type}\r\n` : '') + `\r\n${p.value}\r\n`);
  return Buffer.from(out.join('') + `--${boundary}--\r\n`);
}

/** A Readable that yields `buf` in chunks of `size` bytes, asynchronously. */
function chunked(buf: Buffer, size: number): Readable {
  return Readable.from((async function* () {
    for (let i = 0; i < buf.length; i += size) {
      await new Promise((r) => setImmediate(r));
      yield buf.subarray(i, i + size);
    }
  })());
}

describe('readPostForm over a real stream', () => {
  const B = '----dirbucketBoundary7MA4YWxkTrZu0gW';
  const headers = { 'content-type': `multipart/form-data; boundary=${B}` };

  it('fields before the file, the file as a stream, fields after it ignored', async () => {
    const big = 'x'.repeat(200_000);
    const body = multipart(B, [
      { name: 'Key', value: 'uploads/${filename}' }, { name: 'Content-Type', value: 'text/plain' }, { name: 'x-amz-meta-a', value: 'é' },
      { name: 'file', value: big, filename: 'a.txt', type: 'text/plain' }, { name: 'after', value: 'ignored' },
    ]);
    const form = await readPostForm(chunked(body, 777), headers);
    assert.deepEqual([...form.fields], [['key', 'uploads/${filename}'], ['content-type', 'text/plain'], ['x-amz-meta-a', 'é']]);
    assert.equal(form.file.filename, 'a.txt');
    assert.equal(form.file.contentType, 'text/plain');
    assert.equal(await text(form.file.stream), big);
    await form.done;
  });

  it('no file: IncorrectNumberOfFilesInPostRequest; not multipart: MalformedPOSTRequest', async () => {
    assert.match(await failure(readPostForm(chunked(multipart(B, [{ name: 'key', value: 'k' }]), 5), headers)), /^IncorrectNumberOfFilesInPostRequest/);
    assert.match(await failure(readPostForm(Readable.from([Buffer.from('a=b')]), { 'content-type': 'application/json' })), /^MalformedPOSTRequest/);
  });

  it('more than 20 KB of fields before the file: MaxPostPreDataLengthExceededError', async () => {
    const body = multipart(B, [{ name: 'a', value: 'y'.repeat(15_000) }, { name: 'b', value: 'y'.repeat(15_000) }, { name: 'file', value: 'f', filename: 'f' }]);
    assert.match(await failure(readPostForm(chunked(body, 4096), headers)), /^MaxPostPreDataLengthExceededError/);
  });
});
