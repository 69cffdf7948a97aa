/** End to end: ListObjectsV2: S3 byte order, prefix, any delimiter, pagination, start-after, fetch-owner, encoding, tokens. */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, DeleteObjectCommand, ListObjectsV2Command, type ListObjectsV2CommandOutput, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startServer, startWithBuckets, type TestServer } from '../helpers/server.js';
import { expectedListing, mergePage, s3Sort, type Entry } from './listing-model.js';
import { asArray, errorOf, md5hex, parseXml, rawRequest, sdkError } from './util.js';

let ts: TestServer;
let s3: S3Client;
const BUCKET = 'list-v2';
const MANY = 'list-many';
const MANY_COUNT = 1005;
// Chosen so that file-system order and S3 order differ: `a-b` and `a.txt` sort before `a/x`, `a0` after it,
// upper case before lower case, multi-byte UTF-8 after ASCII.
const KEYS = [
  'a-b', 'a.txt', 'a/x', 'a/y/z', 'a0', 'B', 'b', 'dir/', 'dir/f', 'dir/sub/g', 'é', 'ü/deep/k', '日本/語.txt',
  'z~', 'sp ace', 'plus+', 'x.y.z', 'x.y', 'x', 'tilde~/t', 'Zeta/1',
];

before(async () => {
  ({ ts, s3 } = await startWithBuckets([BUCKET]));
  for (const k of KEYS) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: k, Body: k.endsWith('/') ? '' : `<${k}>` }));
  await s3.send(new CreateBucketCommand({ Bucket: MANY }));
  await mkdir(join(ts.root, MANY, 'd'));
  for (let i = 0; i < MANY_COUNT; i++) await writeFile(join(ts.root, MANY, 'd', `f${String(i).padStart(5, '0')}`), '');
});

after(() => ts?.stop());

/** Lists every page with the given page size; checks each page's shape; returns all entries in order. */
async function listAll(o: { bucket?: string; prefix?: string; delimiter?: string; startAfter?: string; maxKeys?: number }): Promise<Entry[]> {
  const all: Entry[] = [];
  let token: string | undefined;
  for (let page = 0; page < 200; page++) {
    const out: ListObjectsV2CommandOutput = await s3.send(new ListObjectsV2Command({
      Bucket: o.bucket ?? BUCKET, Prefix: o.prefix, Delimiter: o.delimiter, StartAfter: o.startAfter, MaxKeys: o.maxKeys, ContinuationToken: token,
    }));
    const keys = (out.Contents ?? []).map((c) => c.Key!);
    const prefixes = (out.CommonPrefixes ?? []).map((p) => p.Prefix!);
    assert.equal(out.KeyCount, keys.length + prefixes.length, 'KeyCount counts keys and common prefixes');
    if (o.maxKeys !== undefined) assert.ok(out.KeyCount! <= o.maxKeys, `page of ${out.KeyCount} > ${o.maxKeys}`);
    assert.equal(out.ContinuationToken, token);
    const merged = mergePage(keys, prefixes);
    all.push(...merged);
    if (!out.IsTruncated) {
      assert.equal(out.NextContinuationToken, undefined);
      return all;
    }
    assert.ok(out.NextContinuationToken, 'NextContinuationToken when truncated');
    assert.ok(out.KeyCount! > 0, 'a truncated page is not empty');
    token = out.NextContinuationToken;
  }
  throw new Error('too many pages');
}

describe('ListObjectsV2 order and shape', () => {
  it('lists every key once in UTF-8 byte order across the whole bucket', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    assert.deepEqual((out.Contents ?? []).map((c) => c.Key), s3Sort(KEYS));
    assert.equal(out.IsTruncated, false);
    assert.equal(out.KeyCount, KEYS.length);
    assert.equal(out.MaxKeys, 1000);
    assert.equal(out.Name, BUCKET);
  });

  it('gives each object its ETag, Size, LastModified and StorageClass STANDARD, and no Owner unless asked', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    for (const c of out.Contents ?? []) {
      const body = c.Key!.endsWith('/') ? '' : `<${c.Key}>`;
      assert.equal(c.ETag, `"${md5hex(body)}"`, c.Key);
      assert.equal(c.Size, Buffer.byteLength(body), c.Key);
      assert.ok(c.LastModified instanceof Date, c.Key);
      assert.equal(c.StorageClass, 'STANDARD', c.Key);
      assert.equal(c.Owner, undefined, c.Key);
    }
  });

  it('with fetch-owner gives every object an Owner', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, FetchOwner: true }));
    for (const c of out.Contents ?? []) assert.ok(c.Owner?.ID, c.Key);
  });

  it('a directory object sorts as its key with the slash', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'dir' }));
    assert.deepEqual((out.Contents ?? []).map((c) => c.Key), ['dir/', 'dir/f', 'dir/sub/g']);
    assert.equal(out.Contents![0]!.Size, 0);
  });

  it('answers NoSuchBucket for a missing bucket', async () => {
    const e = await sdkError(() => s3.send(new ListObjectsV2Command({ Bucket: 'no-such-list-bucket' })));
    assert.equal(e.name, 'NoSuchBucket');
    assert.equal(e.status, 404);
  });
});

