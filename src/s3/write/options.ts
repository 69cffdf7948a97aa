/** What every object-creating request (PUT, copy, multipart create) may say besides data and metadata. */
import { headerOf, type HeaderBag } from '../../http/headers.js';
import type { ChecksumAlgorithm, WriteConditions } from '../../storage/backend.js';
import { S3Error } from '../../errors/s3-error.js';
import { parseEtagCondition } from '../../storage/conditions/etag-match.js';
import { parseStorageClass, type StorageClass } from '../../storage/storage-class.js';

const ALGORITHMS: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];
/** Bytes of each algorithm's digest, to reject a malformed checksum header before reading any data. */
const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };


/** Parses a checksum algorithm name as S3 accepts it (any case). */
export function algorithmOf(name: string): ChecksumAlgorithm {
  const alg = name.toUpperCase() as ChecksumAlgorithm;
  if (!ALGORITHMS.includes(alg)) {
    throw new S3Error('InvalidRequest', `Checksum algorithm ${name} is not supported: use one of ${ALGORITHMS.join(', ')}.`);
  }
  return alg;
}

function validBase64(value: string, bytes: number): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(value) && Buffer.from(value, 'base64').length === bytes;
}

/**
 * The checksum a request asks for: from an x-amz-checksum-<alg> header (value known now), an x-amz-trailer
 * naming one (value known after the body), or an algorithm header alone (compute and store).
 */
export function requestedChecksum(
  h: HeaderBag,
  trailers: () => Record<string, string>,
): { algorithm: ChecksumAlgorithm; expected?: () => string | undefined } | undefined {
  for (const alg of ALGORITHMS) {
    const name = `x-amz-checksum-${alg.toLowerCase() as Lowercase<ChecksumAlgorithm>}` as const;
    const value = headerOf(h, name);
    if (value === undefined) continue;
    if (!validBase64(value, DIGEST_BYTES[alg])) throw new S3Error('InvalidRequest', `Value for ${name} header is invalid.`);
    return { algorithm: alg, expected: () => value };
  }
  const trailer = headerOf(h, 'x-amz-trailer')?.trim().toLowerCase();
  if (trailer) {
    if (!trailer.startsWith('x-amz-checksum-')) throw new S3Error('InvalidRequest', `The trailer ${trailer} is not supported.`);
    const alg = algorithmOf(trailer.slice('x-amz-checksum-'.length));
    return {
      algorithm: alg,
      expected: () => {
        const v = trailers()[trailer];
        if (v === undefined) throw new S3Error('InvalidRequest', `The trailer ${trailer} was declared but not sent.`);
        if (!validBase64(v, DIGEST_BYTES[alg])) throw new S3Error('InvalidRequest', `Value for ${trailer} trailing header is invalid.`);
        return v;
      },
    };
  }
  const named = headerOf(h, 'x-amz-checksum-algorithm') ?? headerOf(h, 'x-amz-sdk-checksum-algorithm');
  if (named) return { algorithm: algorithmOf(named) };
  return undefined;
}

/** The 16 bytes of Content-MD5; anything but their base64 (canonical, padded) is InvalidDigest. */
export function contentMd5(h: HeaderBag): Buffer | undefined {
  const v = headerOf(h, 'content-md5')?.trim();
  if (v === undefined) return undefined;
  const raw = Buffer.from(v, 'base64');
  if (!validBase64(v, 16) || raw.toString('base64') !== v) throw new S3Error('InvalidDigest');
  return raw;
}

/** If-Match / If-None-Match on a write (conditional writes). S3 accepts only `*` for If-None-Match. */
export function writeConditions(h: HeaderBag): WriteConditions | undefined {
  const ifMatch = headerOf(h, 'if-match');
  const ifNoneMatch = headerOf(h, 'if-none-match');
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw new S3Error('NotImplemented', 'If-None-Match on a write accepts only "*".');
  }
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
  return {
    ...(ifMatch !== undefined ? { ifMatch: parseEtagCondition(ifMatch) } : {}),
    ...(ifNoneMatch !== undefined ? { ifNoneMatch: '*' as const } : {}),
  };
}

/**
 * Refuses, with 501 NotImplemented, request features not built yet — never silently ignoring them. (ACL and
 * tagging headers are read by write-attachments.ts, object lock headers by lock/lock-headers.ts.)
 */
export function refuseUnsupported(h: HeaderBag): void {
  const sse = headerOf(h, 'x-amz-server-side-encryption') ?? headerOf(h, 'x-amz-server-side-encryption-customer-algorithm');
  if (sse !== undefined) throw new S3Error('NotImplemented', 'Server-side encryption is not implemented.');
  if (headerOf(h, 'x-amz-website-redirect-location') !== undefined) throw new S3Error('NotImplemented', 'Website redirects are not implemented.');
}

/** `{ storageClass }` of a write naming one (x-amz-storage-class): InvalidStorageClass for a class S3 does not have. */
export function storageClassOf(h: HeaderBag): { storageClass?: StorageClass } {
  const value = headerOf(h, 'x-amz-storage-class');
  return value === undefined ? {} : { storageClass: parseStorageClass(value) };
}

/** Largest single PUT S3 accepts. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;

/**
 * The payload length of a PUT: x-amz-decoded-content-length for aws-chunked bodies, else Content-Length.
 * S3 needs one of them (411 MissingContentLength), and refuses more than 5 GiB in one PUT.
 */
export function payloadLength(h: HeaderBag): number | undefined {
  const decoded = headerOf(h, 'x-amz-decoded-content-length');
  const raw = decoded ?? headerOf(h, 'content-length');
  if (raw === undefined) {
    if (headerOf(h, 'transfer-encoding')) return undefined;
    throw new S3Error('MissingContentLength');
  }
  if (!/^\d+$/.test(raw)) throw new S3Error('InvalidArgument', `Invalid ${decoded !== undefined ? 'x-amz-decoded-content-length' : 'Content-Length'}.`);
  const n = Number(raw);
  if (n > MAX_PUT_BYTES) throw new S3Error('EntityTooLarge', undefined, { ProposedSize: raw, MaxSizeAllowed: String(MAX_PUT_BYTES) });
  return n;
}
