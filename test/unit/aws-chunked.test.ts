/** Body decoding: aws-chunked (signed, unsigned trailer, signed trailer), sha256 verification, framing errors, split points. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { authenticate, type AuthResult } from '../../src/auth/authenticate.js';
import { canonicalTrailers, chunkSignature, trailerSignature } from '../../src/auth/sigv4/chunk-signature.js';
import { signingKey } from '../../src/auth/sigv4/signing-key.js';
import { decodeBody } from '../../src/auth/chunked/aws-chunked.js';
import { checksumOf } from '../../src/checksums/checksum.js';
import { S3Error } from '../../src/errors/s3-error.js';

const VECTORS = join(dirname(fileURLToPath(import.meta.url)), '../../../test/unit/vectors');
const s3 = JSON.parse(readFileSync(join(VECTORS, 's3-examples.json'), 'utf8'));
const CRED = { ...s3.credentials };
const NOW = new Date(s3.now);
const KEY = signingKey(CRED.secretAccessKey, '20130524', 'us-east-1', 's3');
const SCOPE = '20130524/us-east-1/s3/aws4_request';
const AMZ_DATE = '20130524T000000Z';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** An AuthResult as authenticate() would return it for a signed streaming request with this seed. */
function signedAuth(seed: string, trailer: boolean): AuthResult {
  return {
    credential: CRED, presigned: false, signatureVersion: 'AWS4-HMAC-SHA256', payload: { kind: 'streaming-signed', trailer },
    signing: { seedSignature: seed, signingKey: KEY, amzDate: AMZ_DATE, scope: SCOPE },
  };
}

interface EncodeOptions {
  /** Sign chunks, chaining from this seed. */
  seed?: string;
  trailers?: [string, string][];
  /** Add x-amz-trailer-signature (signed mode). */
  signTrailer?: boolean;
}

/** The test's own aws-chunked encoder, written from AWS's description of the format. */
function encode(chunks: Buffer[], o: EncodeOptions = {}): Buffer {
  const out: Buffer[] = [];
  const s = { signingKey: KEY, amzDate: AMZ_DATE, scope: SCOPE };
  let prev = o.seed ?? '';
  for (const c of [...chunks, Buffer.alloc(0)]) {
    let ext = '';
    if (o.seed !== undefined) {
      prev = chunkSignature(s, prev, sha256(c));
      ext = `;chunk-signature=${prev}`;
    }
    out.push(Buffer.from(`${c.length.toString(16)}${ext}\r\n`), c);
    // The final chunk's empty data is followed by CRLF only when no trailers follow (as the SDKs write it).
    if (c.length > 0 || !o.trailers) out.push(Buffer.from('\r\n'));
  }
  if (o.trailers) {
    out.push(Buffer.from(o.trailers.map(([n, v]) => `${n}:${v}\r\n`).join('')));
    if (o.signTrailer) {
      const sig = trailerSignature(s, prev, sha256(Buffer.from(canonicalTrailers(o.trailers))));
      out.push(Buffer.from(`x-amz-trailer-signature:${sig}\r\n`));
    }
    out.push(Buffer.from('\r\n'));
  }
  return Buffer.concat(out);
}

/** Cut a buffer into pieces of the given size (the last may be shorter). */
function pieces(b: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

interface Outcome { data: Buffer; error?: unknown; ended: boolean; trailers: Record<string, string> }

/** Feed the raw pieces through decodeBody and collect what comes out (bounded by a timeout). */
async function run(raw: Buffer[], auth: AuthResult | undefined, headers: Record<string, string> = {}): Promise<Outcome> {
  const decoded = decodeBody(Readable.from(raw, { objectMode: false }), auth, headers);
  const got: Buffer[] = [];
  return await new Promise<Outcome>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('decodeBody did not finish within 20 s')), 20_000);
    let ended = false;
    decoded.body.on('data', (c: Buffer) => got.push(c));
    decoded.body.on('end', () => { ended = true; clearTimeout(timer); resolve({ data: Buffer.concat(got), ended, trailers: decoded.trailers() }); });
    decoded.body.on('error', (error) => { clearTimeout(timer); resolve({ data: Buffer.concat(got), error, ended, trailers: decoded.trailers() }); });
  });
}

function assertS3(o: Outcome, code: string): void {
  assert.ok(o.error instanceof S3Error, `expected ${code}, got ${o.error === undefined ? 'success' : String(o.error)}`);
  assert.equal(o.error.code, code, o.error.message);
  assert.equal(o.ended, false, "an error must come instead of 'end'");
}

