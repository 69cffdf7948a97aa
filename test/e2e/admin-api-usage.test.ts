/**
 * GET /admin/v1/buckets/:bucket/usage against a real server: a bucket of 2,345 objects (written on disk: 3 pages)
 * counted on the server, the running totals as JSON lines that only grow, the last one done and equal to what S3
 * lists; a user is counted what their own listing shows and refused as their listing is.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { AdminApi, ApiSession } from '../helpers/admin-api.js';
import { adminOf } from '../helpers/admin.js';
import { startServer, type TestServer } from '../helpers/server.js';

const ME = { uid: process.getuid!(), gid: process.getgid!() };
const B = 'counted';
const N = 2345;

describe('admin API: bucket usage counted on the server', () => {
  let ts: TestServer;
  let admin: string;
  let api: AdminApi;
  let bytes = 0;

  before(async () => {
    ts = await startServer({ args: ['--admin-listen', '127.0.0.1:0'] });
    admin = adminOf(ts);
    api = new AdminApi(admin, ts);
    await ts.client().send(new CreateBucketCommand({ Bucket: B }));
    await ts.client().send(new CreateBucketCommand({ Bucket: 'other' }));
    for (let i = 0; i < N; i++) {
      const dir = join(ts.root, B, `d${i % 7}`);
      mkdirSync(dir, { recursive: true });
      const body = 'x'.repeat(i % 50);
      writeFileSync(join(dir, `k${i}`), body);
      bytes += body.length;
    }
  });
  after(async () => {
    await ts?.stop();
  });

  /** The JSON lines of an answer. */
  const linesOf = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { objects: number; bytes: number; done: boolean; complete?: boolean });

  test('JSON lines, one per page of 1000, growing to the total; the last says done', async () => {
    const url = new URL(`/admin/v1/buckets/${B}/usage`, admin);
    const headers = await api.signedHeaders('GET', `buckets/${B}/usage`, undefined);
    const r = await fetch(url, { headers });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/x-ndjson');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const lines = linesOf(await r.text());
    assert.equal(lines.length, 3, JSON.stringify(lines));
    assert.deepEqual(lines.map((l) => l.objects), [1000, 2000, N]);
    assert.deepEqual(lines.map((l) => l.done), [false, false, true]);
    assert.equal(lines.at(-1)!.bytes, bytes);
    assert.equal(lines.at(-1)!.complete, undefined, 'a whole count');
    assert.ok(lines[0]!.bytes <= lines[1]!.bytes && lines[1]!.bytes <= lines[2]!.bytes);
  });

  test('an empty bucket: one line, done', async () => {
    const r = await fetch(new URL('/admin/v1/buckets/other/usage', admin), { headers: await api.signedHeaders('GET', 'buckets/other/usage', undefined) });
    assert.deepEqual(linesOf(await r.text()), [{ objects: 0, bytes: 0, done: true }]);
  });

  test('a user: counted with their rights; refused without any, as their listing is; no such bucket is 404', async () => {
    assert.equal((await api.call('POST', 'users', { name: 'dana', ...ME })).status, 201);
    const key = (await api.call('POST', 'keys', { user: 'dana' })).body;
    const { session } = await ApiSession.signIn(admin, key.accessKeyId, key.secretAccessKey);
    const refused = await session.call('GET', `buckets/${B}/usage`);
    assert.deepEqual([refused.status, refused.body.code], [403, 'AccessDenied']);
    assert.equal((await api.call('PUT', `grants/dana/${B}`, { access: 'read-only' })).status, 200);
    const r = await fetch(new URL(`/admin/v1/buckets/${B}/usage`, admin), { headers: { cookie: session.cookie } });
    assert.equal(r.status, 200);
    assert.deepEqual(linesOf(await r.text()).at(-1), { objects: N, bytes, done: true });
    const missing = await api.call('GET', 'buckets/no-such-bucket/usage');
    assert.deepEqual([missing.status, missing.body.code], [404, 'NoSuchBucket']);
  });
});
