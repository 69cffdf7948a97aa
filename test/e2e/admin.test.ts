/**
 * The admin listener and MinIO's health paths, against a real server: liveness, readiness flipping when a bucket
 * directory goes away or turns read-only and comes back, and the Prometheus metrics after a known sequence of requests.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { startServer, type TestServer } from '../helpers/server.js';
import { adminOf, parsePrometheus, valueOf } from '../helpers/admin.js';
import { requireRoot } from '../helpers/requires.js';
import { run } from '../helpers/tool.js';

/**
 * Runs `fn` while `dir` is a read-only bind mount of itself (the kernel then refuses every write there with EROFS,
 * even to root, as on a NAS export mounted read-only), and unmounts it however `fn` ends.
 */
async function whileReadOnly(dir: string, fn: () => Promise<void>): Promise<void> {
  const bound = await run('mount', ['--bind', dir, dir], { timeoutMs: 20_000 });
  assert.equal(bound.code, 0, `mount --bind ${dir}: ${bound.stderr}`);
  try {
    const ro = await run('mount', ['-o', 'remount,bind,ro', dir], { timeoutMs: 20_000 });
    assert.equal(ro.code, 0, `remount ${dir} read-only: ${ro.stderr}`);
    await fn();
  } finally {
    // A lazy unmount if the plain one fails (busy): a bind mount must never outlive the test.
    const r = await run('umount', [dir], { timeoutMs: 20_000 }).catch(() => undefined);
    if (r?.code !== 0) await run('umount', ['-l', dir], { timeoutMs: 20_000 });
  }
}

async function get(url: string, method = 'GET'): Promise<{ status: number; body: string; type: string | null }> {
  const r = await fetch(url, { method, signal: AbortSignal.timeout(10_000) });
  return { status: r.status, body: await r.text(), type: r.headers.get('content-type') };
}

