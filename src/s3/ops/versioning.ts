/** Versioning: PutBucketVersioning, GetBucketVersioning, and ListObjectVersions for buckets that never had versioning. */
import type { Handler } from '../types.js';
import { S3Error } from '../../errors/s3-error.js';
import { parseXml, textOf } from '../xml.js';
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
 * Without versioning every object has exactly one version, `null`, which is the latest: the listing is the
 * object listing, paginated by key-marker (a version-id-marker can only be `null`).
 */
export const ListObjectVersions: Handler = async (req) => {
  const q = req.query;
  if ((await req.backend.getBucketVersioning({ bucket: req.bucket })) !== undefined) {
    throw new S3Error('NotImplemented', 'ListObjectVersions on a bucket with versioning is not implemented yet.');
  }
  const { prefix, delimiter, maxKeys, encoding, enc } = listingParams(q);
  const keyMarker = q.get('key-marker') ?? '';
  const versionIdMarker = q.get('version-id-marker');
  if (versionIdMarker !== null && keyMarker === '') {
    throw new S3Error('InvalidArgument', 'A version-id marker cannot be specified without a key marker.', { ArgumentName: 'version-id-marker', ArgumentValue: versionIdMarker });
  }
  if (versionIdMarker !== null && versionIdMarker !== '' && versionIdMarker !== 'null') {
    throw new S3Error('InvalidArgument', 'Invalid version id specified', { ArgumentName: 'version-id-marker', ArgumentValue: versionIdMarker });
  }
  const page = await req.backend.listObjects({ bucket: req.bucket, prefix, delimiter, startAfter: keyMarker || undefined, maxKeys, identity: req.principal.identity });
  const owner = ownerOf(req.principal.user);
  const lastIsKey = page.objects.length > 0 && page.objects[page.objects.length - 1]!.key === page.lastItem;
  return {
    xml: {
      root: 'ListVersionsResult',
      body: {
        Name: req.bucket,
        Prefix: enc(prefix),
        KeyMarker: enc(keyMarker),
        VersionIdMarker: versionIdMarker ?? '',
        NextKeyMarker: page.isTruncated ? enc(page.lastItem) : undefined,
        NextVersionIdMarker: page.isTruncated && lastIsKey ? 'null' : undefined,
        MaxKeys: maxKeys,
        Delimiter: enc(delimiter),
        IsTruncated: page.isTruncated,
        Version: page.objects.map((o) => ({
          Key: enc(o.key),
          VersionId: 'null',
          IsLatest: true,
          LastModified: o.lastModified,
          ETag: `"${o.etag}"`,
          Size: o.size,
          Owner: owner,
          StorageClass: o.storageClass,
        })),
        CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
        EncodingType: encoding,
      },
    },
  };
};
