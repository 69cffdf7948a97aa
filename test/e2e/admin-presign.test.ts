/**
 * POST /admin/v1/presign against a real server: the link, fetched with plain fetch (no signer), gives the object's
 * bytes (a key with spaces and non-ASCII, a version); it is signed with the caller's own key (a session's, or the
 * SigV4 signer's); an expired link and a revoked key's link are refused by S3; a lifetime over S3's week is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { AdminApi, ApiSession } from '../helpers/admin-api.js';
import { adminOf } from '../helpers/admin.js';
import { startServer, type TestServer } from '../helpers/server.js';

const BUCKET = 'presign-e2e';
const KEY = 'docs/a b é.txt';
const ME = { uid: process.getuid!(), gid: process.getgid!() };

describe('admin API: presigned links', () => {
  let ts: TestServer;
  let api: AdminApi;
  let admin: string;

  before(async () => {
    ts = await startServer({ args: ['--admin-listen', '127.0.0.1:0'] });
    admin = adminOf(ts);
    api = new AdminApi(admin, ts);
    const s3 = ts.client();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: 'first\n' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: 'second\n' }));
  });
  after(async () => {
    await ts?.stop();
  });

  test('signed with SigV4: the link gives the bytes to plain fetch, signed by the caller\'s key, for the S3 listener', async () => {
    const r = await api.call('POST', 'presign', { bucket: BUCKET, key: KEY, expiresIn: 600 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const url = new URL(r.body.url);
    assert.equal(url.origin, new URL(ts.endpoint).origin);
    assert.match(url.searchParams.get('X-Amz-Credential')!, new RegExp(`^${ts.accessKeyId}/\\d{8}/${ts.region}/s3/aws4_request$`));
    assert.equal(url.searchParams.get('X-Amz-Expires'), '600');
    assert.equal(r.body.accessKeyId, ts.accessKeyId);
    assert.ok(Math.abs(Date.parse(r.body.expires) - (Date.now() + 600_000)) < 30_000);
    const got = await fetch(r.body.url);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), 'second\n');
    // Changed by one character, the URL is refused: the signature covers the key.
    const tampered = await fetch(r.body.url.replace('a%20b', 'a%20c'));
    assert.equal(tampered.status, 403);
  });

  test('a version\'s link gives that version', async () => {
    const versions = await ts.client().send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: KEY }));
    const older = versions.Versions!.find((v) => !v.IsLatest)!.VersionId!;
    const r = await api.call('POST', 'presign', { bucket: BUCKET, key: KEY, versionId: older });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(new URL(r.body.url).searchParams.get('X-Amz-Expires'), '3600', 'an hour by default');
    assert.equal(await (await fetch(r.body.url)).text(), 'first\n');
  });

  test('a session\'s link is signed by the session\'s own key; revoked, the key\'s link is refused by S3', async () => {
    assert.equal((await api.call('POST', 'users', { name: 'pat', ...ME })).status, 201);
    assert.equal((await api.call('PUT', `grants/pat/${BUCKET}`, { access: 'read-only' })).status, 200);
    const key = (await api.call('POST', 'keys', { user: 'pat' })).body;
    const { session } = await ApiSession.signIn(admin, key.accessKeyId, key.secretAccessKey);
    const r = await session.call('POST', 'presign', { bucket: BUCKET, key: KEY, expiresIn: 3600 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.accessKeyId, key.accessKeyId);
    assert.ok(new URL(r.body.url).searchParams.get('X-Amz-Credential')!.startsWith(`${key.accessKeyId}/`));
    assert.equal(await (await fetch(r.body.url)).text(), 'second\n');
    assert.equal((await api.call('DELETE', `keys/${key.accessKeyId}`)).status, 200);
    const refused = await fetch(r.body.url);
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /<Code>(InvalidAccessKeyId|AccessDenied)<\/Code>/);
  });

  test('an expired link is refused by S3', async () => {
    const r = await api.call('POST', 'presign', { bucket: BUCKET, key: KEY, expiresIn: 1 });
    assert.equal(r.status, 200);
    await new Promise((res) => setTimeout(res, 2100));
    const got = await fetch(r.body.url);
    assert.equal(got.status, 403);
    assert.match(await got.text(), /Request has expired/);
  });

  test('refusals: over a week, not a number, no key, unsigned; nothing minted', async () => {
    const week = await api.call('POST', 'presign', { bucket: BUCKET, key: KEY, expiresIn: 604801 });
    assert.deepEqual([week.status, week.body.code], [400, 'InvalidArgument']);
    assert.equal((await api.call('POST', 'presign', { bucket: BUCKET, key: KEY, expiresIn: 604800 })).status, 200, 'a week exactly is S3\'s limit');
    const text = await api.call('POST', 'presign', { bucket: BUCKET, key: KEY, expiresIn: '1h' });
    assert.deepEqual([text.status, text.body.code], [400, 'MalformedJSON']);
    const nokey = await api.call('POST', 'presign', { bucket: BUCKET });
    assert.deepEqual([nokey.status, nokey.body.code], [400, 'MalformedJSON']);
    const endpoint = await api.call('POST', 'presign', { bucket: BUCKET, key: KEY, endpoint: 'ftp://x' });
    assert.deepEqual([endpoint.status, endpoint.body.code], [400, 'InvalidArgument']);
    const unsigned = await api.call('POST', 'presign', { bucket: BUCKET, key: KEY }, { unsigned: true });
    assert.deepEqual([unsigned.status, unsigned.body.code], [403, 'AccessDenied']);
    assert.equal(unsigned.body.url, undefined);
  });

  test('an endpoint given (a proxy in front): the link names it, signed for its host', async () => {
    const r = await api.call('POST', 'presign', { bucket: BUCKET, key: KEY, endpoint: 'https://files.example.com' });
    assert.equal(r.status, 200);
    assert.ok(r.body.url.startsWith(`https://files.example.com/${BUCKET}/docs/a%20b%20%C3%A9.txt?`), r.body.url);
  });
});
