/** The rules a CompleteMultipartUpload is checked against (planCompletion), each with the S3 error it deserves. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { S3Error } from '../../src/errors/s3-error.js';
import type { CompleteMultipartUploadInput } from '../../src/storage/backend.js';
import { MIN_PART_BYTES, planCompletion } from '../../src/storage/posix/multipart/completion-plan.js';
import type { StoredPart } from '../../src/storage/posix/multipart/part-files.js';
import type { UploadState } from '../../src/storage/posix/multipart/upload-state.js';

const state = (checksum?: UploadState['checksum']): UploadState => ({
  v: 1, uploadId: 'u1', key: 'k', initiated: new Date(0).toISOString(), initiator: 'admin', storageClass: 'STANDARD',
  meta: { userMetadata: {} }, ...(checksum ? { checksum } : {}),
});

function part(n: number, size: number, checksum?: StoredPart['checksum']): StoredPart {
  return {
    v: 1, partNumber: n, etag: createHash('md5').update(`part ${n} ${size}`).digest('hex'), size, lastModified: new Date(0).toISOString(),
    path: `/x/p${n}`, ...(checksum ? { checksum } : {}),
  };
}

const BIG = MIN_PART_BYTES;
const stored = new Map([[1, part(1, BIG)], [2, part(2, BIG)], [3, part(3, 10)], [5, part(5, BIG)]]);
const ref = (n: number, etag = stored.get(n)!.etag) => ({ partNumber: n, etag: `"${etag}"` });
const input = (parts: CompleteMultipartUploadInput['parts'], extra: Partial<CompleteMultipartUploadInput> = {}): CompleteMultipartUploadInput =>
  ({ bucket: 'b', key: 'k', uploadId: 'u1', parts, ...extra });

function throwsS3(fn: () => unknown, code: string, message?: RegExp): S3Error {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof S3Error, String(e));
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected ${code}, nothing was thrown`);
}

describe('planCompletion', () => {
  test('accepts ascending parts with gaps and ETags with or without quotes', () => {
    const plan = planCompletion(state(), stored, input([ref(1), { partNumber: 2, etag: stored.get(2)!.etag }, ref(3)]));
    assert.deepEqual(plan.parts.map((p) => p.partNumber), [1, 2, 3]);
    assert.equal(plan.size, 2 * BIG + 10);
    assert.deepEqual(plan.layout, [{ size: BIG }, { size: BIG }, { size: 10 }]);
    assert.equal(plan.checksum, undefined);
    assert.equal(planCompletion(state(), stored, input([ref(2), ref(5)])).parts.length, 2);
  });

  test('no parts at all is MalformedXML', () => {
    throwsS3(() => planCompletion(state(), stored, input([])), 'MalformedXML');
  });

  test('descending or repeated part numbers are InvalidPartOrder', () => {
    throwsS3(() => planCompletion(state(), stored, input([ref(2), ref(1)])), 'InvalidPartOrder');
    throwsS3(() => planCompletion(state(), stored, input([ref(1), ref(1)])), 'InvalidPartOrder');
  });

  test('a part never uploaded, or a wrong ETag, is InvalidPart naming the part', () => {
    const e = throwsS3(() => planCompletion(state(), stored, input([ref(1), { partNumber: 4, etag: '"abc"' }])), 'InvalidPart', /part 4/);
    assert.equal(e.fields['PartNumber'], '4');
    throwsS3(() => planCompletion(state(), stored, input([ref(1, 'f'.repeat(32))])), 'InvalidPart', /part 1/);
  });

  test('a part under 5 MiB other than the last is EntityTooSmall with its size and the minimum', () => {
    const e = throwsS3(() => planCompletion(state(), stored, input([ref(3), ref(5)])), 'EntityTooSmall');
    assert.equal(e.fields['ProposedSize'], '10');
    assert.equal(e.fields['MinSizeAllowed'], String(5 * 1024 * 1024));
    assert.equal(e.fields['PartNumber'], '3');
    // The same small part last is fine.
    assert.equal(planCompletion(state(), stored, input([ref(1), ref(3)])).size, BIG + 10);
  });

  test('the checks run in S3 order: order before existence before size', () => {
    throwsS3(() => planCompletion(state(), stored, input([ref(3), { partNumber: 2, etag: '"x"' }])), 'InvalidPartOrder');
    throwsS3(() => planCompletion(state(), stored, input([ref(3), { partNumber: 4, etag: '"x"' }])), 'InvalidPart');
  });

  describe('checksums', () => {
    const crc = (v: string) => ({ algorithm: 'CRC32' as const, value: v });
    const withCrc = new Map([[1, part(1, BIG, crc('AAAAAA=='))], [2, part(2, 3, crc('AAAAAQ=='))]]);
    const refs = (values: (string | undefined)[]) => [1, 2].map((n, i) => ({
      partNumber: n, etag: withCrc.get(n)!.etag, ...(values[i] !== undefined ? { checksums: { CRC32: values[i]! } } : {}),
    }));

    test('a part checksum that differs from the stored one is InvalidPart', () => {
      throwsS3(() => planCompletion(state({ algorithm: 'CRC32', type: 'COMPOSITE' }), withCrc, input(refs(['AAAAAA==', 'AAAAAg==']))), 'InvalidPart', /CRC32/);
    });

    test('a COMPOSITE upload needs every part checksum in the request; FULL_OBJECT does not', () => {
      throwsS3(() => planCompletion(state({ algorithm: 'CRC32', type: 'COMPOSITE' }), withCrc, input(refs(['AAAAAA==', undefined]))),
        'InvalidRequest', /missing for part 2/);
      const plan = planCompletion(state({ algorithm: 'CRC32', type: 'FULL_OBJECT' }), withCrc, input(refs([undefined, undefined])));
      assert.equal(plan.checksum?.type, 'FULL_OBJECT');
    });

    test('the object checksum the client states must match: BadDigest otherwise; with or without -N for COMPOSITE', () => {
      const s = state({ algorithm: 'CRC32', type: 'COMPOSITE' });
      const good = planCompletion(s, withCrc, input(refs(['AAAAAA==', 'AAAAAQ=='])));
      const bare = good.checksum!.value.replace(/-2$/, '');
      assert.equal(planCompletion(s, withCrc, input(refs(['AAAAAA==', 'AAAAAQ==']), { checksum: { algorithm: 'CRC32', value: bare } })).etag, good.etag);
      assert.equal(planCompletion(s, withCrc, input(refs(['AAAAAA==', 'AAAAAQ==']), { checksum: { algorithm: 'CRC32', value: good.checksum!.value } })).etag, good.etag);
      throwsS3(() => planCompletion(s, withCrc, input(refs(['AAAAAA==', 'AAAAAQ==']), { checksum: { algorithm: 'CRC32', value: 'AAAAAA==' } })), 'BadDigest');
    });

    test('another type or algorithm than the upload\'s is InvalidRequest', () => {
      const s = state({ algorithm: 'CRC32', type: 'COMPOSITE' });
      throwsS3(() => planCompletion(s, withCrc, input(refs(['AAAAAA==', 'AAAAAQ==']), { checksum: { type: 'FULL_OBJECT' } })), 'InvalidRequest', /COMPOSITE/);
      throwsS3(() => planCompletion(s, withCrc, input(refs(['AAAAAA==', 'AAAAAQ==']), { checksum: { algorithm: 'SHA256', value: 'x' } })), 'InvalidRequest', /crc32/);
    });

    test('without an upload algorithm: no object checksum, unless one is stated that the parts confirm', () => {
      assert.equal(planCompletion(state(), withCrc, input(refs([undefined, undefined]))).checksum, undefined);
      const full = planCompletion(state(), withCrc, input(refs([undefined, undefined]), { checksum: { algorithm: 'CRC32', type: 'FULL_OBJECT' } }));
      assert.equal(full.checksum, undefined, 'a type alone states no value');
      throwsS3(() => planCompletion(state(), stored, input([ref(1), ref(3)], { checksum: { algorithm: 'CRC32', value: 'AAAAAA==', type: 'FULL_OBJECT' } })),
        'InvalidRequest', /cannot be verified/);
    });
  });
});

describe('parseCompleteBody', () => {
  test('reads parts, ETags with quotes written as character references (Go clients), and part checksums', async () => {
    const { parseCompleteBody } = await import('../../src/s3/ops/multipart-params.js');
    const parts = parseCompleteBody(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
      <Part><ETag>&#34;84ee29dc8d696ba39c8a698a8183b1d5&#34;</ETag><PartNumber>1</PartNumber></Part>
      <Part><PartNumber>2</PartNumber><ETag>&quot;aa&quot;</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>
      <Part><PartNumber>3</PartNumber><ETag>&amp;#34;literal&#x22;</ETag></Part>
    </CompleteMultipartUpload>`);
    assert.deepEqual(parts, [
      { partNumber: 1, etag: '"84ee29dc8d696ba39c8a698a8183b1d5"' },
      { partNumber: 2, etag: '"aa"', checksums: { CRC32: 'AAAAAA==' } },
      { partNumber: 3, etag: '&#34;literal"' },
    ]);
  });

  test('a part without a number or ETag, or a number out of range, is refused', async () => {
    const { parseCompleteBody } = await import('../../src/s3/ops/multipart-params.js');
    assert.throws(() => parseCompleteBody('<CompleteMultipartUpload><Part><ETag>x</ETag></Part></CompleteMultipartUpload>'), /MalformedXML|XML/);
    assert.throws(() => parseCompleteBody('<CompleteMultipartUpload><Part><PartNumber>0</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>'), /Part number/);
  });
});
