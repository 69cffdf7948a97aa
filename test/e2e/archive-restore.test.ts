/**
 * RestoreObject end to end, with a lifecycle day of 2 s: 202 and x-amz-restore ongoing while the archive job has not
 * copied the data back (held up here by taking the tier's file away), 409 while it runs, then the restored copy
 * in the tree at the path (GET and NAS readers see the bytes), 200 with the expiry moved, and after the expiry
 * a stub again. Refusals: classes that need no restore, Days < 1, malformed bodies. The AWS CLI restores too.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, RestoreObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsCli } from '../helpers/clients.js';
import { requireTool } from '../helpers/requires.js';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { describeRun } from '../helpers/tool.js';
import { waitUntil } from '../helpers/wait.js';
import { errorOf, rawRequest, sdkError } from './util.js';

const B = 'thaw';
const DAY_S = 2;
let ts: TestServer;
let s3: S3Client;
let archive: string;

/** The path of the tier file holding `data`. */
function tierFileOf(data: Buffer): string {
  const hits: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (readFileSync(p).equals(data)) hits.push(p);
    }
  };
  walk(archive);
  assert.equal(hits.length, 1, 'the data is in the tier exactly once');
  return hits[0]!;
}

const head = (Key: string) => s3.send(new HeadObjectCommand({ Bucket: B, Key }));
const restore = (Key: string, Days: number) => s3.send(new RestoreObjectCommand({ Bucket: B, Key, RestoreRequest: { Days, GlacierJobParameters: { Tier: 'Standard' } } }));
const restoreRaw = (key: string, body: string) => rawRequest(ts, { method: 'POST', path: `/${B}/${key}`, query: [['restore', '']], body });
const putGlacier = async (Key: string, data: Buffer, StorageClass: 'GLACIER' | 'DEEP_ARCHIVE' | 'GLACIER_IR' | 'STANDARD' = 'GLACIER') =>
  s3.send(new PutObjectCommand({ Bucket: B, Key, Body: data, StorageClass }));

before(async () => {
  archive = await mkdtemp(join(tmpdir(), 'dirbucket-tier-'));
  ({ ts, s3 } = await startWithBuckets([B], { args: ['--archive-dir', archive, '--lifecycle-day-seconds', String(DAY_S)] }));
});
after(async () => {
  await ts?.stop();
  await rm(archive, { recursive: true, force: true });
});

