import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  CHECKSUM_ALGORITHMS, algorithmOfHeader, checksumByteLength, checksumHeaderName, checksumOf, combineFullObject,
  compositeChecksum, createChecksummer, crcCombine, parseChecksumAlgorithm,
} from '../../src/checksums/checksum.js';
import { S3Error } from '../../src/errors/s3-error.js';

const CHECK = Buffer.from('123456789');

test('standard check values of "123456789"', () => {
  // Catalogue of parametrised CRC algorithms (reveng) check values; SHA from any sha1sum/sha256sum.
  assert.equal(checksumOf('CRC32', CHECK).toString('hex'), 'cbf43926');
  assert.equal(checksumOf('CRC32C', CHECK).toString('hex'), 'e3069283');
  assert.equal(checksumOf('CRC64NVME', CHECK).toString('hex'), 'ae8b14860a799888');
  assert.equal(checksumOf('SHA1', CHECK).toString('hex'), 'f7c3bc1d808e04732adf679965ccc34ca7ae3441');
  assert.equal(checksumOf('SHA256', CHECK).toString('hex'), '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225');
});

test('empty input', () => {
  assert.equal(checksumOf('CRC32', Buffer.alloc(0)).toString('hex'), '00000000');
  assert.equal(checksumOf('CRC32C', Buffer.alloc(0)).toString('hex'), '00000000');
  assert.equal(checksumOf('CRC64NVME', Buffer.alloc(0)).toString('hex'), '0000000000000000');
});

test('S3 documentation values: base64 of the digests of "Hello world"', () => {
  // Values S3 returns for the body "Hello world" (x-amz-checksum-* response headers).
  const body = Buffer.from('Hello world');
  assert.equal(checksumOf('CRC32', body).toString('base64'), 'i9aeUg==');
  assert.equal(checksumOf('CRC32C', body).toString('base64'), 'crUfeA==');
  assert.equal(checksumOf('SHA256', body).toString('base64'), 'ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=');
});

test('incremental updates at every split give the one-shot digest (slicing-by-8 boundaries)', () => {
  const data = randomBytes(301);
  for (const alg of CHECKSUM_ALGORITHMS) {
    const whole = checksumOf(alg, data);
    for (let cut = 0; cut <= 24; cut++) {
      const c = createChecksummer(alg);
      c.update(data.subarray(0, cut));
      c.update(data.subarray(cut, cut + 9));
      c.update(data.subarray(cut + 9));
      assert.deepEqual(c.digest(), whole, `${alg} cut ${cut}`);
    }
    assert.equal(whole.length, checksumByteLength(alg));
  }
});

test('CRC64NVME against a bit-by-bit BigInt reference on random data', () => {
  const ref = (d: Uint8Array): string => {
    let crc = 0xffffffffffffffffn;
    for (const b of d) {
      crc ^= BigInt(b);
      for (let i = 0; i < 8; i++) crc = crc & 1n ? (crc >> 1n) ^ 0x9a6c9329ac4bc9b5n : crc >> 1n;
    }
    return (crc ^ 0xffffffffffffffffn).toString(16).padStart(16, '0');
  };
  for (const n of [1, 7, 8, 9, 63, 64, 65, 1000]) {
    const d = randomBytes(n);
    assert.equal(checksumOf('CRC64NVME', d).toString('hex'), ref(d), `length ${n}`);
  }
});

test('header names and parsing', () => {
  assert.equal(checksumHeaderName('CRC32'), 'x-amz-checksum-crc32');
  assert.equal(checksumHeaderName('CRC64NVME'), 'x-amz-checksum-crc64nvme');
  assert.equal(checksumHeaderName('SHA256'), 'x-amz-checksum-sha256');
  assert.equal(parseChecksumAlgorithm('crc32c'), 'CRC32C');
  assert.equal(parseChecksumAlgorithm('Sha1'), 'SHA1');
  assert.equal(parseChecksumAlgorithm(undefined), undefined);
  assert.equal(parseChecksumAlgorithm(''), undefined);
  assert.throws(() => parseChecksumAlgorithm('md5'), (e: unknown) => e instanceof S3Error && e.code === 'InvalidRequest');
  assert.equal(algorithmOfHeader('X-Amz-Checksum-Crc64nvme'), 'CRC64NVME');
  assert.equal(algorithmOfHeader('x-amz-checksum-algorithm'), undefined);
  assert.equal(algorithmOfHeader('x-amz-checksum-type'), undefined);
});

test('crcCombine equals the CRC of the concatenation, for every CRC and many lengths', () => {
  for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME'] as const) {
    for (const [la, lb] of [[0, 0], [0, 5], [5, 0], [1, 1], [13, 1000], [4096, 777], [1, 70000]]) {
      const a = randomBytes(la);
      const b = randomBytes(lb);
      const got = crcCombine(alg, checksumOf(alg, a), checksumOf(alg, b), lb);
      assert.deepEqual(got, checksumOf(alg, Buffer.concat([a, b])), `${alg} ${la}+${lb}`);
    }
  }
});

test('combineFullObject over several parts; SHA refused', () => {
  const parts = [randomBytes(5000), randomBytes(1), randomBytes(12345)];
  for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME'] as const) {
    const full = combineFullObject(alg, parts.map((p) => ({ checksum: checksumOf(alg, p), size: p.length })));
    assert.deepEqual(full, checksumOf(alg, Buffer.concat(parts)));
  }
  assert.throws(() => combineFullObject('SHA256', []), S3Error);
  assert.throws(() => crcCombine('SHA1', Buffer.alloc(20), Buffer.alloc(20), 1), S3Error);
});

test('compositeChecksum is the checksum of the concatenated part digests, with -N', () => {
  const d1 = checksumOf('SHA256', Buffer.from('part one'));
  const d2 = checksumOf('SHA256', Buffer.from('part two'));
  const expected = checksumOf('SHA256', Buffer.concat([d1, d2])).toString('base64') + '-2';
  assert.equal(compositeChecksum('SHA256', [d1, d2]), expected);
  assert.match(compositeChecksum('CRC32', [checksumOf('CRC32', Buffer.from('x'))]), /^[A-Za-z0-9+/]{6}==-1$/);
});
