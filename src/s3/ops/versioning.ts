/** Versioning: PutBucketVersioning, GetBucketVersioning, ListObjectVersions. */
import type { Handler } from '../types.js';
import { S3Error } from '../../errors/s3-error.js';
import { parseXml, SEQUENCE, textOf } from '../xml.js';
import { listingParams } from '../list-params.js';
import { ownerOf } from '../owner.js';

/** Parses a <VersioningConfiguration> body: Status Enabled or Suspended; MfaDelete Enabled is refused. */
export function parseVersioningConfiguration(body: string): 'Enabled' | 'Suspended' {
  const doc = parseXml(body, 'VersioningConfiguration');
  const mfa = textOf(doc['MfaDelete'])?.trim();
  if (mfa !== undefined && mfa !== 'Disabled' && mfa !== 'Enabled') throw new S3Error('MalformedXML', 'MfaDelete must be Enabled or Disabled.');
  if (mfa === 'Enabled') {
    throw new S3Error('NotImplemented', 'MFA Delete is not supported: this gateway has no MFA devices. Leave MfaDelete out, or set it to Disabled.');
  }
  const status = textOf(doc['Status'])?.trim();
  if (status !== 'Enabled' && status !== 'Suspended') throw new S3Error('MalformedXML', 'Status must be Enabled or Suspended.');
  return status;
}

export const PutBucketVersioning: Handler = async (req) => {
  const status = parseVersioningConfiguration((await req.readBody(req.settings.maxXmlBytes)).toString('utf8'));
  await req.backend.putBucketVersioning({ bucket: req.bucket, status });
  return {};
};

export const GetBucketVersioning: Handler = async (req) => {
  const status = await req.backend.getBucketVersioning({ bucket: req.bucket });
  return { xml: { root: 'VersioningConfiguration', body: { Status: status } } };
};

/**
 * ListObjectVersions: versions and delete markers, keys in S3 order and each key's newest first (in a bucket
 * that never had versioning, each object is its `null` version). Paged by key-marker and version-id-marker.
 */
export const ListObjectVersions: Handler = async (req) => {
  const q = req.query;
  const { prefix, delimiter, maxKeys, encoding, enc } = listingParams(q);
  const keyMarker = q.get('key-marker') ?? '';
  const versionIdMarker = q.get('version-id-marker') || undefined;
  const page = await req.backend.listObjectVersions({
    bucket: req.bucket, prefix, delimiter, keyMarker: keyMarker || undefined, versionIdMarker, maxKeys, identity: req.identity,
  });
  const requester = ownerOf(req.principal.user);
  const ownerFor = (user: string | undefined) => (user === undefined ? requester : ownerOf(user));
  return {
    xml: {
      root: 'ListVersionsResult',
      body: {
        Name: req.bucket,
        Prefix: enc(prefix),
        KeyMarker: enc(keyMarker),
        VersionIdMarker: versionIdMarker ?? '',
        NextKeyMarker: page.nextKeyMarker === undefined ? undefined : enc(page.nextKeyMarker),
        NextVersionIdMarker: page.nextKeyMarker === undefined ? undefined : page.nextVersionIdMarker,
        MaxKeys: maxKeys,
        Delimiter: enc(delimiter),
        IsTruncated: page.isTruncated,
        // Versions and delete markers in one order (keys ascending, each key's newest first), as S3 lists them.
        [SEQUENCE]: page.versions.map((v) => (v.deleteMarker
          ? { DeleteMarker: { Key: enc(v.key), VersionId: v.versionId, IsLatest: v.isLatest, LastModified: v.lastModified, Owner: ownerFor(v.owner) } }
          : {
            Version: {
              Key: enc(v.key),
              VersionId: v.versionId,
              IsLatest: v.isLatest,
              LastModified: v.lastModified,
              ETag: `"${v.object!.etag}"`,
              ...(v.object!.checksum ? { ChecksumAlgorithm: v.object!.checksum.algorithm, ChecksumType: v.object!.checksum.type } : {}),
              Size: v.object!.size,
              Owner: ownerFor(v.owner),
              StorageClass: v.object!.storageClass,
            },
          })),
        CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
        EncodingType: encoding,
      },
    },
  };
};
