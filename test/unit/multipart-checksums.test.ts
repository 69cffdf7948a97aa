/**
 * Multipart checksums against outside truth: each algorithm's published check value, and bit-by-bit reference
 * CRCs written here from the algorithms' definitions (not from the code under test). A COMPOSITE checksum must be
 * the reference checksum of the parts' reference digests, `-N`; a FULL_OBJECT checksum the reference CRC of all
 * the bytes — through planCompletion, exactly as CompleteMultipartUpload computes them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { ChecksumAlgorithm, ChecksumType } from '../../src/storage/backend.js';
import { planCompletion, MIN_PART_BYTES } from '../../src/storage/posix/multipart/completion-plan.js';
import type { StoredPart } from '../../src/storage/posix/multipart/part-files.js';
import type { UploadState } from '../../src/storage/posix/multipart/upload-state.js';

/**
 * A reflected CRC from its definition (init and xor-out all ones), one byte at a time through a table built bit by
 * bit from the polynomial. 32-bit CRCs in plain numbers, 64-bit ones as two 32-bit halves: fast enough for the
 * 10 MiB of parts that the 5 MiB rule requires.
 */
function referenceCrc(width: 32 | 64, poly: bigint, data: Uint8Array): Buffer {
  const tableHi: number[] = [];
  const tableLo: number[] = [];
  for (let i = 0n; i < 256n; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    tableHi.push(Number(c >> 32n));
    tableLo.push(Number(c & 0xffffffffn));
  }
  let hi = width === 64 ? 0xffffffff : 0;
  let lo = 0xffffffff;
  for (const byte of data) {
    const idx = (lo ^ byte) & 0xff;
    // (crc >> 8) over 64 bits, then xor the table entry.
    lo = ((lo >>> 8) | ((hi & 0xff) << 24)) >>> 0;
    hi = hi >>> 8;
    lo = (lo ^ tableLo[idx]!) >>> 0;
    hi = (hi ^ tableHi[idx]!) >>> 0;
  }
  const out = Buffer.alloc(width / 8);
  if (width === 64) {
    out.writeUInt32BE((hi ^ 0xffffffff) >>> 0, 0);
    out.writeUInt32BE((lo ^ 0xffffffff) >>> 0, 4);
  } else {
    out.writeUInt32BE((lo ^ 0xffffffff) >>> 0, 0);
  }
  return out;
}

const REFERENCE: Record<ChecksumAlgorithm, (d: Uint8Array) => Buffer> = {
  CRC32: (d) => referenceCrc(32, 0xedb88320n, d),
  CRC32C: (d) => referenceCrc(32, 0x82f63b78n, d),
  CRC64NVME: (d) => referenceCrc(64, 0x9a6c9329ac4bc9b5n, d),
  SHA1: (d) => createHash('sha1').update(d).digest(),
  SHA256: (d) => createHash('sha256').update(d).digest(),
};

test('the reference implementations give the published check values of "123456789"', () => {
  // reveng's CRC catalogue (CRC-32/ISO-HDLC, CRC-32/ISCSI, CRC-64/NVME) and sha1sum/sha256sum.
  const check = Buffer.from('123456789');
  assert.equal(REFERENCE.CRC32(check).toString('hex'), 'cbf43926');
  assert.equal(REFERENCE.CRC32C(check).toString('hex'), 'e3069283');
  assert.equal(REFERENCE.CRC64NVME(check).toString('hex'), 'ae8b14860a799888');
  assert.equal(REFERENCE.SHA1(check).toString('hex'), 'f7c3bc1d808e04732adf679965ccc34ca7ae3441');
  assert.equal(REFERENCE.SHA256(check).toString('hex'), '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225');
});

/** Parts of these sizes (small: the 5 MiB rule is not what these tests are about; MIN_PART_BYTES is honoured). */
function makeParts(sizes: number[]): Buffer[] {
  return sizes.map((n, i) => (i < sizes.length - 1 ? Buffer.concat([randomBytes(64), Buffer.alloc(Math.max(0, n - 64), i)]) : randomBytes(n)));
}

function stored(parts: Buffer[], alg: ChecksumAlgorithm): Map<number, StoredPart> {
  return new Map(parts.map((p, i) => [i + 1, {
    v: 1 as const, partNumber: i + 1, etag: createHash('md5').update(p).digest('hex'), size: p.length,
    lastModified: new Date().toISOString(), path: `/nowhere/p${i + 1}`,
    checksum: { algorithm: alg, value: REFERENCE[alg](p).toString('base64') },
  }]));
}

function state(alg: ChecksumAlgorithm, type: ChecksumType): UploadState {
  return { v: 1, uploadId: 'u', key: 'k', initiated: new Date().toISOString(), initiator: 'admin', storageClass: 'STANDARD', meta: { userMetadata: {} }, checksum: { algorithm: alg, type } };
}

function complete(parts: Buffer[], s: Map<number, StoredPart>, alg: ChecksumAlgorithm) {
  return {
    bucket: 'b', key: 'k', uploadId: 'u',
    parts: [...s.values()].map((p) => ({ partNumber: p.partNumber, etag: `"${p.etag}"`, checksums: { [alg]: p.checksum!.value } })),
  };
}

const SIZES = [MIN_PART_BYTES, MIN_PART_BYTES + 7, 1234];

for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const) {
  if (alg !== 'CRC64NVME') {
    test(`COMPOSITE ${alg}: the checksum of the part checksums, -N`, () => {
      const parts = makeParts(SIZES);
      const s = stored(parts, alg);
      const plan = planCompletion(state(alg, 'COMPOSITE'), s, complete(parts, s, alg));
      const expected = REFERENCE[alg](Buffer.concat(parts.map((p) => REFERENCE[alg](p)))).toString('base64');
      assert.deepEqual(plan.checksum, { algorithm: alg, value: `${expected}-3`, type: 'COMPOSITE' });
      assert.deepEqual(plan.layout.map((l) => l.checksum), parts.map((p) => REFERENCE[alg](p).toString('base64')));
    });
  }
  if (alg.startsWith('CRC')) {
    test(`FULL_OBJECT ${alg}: the CRC of all the bytes, combined from the parts without reading them`, () => {
      const parts = makeParts(SIZES);
      const s = stored(parts, alg);
      const plan = planCompletion(state(alg, 'FULL_OBJECT'), s, complete(parts, s, alg));
      assert.deepEqual(plan.checksum, { algorithm: alg, value: REFERENCE[alg](Buffer.concat(parts)).toString('base64'), type: 'FULL_OBJECT' });
    });
  }
}

test('FULL_OBJECT with an empty last part and a one-part upload', () => {
  for (const sizes of [[MIN_PART_BYTES, 0], [0], [17]]) {
    const parts = makeParts(sizes);
    const s = stored(parts, 'CRC32C');
    const plan = planCompletion(state('CRC32C', 'FULL_OBJECT'), s, complete(parts, s, 'CRC32C'));
    assert.equal(plan.checksum?.value, REFERENCE.CRC32C(Buffer.concat(parts)).toString('base64'), `sizes ${sizes.join(',')}`);
  }
});

test('the ETag is the MD5 of the concatenated binary part MD5s, -N', () => {
  const parts = makeParts(SIZES);
  const s = stored(parts, 'SHA256');
  const plan = planCompletion(state('SHA256', 'COMPOSITE'), s, complete(parts, s, 'SHA256'));
  const md5s = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
  assert.equal(plan.etag, `${createHash('md5').update(md5s).digest('hex')}-3`);
  assert.equal(plan.size, SIZES.reduce((a, b) => a + b, 0));
});