function awsExampleBody(ex: any, trailerLines?: string[]): Buffer {
  const out: Buffer[] = [];
  ex.chunkSizes.forEach((size: number, i: number) => {
    out.push(Buffer.from(`${size.toString(16)};chunk-signature=${ex.chunkSignatures[i]}\r\n`), Buffer.alloc(size, 'a'));
    if (size > 0 || !trailerLines) out.push(Buffer.from('\r\n'));
  });
  if (trailerLines) out.push(Buffer.from(trailerLines.map((l) => `${l}\r\n`).join('') + '\r\n'));
  return Buffer.concat(out);
}

test('AWS example: the published chunked upload decodes, whole and fed one byte at a time', async () => {
  const ex = s3.chunked;
  const auth = authenticate({ method: ex.method, url: ex.url, headers: ex.headers }, { lookup: () => CRED }, { region: 'us-east-1', now: NOW });
  assert.ok(auth);
  const body = awsExampleBody(ex);
  assert.equal(body.length, Number(ex.headers['content-length']));
  const expected = Buffer.alloc(66560, 'a');
  for (const size of [body.length, 1, 7, 4096]) {
    const o = await run(pieces(body, size), auth, ex.headers);
    assert.equal(o.error, undefined, String(o.error));
    assert.ok(o.ended);
    assert.ok(o.data.equals(expected), `piece size ${size}`);
  }
});

test('AWS example: a changed data byte or a swapped chunk signature is SignatureDoesNotMatch', async () => {
  const ex = s3.chunked;
  const auth = signedAuth(ex.seedSignature, false);
  const body = awsExampleBody(ex);
  const corrupt = Buffer.from(body);
  corrupt[65626 + 86 + 10] = 0x62; // a byte inside the second chunk's data
  assertS3(await run([corrupt], auth, ex.headers), 'SignatureDoesNotMatch');
  const swapped = Buffer.from(body.toString('latin1').replace(ex.chunkSignatures[1], ex.chunkSignatures[0]), 'latin1');
  assertS3(await run([swapped], auth, ex.headers), 'SignatureDoesNotMatch');
  // A different seed (another request's signature) breaks the chain from the first chunk.
  assertS3(await run([body], signedAuth('0'.repeat(64), false), ex.headers), 'SignatureDoesNotMatch');
});

test('AWS example with a signed trailer: decodes, exposes the trailer, and the CRC32C is right', async () => {
  const ex = s3.chunkedTrailer;
  const auth = authenticate({ method: ex.method, url: ex.url, headers: ex.headers }, { lookup: () => CRED }, { region: 'us-east-1', now: NOW });
  assert.ok(auth);
  assert.deepEqual(auth.payload, { kind: 'streaming-signed', trailer: true });
  assert.equal(auth.signing!.seedSignature, ex.seedSignature);
  const body = awsExampleBody(ex, [ex.trailer, `x-amz-trailer-signature:${ex.trailerSignature}`]);
  for (const size of [body.length, 1, 1000]) {
    const o = await run(pieces(body, size), auth, ex.headers);
    assert.equal(o.error, undefined, String(o.error));
    assert.ok(o.data.equals(Buffer.alloc(66560, 'a')));
    assert.deepEqual(o.trailers, { 'x-amz-checksum-crc32c': 'sOO8/Q==' });
  }
  assert.equal(checksumOf('CRC32C', Buffer.alloc(66560, 'a')).toString('base64'), 'sOO8/Q==');
  // The trailer value is covered by the trailer signature.
  const forged = awsExampleBody(ex, ['x-amz-checksum-crc32c:AAAAAA==', `x-amz-trailer-signature:${ex.trailerSignature}`]);
  assertS3(await run([forged], auth, ex.headers), 'SignatureDoesNotMatch');
  // And a signed trailer without its signature is refused.
  assertS3(await run([awsExampleBody(ex, [ex.trailer])], auth, ex.headers), 'SignatureDoesNotMatch');
});

