/**
 * DeleteObjects: up to 1000 keys in one request, Quiet mode, an error entry per key that failed. Each key is
 * authorized as a DeleteObject of it (a bucket policy may deny some keys and not others), as S3 does.
 */
import { createHash } from 'node:crypto';
import type { Handler } from '../types.js';
import { isS3Error, S3Error } from '../../errors/s3-error.js';
import { asArray, parseXml, textOf } from '../xml.js';
import { contentMd5 } from '../write/options.js';
import { bypassGovernance } from '../lock/bypass.js';
import { entryConditionsOf } from '../delete-conditions.js';

const MAX_KEYS = 1000;

export const DeleteObjects: Handler = async (req) => {
  const md5 = contentMd5(req.headers);
  const raw = await req.readBody(req.settings.maxXmlBytes);
  if (md5 !== undefined && !createHash('md5').update(raw).digest().equals(md5)) throw new S3Error('BadDigest');
  const doc = parseXml(raw.toString('utf8'), 'Delete');
  // Quiet is an xsd:boolean in S3's schema: anything else is MalformedXML, never read as false (and deleting).
  const quietText = (textOf(doc.Quiet) ?? 'false').trim().toLowerCase();
  if (!['true', 'false', '1', '0'].includes(quietText)) throw new S3Error('MalformedXML');
  const quiet = quietText === 'true' || quietText === '1';
  const objects = asArray<Record<string, unknown>>(doc.Object);
  if (objects.length === 0 || objects.length > MAX_KEYS) throw new S3Error('MalformedXML');
  const entries = objects.map((o) => {
    if (typeof o !== 'object' || o === null) throw new S3Error('MalformedXML');
    const key = textOf(o.Key);
    if (key === undefined) throw new S3Error('MalformedXML');
    return { key, versionId: textOf(o.VersionId), conditions: entryConditionsOf(textOf(o.ETag), textOf(o.LastModifiedTime), textOf(o.Size)) };
  });

  const deleted: { Key: string; VersionId?: string; DeleteMarker?: boolean; DeleteMarkerVersionId?: string }[] = [];
  const errors: { Key: string; VersionId?: string; Code: string; Message: string }[] = [];
  for (const { key, versionId, conditions } of entries) {
    try {
      await req.authorize('DeleteObject', key);
      const done = await req.backend.deleteObject({ bucket: req.bucket, key, identity: req.identity, versionId, owner: req.principal.user,
        ...(conditions ? { conditions } : {}),
        ...(versionId !== undefined && (await bypassGovernance(req, key)) ? { bypassGovernance: true } : {}) });
      // As S3: a new marker is DeleteMarker + DeleteMarkerVersionId; a deleted version is its VersionId (and
      // DeleteMarker when it was a marker).
      if (!quiet) {
        if (versionId === undefined && done.deleteMarker) deleted.push({ Key: key, DeleteMarker: true, DeleteMarkerVersionId: done.versionId });
        else deleted.push({ Key: key, VersionId: versionId, ...(done.deleteMarker ? { DeleteMarker: true, DeleteMarkerVersionId: versionId } : {}) });
      }
    } catch (e) {
      // A bucket-level failure is the whole request's; a key-level one is that key's entry.
      if (isS3Error(e) && e.code !== 'NoSuchBucket' && e.code !== 'InternalError') {
        errors.push({ Key: key, VersionId: versionId, Code: e.code, Message: e.message });
      } else throw e;
    }
  }
  return { xml: { root: 'DeleteResult', body: { Deleted: deleted, Error: errors } } };
};
