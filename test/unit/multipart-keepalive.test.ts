/**
 * The CompleteMultipartUpload answer: a quick result (or error) is answered normally, with its status; a slow
 * one is answered as S3 does — 200 at once, the XML declaration, spaces while working, then the result or an
 * <Error> element — and the document stays valid XML for the parsers clients use (the SDK's fast-xml-parser,
 * Python's expat for boto3).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { XMLParser } from 'fast-xml-parser';
import pino from 'pino';
import { S3Error } from '../../src/errors/s3-error.js';
import { completeHandler } from '../../src/s3/ops/complete-multipart-upload.js';
import type { Principal, S3Request } from '../../src/s3/types.js';
import { NotImplementedBackend, type CompleteMultipartUploadInput, type CompleteMultipartUploadResult } from '../../src/storage/backend.js';
import { unmet } from '../helpers/requires.js';

/** A back end whose Complete answers what `work` gives, when it gives it. */
class SlowBackend extends NotImplementedBackend {
  seen?: CompleteMultipartUploadInput;
  constructor(private readonly work: () => Promise<CompleteMultipartUploadResult>) {
    super();
  }
  override async completeMultipartUpload(input: CompleteMultipartUploadInput): Promise<CompleteMultipartUploadResult> {
    this.seen = input;
    return this.work();
  }
}

const BODY = '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"abc"</ETag></Part></CompleteMultipartUpload>';

const SELF = { uid: process.getuid!(), gid: process.getgid!(), groups: [] };

function request(backend: SlowBackend): S3Request {
  return {
    requestId: 'REQ1', operation: 'CompleteMultipartUpload', method: 'POST', bucket: 'bkt', key: 'dir/obj',
    query: new URLSearchParams('uploadId=u1'), headers: { host: '127.0.0.1:9000' }, header: (name) => (name === 'host' ? '127.0.0.1:9000' : undefined),
    principal: { user: 'admin' } as Principal, identity: SELF, identityOf: () => SELF, identityIn: async () => SELF, accounts: { bucketCreated: async () => {}, bucketDeleted: async () => {} },
    backend, settings: { region: 'us-east-1', maxXmlBytes: 1 << 20 }, log: pino({ level: 'silent' }),
    body: () => Readable.from([]), trailers: () => ({}), readBody: async () => Buffer.from(BODY), authorize: async () => {},
    formSigner: () => { throw new Error('not a form'); },
  };
}

const later = <T>(ms: number, f: () => T) => new Promise<T>((resolve, reject) => setTimeout(() => {
  try {
    resolve(f());
  } catch (e) {
    reject(e);
  }
}, ms));

async function readText(body: unknown): Promise<{ text: string; chunks: string[] }> {
  assert.ok(body instanceof Readable, 'a streamed body');
  const chunks: string[] = [];
  for await (const c of body) chunks.push(String(c));
  return { text: chunks.join(''), chunks };
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

/** Python's ElementTree (expat) on the document, as boto3 parses it: the root's tag and its children's texts. */
function parseWithPython(doc: string): string | undefined {
  const r = spawnSync('python3', ['-c', 'import sys, xml.etree.ElementTree as E; r = E.fromstring(sys.stdin.buffer.read()); print(r.tag.split("}")[-1], *[c.text for c in r])'],
    { input: doc, encoding: 'utf8' });
  if (r.error) {
    unmet('python3 is not installed (apt-get install python3)'); // here the SDK parser check still runs
    return undefined;
  }
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe('CompleteMultipartUpload answer', () => {
  const timing = { answerWithinMs: 100, keepAliveMs: 30 };

  test('a quick result is a plain XML answer, with the request\'s parts handed to the back end', async () => {
    const backend = new SlowBackend(async () => ({ etag: 'e-1', size: 5 }));
    const res = await completeHandler(timing)(request(backend));
    assert.equal(res.xml?.root, 'CompleteMultipartUploadResult');
    assert.deepEqual(backend.seen?.parts, [{ partNumber: 1, etag: '"abc"' }]);
    assert.equal(backend.seen?.uploadId, 'u1');
  });

  test('a quick failure is thrown, to be answered with its own status', async () => {
    const backend = new SlowBackend(async () => { throw new S3Error('InvalidPart'); });
    await assert.rejects(completeHandler(timing)(request(backend)), (e: unknown) => e instanceof S3Error && e.code === 'InvalidPart');
  });

  test('a slow result: 200 at once, declaration, spaces while working, then the result element', async () => {
    const backend = new SlowBackend(() => later(400, () => ({ etag: 'feed-2', size: 9, checksum: { algorithm: 'CRC32' as const, value: 'AAAAAA==-2', type: 'COMPOSITE' as const } })));
    const started = Date.now();
    const res = await completeHandler(timing)(request(backend));
    assert.ok(Date.now() - started < 300, 'the answer starts before the work ends');
    assert.equal(res.status ?? 200, 200);
    assert.equal(res.headers?.['Content-Type'], 'application/xml');
    const { text, chunks } = await readText(res.body);
    assert.ok(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
    assert.ok(chunks.filter((c) => c === ' ').length >= 3, `spaces while working: ${JSON.stringify(chunks.slice(0, 12))}`);
    const doc = parser.parse(text);
    assert.equal(doc.CompleteMultipartUploadResult.ETag, '"feed-2"');
    assert.equal(doc.CompleteMultipartUploadResult.ChecksumCRC32, 'AAAAAA==-2');
    assert.equal(doc.CompleteMultipartUploadResult.Location, 'http://127.0.0.1:9000/bkt/dir/obj');
    const py = parseWithPython(text);
    if (py !== undefined) assert.match(py, /^CompleteMultipartUploadResult http:\/\/127\.0\.0\.1:9000\/bkt\/dir\/obj bkt dir\/obj "feed-2"/);
  });

  test('a slow failure: the <Error> element in the 200 body, with code, message, resource and request id', async () => {
    const backend = new SlowBackend(() => later(250, () => { throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' }); }));
    const res = await completeHandler(timing)(request(backend));
    const { text } = await readText(res.body);
    const doc = parser.parse(text);
    assert.equal(doc.Error.Code, 'PreconditionFailed');
    assert.equal(doc.Error.Condition, 'If-Match');
    assert.equal(doc.Error.Resource, '/bkt/dir/obj');
    assert.equal(doc.Error.RequestId, 'REQ1');
    const py = parseWithPython(text);
    if (py !== undefined) assert.match(py, /^Error PreconditionFailed/);
  });

  test('an unexpected failure becomes InternalError, never a stack trace', async () => {
    const backend = new SlowBackend(() => later(200, () => { throw new Error('disk on fire at /secret/path'); }));
    const { text } = await readText((await completeHandler(timing)(request(backend))).body);
    assert.equal(parser.parse(text).Error.Code, 'InternalError');
    assert.ok(!text.includes('/secret/path'));
  });

  test('a client that goes away stops the spaces; the work still finishes', async () => {
    let finished = false;
    const backend = new SlowBackend(() => later(300, () => {
      finished = true;
      return { etag: 'e-1', size: 1 };
    }));
    const res = await completeHandler(timing)(request(backend));
    (res.body as Readable).destroy();
    await new Promise((r) => setTimeout(r, 400));
    assert.ok(finished);
  });
});
