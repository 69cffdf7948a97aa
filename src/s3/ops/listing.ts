/** ListObjects (V1) and ListObjectsV2. */
import type { Handler } from '../types.js';
import type { ObjectInfo } from '../../storage/backend.js';
import { decodeToken, encodeToken, listingParams } from '../list-params.js';
import { ownerOf } from '../owner.js';

/** One <Contents> entry. */
export function contentsEntry(o: ObjectInfo, enc: (s: string) => string | undefined, owner?: ReturnType<typeof ownerOf>) {
  return {
    Key: enc(o.key),
    LastModified: o.lastModified,
    ETag: `"${o.etag}"`,
    ...(o.checksum ? { ChecksumAlgorithm: o.checksum.algorithm, ChecksumType: o.checksum.type } : {}),
    Size: o.size,
    Owner: owner,
    StorageClass: o.storageClass,
  };
}

export const ListObjects: Handler = async (req) => {
  const q = req.query;
  const { prefix, delimiter, maxKeys, encoding, enc } = listingParams(q);
  const marker = q.get('marker') ?? '';
  const page = await req.backend.listObjects({ bucket: req.bucket, prefix, delimiter, startAfter: marker || undefined, maxKeys, identity: req.identity });
  const owner = ownerOf(req.principal.user);
  return {
    xml: {
      root: 'ListBucketResult',
      body: {
        Name: req.bucket,
        Prefix: enc(prefix),
        Marker: enc(marker),
        MaxKeys: maxKeys,
        Delimiter: enc(delimiter),
        IsTruncated: page.isTruncated,
        // S3 sends NextMarker only with a delimiter; without one, clients use the last key.
        NextMarker: page.isTruncated && delimiter ? enc(page.lastItem) : undefined,
        Contents: page.objects.map((o) => contentsEntry(o, enc, owner)),
        CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
        EncodingType: encoding,
      },
    },
  };
};

export const ListObjectsV2: Handler = async (req) => {
  const q = req.query;
  const { prefix, delimiter, maxKeys, encoding, enc } = listingParams(q);
  // An empty token is no token: a client looping on NextContinuationToken sends '' after the last page.
  const token = q.get('continuation-token') || null;
  const startAfter = q.get('start-after') ?? undefined;
  let after = startAfter || undefined;
  if (token !== null) {
    const last = decodeToken(token);
    if (after === undefined || last > after) after = last;
  }
  const page = await req.backend.listObjects({ bucket: req.bucket, prefix, delimiter, startAfter: after, maxKeys, identity: req.identity });
  const owner = q.get('fetch-owner') === 'true' ? ownerOf(req.principal.user) : undefined;
  return {
    xml: {
      root: 'ListBucketResult',
      body: {
        Name: req.bucket,
        Prefix: enc(prefix),
        MaxKeys: maxKeys,
        KeyCount: page.objects.length + page.commonPrefixes.length,
        Delimiter: enc(delimiter),
        IsTruncated: page.isTruncated,
        ContinuationToken: token ?? undefined,
        NextContinuationToken: page.isTruncated && page.lastItem !== undefined ? encodeToken(page.lastItem) : undefined,
        StartAfter: enc(startAfter),
        Contents: page.objects.map((o) => contentsEntry(o, enc, owner)),
        CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
        EncodingType: encoding,
      },
    },
  };
};