describe('ListObjectsV2 prefix and delimiter', () => {
  const combos: Array<{ prefix?: string; delimiter?: string }> = [
    { delimiter: '/' },
    { prefix: 'a', delimiter: '/' },
    { prefix: 'a/', delimiter: '/' },
    { prefix: 'a/y', delimiter: '/' },
    { prefix: 'dir/', delimiter: '/' },
    { prefix: 'a' },
    { prefix: 'x.y' },
    { prefix: 'no-such-prefix/' },
    { prefix: '日本/' },
    { delimiter: '.' },
    { delimiter: '-' },
    { delimiter: 'y' },
    { delimiter: '~/' },
    { delimiter: 'é' },
    { prefix: 'x', delimiter: '.' },
    { prefix: 'a.txt/' },
    { prefix: 'x.y.z/', delimiter: '/' },
    { prefix: 'a/y/z/' },
    { prefix: 'a/y/z' },
    { prefix: 'dir/', delimiter: '/f' },
  ];
  for (const c of combos) {
    it(`prefix ${JSON.stringify(c.prefix ?? '')} delimiter ${JSON.stringify(c.delimiter ?? '')}`, async () => {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: c.prefix, Delimiter: c.delimiter }));
      const got = mergePage((out.Contents ?? []).map((x) => x.Key!), (out.CommonPrefixes ?? []).map((p) => p.Prefix!));
      assert.deepEqual(got, expectedListing(KEYS, c));
      if (c.prefix) assert.equal(out.Prefix, c.prefix);
      if (c.delimiter) assert.equal(out.Delimiter, c.delimiter);
    });
  }
});

describe('ListObjectsV2 pagination', () => {
  for (const maxKeys of [1, 2, 3, 7]) {
    for (const delimiter of [undefined, '/', '.']) {
      it(`max-keys ${maxKeys}, delimiter ${JSON.stringify(delimiter ?? '')}: pages add up to the whole listing`, async () => {
        assert.deepEqual(await listAll({ maxKeys, delimiter }), expectedListing(KEYS, { delimiter }));
      });
    }
  }

  it('max-keys with a prefix and delimiter', async () => {
    assert.deepEqual(await listAll({ maxKeys: 1, prefix: 'a', delimiter: '/' }), expectedListing(KEYS, { prefix: 'a', delimiter: '/' }));
  });

  it('start-after skips keys up to and including it, and is echoed', async () => {
    for (const startAfter of ['a.txt', 'a/', 'b', 'zzz', '', 'a0']) {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, StartAfter: startAfter || undefined }));
      assert.deepEqual((out.Contents ?? []).map((c) => c.Key), expectedListing(KEYS, { startAfter }).map((e) => ('key' in e ? e.key : e.prefix)), startAfter);
      if (startAfter) assert.equal(out.StartAfter, startAfter);
    }
  });

  it('start-after with pages', async () => {
    assert.deepEqual(await listAll({ maxKeys: 2, startAfter: 'b' }), expectedListing(KEYS, { startAfter: 'b' }));
  });

  it('max-keys 0 answers no keys', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 0 }));
    assert.equal(out.KeyCount, 0);
    assert.equal((out.Contents ?? []).length, 0);
    assert.equal(out.MaxKeys, 0);
  });

  it('defaults to 1000 keys a page and caps larger max-keys at 1000', async () => {
    for (const maxKeys of [undefined, 5000]) {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: MANY, MaxKeys: maxKeys }));
      assert.equal(out.KeyCount, 1000);
      assert.equal(out.IsTruncated, true);
      const rest = await s3.send(new ListObjectsV2Command({ Bucket: MANY, ContinuationToken: out.NextContinuationToken }));
      assert.equal(rest.KeyCount, MANY_COUNT - 1000);
      assert.equal(rest.IsTruncated, false);
      assert.equal(rest.Contents![0]!.Key, 'd/f01000');
    }
  });

  it('with a delimiter, a directory of 1005 files is one common prefix', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: MANY, Delimiter: '/' }));
    assert.deepEqual((out.CommonPrefixes ?? []).map((p) => p.Prefix), ['d/']);
    assert.equal(out.KeyCount, 1);
  });

  it('refuses a negative or non-numeric max-keys with InvalidArgument', async () => {
    for (const v of ['-1', 'abc']) {
      const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}`, query: [['list-type', '2'], ['max-keys', v]] });
      assert.equal(r.status, 400, v);
      assert.equal(errorOf(r).Code, 'InvalidArgument', v);
    }
  });

  it('refuses a continuation token it did not make with InvalidArgument', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}`, query: [['list-type', '2'], ['continuation-token', 'not-a-real-token']] });
    assert.equal(r.status, 400, r.text);
    assert.equal(errorOf(r).Code, 'InvalidArgument');
  });
});

