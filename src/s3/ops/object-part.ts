/**
 * GET and HEAD with ?partNumber=N: the bytes of one part of a multipart object, as a 206 with the part's range
 * and x-amz-mp-parts-count. An object uploaded in one piece has one part, the whole object.
 */
import type { ObjectInfo } from '../../storage/backend.js';
import { S3Error } from '../../errors/s3-error.js';
import type { ByteRange } from '../range.js';
import type { S3Request } from '../types.js';
import { partNumberOf } from './multipart-params.js';

/** The part a request asks for. */
export interface PartSelection {
  partNumber: number;
  /** Undefined for an empty part (nothing to range over). */
  range?: ByteRange;
  /** Parts of a multipart object (single-part objects send no count). */
  partsCount?: number;
  /** The part's own checksum, when the object's parts have them. */
  checksum?: string;
}

/**
 * The part `?partNumber` selects, or undefined without the parameter. InvalidArgument for a malformed number,
 * InvalidRequest together with a Range header, InvalidPartNumber (416) beyond the object's parts.
 */
export function requestedPart(req: S3Request, info: ObjectInfo): PartSelection | undefined {
  const raw = req.query.get('partNumber');
  if (raw === null) return undefined;
  const n = partNumberOf(raw);
  if (req.header('range') !== undefined) {
    throw new S3Error('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter.');
  }
  const parts = info.parts ?? [{ size: info.size }];
  if (n > parts.length) {
    throw new S3Error('InvalidPartNumber', undefined, { PartNumberRequested: String(n), ActualPartCount: String(parts.length) });
  }
  let start = 0;
  for (let i = 0; i < n - 1; i++) start += parts[i]!.size;
  const part = parts[n - 1]!;
  return {
    partNumber: n,
    ...(part.size > 0 ? { range: { start, end: start + part.size - 1 } } : {}),
    ...(info.parts ? { partsCount: info.parts.length } : {}),
    ...(part.checksum !== undefined ? { checksum: part.checksum } : {}),
  };
}

/**
 * Turns the headers of a whole-object answer into those of the part's: Content-Range and Content-Length of the
 * part, the part count, and (in checksum mode) the part's checksum instead of the object's. Returns the status.
 */
export function partHeaders(headers: Record<string, string | number | undefined>, part: PartSelection, info: ObjectInfo): number {
  if (info.parts) {
    // The object's checksum describes all the parts; a part answer carries the part's own, when there is one.
    const alg = info.checksum?.algorithm.toLowerCase();
    const withChecksum = alg !== undefined && headers[`x-amz-checksum-${alg}`] !== undefined;
    for (const k of Object.keys(headers)) if (k.startsWith('x-amz-checksum-')) delete headers[k];
    if (withChecksum && part.checksum !== undefined) {
      headers[`x-amz-checksum-${alg}`] = part.checksum;
      headers['x-amz-checksum-type'] = info.checksum!.type;
    }
  }
  if (part.partsCount !== undefined) headers['x-amz-mp-parts-count'] = part.partsCount;
  if (!part.range) {
    headers['Content-Length'] = 0;
    return 200;
  }
  headers['Content-Range'] = `bytes ${part.range.start}-${part.range.end}/${info.size}`;
  headers['Content-Length'] = part.range.end - part.range.start + 1;
  return 206;
}
