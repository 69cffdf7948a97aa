/**
 * End to end (issue #11): a versioned bucket keeps every acknowledged version exactly once, whole, with the newest
 * acknowledged write current, (1) when the server is killed (SIGKILL) while PUTs, DELETEs and
 * CompleteMultipartUploads are in flight and started again on the tree, and (2) when two gateway processes on
 * one tree race PUTs and DELETEs on the same keys. Bounded: a few rounds, a few hundred small requests.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { serverOnTree, startServer, type TestServer } from '../helpers/server.js';
import { bodyBytes } from './util.js';
import { listedVersions, type Listed } from './versions-model.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** One write or delete of a key, as its client saw it. */
interface Op {
  kind: 'put' | 'delete' | 'complete';
  /** The bytes written (put, complete). */
  md5?: string;
  /** The version id answered: set only once acknowledged. */
  versionId?: string;
  sentAt: number;
  ackedAt?: number;
  /** Multipart: the Complete request has been sent (the upload and its part were acknowledged). */
  completing?: boolean;
}

/** A body of 1 KiB to 256 KiB whose first bytes name it, so a torn or swapped version cannot pass for another. */
function bodyFor(key: string, n: number): Buffer {
  const head = Buffer.from(`${key} #${n} `);
  return Buffer.concat([head, randomBytes(randomInt(1024, 256 * 1024))]);
}

/** Runs `kind` on `key` through `s3` once, recording it in `ops` (acknowledged or not). Throws what the client throws. */
async function runOp(s3: S3Client, bucket: string, key: string, kind: Op['kind'], n: number, ops: Op[]): Promise<void> {
  const op: Op = { kind, sentAt: performance.now() };
  ops.push(op);
  if (kind === 'delete') {
    const out = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    assert.equal(out.DeleteMarker, true);
    op.versionId = out.VersionId;
  } else if (kind === 'put') {
    const body = bodyFor(key, n);
    op.md5 = md5(body);
    op.versionId = (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))).VersionId;
  } else {
    const body = bodyFor(key, n);
    op.md5 = md5(body);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const part = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: body }));
    op.sentAt = performance.now(); // the version is made by the Complete
    op.completing = true;
    op.versionId = (await s3.send(new CompleteMultipartUploadCommand({
      Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    }))).VersionId;
  }
  assert.match(op.versionId ?? '', /^[0-9a-v]{20}$/, `${kind} ${key} answers a version id`);
  op.ackedAt = performance.now();
}

/** What a key's listed history must be made of: checks each listed data version reads back whole, by id. */
async function checkReadable(s3: S3Client, bucket: string, key: string, entries: Listed[], md5ById: Map<string, string>): Promise<void> {
  for (const e of entries) {
    if (e.marker) continue;
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: e.id }));
    const body = await bodyBytes(out.Body);
    assert.ok(body.toString('latin1').startsWith(`${key} #`), `${key} ${e.id}: not one of this key's bodies`);
    const want = md5ById.get(e.id);
    if (want) assert.equal(md5(body), want, `${key} ${e.id} reads back whole`);
  }
}

