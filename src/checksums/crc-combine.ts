/**
 * CRC combination: the CRC of A‖B from crc(A), crc(B) and len(B), without the bytes. This is how a
 * FULL_OBJECT checksum of a multipart upload is made from its parts' checksums.
 *
 * Method (zlib's crc32_combine, generalised to any width): for a reflected CRC whose init and xor-out are
 * equal, crc(A‖B) = crc(A)·x^(8·len(B)) mod P  xor  crc(B). Powers x^(2^k) mod P are precomputed and
 * x^(8n) is assembled from the bits of n, so the cost is O(log n) polynomial products. BigInt is fine
 * here: this runs once per part, never per byte.
 */

/** A reflected CRC with init = xor-out = all ones (true of CRC32, CRC32C and CRC64NVME). */
export interface CrcSpec {
  width: number;
  /** The reflected polynomial. */
  poly: bigint;
}

export const CRC32_SPEC: CrcSpec = { width: 32, poly: 0xedb88320n };
export const CRC32C_SPEC: CrcSpec = { width: 32, poly: 0x82f63b78n };
export const CRC64NVME_SPEC: CrcSpec = { width: 64, poly: 0x9a6c9329ac4bc9b5n };

/** a·b mod P in the reflected representation (the top bit stands for x^0). */
function multModP(spec: CrcSpec, a: bigint, b: bigint): bigint {
  let m = 1n << BigInt(spec.width - 1);
  let p = 0n;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1n)) === 0n) break;
    }
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ spec.poly : b >> 1n;
  }
  return p;
}

const powerTables = new Map<CrcSpec, bigint[]>();

/** x^(2^k) mod P for k = 0..63. */
function powers(spec: CrcSpec): bigint[] {
  let t = powerTables.get(spec);
  if (!t) {
    t = [1n << BigInt(spec.width - 2)]; // x^1
    for (let k = 1; k < 64; k++) t.push(multModP(spec, t[k - 1], t[k - 1]));
    powerTables.set(spec, t);
  }
  return t;
}

/** x^(8·n) mod P: the shift that appending n bytes applies to a CRC register. */
function xPow8n(spec: CrcSpec, n: number): bigint {
  const table = powers(spec);
  let p = 1n << BigInt(spec.width - 1); // x^0
  let k = 3; // 8·n = n·2^3
  let rest = BigInt(n);
  while (rest > 0n) {
    if (rest & 1n) p = multModP(spec, table[k & 63], p);
    rest >>= 1n;
    k++;
  }
  return p;
}

/** Combine two CRC values (as unsigned integers) of adjacent byte runs; lengthB is the second run's length. */
export function combineCrcValues(spec: CrcSpec, crcA: bigint, crcB: bigint, lengthB: number): bigint {
  if (!Number.isSafeInteger(lengthB) || lengthB < 0) throw new RangeError(`bad length ${lengthB}`);
  if (lengthB === 0) return crcA;
  return multModP(spec, xPow8n(spec, lengthB), crcA) ^ crcB;
}
