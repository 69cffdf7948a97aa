/**
 * End to end (issue #19): ListObjectVersions through one gateway while another gateway process writes the same
 * keys (PUTs, delete markers, permanent deletes of versions). A listing reads each key's state without the key's
 * lock, so it can see a key in the middle of another process's commit; whatever it sees, each listing must
 * be one that could have been true at some moment: every version once, newest first, the newest marked latest,
 * no version or marker nobody made, no ETag but the one written, and every version acknowledged before the
 * listing began (and not deleted before it ended) present. Bounded: a few seconds of traffic.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { prng, seedFrom } from '../helpers/prng.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { rawRequest } from './util.js';

const BUCKET = 'lvrace';
const KEYS = Array.from({ length: 40 }, (_, i) => `r/k${String(i).padStart(2, '0')}`);
/** How long the writers and the listers run, per metadata store. */
const RUN_MS = 6_000;
const WRITERS = 6;

/** A version or marker some writer was answered. */
interface Made {
  key: string;
  marker: boolean;
  md5?: string;
  ackedAt: number;
  /** When a permanent delete of it was sent. */
  deleteSentAt?: number;
}

/** One entry of a listing, in the answer's order (versions first, then markers, as the XML has them). */
interface Entry {
  key: string;
  id: string;
  latest: boolean;
  marker: boolean;
  etag?: string;
}

interface Listing {
  startedAt: number;
  endedAt: number;
  entries: Entry[];
}

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