describe('kill -9 during versioned PUT, DELETE and CompleteMultipartUpload', () => {
  const BUCKET = 'vcrash';
  const tree = serverOnTree('dirbucket-versions-crash-', BUCKET);
  before(() => tree.s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } })).then(() => undefined));

  it('every acknowledged version is listed exactly once, whole; the newest acknowledged write is current', async (t) => {
    // One sequential client per key, so each key has at most one request in flight when the server dies:
    // its history must be exactly what was acknowledged, plus at most that one request's outcome, newest.
    const KEYS: Record<string, Op['kind'][]> = {
      'put/only': ['put'],
      'put/delete': ['put', 'delete', 'put', 'put', 'delete'],
      'mp/complete': ['complete'],
      'mp/mixed': ['complete', 'delete', 'put'],
    };
    const known = new Map<string, string[]>(Object.keys(KEYS).map((k) => [k, []])); // listed ids, newest first
    const md5ById = new Map<string, string>();
    const inFlightAtKill: string[] = [];
    let n = 0;
    let tookEffect = 0;
    const kinds = () => new Set(inFlightAtKill.map((s) => s.split(' ')[0]));
    // At least 4 rounds, and more (bounded) until a kill has landed in each kind of request.
    for (let round = 0; round < 4 || (round < 16 && kinds().size < 3); round++) {
      const s3 = tree.server.client({ maxAttempts: 1 });
      const ops = new Map<string, Op[]>(Object.keys(KEYS).map((k) => [k, []]));
      let stop = false;
      const loops = Object.entries(KEYS).map(async ([key, kinds]) => {
        for (let i = 0; !stop && i < 10_000; i++) {
          try {
            await runOp(s3, BUCKET, key, kinds[i % kinds.length]!, n++, ops.get(key)!);
          } catch {
            return; // the server died under it (or the loop was told to stop)
          }
        }
      });
      await new Promise((r) => setTimeout(r, randomInt(150, 700)));
      await tree.crash();
      stop = true;
      await Promise.all(loops);
      for (const [key, list] of ops) {
        const last = list[list.length - 1];
        if (last && last.ackedAt === undefined && (last.kind !== 'complete' || last.completing)) inFlightAtKill.push(`${last.kind} ${key}`);
      }
      await tree.start();
      const check = tree.s3;
      for (const [key, list] of ops) {
        const acked = list.filter((o) => o.ackedAt !== undefined);
        const pending = list.find((o) => o.ackedAt === undefined && (o.kind !== 'complete' || o.completing));
        for (const o of acked) if (o.md5) md5ById.set(o.versionId!, o.md5);
        const listed = (await listedVersions(tree.server, BUCKET, key)).filter((e) => e.key === key);
        const ids = listed.map((e) => e.id);
        assert.equal(new Set(ids).size, ids.length, `${key}: a version listed twice: ${ids.join(' ')}`);
        const expected = [...acked.map((o) => o.versionId!).reverse(), ...known.get(key)!];
        const extra = ids.length - expected.length;
        assert.ok(extra === 0 || (extra === 1 && pending), `round ${round}, ${key}: listed ${ids.join(' ')}; acknowledged ${expected.join(' ')}`);
        assert.deepEqual(ids.slice(extra), expected, `round ${round}, ${key}: every acknowledged version exactly once, in order`);
        if (extra) {
          // The request in flight when the server died took effect: it must be exactly that request, and current.
          const e = listed[0]!;
          tookEffect++;
          assert.equal(e.marker, pending!.kind === 'delete', `${key}: the unacknowledged outcome is of the kind sent`);
          if (!e.marker) md5ById.set(e.id, pending!.md5!);
        }
        assert.ok(listed.length === 0 || listed[0]!.latest, `${key}: the newest is latest`);
        assert.ok(listed.slice(1).every((e) => !e.latest), `${key}: one latest`);
        await checkReadable(check, BUCKET, key, listed, md5ById);
        // The current version, by key alone, is the latest listed one, and is the plain file.
        const path = join(tree.root, BUCKET, ...key.split('/'));
        if (listed[0] && !listed[0].marker) {
          const cur = await check.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
          assert.equal(cur.VersionId, listed[0].id);
          assert.equal(md5(await bodyBytes(cur.Body)), md5ById.get(listed[0].id));
          assert.equal(md5(readFileSync(path)), md5ById.get(listed[0].id), `${key}: the plain file is the current version`);
        } else {
          assert.equal(existsSync(path), false, `${key}: no plain file under a delete marker`);
        }
        known.set(key, ids);
      }
    }
    t.diagnostic(`in flight at the kills: ${inFlightAtKill.join(', ') || 'nothing'}; ${tookEffect} of them took effect unacknowledged`);
    assert.ok(inFlightAtKill.some((s) => s.startsWith('put')), 'no kill landed during a PUT: the test proved nothing');
    assert.ok(inFlightAtKill.some((s) => s.startsWith('complete')), 'no kill landed during a CompleteMultipartUpload');
    assert.ok(inFlightAtKill.some((s) => s.startsWith('delete')), 'no kill landed during a DELETE');
  });
});

