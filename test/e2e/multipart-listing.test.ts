/**
 * End to end: ListParts and ListMultipartUploads paginate exactly as S3 — markers, Next* markers, IsTruncated,
 * prefix, delimiter and CommonPrefixes, several uploads of one key in initiation order — checked page by page
 * against a model of the whole listing, and with the SDK's own paginators.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand,
  ListPartsCommand, S3Client, UploadPartCommand, paginateListParts,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { asArray, parseXml, rawRequest, sdkError } from './util.js';

const BUCKET = 'mp-listing';
let ts: TestServer;
let s3: S3Client;

before(async () => ({ ts, s3 } = await startWithBuckets([BUCKET])));
after(() => ts?.stop());

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('ListParts', () => {
  const key = 'parts/of/one.bin';
  let id: string;
  const numbers = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144];

  before(async () => {
    id = (await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, StorageClass: 'STANDARD' }))).UploadId!;
    for (const n of [...numbers].reverse()) {
      await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: id, PartNumber: n, Body: Buffer.alloc(n, n) }));
    }
  });

  it('lists every part in number order with size, ETag, Initiator, Owner and StorageClass', async () => {
    const out = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
    assert.deepEqual(out.Parts?.map((p) => [p.PartNumber, p.Size]), numbers.map((n) => [n, n]));
    assert.equal(out.IsTruncated, false);
    assert.equal(out.MaxParts, 1000);
    assert.equal(out.StorageClass, 'STANDARD');
    assert.equal(out.Initiator?.DisplayName, 'admin');
    assert.match(out.Owner?.ID ?? '', /^[0-9a-f]{64}$/);
    assert.equal(out.Initiator?.ID, out.Owner?.ID);
    assert.equal(out.UploadId, id);
    assert.equal(out.Key, key);
    for (const p of out.Parts ?? []) assert.ok(p.LastModified instanceof Date && Math.abs(p.LastModified.getTime() - Date.now()) < 60_000);
  });

  it('pages with max-parts and part-number-marker; NextPartNumberMarker continues where the page ended', async () => {
    for (const max of [1, 2, 3, 4, 10, 11]) {
      const seen: number[] = [];
      let marker: string | undefined;
      for (let page = 0; page < 20; page++) {
        const out = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id, MaxParts: max, PartNumberMarker: marker }));
        const got = out.Parts?.map((p) => p.PartNumber!) ?? [];
        assert.ok(got.length <= max);
        seen.push(...got);
        assert.equal(out.IsTruncated, seen.length < numbers.length, `max ${max}, page ${page}: IsTruncated`);
        if (!out.IsTruncated) break;
        assert.equal(out.NextPartNumberMarker, String(got[got.length - 1]));
        marker = out.NextPartNumberMarker;
      }
      assert.deepEqual(seen, numbers, `max-parts ${max}`);
    }
    const after13 = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id, PartNumberMarker: '13', MaxParts: 2 }));
    assert.deepEqual(after13.Parts?.map((p) => p.PartNumber), [21, 34]);
    assert.equal(after13.PartNumberMarker, '13');
  });

  it('the SDK paginator reads them all', async () => {
    const seen: number[] = [];
    for await (const page of paginateListParts({ client: s3, pageSize: 4 }, { Bucket: BUCKET, Key: key, UploadId: id })) {
      seen.push(...(page.Parts ?? []).map((p) => p.PartNumber!));
    }
    assert.deepEqual(seen, numbers);
  });

  it('a bad max-parts or marker is InvalidArgument; an unknown upload NoSuchUpload', async () => {
    for (const [name, value] of [['max-parts', 'x'], ['max-parts', '-1'], ['part-number-marker', 'abc']] as const) {
      const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/${key}`, query: [['uploadId', id], [name, value]] });
      assert.equal(r.status, 400, `${name}=${value}`);
    }
    assert.equal((await sdkError(() => s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: 'f'.repeat(44) })))).name, 'NoSuchUpload');
  });
});

describe('ListMultipartUploads', () => {
  // Several uploads of some keys (created in this order), keys across prefixes, and UTF-8 order traps.
  const KEYS = ['b', 'a/1', 'b', 'a/2', 'c/d/e', 'b', 'c/x', 'd', 'a-b', 'ä/x', 'a/1', 'c/d/f', 'e/'.slice(0, 1) + 'x', 'z'];
  const uploads: { key: string; id: string }[] = [];

  before(async () => {
    for (const key of KEYS) {
      const id = (await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: `u/${key}` }))).UploadId!;
      uploads.push({ key: `u/${key}`, id });
    }
  });

  /** The whole listing S3 would give (no paging): uploads by key then initiation, rolled up under `delimiter`. */
  function model(prefix: string, delimiter?: string): { key: string; id?: string; prefix?: boolean }[] {
    const sorted = [...uploads].filter((u) => u.key.startsWith(prefix)).sort((a, b) => utf8Order(a.key, b.key) || (a.id < b.id ? -1 : 1));
    const out: { key: string; id?: string; prefix?: boolean }[] = [];
    for (const u of sorted) {
      const cut = delimiter ? u.key.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const p = u.key.slice(0, cut + delimiter!.length);
        if (!out.some((e) => e.prefix && e.key === p)) out.push({ key: p, prefix: true });
      } else out.push({ key: u.key, id: u.id });
    }
    return out;
  }

  /** Follows NextKeyMarker/NextUploadIdMarker through every page, checking each page's shape. */
  async function pageAll(prefix: string, delimiter: string | undefined, max: number) {
    const seen: { key: string; id?: string; prefix?: boolean }[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (let page = 0; page < 100; page++) {
      const out = await s3.send(new ListMultipartUploadsCommand({
        Bucket: BUCKET, Prefix: prefix, Delimiter: delimiter, MaxUploads: max, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker,
      }));
      const entries: { key: string; id?: string; prefix?: boolean }[] = [
        ...(out.Uploads ?? []).map((u) => ({ key: u.Key!, id: u.UploadId! })),
        ...(out.CommonPrefixes ?? []).map((p) => ({ key: p.Prefix!, prefix: true as const })),
      ];
      entries.sort((a, b) => utf8Order(a.key, b.key) || ((a.id ?? '') < (b.id ?? '') ? -1 : 1));
      assert.ok(entries.length <= max, `page ${page} has ${entries.length} > ${max}`);
      seen.push(...entries);
      assert.equal(out.MaxUploads, max);
      if (!out.IsTruncated) break;
      assert.equal(entries.length, max, 'a truncated page is full');
      keyMarker = out.NextKeyMarker;
      uploadIdMarker = out.NextUploadIdMarker;
      assert.ok(keyMarker, 'a truncated page names where to continue');
    }
    return seen;
  }

  it('lists every upload in key order, several uploads of one key in initiation order, with initiator and date', async () => {
    const out = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'u/' }));
    assert.deepEqual(out.Uploads?.map((u) => [u.Key, u.UploadId]), model('u/').map((e) => [e.key, e.id]));
    const bs = out.Uploads?.filter((u) => u.Key === 'u/b') ?? [];
    assert.deepEqual(bs.map((u) => u.UploadId), uploads.filter((u) => u.key === 'u/b').map((u) => u.id), 'initiation order');
    for (const u of out.Uploads ?? []) {
      assert.equal(u.Initiator?.DisplayName, 'admin');
      assert.equal(u.StorageClass, 'STANDARD');
      assert.ok(u.Initiated instanceof Date && Math.abs(u.Initiated.getTime() - Date.now()) < 120_000);
    }
    assert.equal(out.IsTruncated, false);
  });

  it('pages exactly as the model, with and without a delimiter, at every page size', async () => {
    for (const [prefix, delimiter] of [['u/', undefined], ['u/', '/'], ['u/c/', '/'], ['u/a', undefined], ['u/', 'd']] as const) {
      for (const max of [1, 2, 3, 5, 1000]) {
        assert.deepEqual(await pageAll(prefix, delimiter, max), model(prefix, delimiter), `prefix ${prefix} delimiter ${delimiter} max ${max}`);
      }
    }
  });

  it('key-marker alone starts after that key; with upload-id-marker, after that upload of the key', async () => {
    const bs = uploads.filter((u) => u.key === 'u/b').map((u) => u.id);
    const afterB = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'u/', KeyMarker: 'u/b' }));
    assert.ok(!(afterB.Uploads ?? []).some((u) => u.Key === 'u/b'));
    assert.equal(afterB.Uploads?.[0]?.Key, 'u/c/d/e');
    const afterFirstB = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'u/', KeyMarker: 'u/b', UploadIdMarker: bs[0] }));
    assert.deepEqual(afterFirstB.Uploads?.slice(0, 2).map((u) => u.UploadId), bs.slice(1));
    assert.equal(afterFirstB.KeyMarker, 'u/b');
    assert.equal(afterFirstB.UploadIdMarker, bs[0]);
  });

  it('common prefixes roll up under the delimiter and count toward max-uploads', async () => {
    const out = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'u/', Delimiter: '/' }));
    assert.deepEqual(out.CommonPrefixes?.map((p) => p.Prefix), ['u/a/', 'u/c/', 'u/ä/']);
    assert.deepEqual(out.Uploads?.map((u) => u.Key), ['u/a-b', 'u/b', 'u/b', 'u/b', 'u/d', 'u/ex', 'u/z']);
    assert.equal(out.Delimiter, '/');
    assert.equal(out.Prefix, 'u/');
  });

  it('aborted uploads are gone from the listing', async () => {
    const gone = uploads.find((u) => u.key === 'u/z')!;
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: gone.key, UploadId: gone.id }));
    const out = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'u/z' }));
    assert.deepEqual(out.Uploads ?? [], []);
    uploads.splice(uploads.indexOf(gone), 1);
    assert.deepEqual(await pageAll('u/', undefined, 4), model('u/'));
  });

  it('encoding-type=url encodes keys, prefixes and markers', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}`, query: [['uploads', ''], ['prefix', 'u/'], ['delimiter', '/'], ['encoding-type', 'url']] });
    assert.equal(r.status, 200);
    const doc = parseXml(r.text)['ListMultipartUploadsResult'];
    assert.equal(doc.EncodingType, 'url');
    assert.ok(asArray(doc.CommonPrefixes).some((p: { Prefix: string }) => p.Prefix === 'u/%C3%A4/'), r.text);
  });

  it('a bad max-uploads is InvalidArgument', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}`, query: [['uploads', ''], ['max-uploads', 'lots']] });
    assert.equal(r.status, 400);
  });
});