describe('RestoreObject', () => {
  it('202 and ongoing while the copy waits, 409 meanwhile, then the restored copy at the path, readable', async () => {
    const data = randomBytes(200_000);
    await putGlacier('r.bin', data);
    const tierFile = tierFileOf(data);
    // Held up: the job finds no data to copy until it is given back.
    renameSync(tierFile, `${tierFile}.held`);
    try {
      const r = await restoreRaw('r.bin', '<RestoreRequest><Days>1</Days><GlacierJobParameters><Tier>Bulk</Tier></GlacierJobParameters></RestoreRequest>');
      assert.equal(r.status, 202, r.body.toString());
      assert.equal((await head('r.bin')).Restore, 'ongoing-request="true"');
      const again = await sdkError(() => restore('r.bin', 1));
      assert.deepEqual([again.status, again.name], [409, 'RestoreAlreadyInProgress']);
      assert.equal((await sdkError(() => s3.send(new GetObjectCommand({ Bucket: B, Key: 'r.bin' })))).name, 'InvalidObjectState');
      // Still held after a few job runs: nothing changed on disk.
      await new Promise((res) => setTimeout(res, 2500));
      assert.equal(statSync(join(ts.root, B, 'r.bin')).size, 0);
      assert.equal((await head('r.bin')).Restore, 'ongoing-request="true"');
    } finally {
      renameSync(`${tierFile}.held`, tierFile);
    }
    assert.ok(await waitUntil(async () => (await head('r.bin')).Restore?.startsWith('ongoing-request="false"') ?? false, { timeoutMs: 15_000 }), 'the restore completes');
    const h = await head('r.bin');
    assert.match(h.Restore!, /^ongoing-request="false", expiry-date="[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT"$/);
    assert.deepEqual([h.StorageClass, h.ContentLength], ['GLACIER', data.length]);
    assert.ok(readFileSync(join(ts.root, B, 'r.bin')).equals(data), 'the restored copy is in the tree at the path');
    tierFileOf(data); // and still in the tier, once
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'r.bin' }));
    assert.equal(got.Restore, h.Restore);
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(data));
  });

  it('a restored copy: 200 with the expiry moved; after the expiry a stub again, GET refused again', async () => {
    const data = randomBytes(10_000);
    await putGlacier('e.bin', data);
    assert.equal((await restoreRaw('e.bin', '<RestoreRequest><Days>1</Days></RestoreRequest>')).status, 202);
    assert.ok(await waitUntil(async () => (await head('e.bin')).Restore?.startsWith('ongoing-request="false"') ?? false, { timeoutMs: 15_000 }));
    const first = Date.parse(/expiry-date="([^"]+)"/.exec((await head('e.bin')).Restore!)![1]!);
    const moved = await restoreRaw('e.bin', '<RestoreRequest><Days>3</Days></RestoreRequest>');
    assert.equal(moved.status, 200, moved.body.toString());
    const second = Date.parse(/expiry-date="([^"]+)"/.exec((await head('e.bin')).Restore!)![1]!);
    assert.ok(second > first, 'the expiry moved later');
    assert.ok(await waitUntil(async () => (await head('e.bin')).Restore === undefined, { timeoutMs: 20_000 }), 'back to a stub after the expiry');
    assert.equal(statSync(join(ts.root, B, 'e.bin')).size, 0);
    assert.ok(Date.now() >= second - 1000, 'not before its expiry');
    assert.equal((await sdkError(() => s3.send(new GetObjectCommand({ Bucket: B, Key: 'e.bin' })))).name, 'InvalidObjectState');
    tierFileOf(data);
    assert.equal((await head('e.bin')).ContentLength, data.length);
  });

  it('refusals: a class without restore, Days < 1, malformed bodies, a missing key; nothing changes', async () => {
    await putGlacier('std', Buffer.from('plain'), 'STANDARD');
    await putGlacier('ir', Buffer.from('instant'), 'GLACIER_IR');
    await putGlacier('frozen', randomBytes(100), 'DEEP_ARCHIVE');
    for (const key of ['std', 'ir']) {
      const e = await sdkError(() => restore(key, 1));
      assert.deepEqual([e.status, e.name], [403, 'InvalidObjectState'], key);
    }
    const cases: [string, number, string][] = [
      ['<RestoreRequest><Days>0</Days></RestoreRequest>', 400, 'InvalidArgument'],
      ['<RestoreRequest><Days>-2</Days></RestoreRequest>', 400, 'InvalidArgument'],
      ['<RestoreRequest><Days>two</Days></RestoreRequest>', 400, 'MalformedXML'],
      ['<RestoreRequest></RestoreRequest>', 400, 'MalformedXML'],
      ['<RestoreRequest><Days>1</Days><GlacierJobParameters><Tier>Fast</Tier></GlacierJobParameters></RestoreRequest>', 400, 'MalformedXML'],
      ['<RestoreRequest><Days>1</Days>', 400, 'MalformedXML'],
      ['<Restore><Days>1</Days></Restore>', 400, 'MalformedXML'],
      ['', 400, 'MalformedXML'],
    ];
    for (const [body, status, code] of cases) {
      const r = await restoreRaw('frozen', body);
      assert.deepEqual([r.status, errorOf(r).Code], [status, code], body);
    }
    assert.equal((await head('frozen')).Restore, undefined, 'no restore was started by a refused request');
    assert.equal((await sdkError(() => restore('nothing-here', 1))).name, 'NoSuchKey');
    assert.equal((await sdkError(() => s3.send(new RestoreObjectCommand({ Bucket: B, Key: 'frozen', VersionId: 'nope', RestoreRequest: { Days: 1 } })))).status, 400);
  });
});

const AWS = requireTool('aws');

describe('aws s3api restore-object', { skip: AWS.skip }, () => {
  it('restore-object, then head-object shows the restore', async () => {
    const work = await mkdtemp(join(tmpdir(), 'dirbucket-awscli-restore-'));
    try {
      const aws = await awsCli(AWS.path!, { server: ts, work }, { args: ['--output', 'json'], timeoutMs: 60_000 });
      await putGlacier('cli.bin', Buffer.from('thawed by the cli'), 'DEEP_ARCHIVE');
      const r = await aws(['s3api', 'restore-object', '--bucket', B, '--key', 'cli.bin', '--restore-request', 'Days=30,GlacierJobParameters={Tier=Expedited}']);
      assert.equal(r.code, 0, describeRun('restore-object', r));
      assert.ok(await waitUntil(async () => {
        const h = await aws(['s3api', 'head-object', '--bucket', B, '--key', 'cli.bin']);
        return h.code === 0 && /ongoing-request=\\?"false\\?"/.test(String((JSON.parse(h.stdout) as { Restore?: string }).Restore));
      }, { timeoutMs: 20_000 }), 'head-object shows the restored copy');
      const out = join(work, 'out');
      const g = await aws(['s3api', 'get-object', '--bucket', B, '--key', 'cli.bin', out]);
      assert.equal(g.code, 0, describeRun('get-object', g));
      assert.equal(readFileSync(out, 'utf8'), 'thawed by the cli');
      const again = await aws(['s3api', 'restore-object', '--bucket', B, '--key', 'cli.bin', '--restore-request', 'Days=0']);
      assert.notEqual(again.code, 0);
      assert.ok(existsSync(out));
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
