/**
 * Reading an object of an archive class: GLACIER and DEEP_ARCHIVE only once restored (InvalidObjectState until
 * then, as S3 answers), GLACIER_IR straight from the tier. GET and the sources of copies read through here.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { S3Error } from '../../../errors/s3-error.js';
import { needsRestore } from '../../storage-class.js';
import type { Bucket } from '../buckets/bucket.js';
import type { MetaRecord } from '../metadata/record.js';
import type { OpenedObject } from '../read/open-object.js';
import type { ObjectInfo } from '../../backend.js';
import { tierPath } from './tier.js';

/**
 * Makes `found.opened` the object's bytes: unchanged for data in the tree (a restored copy included), the tier's
 * file for a GLACIER_IR stub. Closes the stub's handle when it swaps or refuses.
 */
export async function readableData(bucket: Bucket, found: { opened: OpenedObject; info: ObjectInfo; record?: MetaRecord }): Promise<void> {
  const { info, record } = found;
  if (info.restore?.ongoing === false) return; // a restored copy: the data is the file
  if (needsRestore(info.storageClass)) {
    await found.opened.fh.close();
    throw new S3Error('InvalidObjectState', 'The operation is not valid for the object\'s storage class', { StorageClass: info.storageClass });
  }
  const archived = record?.archive;
  if (!archived || archived.restoredUntil !== undefined || info.storageClass === 'STANDARD') return;
  const fh = await open(tierPath(bucket, archived.file), constants.O_RDONLY).catch(() => undefined);
  await found.opened.fh.close();
  if (!fh) throw new S3Error('InternalError', `The archived data of ${info.key} is missing from the archive tier.`);
  const stats = await fh.stat({ bigint: true });
  if (Number(stats.size) !== archived.size) {
    await fh.close();
    throw new S3Error('InternalError', `The archived data of ${info.key} in the archive tier is not the object's size.`);
  }
  found.opened = { ...found.opened, fh, stats };
}
