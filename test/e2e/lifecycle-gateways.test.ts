/**
 * End to end: the lifecycle job across processes on one tree. Two gateways with the job on do each action once
 * (the lease, and the re-check before acting); a gateway killed with SIGKILL in the middle of a pass leaves its
 * lease behind, and the next gateway takes it over and finishes cleanly. `dirbucket lifecycle run` prints what it
 * would do (--dry-run, changing nothing) and what it did. Every wait is bounded.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { CreateBucketCommand, ListObjectsV2Command, PutBucketLifecycleConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { startServer, type TestServer } from '../helpers/server.js';
import { makeTempDir, removeDir } from '../helpers/files.js';
import { waitUntil } from '../helpers/wait.js';
import { dirbucket } from './users-cli.js';
import { describeRun } from '../helpers/tool.js';

const DAY = ['--lifecycle-day-seconds', '1'];
const servers: TestServer[] = [];
let root: string;

before(async () => {
  root = await makeTempDir('dirbucket-lifecycle-gw-');
});
after(async () => {
  for (const s of servers) await s.stop();
  await removeDir(root);
});
// A test that fails half-way must not leave its gateways' jobs running on the tree the next test uses.
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function start(credentials?: { accessKeyId: string; secretAccessKey: string }, args = DAY): Promise<{ ts: TestServer; s3: S3Client }> {
  const ts = await startServer({ root, args, credentials });
  servers.push(ts);
  return { ts, s3: ts.client() };
}

/** `n` files written straight into the tree under `dir`, dated a day back: all due at once. */
async function nasFiles(bucket: string, dir: string, n: number): Promise<void> {
  await mkdir(join(root, bucket, dir), { recursive: true });
  const old = new Date(Date.now() - 86_400_000);
  for (let i = 0; i < n; i++) {
    const f = join(root, bucket, dir, `f${String(i).padStart(5, '0')}.txt`);
    await writeFile(f, `file ${i}`);
    await utimes(f, old, old);
  }
}

async function keys(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    n += page.KeyCount ?? 0;
    token = page.NextContinuationToken;
  } while (token);
  return n;
}

const expireLines = (ts: TestServer, bucket: string) =>
  ts.stdout().split('\n').filter((l) => l.includes('"job":"lifecycle"') && l.includes(`"bucket":"${bucket}"`) && l.includes('"action":"expire"')).map((l) => JSON.parse(l) as Record<string, string>);

const leaseLeftovers = async () => (await readdir(join(root, '.dirbucket'))).filter((f) => f.startsWith('lifecycle.lease'));

describe('two gateways on one tree', () => {
  it('each action is done once, by one of them', async () => {
    const a = await start();
    const b = await start({ accessKeyId: a.ts.accessKeyId, secretAccessKey: a.ts.secretAccessKey });
    const B = 'lc-two';
    await a.s3.send(new CreateBucketCommand({ Bucket: B }));
    await nasFiles(B, 'old', 300);
    await nasFiles(B, 'keep', 5);
    await b.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: B, LifecycleConfiguration: { Rules: [{ ID: 'old', Filter: { Prefix: 'old/' }, Status: 'Enabled', Expiration: { Days: 1 } }] } }));
    assert.ok(await waitUntil(async () => (await keys(a.s3, B, 'old/')) === 0, { timeoutMs: 60_000, intervalMs: 250 }), 'old/ expired');
    // Two more passes of each: nothing is done twice, late.
    await new Promise((r) => setTimeout(r, 2500));
    const done = [...expireLines(a.ts, B), ...expireLines(b.ts, B)].filter((l) => l['outcome'] === 'done').map((l) => l['key']!);
    assert.equal(done.length, 300, 'one action per key across both gateways');
    assert.equal(new Set(done).size, 300);
    assert.equal(await keys(a.s3, B, 'keep/'), 5);
    for (const s of servers.splice(0)) await s.stop();
    assert.deepEqual(await leaseLeftovers(), [], 'no lease left after a clean stop');
  });
});