test('signed chunks from the test encoder: random sizes, every split point of a small body', async () => {
  const seed = 'a'.repeat(64);
  const auth = signedAuth(seed, false);
  const chunks = [randomBytes(100), randomBytes(1), randomBytes(37)];
  const data = Buffer.concat(chunks);
  const body = encode(chunks, { seed });
  const headers = { 'x-amz-decoded-content-length': String(data.length) };
  for (let cut = 1; cut < body.length; cut++) {
    const o = await run([body.subarray(0, cut), body.subarray(cut)], auth, headers);
    assert.equal(o.error, undefined, `cut ${cut}: ${String(o.error)}`);
    assert.ok(o.data.equals(data), `cut ${cut}`);
  }
  const big = [randomBytes(200_000), randomBytes(65536), randomBytes(3)];
  const o = await run(pieces(encode(big, { seed }), 9999), auth, {});
  assert.ok(o.data.equals(Buffer.concat(big)));
});

test('unsigned payload with trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER), as the SDK sends it', async () => {
  const chunks = [randomBytes(65536), randomBytes(5000)];
  const data = Buffer.concat(chunks);
  const crc = checksumOf('CRC32', data).toString('base64');
  const body = encode(chunks, { trailers: [['x-amz-checksum-crc32', crc]] });
  const auth: AuthResult = { ...signedAuth('x', false), payload: { kind: 'streaming-unsigned-trailer' } };
  const headers = { 'x-amz-decoded-content-length': String(data.length), 'x-amz-trailer': 'x-amz-checksum-crc32' };
  for (const size of [body.length, 1, 3]) {
    const o = await run(pieces(body, size), auth, headers);
    assert.equal(o.error, undefined, String(o.error));
    assert.ok(o.data.equals(data));
    assert.deepEqual(o.trailers, { 'x-amz-checksum-crc32': crc });
  }
  // Without authentication the header alone selects the same decoding.
  const anon = await run([body], undefined, { ...headers, 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' });
  assert.ok(anon.data.equals(data));
  assert.equal(anon.trailers['x-amz-checksum-crc32'], crc);
});

test('signed chunks with a signed trailer from the test encoder; a wrong checksum value is left to the caller', async () => {
  const seed = 'b'.repeat(64);
  const auth = signedAuth(seed, true);
  const chunks = [randomBytes(1234), randomBytes(99)];
  const body = encode(chunks, { seed, trailers: [['x-amz-checksum-sha256', 'not-the-real-one']], signTrailer: true });
  const declared = { 'x-amz-trailer': 'x-amz-checksum-sha256' };
  const o = await run(pieces(body, 5), auth, declared);
  assert.equal(o.error, undefined, String(o.error));
  assert.ok(o.data.equals(Buffer.concat(chunks)));
  assert.deepEqual(o.trailers, { 'x-amz-checksum-sha256': 'not-the-real-one' });
  // The same trailer signed against another chain position is refused.
  const other = encode(chunks, { seed: 'c'.repeat(64), trailers: [['x-amz-checksum-sha256', 'not-the-real-one']], signTrailer: true });
  assertS3(await run([other], auth, declared), 'SignatureDoesNotMatch');
});

test('truncated bodies are IncompleteBody wherever they stop', async () => {
  const seed = 'd'.repeat(64);
  const chunks = [randomBytes(300), randomBytes(20)];
  const body = encode(chunks, { seed });
  const finalHeaderStart = body.length - (1 + 17 + 64 + 2 + 2);
  for (const cut of [0, 1, 10, 90, 200, 300, 390, 391, finalHeaderStart, finalHeaderStart + 5]) {
    assertS3(await run([body.subarray(0, cut)], signedAuth(seed, false), {}), 'IncompleteBody');
  }
  // Unsigned trailer mode too.
  const unsigned = encode(chunks, { trailers: [['x-amz-checksum-crc32', 'AAAAAA==']] });
  const auth: AuthResult = { ...signedAuth('x', false), payload: { kind: 'streaming-unsigned-trailer' } };
  assertS3(await run([unsigned.subarray(0, 200)], auth, {}), 'IncompleteBody');
});

test('x-amz-decoded-content-length must equal the decoded size', async () => {
  const seed = 'e'.repeat(64);
  const body = encode([randomBytes(100)], { seed });
  assertS3(await run([body], signedAuth(seed, false), { 'x-amz-decoded-content-length': '99' }), 'IncompleteBody');
  assertS3(await run([body], signedAuth(seed, false), { 'x-amz-decoded-content-length': '101' }), 'IncompleteBody');
  assert.equal((await run([body], signedAuth(seed, false), { 'x-amz-decoded-content-length': '100' })).error, undefined);
  assert.throws(() => decodeBody(Readable.from([body]), signedAuth(seed, false), { 'x-amz-decoded-content-length': 'ten' }),
    (e: unknown) => e instanceof S3Error && e.code === 'InvalidArgument');
});

test('malformed framing: long header line, bad size, missing CRLF, stray trailers, missing chunk signature', async () => {
  const unsignedAuth: AuthResult = { ...signedAuth('x', false), payload: { kind: 'streaming-unsigned-trailer' } };
  const long = Buffer.from(`10;${'x'.repeat(5000)}\r\n`);
  assertS3(await run(pieces(long, 100), unsignedAuth, {}), 'InvalidRequest');
  assertS3(await run([Buffer.from('zz\r\nabc\r\n0\r\n\r\n')], unsignedAuth, {}), 'InvalidRequest');
  assertS3(await run([Buffer.from('-1\r\nabc\r\n0\r\n\r\n')], unsignedAuth, {}), 'InvalidRequest');
  assertS3(await run([Buffer.from('3\r\nabcX\r\n0\r\n\r\n')], unsignedAuth, {}), 'InvalidRequest');
  assertS3(await run([Buffer.from('3\r\nabc\r\n0\r\nnot a trailer line\r\n\r\n')], unsignedAuth, {}), 'MalformedTrailerError');
  // A line just under the limit is fine.
  const ok = Buffer.from(`3;${'x'.repeat(4000)}\r\nabc\r\n0\r\n\r\n`);
  assert.equal((await run(pieces(ok, 7), unsignedAuth, {})).error, undefined);
  const seed = 'f'.repeat(64);
  // Trailers in a body that declared none.
  const withTrailer = encode([Buffer.from('abc')], { seed, trailers: [['x-amz-checksum-crc32', 'AAAAAA==']], signTrailer: true });
  assertS3(await run([withTrailer], signedAuth(seed, false), {}), 'MalformedTrailerError');
  // Signed mode without chunk-signature extensions.
  assertS3(await run([Buffer.from('3\r\nabc\r\n0\r\n\r\n')], signedAuth(seed, false), {}), 'SignatureDoesNotMatch');
});

test('the trailer section: closed by an empty line, nothing after it, only declared trailers, each once', async () => {
  const unsignedAuth: AuthResult = { ...signedAuth('x', false), payload: { kind: 'streaming-unsigned-trailer' } };
  const crc = 'x-amz-checksum-crc32:NSRBwg==';
  const declared = { 'x-amz-trailer': 'x-amz-checksum-crc32', 'x-amz-decoded-content-length': '3' };
  assert.equal((await run([Buffer.from(`3\r\nabc\r\n0\r\n${crc}\r\n\r\n`)], unsignedAuth, declared)).error, undefined, 'as the SDKs send it');
  // Cut before the empty line that closes the body (S3: IncompleteBody), with or without trailers.
  assertS3(await run([Buffer.from(`3\r\nabc\r\n0\r\n${crc}\r\n`)], unsignedAuth, declared), 'IncompleteBody');
  assertS3(await run([Buffer.from(`3\r\nabc\r\n0\r\n${crc}`)], unsignedAuth, declared), 'IncompleteBody');
  assertS3(await run([Buffer.from('3\r\nabc\r\n0\r\n')], unsignedAuth, {}), 'IncompleteBody');
  const seed = 'f'.repeat(64);
  const signedBody = encode([Buffer.from('abc')], { seed });
  assert.equal((await run([signedBody], signedAuth(seed, false), {})).error, undefined);
  assertS3(await run([signedBody.subarray(0, signedBody.length - 2)], signedAuth(seed, false), {}), 'IncompleteBody');
  assertS3(await run([Buffer.concat([signedBody, Buffer.from('\r\n')])], signedAuth(seed, false), {}), 'MalformedTrailerError');
  // A trailer x-amz-trailer does not declare, declares none, or one given twice.
  assertS3(await run([Buffer.from(`3\r\nabc\r\n0\r\n${crc}\r\nx-amz-meta-late:1\r\n\r\n`)], unsignedAuth, declared), 'MalformedTrailerError');
  assertS3(await run([Buffer.from(`3\r\nabc\r\n0\r\n${crc}\r\n\r\n`)], unsignedAuth, { 'x-amz-decoded-content-length': '3' }), 'MalformedTrailerError');
  assertS3(await run([Buffer.from(`3\r\nabc\r\n0\r\n${crc}\r\n${crc}\r\n\r\n`)], unsignedAuth, declared), 'MalformedTrailerError');
  // Trailers after the empty line.
  assertS3(await run([Buffer.from(`3\r\nabc\r\n0\r\n\r\n${crc}\r\n\r\n`)], unsignedAuth, declared), 'MalformedTrailerError');
});

test('sha256 payloads: matching bodies pass through, others fail before end', async () => {
  const data = randomBytes(100_000);
  const auth: AuthResult = { ...signedAuth('x', false), payload: { kind: 'sha256', hash: sha256(data) } };
  const ok = await run(pieces(data, 3333), auth, {});
  assert.equal(ok.error, undefined);
  assert.ok(ok.data.equals(data));
  const bad = await run([data.subarray(1)], auth, {});
  assertS3(bad, 'XAmzContentSHA256Mismatch');
  assert.equal((bad.error as S3Error).fields.ClientComputedContentSHA256, sha256(data));
  // Anonymous requests that declare a hash are held to it too.
  assertS3(await run([Buffer.from('x')], undefined, { 'x-amz-content-sha256': sha256(Buffer.from('y')) }), 'XAmzContentSHA256Mismatch');
});

test('unsigned payloads are the raw stream itself', async () => {
  const raw = Readable.from([Buffer.from('abc')]);
  const auth: AuthResult = { ...signedAuth('x', false), payload: { kind: 'unsigned' } };
  assert.equal(decodeBody(raw, auth, {}).body, raw);
  assert.equal(decodeBody(raw, undefined, {}).body, raw);
});

test('a failing raw stream (client gone) fails the decoded body with IncompleteBody', async () => {
  const raw = new PassThrough();
  const seed = '1'.repeat(64);
  const decoded = decodeBody(raw, signedAuth(seed, false), {});
  const error = new Promise<unknown>((resolve) => decoded.body.on('error', resolve));
  decoded.body.resume();
  raw.write(encode([randomBytes(10)], { seed }).subarray(0, 50));
  raw.destroy(new Error('aborted'));
  const e = await error;
  assert.ok(e instanceof S3Error && e.code === 'IncompleteBody', String(e));
});

test('a body that fails with nobody listening does not take the process down', async () => {
  const raw = new PassThrough();
  const decoded = decodeBody(raw, signedAuth('3'.repeat(64), false), {});
  raw.write(Buffer.from('zz\r\n'));
  raw.destroy(new Error('aborted'));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const e = decoded.body.errored;
  assert.ok(e instanceof S3Error && (e.code === 'InvalidRequest' || e.code === 'IncompleteBody'), String(e));
});

test('throughput: decoding 64 MiB of signed 64 KiB chunks costs about what hashing the stream costs', async () => {
  const seed = '2'.repeat(64);
  const chunk = randomBytes(65536);
  const chunks = Array.from({ length: 1024 }, () => chunk);
  const data = Buffer.concat(chunks);
  const body = encode(chunks, { seed });
  const drain = async (r: Readable): Promise<number> => {
    let n = 0;
    for await (const c of r) n += (c as Buffer).length;
    return n;
  };
  // The floor: the same bytes streamed through the sha256 verifier, work that signed decoding cannot
  // avoid. Both are timed alternately, best of three, so that a loaded machine slows both alike; the
  // rates are printed for the record.
  const hashAuth: AuthResult = { ...signedAuth('x', false), payload: { kind: 'sha256', hash: sha256(data) } };
  const time = async (f: () => Promise<void>): Promise<number> => {
    const t = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - t) / 1e9;
  };
  let hashSeconds = Infinity;
  let decodeSeconds = Infinity;
  for (let round = 0; round < 3; round++) {
    hashSeconds = Math.min(hashSeconds, await time(async () => {
      assert.equal(await drain(decodeBody(Readable.from(pieces(data, 65536)), hashAuth, {}).body), data.length);
    }));
    // Fed as a socket would: reads that do not line up with the chunk framing.
    decodeSeconds = Math.min(decodeSeconds, await time(async () => {
      const decoded = decodeBody(Readable.from(pieces(body, 65536 + 13)), signedAuth(seed, false), { 'x-amz-decoded-content-length': String(data.length) });
      assert.equal(await drain(decoded.body), data.length);
    }));
  }
  console.log(`# sha256-verified stream ${(64 / hashSeconds).toFixed(0)} MiB/s; aws-chunked signed decode ${(64 / decodeSeconds).toFixed(0)} MiB/s`);
  assert.ok(decodeSeconds < 3 * hashSeconds + 0.1, `decode ${decodeSeconds.toFixed(3)} s vs hash ${hashSeconds.toFixed(3)} s`);
});