async function listOnce(t: TestServer): Promise<Listing> {
  const startedAt = performance.now();
  const r = await rawRequest(t, { method: 'GET', path: `/${BUCKET}`, query: [['versions', ''], ['prefix', 'r/']] });
  const endedAt = performance.now();
  assert.equal(r.status, 200, r.text);
  assert.ok(!r.text.includes('<IsTruncated>true</IsTruncated>'), 'one page holds the whole run');
  const entries: Entry[] = [];
  for (const m of r.text.matchAll(/<(Version|DeleteMarker)>(.*?)<\/\1>/gs)) {
    const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(m[2]!)?.[1];
    entries.push({
      key: field('Key')!, id: field('VersionId')!, latest: field('IsLatest') === 'true', marker: m[1] === 'DeleteMarker',
      ...(m[1] === 'Version' ? { etag: field('ETag')!.replace(/&quot;|"/g, '') } : {}),
    });
  }
  return { startedAt, endedAt, entries };
}

/** What is wrong with one listing, given every version and marker made by the end of the run. */
function problemsOf(l: Listing, made: Map<string, Made>): string[] {
  const out: string[] = [];
  const byKey = new Map<string, Entry[]>();
  for (const e of l.entries) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
  for (const [key, list] of byKey) {
    const ids = list.map((e) => e.id);
    if (new Set(ids).size !== ids.length) out.push(`${key}: listed twice: ${ids.join(' ')}`);
    for (const kind of [false, true]) {
      const same = list.filter((e) => e.marker === kind).map((e) => e.id);
      if (same.some((id, i) => i > 0 && id >= same[i - 1]!)) out.push(`${key}: ${kind ? 'markers' : 'versions'} not newest first: ${same.join(' ')}`);
    }
    const latest = list.filter((e) => e.latest);
    const newest = [...ids].sort().at(-1);
    if (latest.length !== 1 || latest[0]!.id !== newest) out.push(`${key}: latest ${latest.map((e) => e.id).join(',') || 'none'}, newest ${newest}`);
    for (const e of list) {
      const m = made.get(e.id);
      if (!m || m.key !== key) out.push(`${key}: ${e.marker ? 'marker' : 'version'} ${e.id} that no writer made`);
      else if (m.marker !== e.marker) out.push(`${key}: ${e.id} listed as a ${e.marker ? 'marker' : 'version'}, made as the other`);
      else if (!e.marker && e.etag !== m.md5) out.push(`${key}: ${e.id} listed with ETag ${e.etag}, written with ${m.md5}`);
    }
  }
  const listed = new Set(l.entries.map((e) => `${e.key} ${e.id}`));
  for (const [id, m] of made) {
    if (m.ackedAt < l.startedAt && !(m.deleteSentAt !== undefined && m.deleteSentAt < l.endedAt) && !listed.has(`${m.key} ${id}`)) {
      out.push(`${m.key}: ${m.marker ? 'marker' : 'version'} ${id}, acknowledged before the listing, missing`);
    }
  }
  return out;
}

// The sidecar store reads a record by inode, so the file's stats from before a commit find the replaced version's
// own record: nothing looks amiss in the pair, only in the key's versions (with xattrs, the record read by path is
// the new file's, which does not match the old stats, and the key is read again).
for (const metadata of ['sidecar', 'default'] as const) describe(`ListObjectVersions racing a writer process (${metadata} records)`, () => {
  let root: string;
  let writer: TestServer;
  let lister: TestServer;
  const args = metadata === 'sidecar' ? ['--metadata', 'sidecar'] : [];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'dirbucket-list-versions-race-'));
    writer = await startServer({ root, args });
    const s3 = writer.client();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
    lister = await startServer({ root, args, credentials: { accessKeyId: writer.accessKeyId, secretAccessKey: writer.secretAccessKey } });
  });

  after(async () => {
    await writer?.stop();
    await lister?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('every listing is one moment of the keys: each version once, newest first, latest right, none invented, none missing', async () => {
    const made = new Map<string, Made>();
    const live = new Map<string, string[]>(KEYS.map((k) => [k, []]));
    const deadline = performance.now() + RUN_MS;
    const seed = seedFrom('LIST_VERSIONS_RACE_SEED', 19);
    const write = async (s3: S3Client, w: number): Promise<void> => {
      const rnd = prng(seed + w);
      while (performance.now() < deadline) {
        const key = KEYS[rnd.int(KEYS.length)]!;
        const roll = rnd.int(100);
        const ids = live.get(key)!;
        if (roll < 15 && ids.length > 0) {
          // A permanent delete of one of the key's versions or markers (often its newest: the current one).
          const id = rnd.int(2) === 0 ? ids[ids.length - 1]! : ids[rnd.int(ids.length)]!;
          ids.splice(ids.indexOf(id), 1);
          made.get(id)!.deleteSentAt = performance.now();
          await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key, VersionId: id }));
        } else if (roll < 30) {
          const out = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
          made.set(out.VersionId!, { key, marker: true, ackedAt: performance.now() });
          ids.push(out.VersionId!);
        } else {
          const body = Buffer.concat([Buffer.from(`${key} `), randomBytes(64 + rnd.int(4096))]);
          const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
          made.set(out.VersionId!, { key, marker: false, md5: md5(body), ackedAt: performance.now() });
          ids.push(out.VersionId!);
        }
      }
    };
    const listings: Listing[] = [];
    const list = async (): Promise<void> => {
      while (performance.now() < deadline) listings.push(await listOnce(lister));
    };
    await Promise.all([...Array.from({ length: WRITERS }, (_, w) => write(writer.client(), w)), list(), list()]);
    listings.push(await listOnce(lister)); // one at rest: it must hold exactly what is live
    assert.ok(listings.length >= 10, `only ${listings.length} listings ran`);
    const problems = listings.flatMap((l, i) => problemsOf(l, made).map((p) => `listing ${i}: ${p}`));
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems in ${listings.length} listings of ${made.size} versions and markers`);
    const last = listings.at(-1)!;
    const expected = [...live].flatMap(([key, ids]) => ids.map((id) => `${key} ${id}`)).sort();
    assert.deepEqual(last.entries.map((e) => `${e.key} ${e.id}`).sort(), expected, 'at rest: exactly the versions and markers not deleted');
  });
});
