/** The checksum algorithms and types S3 knows, and a checksum value as S3 sends it. */

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';
export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

/** A checksum of an object: `value` is base64, as S3 sends it in x-amz-checksum-*. */
export interface ChecksumValue {
  algorithm: ChecksumAlgorithm;
  value: string;
  type: ChecksumType;
}