describe('admin listener', () => {
  let dir: string;
  let ts: TestServer;
  let admin: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dirbucket-admin-'));
    mkdirSync(join(dir, 'root'));
    mkdirSync(join(dir, 'mapped'));
    writeFileSync(join(dir, 'config.yaml'), `buckets:\n  - name: mapped\n    path: ${join(dir, 'mapped')}\n    access: read-write\n`);
    ts = await startServer({ root: join(dir, 'root'), args: ['--config', join(dir, 'config.yaml'), '--admin-listen', '127.0.0.1:0'] });
    admin = adminOf(ts);
  });
  after(async () => {
    await ts?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('live and ready, on the admin port and as MinIO paths on the S3 port (unsigned, GET and HEAD)', async () => {
    for (const url of [`${admin}/health/live`, `${admin}/health/ready`, `${ts.endpoint}/minio/health/live`, `${ts.endpoint}/minio/health/ready`]) {
      const r = await get(url);
      assert.equal(r.status, 200, `${url}: ${r.body}`);
      assert.equal((await get(url, 'HEAD')).status, 200, url);
    }
    assert.equal((await get(`${admin}/nothing`)).status, 404);
    // Other paths still go to S3: unsigned, to a bucket "minio" that does not exist, that is NoSuchBucket (as S3 answers anyone).
    const other = await get(`${ts.endpoint}/minio/health/other`);
    assert.equal(other.status, 404, 'other paths still go to S3');
    assert.match(other.body, /<Code>NoSuchBucket<\/Code>/);
  });

  test('readiness flips to 503 with a reason while a bucket directory is gone, and back', async () => {
    renameSync(join(dir, 'mapped'), join(dir, 'mapped.away'));
    try {
      for (const url of [`${admin}/health/ready`, `${ts.endpoint}/minio/health/ready`]) {
        const r = await get(url);
        assert.equal(r.status, 503, r.body);
        const body = JSON.parse(r.body) as { status: string; problems: string[] };
        assert.equal(body.status, 'not ready');
        assert.match(body.problems.join('\n'), /bucket mapped \(.*mapped\): ENOENT/);
      }
      assert.equal((await get(`${admin}/health/live`)).status, 200, 'still live');
    } finally {
      renameSync(join(dir, 'mapped.away'), join(dir, 'mapped'));
    }
    assert.equal((await get(`${admin}/health/ready`)).status, 200);
  });

  test('readiness flips to 503 naming the bucket while its directory is read-only (a read-only mount), and back', { skip: requireRoot('bind-mount a bucket directory read-only') }, async () => {
    const s3 = ts.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'rooted' }));
    assert.equal((await get(`${admin}/health/ready`)).status, 200);
    for (const [bucket, path, other] of [['mapped', join(dir, 'mapped'), 'rooted'], ['rooted', join(dir, 'root', 'rooted'), 'mapped']] as const) {
      await whileReadOnly(path, async () => {
        for (const url of [`${admin}/health/ready`, `${ts.endpoint}/minio/health/ready`]) {
          const r = await get(url);
          assert.equal(r.status, 503, `${url} while ${bucket} is read-only: ${r.body}`);
          const body = JSON.parse(r.body) as { status: string; problems: string[] };
          assert.equal(body.status, 'not ready');
          assert.deepEqual(body.problems.filter((p) => p.startsWith('bucket ')), [`bucket ${bucket} (${path}): EROFS`], 'names that bucket, and only it');
        }
        assert.equal((await get(`${admin}/health/live`)).status, 200, 'still live');
        assert.equal((await s3.send(new PutObjectCommand({ Bucket: other, Key: 'still-writable', Body: 'x' }))).$metadata.httpStatusCode, 200, `${other} stays writable`);
      });
      const r = await get(`${admin}/health/ready`);
      assert.equal(r.status, 200, `ready again once ${bucket} is writable: ${r.body}`);
    }
  });

  test('metrics after a known sequence of requests', async () => {
    const before = parsePrometheus((await get(`${admin}/metrics`)).body);
    const s3 = ts.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'counted' }));
    await s3.send(new PutObjectCommand({ Bucket: 'counted', Key: 'a', Body: 'x'.repeat(1000) }));
    await s3.send(new PutObjectCommand({ Bucket: 'counted', Key: 'b', Body: 'y'.repeat(1000) }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'counted', Key: 'a' }));
    await got.Body!.transformToString();
    await assert.rejects(s3.send(new GetObjectCommand({ Bucket: 'counted', Key: 'missing' })), { name: 'NoSuchKey' });
    await s3.send(new CreateMultipartUploadCommand({ Bucket: 'counted', Key: 'big' }));
    const r = await get(`${admin}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.type ?? '', /^text\/plain; version=0\.0\.4/);
    const m = parsePrometheus(r.body);
    const delta = (name: string, labels: Record<string, string>) => valueOf(m, name, labels) - valueOf(before, name, labels);
    assert.equal(delta('dirbucket_requests_total', { operation: 'PutObject', status: '200', code: '' }), 2);
    assert.equal(delta('dirbucket_requests_total', { operation: 'GetObject', status: '200', code: '' }), 1);
    assert.equal(delta('dirbucket_requests_total', { operation: 'GetObject', status: '404', code: 'NoSuchKey' }), 1);
    assert.equal(delta('dirbucket_requests_total', { operation: 'CreateBucket', status: '200', code: '' }), 1);
    assert.equal(delta('dirbucket_request_duration_seconds_count', { operation: 'PutObject' }), 2);
    assert.ok(delta('dirbucket_received_bytes_total', {}) > 2000, 'the bodies were counted in');
    assert.ok(delta('dirbucket_sent_bytes_total', {}) > 1000, 'the body was counted out');
    assert.equal(valueOf(m, 'dirbucket_requests_in_flight'), 0);
    assert.equal(valueOf(m, 'dirbucket_multipart_uploads_open'), 1);
    assert.ok(m.some((s) => s.name === 'process_cpu_seconds_total'), 'the process metrics');
    for (const s of m) {
      for (const v of Object.values(s.labels)) assert.doesNotMatch(v, /counted|missing|^a$|^b$|big/, `a label carries user input: ${s.name} ${JSON.stringify(s.labels)}`);
    }
  });

  test('an admin port already in use stops start-up with a message', async () => {
    const port = new URL(admin).port;
    await assert.rejects(startServer({ args: ['--admin-listen', `127.0.0.1:${port}`], startTimeoutMs: 10_000 }), /--admin-listen 127\.0\.0\.1:\d+: address already in use/);
  });
});
