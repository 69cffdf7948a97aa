/**
 * Fuzzed aws-chunked framing (issue #19), with a fixed seed and a bounded count: bodies of every streaming mode,
 * signed as a client signs them, then broken in one way each — chunk sizes that are not hex, too long, huge, larger
 * or smaller than the data; data not followed by CRLF; chunk signatures wrong, missing or misshapen; a chain cut
 * short; header lines past the limit; x-amz-decoded-content-length that lies; trailers wrong, missing, misnamed,
 * unsigned or oversized; bytes after the end — sent as PutObject (new key, overwrite, versioned overwrite) and
 * UploadPart. Each gets a 4xx S3 error within bounded time, never a 500 or a hang, and the tree is unchanged after
 * every one. The same generator's unbroken requests, sent to a control bucket, must succeed: the fuzzing is only
 * as good as the bodies it breaks. A failure names its seed and case: replay with FUZZ_SEED=<seed>.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CreateBucketCommand, CreateMultipartUploadCommand, PutBucketVersioningCommand, PutObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { startServer, type TestServer } from '../helpers/server.js';
import { chunkSignature, trailerSignature } from '../helpers/sigv4.js';
import { prng, seedFrom, type Prng } from '../helpers/prng.js';
import { treeChanges, treeState, type TreeState } from '../helpers/tree-state.js';
import { crc32b64, send, signHeaders, type RawResponse, type StreamingMode } from './util.js';

const SEED = seedFrom('FUZZ_SEED', 190_2026);
const CASES = 300;
/** A case whose answer takes longer than this is a hang. */
const CASE_TIMEOUT_MS = 10_000;
const MODES: StreamingMode[] = ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'];

/** One frame of an aws-chunked body, kept apart so that a mutation can break one piece of it. */
interface Frame {
  size: string;
  /** The `;chunk-signature=` value; undefined in unsigned modes (or when a mutation drops it). */
  sig?: string;
  /** Extra text after the size and signature, before the line end. */
  ext: string;
  data: Buffer;
  /** What follows the data (CRLF when well formed). */
  afterData: string;
}

/** A request before serialisation: frames, trailer lines and the headers to sign. */
interface Draft {
  mode: StreamingMode;
  data: Buffer;
  frames: Frame[];
  /** Trailer lines (`name:value`), without the signature line. */
  trailers: string[];
  /** The trailer signature line's value, for signed-trailer mode; undefined: no signature line. */
  trailerSig?: string;
  /** Bytes after the trailer section. */
  tail: string;
  headers: Record<string, string>;
  /** Where the body is cut (exclusive), if it is. */
  cut?: number;
  /** Replace the request signature (the seed) with a wrong one. */
  badSeed?: boolean;
}

/** Where a case is sent: PutObject to a key, or UploadPart. */
interface Target {
  path: string;
  query: [string, string][];
}

const flip = (hex: string, at = 0) => hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);

