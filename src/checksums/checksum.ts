/**
 * S3 object checksums (x-amz-checksum-*): incremental checksummers for each algorithm, header names,
 * and the CRC combination used for multipart FULL_OBJECT and COMPOSITE checksums.
 * Digests are raw bytes, big-endian for the CRCs, exactly what S3 base64-encodes in its headers.
 */
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { crc32c } from '@node-rs/crc32';
import type { ChecksumAlgorithm } from './types.js';
import { S3Error } from '../errors/s3-error.js';
import { crc64nvmeDigest, crc64nvmeInit, crc64nvmeUpdate } from './crc64nvme.js';
import { combineCrcValues, CRC32_SPEC, CRC32C_SPEC, CRC64NVME_SPEC, type CrcSpec } from './crc-combine.js';

export type { ChecksumAlgorithm } from './types.js';

/** Every algorithm S3 accepts, in the order S3 lists them in its error messages. */
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** An incremental checksum: feed chunks, then take the digest once. */
export interface Checksummer {
  update(chunk: Uint8Array): void;
  /** The raw digest (4 bytes for CRC32/CRC32C, 8 for CRC64NVME, 20 for SHA1, 32 for SHA256). */
  digest(): Buffer;
}

// zlib.crc32 arrived in Node 20.15; @types/node may lag behind, so reach it through a narrow type.
const zlibCrc32 = (zlib as unknown as { crc32(data: Uint8Array, value?: number): number }).crc32;

function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/** A fresh checksummer for one algorithm. */
export function createChecksummer(alg: ChecksumAlgorithm): Checksummer {
  switch (alg) {
    case 'CRC32': {
      let v = 0;
      return { update: (c) => { v = zlibCrc32(c, v); }, digest: () => u32be(v) };
    }
    case 'CRC32C': {
      let v = 0;
      return { update: (c) => { v = crc32c(c, v); }, digest: () => u32be(v) };
    }
    case 'CRC64NVME': {
      const s = crc64nvmeInit();
      return { update: (c) => crc64nvmeUpdate(s, c), digest: () => crc64nvmeDigest(s) };
    }
    case 'SHA1':
    case 'SHA256': {
      const h = createHash(alg === 'SHA1' ? 'sha1' : 'sha256');
      return { update: (c) => { h.update(c); }, digest: () => h.digest() };
    }
  }
}

/** The checksum of one buffer, raw bytes. */
export function checksumOf(alg: ChecksumAlgorithm, data: Uint8Array): Buffer {
  const c = createChecksummer(alg);
  c.update(data);
  return c.digest();
}

/** The request/response header carrying a checksum: 'x-amz-checksum-crc32' etc. */
export function checksumHeaderName(alg: ChecksumAlgorithm): string {
  return `x-amz-checksum-${alg.toLowerCase()}`;
}

/** The digest length in bytes, to validate a base64 value a client sends. */
export function checksumByteLength(alg: ChecksumAlgorithm): number {
  switch (alg) {
    case 'CRC32':
    case 'CRC32C': return 4;
    case 'CRC64NVME': return 8;
    case 'SHA1': return 20;
    case 'SHA256': return 32;
  }
}

/**
 * Parse an algorithm name (x-amz-checksum-algorithm, x-amz-sdk-checksum-algorithm), case-insensitive.
 * Undefined or empty gives undefined; an unknown name is InvalidRequest, worded as S3 words it.
 */
export function parseChecksumAlgorithm(s: string | undefined): ChecksumAlgorithm | undefined {
  if (s === undefined || s.trim() === '') return undefined;
  const up = s.trim().toUpperCase();
  const alg = CHECKSUM_ALGORITHMS.find((a) => a === up);
  if (!alg) {
    throw new S3Error('InvalidRequest',
      `Checksum algorithm provided is unsupported. Please try again with any of the valid types: [${CHECKSUM_ALGORITHMS.join(', ')}]`);
  }
  return alg;
}

/** The algorithm named by a header like 'x-amz-checksum-crc32c', or undefined if it names none. */
export function algorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  const m = /^x-amz-checksum-([a-z0-9]+)$/i.exec(name);
  if (!m) return undefined;
  const up = m[1].toUpperCase();
  return CHECKSUM_ALGORITHMS.find((a) => a === up);
}

/** True for the algorithms whose FULL_OBJECT multipart checksum can be combined from parts. */
export function isCrcAlgorithm(alg: ChecksumAlgorithm): boolean {
  return alg === 'CRC32' || alg === 'CRC32C' || alg === 'CRC64NVME';
}

function specOf(alg: ChecksumAlgorithm): CrcSpec {
  switch (alg) {
    case 'CRC32': return CRC32_SPEC;
    case 'CRC32C': return CRC32C_SPEC;
    case 'CRC64NVME': return CRC64NVME_SPEC;
    default: throw new S3Error('InvalidRequest', `The FULL_OBJECT checksum type cannot be used with the ${alg} checksum algorithm.`);
  }
}

function toBig(b: Buffer): bigint {
  return BigInt('0x' + (b.length ? b.toString('hex') : '0'));
}

function fromBig(v: bigint, bytes: number): Buffer {
  return Buffer.from(v.toString(16).padStart(bytes * 2, '0'), 'hex');
}

/**
 * The CRC of A‖B from the raw digests crc(A) and crc(B) and B's length in bytes.
 * Only for CRC32, CRC32C, CRC64NVME (others throw InvalidRequest).
 */
export function crcCombine(alg: ChecksumAlgorithm, crcA: Buffer, crcB: Buffer, lengthB: number): Buffer {
  const spec = specOf(alg);
  const bytes = spec.width / 8;
  if (crcA.length !== bytes || crcB.length !== bytes) throw new RangeError(`${alg} digests are ${bytes} bytes`);
  return fromBig(combineCrcValues(spec, toBig(crcA), toBig(crcB), lengthB), bytes);
}

/**
 * The FULL_OBJECT checksum of a multipart object from its parts, in part order: the CRC of all the bytes.
 * An empty list gives the CRC of no bytes.
 */
export function combineFullObject(alg: ChecksumAlgorithm, parts: readonly { checksum: Buffer; size: number }[]): Buffer {
  specOf(alg); // refuse SHA algorithms even for an empty list
  let acc = createChecksummer(alg).digest();
  for (const p of parts) acc = crcCombine(alg, acc, p.checksum, p.size);
  return acc;
}

/**
 * The COMPOSITE checksum of a multipart object: the checksum of the concatenated raw part digests,
 * base64, followed by '-N' (N = number of parts), as S3 shows it.
 */
export function compositeChecksum(alg: ChecksumAlgorithm, partDigests: readonly Buffer[]): string {
  const c = createChecksummer(alg);
  for (const d of partDigests) c.update(d);
  return `${c.digest().toString('base64')}-${partDigests.length}`;
}