describe('ListObjectsV2 continuation tokens are stateless', () => {
  it('a token works on another gateway instance over the same tree, and after a restart', async () => {
    const first = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 4, Delimiter: '/' }));
    assert.ok(first.NextContinuationToken);
    const expected = expectedListing(KEYS, { delimiter: '/' });
    const firstEntries = mergePage((first.Contents ?? []).map((c) => c.Key!), (first.CommonPrefixes ?? []).map((p) => p.Prefix!));
    const other = await startServer({ root: ts.root });
    try {
      const c = other.client();
      const second = await c.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 1000, Delimiter: '/', ContinuationToken: first.NextContinuationToken }));
      const rest = mergePage((second.Contents ?? []).map((x) => x.Key!), (second.CommonPrefixes ?? []).map((p) => p.Prefix!));
      assert.deepEqual([...firstEntries, ...rest], expected);
    } finally {
      await other.stop();
    }
  });
});

describe('ListObjectsV2 continuation over a changing tree', () => {
  it('continues correctly when the last key of the page is deleted before the next page', async () => {
    const bucket = 'list-changing';
    const keys = ['c1', 'c2', 'c3/x', 'c4', 'c5'];
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: k }));
    const first = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 3 }));
    assert.deepEqual((first.Contents ?? []).map((c) => c.Key), ['c1', 'c2', 'c3/x']);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'c3/x' }));
    const rest = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: first.NextContinuationToken }));
    assert.deepEqual((rest.Contents ?? []).map((c) => c.Key), ['c4', 'c5']);
  });
});

describe('ListObjectsV2 encoding-type=url', () => {
  it('percent-encodes keys, prefixes and the delimiter, and says so', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}`, query: [['list-type', '2'], ['encoding-type', 'url']] });
    assert.equal(r.status, 200, r.text);
    const doc = parseXml(r.text)['ListBucketResult'];
    assert.equal(doc['EncodingType'], 'url');
    const raw: string[] = asArray(doc['Contents']).map((c: any) => c.Key);
    for (const k of raw) assert.ok(/^[\x21-\x7e]*$/.test(k), `encoded key has only printable ASCII: ${JSON.stringify(k)}`);
    assert.deepEqual(raw.map(urlDecode), s3Sort(KEYS));
    assert.ok(raw.includes('sp%20ace') || raw.includes('sp+ace'), 'space encoded');
    assert.ok(raw.includes('plus%2B'), 'plus encoded as %2B');
  });

  it('encodes common prefixes, prefix and start-after too', async () => {
    const r = await rawRequest(ts, {
      method: 'GET', path: `/${BUCKET}`,
      query: [['list-type', '2'], ['encoding-type', 'url'], ['delimiter', '/'], ['prefix', 'ü/'], ['start-after', 'ü/a']],
    });
    const doc = parseXml(r.text)['ListBucketResult'];
    assert.equal(urlDecode(doc['Prefix']), 'ü/');
    assert.equal(urlDecode(doc['StartAfter']), 'ü/a');
    assert.ok(!/[^\x00-\x7f]/.test(doc['Prefix']), 'Prefix is ASCII');
    assert.deepEqual(asArray(doc['CommonPrefixes']).map((p: any) => urlDecode(p.Prefix)), ['ü/deep/']);
  });

  it('the SDK with EncodingType url gets the keys back', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, EncodingType: 'url' }));
    assert.deepEqual((out.Contents ?? []).map((c) => urlDecode(c.Key!)), s3Sort(KEYS));
  });

  it('carries a key with a control character that XML 1.0 cannot hold', async () => {
    const bucket = 'list-ctl';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const put = await rawRequest(ts, { method: 'PUT', path: `/${bucket}/ctl%01char`, body: 'c' });
    assert.equal(put.status, 200, put.text);
    const r = await rawRequest(ts, { method: 'GET', path: `/${bucket}`, query: [['list-type', '2'], ['encoding-type', 'url']] });
    assert.equal(r.status, 200);
    const keys = asArray(parseXml(r.text)['ListBucketResult']['Contents']).map((c: any) => c.Key);
    assert.deepEqual(keys, ['ctl%01char']);
  });

  it('refuses an unknown encoding-type with InvalidArgument', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}`, query: [['list-type', '2'], ['encoding-type', 'base64']] });
    assert.equal(r.status, 400);
    assert.equal(errorOf(r).Code, 'InvalidArgument');
  });
});

describe('ListObjectsV2 hides what is not an object', () => {
  it('never lists the internal state directory, at any depth', async () => {
    const bucket = 'list-hidden';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'nested/visible', Body: 'v' }));
    await mkdir(join(ts.root, bucket, 'nested', '.dirbucket'), { recursive: true });
    await writeFile(join(ts.root, bucket, 'nested', '.dirbucket', 'secret'), 's');
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    assert.deepEqual((out.Contents ?? []).map((c) => c.Key), ['nested/visible']);
    const inside = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: '.dirbucket' }));
    assert.equal(inside.KeyCount, 0);
    const delim = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'nested/', Delimiter: '/' }));
    assert.deepEqual((delim.CommonPrefixes ?? []).map((p) => p.Prefix), []);
  });
});

/** Decodes an encoding-type=url value (S3 writes a space as `+` or `%20`). */
function urlDecode(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, '%20'));
}