/** A well-formed, correctly signed streaming upload of random bytes, in frames. */
function draft(r: Prng, ts: TestServer, target: Target, mode: StreamingMode): { draft: Draft; sign: () => void } {
  const data = r.bytes(r.pick([0, 1, r.between(2, 4096), r.between(4097, 40_000)]));
  // At most about 200 frames: each signed frame costs the server two HMACs, and the suite a second on a busy host.
  const chunkSize = Math.max(r.pick([1, 7, 1024, 8192, r.between(1, 20_000)]), Math.ceil(data.length / 200));
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) pieces.push(data.subarray(i, i + chunkSize));
  pieces.push(Buffer.alloc(0));
  const trailer = mode === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' ? undefined : ['x-amz-checksum-crc32', crc32b64(data)] as const;
  const d: Draft = {
    mode, data,
    frames: pieces.map((p) => ({ size: p.length.toString(16), ext: '', data: p, afterData: '\r\n' })),
    trailers: trailer ? [`${trailer[0]}:${trailer[1]}`] : [],
    tail: '',
    headers: {
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(data.length),
      ...(trailer ? { 'x-amz-trailer': trailer[0] } : {}),
    },
  };
  // Signing waits until the headers are final (a mutation may change a signed header); signatures are
  // chained over the data as sent, so a frame a mutation changes later carries the signature of the original.
  const sign = () => {
    const signed = signHeaders(ts, { method: 'PUT', path: target.path, query: target.query, headers: d.headers, payloadHash: mode });
    d.headers = signed.headers;
    if (d.badSeed) d.headers['authorization'] = d.headers['authorization']!.replace(/Signature=([0-9a-f]+)$/, (_, s: string) => `Signature=${flip(s, 5)}`);
    if (mode === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') return;
    let prev = signed.signature;
    for (const f of d.frames) {
      prev = chunkSignature(signed.context, prev, f.data);
      f.sig = prev;
    }
    if (mode === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER') d.trailerSig = trailerSignature(signed.context, prev, d.trailers.map((l) => `${l}\n`).join(''));
  };
  return { draft: d, sign };
}

/** The wire bytes of a draft, and the offset where each frame's header line ends (before its CRLF). */
function serialise(d: Draft): { body: Buffer; headerEnds: number[]; finalHeaderEnd: number } {
  const out: Buffer[] = [];
  let length = 0;
  const headerEnds: number[] = [];
  const put = (b: Buffer | string) => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    out.push(buf);
    length += buf.length;
  };
  d.frames.forEach((f, i) => {
    put(`${f.size}${f.sig !== undefined ? `;chunk-signature=${f.sig}` : ''}${f.ext}`);
    headerEnds[i] = length;
    put('\r\n');
    if (f.data.length > 0) {
      put(f.data);
      put(f.afterData);
    }
  });
  for (const line of d.trailers) put(`${line}\r\n`);
  if (d.trailerSig !== undefined && d.mode === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER') put(`x-amz-trailer-signature:${d.trailerSig}\r\n`);
  put('\r\n');
  put(d.tail);
  const body = Buffer.concat(out, length);
  return { body: d.cut === undefined ? body : body.subarray(0, d.cut), headerEnds, finalHeaderEnd: headerEnds[headerEnds.length - 1] ?? 0 };
}

/** A mutation: its name, whether it applies to a draft, and the change (before or after signing). */
interface Mutation {
  name: string;
  applies?: (d: Draft) => boolean;
  /** Changes made before signing (to signed headers). */
  before?: (d: Draft, r: Prng) => void;
  /** Changes made after signing (to the frames and trailers). */
  after?: (d: Draft, r: Prng) => void;
}

const signed = (d: Draft) => d.mode !== 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
const hasTrailer = (d: Draft) => d.mode !== 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
const dataFrames = (d: Draft) => d.frames.filter((f) => f.data.length > 0);
const anyFrame = (d: Draft, r: Prng) => r.pick(d.frames);

const MUTATIONS: Mutation[] = [
  { name: 'chunk size not hex', after: (d, r) => (anyFrame(d, r).size = r.pick(['', 'zz', '-1', '0x10', '1.5', 'G', '+1', '1_0', 'x1'])) },
  { name: 'chunk size of 14 or more hex digits', after: (d, r) => (anyFrame(d, r).size = '0'.repeat(r.between(13, 40)) + '1') },
  {
    name: 'huge chunk size', after: (d, r) => {
      const i = r.int(d.frames.length);
      d.frames[i]!.size = r.pick(['fffffffffffff', 'ffffffff', '7fffffff', '100000000', '80000000']);
      // Either the body goes on as it was, or it stops right after the huge header.
      if (r.chance(0.5)) d.cut = serialise(d).headerEnds[i]! + 2;
    },
  },
  {
    name: 'chunk size larger than its data', applies: (d) => dataFrames(d).length > 0,
    after: (d, r) => {
      const f = r.pick(dataFrames(d));
      f.size = (f.data.length + r.between(1, f.data.length + 64)).toString(16);
    },
  },
  {
    name: 'chunk size smaller than its data', applies: (d) => d.frames.some((f) => f.data.length >= 2),
    after: (d, r) => {
      const f = r.pick(d.frames.filter((x) => x.data.length >= 2));
      f.size = (f.data.length - r.between(1, f.data.length - 1)).toString(16);
    },
  },
  { name: 'chunk data not followed by CRLF', applies: (d) => dataFrames(d).length > 0, after: (d, r) => (r.pick(dataFrames(d)).afterData = r.pick(['', '\n', '\r', 'xx', '\r\r', '\n\r'])) },
  { name: 'wrong chunk signature', applies: signed, after: (d, r) => { const f = anyFrame(d, r); f.sig = flip(f.sig!, r.int(64)); } },
  { name: 'chunk signature missing', applies: signed, after: (d, r) => (anyFrame(d, r).sig = undefined) },
  { name: 'misshapen chunk signature', applies: signed, after: (d, r) => { const f = anyFrame(d, r); f.sig = r.pick([f.sig!.slice(1), f.sig! + '0', 'z'.repeat(64), '']); } },
  { name: 'signature of another chunk', applies: (d) => signed(d) && d.frames.length >= 2, after: (d) => { const [a, b] = [d.frames[0]!, d.frames[1]!]; [a.sig, b.sig] = [b.sig, a.sig]; } },
  { name: 'wrong seed signature', before: (d) => (d.badSeed = true) },
  { name: 'chunk header line over the limit', after: (d, r) => (anyFrame(d, r).ext = `;x-pad=${'a'.repeat(r.between(4100, 9000))}`) },
  { name: 'body cut before its final chunk ends', after: (d, r) => (d.cut = r.int(serialise(d).finalHeaderEnd)) },
  { name: 'final chunk missing', after: (d) => { d.frames.pop(); d.trailers = []; d.trailerSig = undefined; d.cut = serialise(d).body.length - 2; } },
  {
    name: 'x-amz-decoded-content-length that lies',
    before: (d, r) => (d.headers['x-amz-decoded-content-length'] = String(r.pick([d.data.length + 1, d.data.length + 1000, ...(d.data.length ? [d.data.length - 1, 0] : [])]))),
  },
  { name: 'x-amz-decoded-content-length not a count', before: (d, r) => (d.headers['x-amz-decoded-content-length'] = r.pick(['abc', '-1', '1e3', '99999999999999999999999', '0x10', '1.0'])) },
  { name: 'bytes after the end', after: (d, r) => (d.tail = r.pick(['garbage\r\n', 'x', '0\r\n\r\n0\r\n', 'x-amz-meta-late:1\r\n\r\n'])) },
  { name: 'trailer with a wrong checksum', applies: hasTrailer, after: (d) => (d.trailers = [`x-amz-checksum-crc32:${crc32b64(Buffer.concat([d.data, Buffer.from('!')]))}`]) },
  { name: 'trailer of another name than declared', applies: hasTrailer, after: (d) => (d.trailers = [`x-amz-checksum-sha256:${createHash('sha256').update(d.data).digest('base64')}`]) },
  { name: 'trailer line without a colon', applies: hasTrailer, after: (d) => (d.trailers = [d.trailers[0]!.replace(':', ' ')]) },
  { name: 'trailer missing', applies: hasTrailer, after: (d) => { d.trailers = []; d.trailerSig = undefined; } },
  { name: 'trailer section over the limit', applies: hasTrailer, after: (d, r) => d.trailers.unshift(...Array.from({ length: r.between(300, 600) }, (_, i) => `x-amz-meta-pad${i}:${'p'.repeat(60)}`)) },
  { name: 'wrong trailer signature', applies: (d) => d.mode === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', after: (d, r) => (d.trailerSig = flip(d.trailerSig!, r.int(64))) },
  { name: 'trailer signature missing', applies: (d) => d.mode === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', after: (d) => (d.trailerSig = undefined) },
  { name: 'a second, wrong trailer value last', applies: hasTrailer, after: (d) => d.trailers.push(`x-amz-checksum-crc32:${crc32b64(Buffer.from('other'))}`) },
];

describe('fuzzed aws-chunked bodies', () => {
  let ts: TestServer;
  let s3: S3Client;
  let uploadId: string;
  let state: TreeState;
  // Heartbeats of the staging sweep change on their own; the control bucket takes the unbroken requests.
  const skip = (rel: string) => rel === 'control' || rel.endsWith('.dirbucket/alive');

  before(async () => {
    ts = await startServer();
    s3 = ts.client();
    for (const b of ['fuzz', 'fuzzv', 'control']) await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'fuzzv', VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutObjectCommand({ Bucket: 'fuzz', Key: 'old', Body: 'the old object' }));
    await s3.send(new PutObjectCommand({ Bucket: 'fuzzv', Key: 'old', Body: 'version one' }));
    await s3.send(new PutObjectCommand({ Bucket: 'fuzzv', Key: 'old', Body: 'version two' }));
    uploadId = (await s3.send(new CreateMultipartUploadCommand({ Bucket: 'fuzz', Key: 'mp' }))).UploadId!;
    await s3.send(new UploadPartCommand({ Bucket: 'fuzz', Key: 'mp', UploadId: uploadId, PartNumber: 1, Body: 'part one' }));
    state = await treeState(ts.root, skip);
  });
  after(async () => {
    await ts?.stop();
  });

  it(`${CASES} broken bodies: each a 4xx S3 error, none a 500 or a hang, nothing changed (seed ${SEED})`, async (t) => {
    const r = prng(SEED);
    const seen = new Map<string, Map<string, number>>();
    let controls = 0;
    for (let n = 0; n < CASES; n++) {
      const targets: Target[] = [
        { path: `/fuzz/new-${n}`, query: [] },
        { path: '/fuzz/old', query: [] },
        { path: '/fuzzv/old', query: [] },
        { path: '/fuzz/mp', query: [['partNumber', String(r.pick([1, 2]))], ['uploadId', uploadId]] },
      ];
      const target = r.pick(targets);
      const mode = r.pick(MODES);
      const { draft: d, sign } = draft(r, ts, target, mode);
      const mutation = r.pick(MUTATIONS.filter((m) => m.applies?.(d) ?? true));
      const what = `seed ${SEED}, case ${n}: ${mutation.name}, ${mode}, PUT ${target.path}${target.query.length ? '?' + target.query.map(([k]) => k).join('&') : ''}, ${d.data.length} B in ${d.frames.length} frames`;

      // Every fourth case, the unbroken request goes to the control bucket first, and must be stored as sent.
      if (n % 4 === 0) {
        const control = draft(prng(SEED + n), ts, { path: `/control/k${n}`, query: [] }, mode);
        control.sign();
        const res = await sendCase(ts, `/control/k${n}`, [], control.draft);
        assert.equal(res.status, 200, `${what}: the unbroken control request failed: ${res.text.slice(0, 300)}`);
        assert.equal(res.headers.etag, `"${createHash('md5').update(control.draft.data).digest('hex')}"`, `${what}: control ETag`);
        controls++;
      }

      mutation.before?.(d, r);
      sign();
      mutation.after?.(d, r);
      const res = await sendCase(ts, target.path, target.query, d).catch((e: Error) => assert.fail(`${what}: no answer: ${e.message}`));
      const code = /<Code>([^<]*)<\/Code>/.exec(res.text)?.[1];
      assert.ok(res.status >= 400 && res.status < 500 && code, `${what}: answered ${res.status} ${code ?? ''}: ${res.text.slice(0, 300)}`);
      const byCode = seen.get(mutation.name) ?? new Map<string, number>();
      byCode.set(`${res.status} ${code}`, (byCode.get(`${res.status} ${code}`) ?? 0) + 1);
      seen.set(mutation.name, byCode);

      const now = await treeState(ts.root, skip);
      assert.deepEqual(treeChanges(state, now), [], `${what}: answered ${res.status} ${code}, and the tree changed`);
    }
    // The server still serves: a plain request after all of it.
    assert.equal((await s3.send(new PutObjectCommand({ Bucket: 'control', Key: 'after', Body: 'still here' }))).$metadata.httpStatusCode, 200);
    assert.ok(seen.size >= MUTATIONS.length - 2, `only ${seen.size} of ${MUTATIONS.length} mutations drawn: raise CASES`);
    t.diagnostic(`seed ${SEED}: ${CASES} cases, ${controls} controls; ${[...seen].map(([m, c]) => `${m}: ${[...c].map(([k, v]) => `${k} ×${v}`).join(', ')}`).join('; ')}`);
  });
});

/** Sends one drafted request (signed already) and reads the whole answer, bounded in time. */
function sendCase(ts: TestServer, path: string, query: [string, string][], d: Draft): Promise<RawResponse> {
  const { body } = serialise(d);
  const qs = query.length ? '?' + query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&') : '';
  return send(`${ts.endpoint}${path}${qs}`, { method: 'PUT', headers: { ...d.headers, 'content-length': String(body.length) }, body, timeoutMs: CASE_TIMEOUT_MS });
}