describe('a gateway killed in the middle of a pass', () => {
  it('leaves its lease; the next gateway takes it over and finishes the work cleanly', async () => {
    const a = await start();
    const B = 'lc-crash';
    await a.s3.send(new CreateBucketCommand({ Bucket: B }));
    await nasFiles(B, 'old', 1200);
    await nasFiles(B, 'keep', 5);
    await a.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: B, LifecycleConfiguration: { Rules: [{ ID: 'old', Filter: { Prefix: 'old/' }, Status: 'Enabled', Expiration: { Days: 1 } }] } }));
    assert.ok(await waitUntil(() => expireLines(a.ts, B).length > 0, { timeoutMs: 30_000, intervalMs: 20 }), 'the pass began');
    a.ts.kill();
    await a.ts.exited;
    assert.ok((await leaseLeftovers()).includes('lifecycle.lease'), 'the dead holder\'s lease is still there');
    const b = await start({ accessKeyId: a.ts.accessKeyId, secretAccessKey: a.ts.secretAccessKey });
    const remaining = await keys(b.s3, B, 'old/');
    assert.ok(remaining > 0, `the kill came mid-pass (${remaining} left)`);
    // Same host: its holder is known dead, so the lease is taken over at once, not after it goes stale (60 s).
    // Bounded generously: under a loaded host (the full suite) a thousand deletes take tens of seconds.
    assert.ok(await waitUntil(async () => (await keys(b.s3, B, 'old/')) === 0, { timeoutMs: 120_000, intervalMs: 250 }), `the next gateway finished (${await keys(b.s3, B, 'old/')} left)`);
    assert.equal(await keys(b.s3, B, 'keep/'), 5);
    const failed = expireLines(b.ts, B).filter((l) => l['outcome'] !== 'done');
    assert.deepEqual(failed, [], 'the next pass is clean');
    for (const s of servers.splice(0)) await s.stop();
    assert.deepEqual(await leaseLeftovers(), []);
  });
});

describe('dirbucket lifecycle run', () => {
  it('prints what it would do with --dry-run and changes nothing; then does it', async () => {
    // The server's own job has real days (and its first pass 30 s away): only the command acts here.
    const a = await start(undefined, []);
    const B = 'lc-cli';
    await a.s3.send(new CreateBucketCommand({ Bucket: B }));
    await nasFiles(B, 'old', 3);
    await a.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: B, LifecycleConfiguration: { Rules: [{ ID: 'old', Filter: { Prefix: 'old/' }, Status: 'Enabled', Expiration: { Days: 1 } }] } }));
    const dry = await dirbucket(['lifecycle', 'run', '--root', root, '--bucket', B, '--dry-run', ...DAY]);
    assert.equal(dry.code, 0, describeRun('dry run', dry));
    assert.match(dry.stdout, /would: expire lc-cli\/old\/f00000\.txt \(rule old\)/);
    assert.match(dry.stdout, /Dry run: 1 bucket\(s\) with rules, 3 keys scanned in [\d.]+ s, 0 action\(s\) done/);
    assert.equal(await keys(a.s3, B, 'old/'), 3, 'a dry run changes nothing');
    const real = await dirbucket(['lifecycle', 'run', '--root', root, ...DAY, '--bucket', B]);
    assert.equal(real.code, 0, describeRun('run', real));
    assert.equal(real.stdout.match(/^did: expire lc-cli\/old\//gm)?.length, 3, real.stdout);
    assert.equal(await keys(a.s3, B, 'old/'), 0);
    const missing = await dirbucket(['lifecycle', 'run', '--root', root, '--bucket', 'lc-no-such-bucket']);
    assert.equal(missing.code, 2, describeRun('no such bucket', missing));
    assert.match(missing.stderr, /NoSuchBucket/);
    const usage = await dirbucket(['lifecycle', 'walk', '--root', root]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /unknown lifecycle action/);
  });
});
