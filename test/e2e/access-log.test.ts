/**
 * The access log: written apart with --access-log, carrying the user, the client address (X-Forwarded-For believed
 * only from --trusted-proxies), the user agent and the S3 error code; and no secret in any output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { startServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';

type Line = Record<string, unknown>;

function forwardedFor(s3: S3Client, address: string): void {
  s3.middlewareStack.add((next) => async (args) => {
    (args.request as { headers: Record<string, string> }).headers['x-forwarded-for'] = `198.51.100.1, ${address}`;
    return next(args);
  }, { step: 'build' });
}

for (const trusted of [true, false]) {
  test(`access lines in their own file; X-Forwarded-For ${trusted ? 'believed from a trusted proxy' : 'ignored without --trusted-proxies'}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dirbucket-access-'));
    const file = join(dir, 'logs', 'access.log');
    const ts = await startServer({ args: ['--access-log', file, ...(trusted ? ['--trusted-proxies', '10.0.0.0/8,127.0.0.1'] : [])] });
    try {
      const s3 = ts.client();
      forwardedFor(s3, '203.0.113.9');
      await s3.send(new CreateBucketCommand({ Bucket: 'logged' }));
      const r = await fetch(`${ts.endpoint}/logged/x`, { headers: { 'user-agent': 'probe/1.0', 'x-forwarded-for': '203.0.113.7' } });
      assert.equal(r.status, 403);
      const lines = () => readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
      assert.ok(await waitUntil(() => { try { return lines().length >= 2; } catch { return false; } }, { timeoutMs: 5_000, intervalMs: 50 }), 'the access log is written');
      const [created, denied] = lines();
      assert.equal(created!.op, 'CreateBucket');
      assert.equal(created!.user, 'admin');
      assert.match(String(created!.user_agent), /aws-sdk-js/);
      assert.equal(created!.client, trusted ? '203.0.113.9' : '127.0.0.1');
      assert.deepEqual([denied!.status, denied!.error, denied!.user, denied!.user_agent, denied!.client], [403, 'AccessDenied', undefined, 'probe/1.0', trusted ? '203.0.113.7' : '127.0.0.1']);
      assert.doesNotMatch(ts.stdout(), /"msg":"request"/, 'no access lines in the server log');
      assert.ok(!ts.stdout().includes(ts.secretAccessKey), 'the secret is not printed');
      assert.match(ts.stdout(), /^Secret key: \(from DIRBUCKET_SECRET_KEY\)$/m);
    } finally {
      await ts.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
