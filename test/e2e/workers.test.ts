/**
 * `--workers 2` against real processes: both workers serve one port (their pids in the access lines), the banner is
 * printed once, /metrics adds up both, background jobs run in one worker only, a worker killed with SIGKILL is
 * restarted while the port keeps answering, and SIGTERM lets a request under way finish before everything exits.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, HeadBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { repoRoot } from '../helpers/repo-root.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { adminOf, parsePrometheus, valueOf } from '../helpers/admin.js';

/** The JSON log lines the server (primary and workers) wrote so far. */
function logLines(ts: TestServer): Record<string, unknown>[] {
  return ts.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The workers' pids from the banner, by slot. */
function workerPids(ts: TestServer): number[] {
  const m = /^Workers: (\d+) \(pids ([\d, ]+)\)$/m.exec(ts.stdout());
  assert.ok(m, `no Workers line:\n${ts.stdout().slice(0, 3000)}`);
  return m[2]!.split(', ').map(Number);
}

/** GET `url` on a connection of its own (so each request may reach another worker). */
function fetchText(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${url}: no answer in time`)));
  });
}

/** An S3 client opening a new connection for every request. */
function freshConnections(ts: TestServer): S3Client {
  return ts.client({ requestHandler: { httpAgent: new http.Agent({ keepAlive: false }) } });
}

/** Whether process `pid` is gone. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** Whether a new connection to `port` is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe('--workers 2', () => {
  let ts: TestServer;
  let admin: string;
  let s3: S3Client;
  let pids: number[];
  before(async () => {
    // A multipart expiry of 4 s sweeps every second: the job's runs show in the debug log within seconds.
    ts = await startServer({ args: ['--workers', '2', '--admin-listen', '127.0.0.1:0', '--multipart-expiry', '4s', '--log-level', 'debug'] });
    admin = adminOf(ts);
    s3 = freshConnections(ts);
    pids = workerPids(ts);
    await s3.send(new CreateBucketCommand({ Bucket: 'spread' }));
  });
  after(() => ts?.stop());

  test('one banner; two workers, neither the primary; both serve S3 requests and /metrics adds up both', async () => {
    assert.equal(ts.stdout().match(/^Endpoint: /gm)?.length, 1, 'the banner is printed once');
    assert.equal(new Set(pids).size, 2);
    assert.ok(!pids.includes(ts.pid), 'the primary serves nothing itself');
    const before = parsePrometheus((await fetchText(`${admin}/metrics`)).body);
    for (let i = 0; i < 8; i++) await s3.send(new PutObjectCommand({ Bucket: 'spread', Key: `k${i}`, Body: `body ${i}` }));
    for (let i = 0; i < 8; i++) {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'spread', Key: `k${i}` }));
      assert.equal(await got.Body!.transformToString(), `body ${i}`, 'what one worker wrote, the other reads');
    }
    const puts = logLines(ts).filter((l) => l.msg === 'request' && l.op === 'PutObject' && l.bucket === 'spread');
    assert.equal(puts.length, 8);
    assert.deepEqual(new Set(puts.map((l) => l.pid)), new Set(pids), 'the uploads were served by both workers');
    // Each scrape is answered by one worker or the other, on a connection of its own: every one is the sum.
    for (let i = 0; i < 4; i++) {
      const r = await fetchText(`${admin}/metrics`);
      assert.equal(r.status, 200, r.body);
      const m = parsePrometheus(r.body);
      const delta = (labels: Record<string, string>) => valueOf(m, 'dirbucket_requests_total', labels) - valueOf(before, 'dirbucket_requests_total', labels);
      assert.equal(delta({ operation: 'PutObject', status: '200', code: '' }), 8, `scrape ${i}`);
      assert.equal(delta({ operation: 'GetObject', status: '200', code: '' }), 8, `scrape ${i}`);
      assert.equal(valueOf(m, 'dirbucket_multipart_uploads_open'), 0, 'a count every worker reads alike is not multiplied');
    }
  });

  test('background jobs run in one worker only (slot 0)', async () => {
    const runs = () => logLines(ts).filter((l) => l.msg === 'job ran' && l.job === 'multipart-sweep');
    assert.ok(await waitUntil(() => runs().length >= 3, { timeoutMs: 15_000, intervalMs: 200 }), `the sweep ran:\n${ts.stdout().slice(-3000)}`);
    assert.deepEqual([...new Set(runs().map((l) => l.pid))], [pids[0]]);
  });

  test('a worker killed with SIGKILL is logged and restarted; the port keeps answering; its jobs move to the new one', async () => {
    const [victim, survivor] = pids as [number, number];
    process.kill(victim, 'SIGKILL');
    const died = () => logLines(ts).find((l) => l.msg === 'worker died; restarting it');
    assert.ok(await waitUntil(() => died() !== undefined, { timeoutMs: 10_000 }), ts.stdout().slice(-3000));
    assert.deepEqual([died()!.pid, died()!.signal, died()!.worker], [victim, 'SIGKILL', 0]);
    for (let i = 0; i < 6; i++) await s3.send(new HeadBucketCommand({ Bucket: 'spread' }));
    const restarted = () => logLines(ts).find((l) => l.msg === 'worker restarted');
    assert.ok(await waitUntil(() => restarted() !== undefined, { timeoutMs: 15_000 }), ts.stdout().slice(-3000));
    const fresh = restarted()!.pid as number;
    assert.ok(fresh !== victim && fresh !== survivor, `a new process: ${fresh}`);
    // Round robin hands new connections to each worker in turn: the new one serves within a few.
    const servedBy = () => new Set(logLines(ts).filter((l) => l.msg === 'request' && l.op === 'HeadBucket').map((l) => l.pid));
    for (let i = 0; i < 10 && !servedBy().has(fresh); i++) await s3.send(new HeadBucketCommand({ Bucket: 'spread' }));
    assert.ok(servedBy().has(fresh), 'the restarted worker serves');
    assert.ok(await waitUntil(() => logLines(ts).some((l) => l.msg === 'job ran' && l.pid === fresh), { timeoutMs: 10_000 }), 'the new slot-0 worker runs the jobs');
  });
});

describe('--workers 2 and SIGTERM', () => {
  test('a download under way finishes, new connections are refused, then every process exits 0', async () => {
    const ts = await startServer({ args: ['--workers', '2'] });
    try {
      const s3 = freshConnections(ts);
      await s3.send(new CreateBucketCommand({ Bucket: 'drain' }));
      // Larger than the socket buffers, so the server is still sending while the client waits.
      const body = randomBytes(32 * 1024 * 1024);
      await s3.send(new PutObjectCommand({ Bucket: 'drain', Key: 'big', Body: body }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'drain', Key: 'big' }));
      const stream = got.Body as Readable;
      stream.pause();
      let ended = false;
      void ts.exited.then(() => (ended = true));
      const t0 = Date.now();
      process.kill(ts.pid, 'SIGTERM');
      assert.ok(await waitUntil(() => refused(ts.port), { timeoutMs: 5_000 }), 'new connections are refused once the workers stop listening');
      assert.equal(ended, false, 'the primary waits for the worker whose request is under way');
      const hash = createHash('md5');
      let n = 0;
      for await (const chunk of stream) {
        hash.update(chunk as Buffer);
        n += (chunk as Buffer).length;
      }
      assert.equal(n, body.length, 'the whole body arrived');
      assert.equal(hash.digest('hex'), createHash('md5').update(body).digest('hex'));
      assert.deepEqual(await ts.exited, { code: 0, signal: null });
      assert.ok(Date.now() - t0 < 15_000, `exited after ${Date.now() - t0} ms`);
      assert.match(ts.stdout(), /stopping the workers/);
    } finally {
      await ts.stop();
    }
  });
});

describe('--workers 2: the primary and its workers come and go together', () => {
  test('a worker that cannot start (admin port taken) stops the whole server with its message and exit code 2', async () => {
    const taken = createNetServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const root = mkdtempSync(join(tmpdir(), 'dirbucket-workers-bad-'));
    try {
      const { port } = taken.address() as { port: number };
      const r = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'dirbucket.js'), 'serve', '--root', root, '--listen', '127.0.0.1:0', '--workers', '2',
        '--admin-listen', `127.0.0.1:${port}`], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /--admin-listen 127\.0\.0\.1:\d+: address already in use/);
      assert.doesNotMatch(r.stdout, /^Endpoint:/m, 'no banner');
    } finally {
      taken.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('workers whose primary is killed stop too', async () => {
    const ts = await startServer({ args: ['--workers', '2'] });
    try {
      const pids = workerPids(ts);
      ts.kill();
      assert.ok(await waitUntil(() => pids.every(gone), { timeoutMs: 15_000 }), `workers left running: ${pids.filter((p) => !gone(p))}`);
    } finally {
      await ts.stop();
    }
  });
});
