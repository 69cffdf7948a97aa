/** Request parameters of the multipart operations: upload id, part number, checksum mode, the Complete body. */
import { headerOf, type HeaderBag } from '../../http/headers.js';
import type { ChecksumAlgorithm, ChecksumType, CompletedPart, CompleteMultipartUploadInput } from '../../storage/backend.js';
import { S3Error } from '../../errors/s3-error.js';
import { algorithmOf } from '../write/options.js';
import { asArray, parseXml, textOf } from '../xml.js';

const ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];


/** The uploadId query parameter (its form is the storage's to judge: an unknown one is NoSuchUpload). */
export function uploadIdOf(query: URLSearchParams): string {
  return query.get('uploadId') ?? '';
}

/** A part number parameter: an integer 1..10000, else InvalidArgument naming it. */
export function partNumberOf(value: string | null, name = 'partNumber'): number {
  if (value === null || !/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 10_000) {
    throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive',
      { ArgumentName: name, ArgumentValue: value ?? '' });
  }
  return Number(value);
}

/** A marker parameter (part-number-marker): a non-negative integer, 0 when absent. */
export function partMarkerOf(value: string | null | undefined, name: string): number {
  if (value === null || value === undefined || value === '') return 0;
  if (!/^\d{1,9}$/.test(value)) {
    throw new S3Error('InvalidArgument', `Provided ${name} not an integer or within integer range`, { ArgumentName: name, ArgumentValue: value });
  }
  return Number(value);
}

/** A checksum type name (x-amz-checksum-type). */
function typeOf(value: string): ChecksumType {
  const t = value.trim().toUpperCase();
  if (t !== 'COMPOSITE' && t !== 'FULL_OBJECT') {
    throw new S3Error('InvalidRequest', `Value for x-amz-checksum-type header is invalid: ${value}. Valid values are COMPOSITE and FULL_OBJECT.`);
  }
  return t;
}

/**
 * The checksum a CreateMultipartUpload asks for: x-amz-checksum-algorithm, and x-amz-checksum-type (COMPOSITE by
 * default; FULL_OBJECT, the only type CRC64NVME has, needs a CRC algorithm).
 */
export function uploadChecksumOf(h: HeaderBag): { algorithm: ChecksumAlgorithm; type: ChecksumType } | undefined {
  const named = headerOf(h, 'x-amz-checksum-algorithm');
  const typeHeader = headerOf(h, 'x-amz-checksum-type');
  if (named === undefined || named.trim() === '') {
    if (typeHeader !== undefined) throw new S3Error('InvalidRequest', 'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    return undefined;
  }
  const algorithm = algorithmOf(named.trim());
  const crc = algorithm === 'CRC32' || algorithm === 'CRC32C' || algorithm === 'CRC64NVME';
  const type = typeHeader !== undefined ? typeOf(typeHeader) : algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE';
  if (type === 'FULL_OBJECT' && !crc) {
    throw new S3Error('InvalidRequest', `The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`);
  }
  if (type === 'COMPOSITE' && algorithm === 'CRC64NVME') {
    throw new S3Error('InvalidRequest', 'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.');
  }
  return { algorithm, type };
}

/** The whole-object checksum a CompleteMultipartUpload states: x-amz-checksum-<alg> and/or x-amz-checksum-type. */
export function completionChecksumOf(h: HeaderBag): CompleteMultipartUploadInput['checksum'] {
  const typeHeader = headerOf(h, 'x-amz-checksum-type');
  const out: NonNullable<CompleteMultipartUploadInput['checksum']> = {};
  if (typeHeader !== undefined) out.type = typeOf(typeHeader);
  for (const alg of ALGORITHMS) {
    const v = headerOf(h, `x-amz-checksum-${alg.toLowerCase() as Lowercase<ChecksumAlgorithm>}` as const);
    if (v === undefined) continue;
    out.algorithm = alg;
    out.value = v.trim();
    break;
  }
  return out.type || out.algorithm ? out : undefined;
}

/** Parses a CompleteMultipartUpload body: its Part elements, each a number, an ETag and any Checksum<ALG>. */
export function parseCompleteBody(xml: string): CompletedPart[] {
  const doc = parseXml(xml, 'CompleteMultipartUpload');
  return asArray<Record<string, unknown>>(doc['Part']).map((p) => {
    if (typeof p !== 'object' || p === null) throw new S3Error('MalformedXML');
    const n = textOf(p['PartNumber']);
    const etag = textOf(p['ETag']);
    if (n === undefined || etag === undefined) throw new S3Error('MalformedXML');
    const part: CompletedPart = { partNumber: partNumberOf(n.trim(), 'PartNumber'), etag: etag.trim() };
    for (const alg of ALGORITHMS) {
      const v = textOf(p[`Checksum${alg}`]);
      if (v !== undefined) (part.checksums ??= {})[alg] = v.trim();
    }
    return part;
  });
}
