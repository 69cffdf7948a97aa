/**
 * Many gateways on a real distributed file system, under kill -9 (issue #19). MooseFS runs on loopback, its
 * volume mounted twice (two clients with their own caches, as two hosts), one gateway per mount; concurrent
 * clients write, copy, delete, read and list overlapping keys through either gateway, with self-verifying bodies,
 * while the gateways are killed with SIGKILL and started again. Then, through both gateways: every acknowledged
 * write is there or was superseded, no object mixes two versions, no S3-written object shows a synthetic ETag,
 * and once the sweeps have run nothing is left in the staging and multipart directories.
 * Runs with the default metadata store, and in CI's second pass with --metadata sidecar.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { startMooseFs, type MooseFs } from '../helpers/moosefs.js';
import { requireRoot, requireTool, unmet } from '../helpers/requires.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';

const BUCKET = 'dfs';
// Few keys per prefix: deletes empty a directory now and then, and its removal races the other gateway's writes.
const KEYS = Array.from({ length: 24 }, (_, i) => `p${i % 8}/k${i}`);
const CLIENTS = 10;
const CHAOS_MS = 40_000;
const KILL_EVERY_MS = 7_000;

const need = requireRoot('mount a MooseFS volume (FUSE)') || requireTool('mfsmaster').skip || requireTool('mfschunkserver').skip ||
  requireTool('mfsmount').skip || unmet(!existsSync('/dev/fuse') && 'no /dev/fuse');

/** One operation a client made, and what it knows of its outcome. */
interface Op {
  kind: 'put' | 'copy' | 'delete' | 'multipart';
  key: string;
  /** The body's id for a put or multipart; for a copy, the id its answer's ETag names (when acknowledged). */
  id?: string;
  start: number;
  end: number;
  /** Acknowledged (2xx), or unknown: the gateway died, or answered an error that may come after the change. */
  acked: boolean;
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A body that names itself: `id|` then random bytes; its SHA-256 and id go in its user metadata. */
function makeBody(id: string): { bytes: Buffer; meta: Record<string, string> } {
  const bytes = Buffer.concat([Buffer.from(`${id}|`), randomBytes(Math.floor(Math.random() * 48 * 1024))]);
  return { bytes, meta: { sha: sha(bytes), id } };
}

/** The ETag S3 gives an object uploaded as one part: the MD5 of that part's MD5, then "-1". */
const onePartEtag = (b: Buffer) => `${createHash('md5').update(createHash('md5').update(b).digest()).digest('hex')}-1`;

/** The ETags that legitimately end in "-1": those of the one-part multipart uploads made. Any other is synthetic. */
const multipartEtags = new Set<string>();
const synthetic = (etag: string | undefined) => {
  const e = etag?.replaceAll('"', '') ?? '';
  return !/^[0-9a-f]{32}$/.test(e) && !multipartEtags.has(e);
};

/** The id a stored body names, when body, metadata and ETag are one version's; else a description of the mix. */
function verify(bytes: Buffer, meta: Record<string, string> | undefined, etag: string | undefined): { id: string } | { problem: string } {
  const id = bytes.subarray(0, bytes.indexOf('|')).toString();
  if (!meta || meta['sha'] !== sha(bytes) || meta['id'] !== id) return { problem: `body ${id} (${bytes.length} B) with metadata ${JSON.stringify(meta)}` };
  const e = etag?.replaceAll('"', '');
  if (e !== md5(bytes) && e !== onePartEtag(bytes)) return { problem: `body ${id} with ETag ${etag}` };
  return { id };
}

describe('two gateways on two mounts of one MooseFS volume, killed with SIGKILL', { skip: need }, () => {
  let mfs: MooseFs | undefined;
  const gateways: (TestServer | undefined)[] = [undefined, undefined];
  const clients: (S3Client | undefined)[] = [undefined, undefined];
  let credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  const retired: TestServer[] = [];

  const start = async (i: number) => {
    const server = await startServer({ root: join(mfs!.mounts[i]!, 'tree'), credentials, startTimeoutMs: 30_000 });
    credentials ??= { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey };
    gateways[i] = server;
    // No retries: an answer is acknowledged or not, and the test keeps count of which.
    clients[i] = server.client({ maxAttempts: 1 });
  };
  const kill = (i: number) => {
    const g = gateways[i]!;
    g.kill();
    retired.push(g);
    gateways[i] = undefined;
    clients[i] = undefined;
  };

  before(async () => {
    mfs = await startMooseFs({ mounts: 2 });
    await mkdir(join(mfs.mounts[0]!, 'tree'));
    await start(0);
    await start(1);
    await clients[0]!.send(new CreateBucketCommand({ Bucket: BUCKET }));
    assert.ok(await waitUntil(() => clients[1]!.send(new HeadBucketCommand({ Bucket: BUCKET })).then(() => true, () => false), { timeoutMs: 10_000 }));
  });

  after(async () => {
    for (const g of [...gateways, ...retired]) await g?.stop();
    await mfs?.stop();
  });

  it('loses no acknowledged write, mixes no versions, shows no synthetic ETag, and leaves nothing behind', async (t) => {
    const ops: Op[] = [];
    const problems: string[] = [];
    const errors = new Map<string, number>();
    const problem = (p: string) => problems.length < 30 && problems.push(p);
    let seq = 0;
    const until = Date.now() + CHAOS_MS;

    const client = async (c: number) => {
      while (Date.now() < until) {
        const g = Math.floor(Math.random() * 2);
        const s3 = clients[g];
        if (!s3) {
          await sleep(50);
          continue;
        }
        const key = KEYS[Math.floor(Math.random() * KEYS.length)]!;
        const roll = Math.random();
        const op: Op = { kind: 'put', key, start: Date.now(), end: 0, acked: false };
        try {
          if (roll < 0.35) {
            op.id = `c${c}-${seq++}`;
            const b = makeBody(op.id);
            ops.push(op);
            await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: b.bytes, Metadata: b.meta }));
          } else if (roll < 0.45) {
            op.kind = 'copy';
            ops.push(op);
            const source = KEYS[Math.floor(Math.random() * KEYS.length)]!;
            const out = await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: key, CopySource: `${BUCKET}/${source}` }));
            op.id = `etag:${out.CopyObjectResult?.ETag?.replaceAll('"', '')}`;
          } else if (roll < 0.55) {
            op.kind = 'delete';
            ops.push(op);
            await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
          } else if (roll < 0.6) {
            op.kind = 'multipart';
            op.id = `mp${c}-${seq++}`;
            const b = makeBody(op.id);
            multipartEtags.add(onePartEtag(b.bytes));
            ops.push(op);
            const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, Metadata: b.meta }));
            const part = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 1, Body: b.bytes }));
            // The Complete is resent to the other gateway when the first dies: it must finish, and soon.
            const complete = () => new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } });
            await s3.send(complete()).catch(async (e: unknown) => {
              if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode) throw e;
              await waitUntil(() => clients[0] !== undefined || clients[1] !== undefined, { timeoutMs: 10_000 });
              const other = clients[1 - g] ?? clients[g];
              if (!other) throw e;
              const t0 = Date.now();
              await other.send(complete());
              if (Date.now() - t0 > 8_000) problem(`a resent Complete took ${Date.now() - t0} ms`);
            });
          } else if (roll < 0.85) {
            const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })).catch((e: unknown) => {
              if ((e as { name?: string }).name === 'NoSuchKey') return undefined;
              throw e;
            });
            if (out) {
              const bytes = Buffer.from(await out.Body!.transformToByteArray());
              const v = verify(bytes, out.Metadata, out.ETag);
              if ('problem' in v) problem(`GET ${key} on gateway ${g}: ${v.problem}`);
            }
            continue;
          } else {
            const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
            for (const o of listed.Contents ?? []) {
              if (synthetic(o.ETag)) {
                const h = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: o.Key })).catch((e: Error) => ({ ETag: e.name, Metadata: {} as Record<string, string> }));
                const st = await lstat(join(mfs!.mounts[g]!, 'tree', BUCKET, o.Key!), { bigint: true }).catch(() => undefined);
                problem(`LIST on gateway ${g}: ${o.Key} has ETag ${o.ETag} (${o.Size} B, ${o.LastModified?.toISOString()}); HEAD then: ${h.ETag} ${h.Metadata?.['id']}; ` +
                  `file: ${st ? `inode ${st.ino}, ${st.size} B, mtime ${st.mtimeNs} ns` : 'none'}`);
              }
            }
            continue;
          }
          op.acked = true;
        } catch (e) {
          const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
          const name = status ? `${status} ${(e as Error).name}` : (e as { code?: string }).code ?? (e as Error).name;
          errors.set(name, (errors.get(name) ?? 0) + 1);
          if (status && status >= 500) problem(`${op.kind} ${key} on gateway ${g}: ${status} ${(e as Error).message}`);
        } finally {
          op.end = Date.now();
        }
      }
    };

    const killer = async () => {
      let i = 0;
      while (Date.now() + KILL_EVERY_MS < until) {
        await sleep(KILL_EVERY_MS * (0.5 + Math.random()));
        const g = i++ % 2;
        kill(g);
        await sleep(300 + Math.random() * 700);
        await start(g);
      }
    };

    await Promise.all([killer(), ...Array.from({ length: CLIENTS }, (_, c) => client(c))]);
    t.diagnostic(`${ops.length} writes (${ops.filter((o) => o.acked).length} acknowledged); errors: ${JSON.stringify(Object.fromEntries(errors))}`);

    // A last kill of both, then fresh gateways: their first sweeps must clear what the kills left.
    kill(0);
    kill(1);
    await start(0);
    await start(1);
    await sleep(2_000); // past the mounts' attribute and entry caches

    const ids = new Map<string, string>(); // md5 of a body -> its id, for what copies and listings answer
    const checkKey = async (key: string, g: number) => {
      const out = await clients[g]!.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })).catch((e: unknown) => {
        if ((e as { name?: string }).name === 'NoSuchKey') return undefined;
        throw e;
      });
      if (!out) return undefined;
      const bytes = Buffer.from(await out.Body!.transformToByteArray());
      const v = verify(bytes, out.Metadata, out.ETag);
      if ('problem' in v) {
        problem(`final GET ${key} on gateway ${g}: ${v.problem}`);
        return null;
      }
      ids.set(md5(bytes), v.id);
      return v.id;
    };
    for (const key of KEYS) {
      const [a, b] = [await checkKey(key, 0), await checkKey(key, 1)];
      if (a !== b) problem(`${key}: gateway 0 serves ${a}, gateway 1 ${b}`);
      if (a === null) continue;
      // The op that left the key as it is, and every acknowledged op on it: none acknowledged may have started
      // after that op's end (it would have superseded it).
      const on = ops.filter((o) => o.key === key);
      const made = on.filter((o) => a === undefined ? o.kind === 'delete'
        : o.id === a || (o.kind === 'copy' && (!o.acked || ids.get(o.id!.slice(5)) === a)));
      if (a !== undefined && !made.length && on.length) problem(`${key} holds ${a}, which no operation on it wrote`);
      if (!made.length) {
        if (a === undefined && on.some((o) => o.acked && o.kind !== 'delete')) problem(`${key} is gone, and no delete of it was made`);
        continue;
      }
      const lastEnd = Math.max(...made.map((o) => o.end));
      const lost = on.filter((o) => o.acked && o.start > lastEnd);
      if (lost.length) problem(`${key} holds ${a ?? 'nothing'}, but ${lost.map((o) => `${o.kind} ${o.id ?? ''}`).join(', ')} came after and was acknowledged`);
    }
    for (const g of [0, 1]) {
      const listed = await clients[g]!.send(new ListObjectsV2Command({ Bucket: BUCKET }));
      for (const o of listed.Contents ?? []) {
        if (synthetic(o.ETag)) problem(`final LIST on gateway ${g}: ${o.Key} has ETag ${o.ETag}`);
      }
    }

    // The staging sweep runs 5 s after start-up, the multipart sweep too: both gateways', on their own mount.
    const state = join(mfs!.mounts[0]!, 'tree', BUCKET, '.dirbucket');
    const leftovers = async () => {
      const tmp = await readdir(join(state, 'tmp')).catch(() => [] as string[]);
      const mp = (await readdir(join(state, 'multipart')).catch(() => [] as string[]))
        .filter((n) => n.startsWith('.') || n.includes('.completing') || n.includes('.recovering') || n.includes('.aborting'));
      return [...tmp.map((n) => `tmp/${n}`), ...mp.map((n) => `multipart/${n}`)];
    };
    await waitUntil(async () => (await leftovers()).length === 0, { timeoutMs: 20_000, intervalMs: 500 });
    const left = await leftovers();
    if (left.length) problem(`left behind after the sweeps: ${left.join(', ')}`);
    assert.match(gateways[0]!.stdout(), /is on a network file system \(FUSE/, 'the gateway warns that its tree is on a network file system');
    assert.deepEqual(problems, [], `${problems.length} problems (errors seen: ${JSON.stringify(Object.fromEntries(errors))})`);
  });
});
