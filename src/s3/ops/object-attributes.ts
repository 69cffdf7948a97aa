/** GetObjectAttributes: ETag, Checksum, ObjectParts (paged), StorageClass and ObjectSize, as asked for. */
import { headVersion } from './version-target.js';
import type { Handler } from '../types.js';
import { S3Error } from '../../errors/s3-error.js';
import { checksumFields } from '../object-headers.js';
import { partMarkerOf } from './multipart-params.js';
import type { XmlObject } from '../xml.js';

const ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] as const;
type Attribute = (typeof ATTRIBUTES)[number];

/** The attributes named by x-amz-object-attributes (comma-separated, any case); at least one is needed. */
export function requestedAttributes(value: string | undefined): Set<Attribute> {
  const names = (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) {
    throw new S3Error('InvalidArgument', 'The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty',
      { ArgumentName: 'x-amz-object-attributes', ArgumentValue: value ?? '' });
  }
  const out = new Set<Attribute>();
  for (const n of names) {
    const a = ATTRIBUTES.find((x) => x.toLowerCase() === n.toLowerCase());
    if (!a) throw new S3Error('InvalidArgument', 'Invalid attribute name specified.', { ArgumentName: 'x-amz-object-attributes', ArgumentValue: n });
    out.add(a);
  }
  return out;
}

export const GetObjectAttributes: Handler = async (req) => {
  const wanted = requestedAttributes(req.header('x-amz-object-attributes'));
  const maxRaw = req.header('x-amz-max-parts');
  const maxParts = maxRaw === undefined || maxRaw === '' ? 1000 : Math.min(partMarkerOf(maxRaw, 'x-amz-max-parts'), 1000);
  const marker = partMarkerOf(req.header('x-amz-part-number-marker'), 'x-amz-part-number-marker');
  const info = await headVersion(req);
  const body: XmlObject = {};
  // S3 sends the ETag here without quotes.
  if (wanted.has('ETag')) body['ETag'] = info.etag;
  if (wanted.has('Checksum') && info.checksum) body['Checksum'] = checksumFields(info.checksum);
  if (wanted.has('ObjectParts') && info.parts) {
    const alg = info.checksum?.algorithm;
    const numbered = info.parts.map((p, i) => ({ n: i + 1, p })).filter(({ n }) => n > marker);
    const page = numbered.slice(0, maxParts);
    body['ObjectParts'] = {
      PartsCount: info.parts.length,
      PartNumberMarker: marker,
      NextPartNumberMarker: page.length ? page[page.length - 1]!.n : undefined,
      MaxParts: maxParts,
      IsTruncated: numbered.length > page.length,
      Part: page.map(({ n, p }) => ({
        PartNumber: n,
        Size: p.size,
        ...(alg && p.checksum !== undefined ? { [`Checksum${alg}`]: p.checksum } : {}),
      })),
    };
  }
  if (wanted.has('StorageClass')) body['StorageClass'] = info.storageClass;
  if (wanted.has('ObjectSize')) body['ObjectSize'] = info.size;
  return {
    headers: { 'Last-Modified': info.lastModified.toUTCString() },
    xml: { root: 'GetObjectAttributesResponse', body },
  };
};
