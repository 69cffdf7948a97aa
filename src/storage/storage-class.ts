/**
 * S3's storage classes as this gateway keeps them: the archive classes put an object's data in the archive tier
 * (a directory of its own, `archiveDir`), the others keep it in the tree and are only recorded and reported.
 */
import { S3Error } from '../errors/s3-error.js';

/** Classes whose data goes to the archive tier. */
export const ARCHIVE_CLASSES = ['GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR'] as const;

/** Classes kept in the tree: one medium here, so a user could not tell them apart; each is reported as given. */
export const TREE_CLASSES = ['STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'REDUCED_REDUNDANCY'] as const;

export type StorageClass = (typeof ARCHIVE_CLASSES)[number] | (typeof TREE_CLASSES)[number];

/** The classes accepted, checked exactly as S3 does (upper case only). InvalidStorageClass for any other. */
export function parseStorageClass(value: string): StorageClass {
  if ((ARCHIVE_CLASSES as readonly string[]).includes(value) || (TREE_CLASSES as readonly string[]).includes(value)) return value as StorageClass;
  throw new S3Error('InvalidStorageClass', `The storage class you specified is not valid: ${value}.`, { StorageClassRequested: value });
}

/** Whether `storageClass` puts the data in the archive tier. */
export function isArchiveClass(storageClass: string | undefined): boolean {
  return storageClass !== undefined && (ARCHIVE_CLASSES as readonly string[]).includes(storageClass);
}

/** Whether an object of `storageClass` must be restored before its bytes can be read (GLACIER_IR is read from the tier). */
export function needsRestore(storageClass: string | undefined): boolean {
  return storageClass === 'GLACIER' || storageClass === 'DEEP_ARCHIVE';
}
