/**
 * End to end: with `--workers 2` the primary's start-up banner names each lock-enabled bucket and how its locks are
 * enforced, once, and logs it once; the workers, which find the same, say nothing of it (issue #12).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';

describe('object lock lines with --workers 2', () => {
  let root: string;
  let ts: TestServer;
  const B = 'lock-workers';

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'dirbucket-lock-workers-'));
    // Generous: under a full suite's load a start (two workers especially) can take longer than the default 15 s.
    const first = await startServer({ root, startTimeoutMs: 60_000 });
    await first.client().send(new CreateBucketCommand({ Bucket: B, ObjectLockEnabledForBucket: true }));
    await first.client().send(new CreateBucketCommand({ Bucket: 'plain' }));
    const credentials = { accessKeyId: first.accessKeyId, secretAccessKey: first.secretAccessKey };
    await first.stop();
    ts = await startServer({ root, credentials, args: ['--workers', '2'], startTimeoutMs: 60_000 });
  });

  after(async () => {
    await ts?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('the banner has one line per lock-enabled bucket, the log one entry, from the primary', async () => {
    const lockLogs = () => ts.stdout().split('\n').filter((l) => l.startsWith('{') && l.includes('"object lock on bucket'));
    // The log is written asynchronously: wait for the primary's line, then give a worker's time to show up too.
    await waitUntil(() => lockLogs().length > 0, { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 1000));
    const out = ts.stdout();
    assert.match(out, /^Workers: 2 /m);
    const bannerLines = out.split('\n').filter((l) => l.startsWith('Object lock: bucket '));
    assert.equal(bannerLines.length, 1, out.slice(0, 3000));
    assert.match(bannerLines[0]!, new RegExp(`^Object lock: bucket ${B} is enforced by (the file system|the gateway only)`));
    const logged = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; role?: string; bucket?: string })
      .filter((l) => l.msg?.startsWith('object lock on bucket'));
    assert.equal(logged.length, 1, JSON.stringify(logged));
    assert.equal(logged[0]!.role, 'primary');
    assert.equal(logged[0]!.bucket, B);
  });
});