describe('two gateway processes on one tree', () => {
  const BUCKET = 'vrace';
  let root: string;
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'dirbucket-versions-race-'));
    a = await startServer({ root });
    const s3 = a.client();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
    b = await startServer({ root, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } });
  });

  after(async () => {
    await a?.stop();
    await b?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('racing PUTs and DELETEs on the same keys: every acknowledged version once, whole; ids in real-time order; the newest current', async () => {
    const KEYS = ['race/one', 'race/two', 'race/three'];
    const PER_LOOP = 16;
    const ops = new Map<string, Op[]>(KEYS.map((k) => [k, []]));
    let n = 0;
    // Two clients per key on each gateway: four writers per key at once.
    const loops = [a, b].flatMap((gw) => KEYS.flatMap((key) => [0, 1].map(async () => {
      const s3 = gw.client();
      for (let i = 0; i < PER_LOOP; i++) await runOp(s3, BUCKET, key, randomInt(10) < 7 ? 'put' : 'delete', n++, ops.get(key)!);
    })));
    const t0 = performance.now();
    await Promise.all(loops);
    assert.ok(performance.now() - t0 < 120_000, 'bounded in time');

    const check = a.client();
    for (const key of KEYS) {
      const list = ops.get(key)!;
      assert.equal(list.length, 2 * 2 * PER_LOOP);
      assert.ok(list.every((o) => o.ackedAt !== undefined));
      const md5ById = new Map(list.filter((o) => o.md5).map((o) => [o.versionId!, o.md5!]));
      const listed = (await listedVersions(a, BUCKET, key)).filter((e) => e.key === key);
      const ids = listed.map((e) => e.id);
      const acked = list.map((o) => o.versionId!).sort().reverse();
      assert.equal(new Set(acked).size, acked.length, `${key}: two requests were answered the same version id`);
      assert.deepEqual(ids, acked, `${key}: exactly the acknowledged versions, newest first`);
      for (const e of listed) assert.equal(e.marker, !md5ById.has(e.id), `${key} ${e.id}: a marker exactly where a DELETE made one`);
      // Real-time order: a request sent after another was answered got a later id.
      for (const x of list) for (const y of list) {
        if (x.ackedAt! < y.sentAt) assert.ok(x.versionId! < y.versionId!, `${key}: ${y.versionId} was sent after ${x.versionId} was answered`);
      }
      assert.ok(listed[0]!.latest && listed.slice(1).every((e) => !e.latest));
      await checkReadable(check, BUCKET, key, listed, md5ById);
      const path = join(root, BUCKET, ...key.split('/'));
      if (listed[0]!.marker) assert.equal(existsSync(path), false, `${key}: the newest is a delete marker: no plain file`);
      else assert.equal(md5(readFileSync(path)), md5ById.get(listed[0]!.id), `${key}: the plain file is the newest acknowledged write`);
      // Both gateways answer the same current version.
      const [ha, hb] = await Promise.all([a, b].map((gw) => gw.client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then((h) => h.VersionId, (e: { name?: string }) => e.name)));
      assert.equal(ha, hb);
    }
  });

  it('two gateways that notice the same NAS change agree on its version id', async () => {
    writeFileSync(join(root, BUCKET, 'nas-made.txt'), 'made on the NAS');
    const [ha, hb] = await Promise.all([a, b].map((gw) => gw.client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'nas-made.txt' }))));
    assert.match(ha!.VersionId ?? '', /^[0-9a-v]{20}$/);
    assert.equal(ha!.VersionId, hb!.VersionId);
    const listed = (await listedVersions(b, BUCKET, 'nas-made.txt')).map((e) => e.id);
    assert.deepEqual(listed, [ha!.VersionId]);
  });
});
