/**
 * The SigV2 string to sign: method, Content-MD5, Content-Type, the date (or Expires for presigned URLs),
 * the canonicalized x-amz-* headers, and the canonicalized resource: the path as sent, with the bucket in
 * front when it was addressed by host name, and the sub-resources S3 signs, sorted, with decoded values.
 */
import { percentDecodeToBytes } from '../sigv4/uri-encode.js';

/** The query parameters that belong to the resource being signed (botocore's and S3's list). */
export const SIGNED_SUBRESOURCES: ReadonlySet<string> = new Set([
  'accelerate', 'acl', 'analytics', 'cors', 'defaultObjectAcl', 'delete', 'inventory', 'legal-hold', 'lifecycle', 'location',
  'logging', 'metrics', 'notification', 'object-lock', 'partNumber', 'policy', 'replication', 'requestPayment',
  'response-cache-control', 'response-content-disposition', 'response-content-encoding', 'response-content-language',
  'response-content-type', 'response-expires', 'restore', 'retention', 'select', 'select-type', 'storageClass', 'tagging',
  'torrent', 'uploadId', 'uploads', 'versionId', 'versioning', 'versions', 'website',
]);

/** The parts of a request the V2 string to sign is made of. */
export interface V2SigningParts {
  method: string;
  contentMd5: string;
  contentType: string;
  /** The Date header, '' when x-amz-date stands in for it, or a presigned URL's Expires. */
  date: string;
  /** x-amz-* headers (lower-case names) with all their values. */
  amzHeaders: ReadonlyMap<string, readonly string[]>;
  /** canonicalResource()'s result. */
  resource: string;
}

/**
 * `x-amz-name:value\n` per header, sorted by name; repeated values joined by ',', each trimmed and its
 * folded whitespace made one space, as the documentation asks.
 */
export function canonicalAmzHeaders(headers: ReadonlyMap<string, readonly string[]>): string {
  const byName = new Map<string, string[]>();
  for (const [name, values] of headers) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-')) byName.set(lower, [...(byName.get(lower) ?? []), ...values]);
  }
  return [...byName.keys()]
    .sort()
    .map((name) => `${name}:${byName.get(name)!.map((v) => v.replace(/\s*\r?\n\s*/g, ' ').trim()).join(',')}\n`)
    .join('');
}

const NONE: ReadonlySet<string> = new Set();

/**
 * The resource: `/bucket` when the bucket came from the Host header, then the raw path, then `?` and the
 * signed sub-resources sorted by name (`name` alone when it has no `=`, else `name=decoded value`);
 * `alsoSigned` names further parameters to count as sub-resources.
 */
export function canonicalResource(rawPath: string, rawQuery: string, hostBucket?: string, alsoSigned: ReadonlySet<string> = NONE): string {
  let out = (hostBucket !== undefined ? `/${hostBucket}` : '') + (rawPath === '' ? '/' : rawPath);
  const subs: [string, string | undefined][] = [];
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = eq < 0 ? piece : piece.slice(0, eq);
    if (!SIGNED_SUBRESOURCES.has(name) && !alsoSigned.has(name)) continue;
    subs.push([name, eq < 0 ? undefined : percentDecodeToBytes(piece.slice(eq + 1)).toString('utf8')]);
  }
  if (subs.length > 0) {
    subs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    out += '?' + subs.map(([n, v]) => (v === undefined ? n : `${n}=${v}`)).join('&');
  }
  return out;
}

/** The string to sign. */
export function stringToSignV2(p: V2SigningParts): string {
  return `${p.method}\n${p.contentMd5}\n${p.contentType}\n${p.date}\n${canonicalAmzHeaders(p.amzHeaders)}${p.resource}`;
}
