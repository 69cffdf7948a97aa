/** Query parameters shared by the listing operations, and the url encoding-type applied to their answers. */
import { S3Error } from '../errors/s3-error.js';

/** max-keys (or max-uploads, max-parts, max-buckets): an integer from 0; above `limit` (1000) is served as `limit`, like S3. */
export function maxKeysOf(query: URLSearchParams, name = 'max-keys', limit = 1000): number {
  const v = query.get(name);
  if (v === null || v === '') return limit;
  if (!/^\d+$/.test(v)) {
    throw new S3Error('InvalidArgument', `Provided ${name} not an integer or within integer range`, { ArgumentName: name, ArgumentValue: v });
  }
  return Math.min(Number(v), limit);
}

/** encoding-type: only `url` exists. */
export function encodingOf(query: URLSearchParams): 'url' | undefined {
  const v = query.get('encoding-type');
  if (v === null) return undefined;
  if (v.toLowerCase() !== 'url') {
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: v });
  }
  return 'url';
}

/** Percent-encodes everything but unreserved characters and '/': clients decode with unquote_plus-like rules. */
export function urlEncodeKey(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()).replace(/%2F/g, '/');
}

/** An encoder for names in a listing answer: identity unless encoding-type=url. */
export function nameEncoder(encoding: 'url' | undefined): (s: string | undefined) => string | undefined {
  return encoding === 'url' ? (s) => (s === undefined ? undefined : urlEncodeKey(s)) : (s) => s;
}

/** The parameters every object listing shares: prefix, delimiter, page size and how names are encoded. */
export interface ListingParams {
  prefix: string;
  delimiter: string | undefined;
  maxKeys: number;
  encoding: 'url' | undefined;
  /** Encodes a name for the answer (identity unless encoding-type=url). */
  enc: (s: string | undefined) => string;
}

/** Reads the shared listing parameters of ListObjects, ListObjectsV2 and ListObjectVersions. */
export function listingParams(query: URLSearchParams): ListingParams {
  const encoding = encodingOf(query);
  return {
    prefix: query.get('prefix') ?? '',
    delimiter: query.get('delimiter') || undefined,
    maxKeys: maxKeysOf(query),
    encoding,
    enc: nameEncoder(encoding) as (s: string | undefined) => string,
  };
}

const TOKEN_PREFIX = 'db1:';

/**
 * Continuation tokens are opaque to clients but stateless here: the last key or prefix returned, so a token
 * works after a restart and on any gateway instance serving the same tree.
 */
export function encodeToken(lastItem: string): string {
  return Buffer.from(TOKEN_PREFIX + lastItem, 'utf8').toString('base64url');
}

export function decodeToken(token: string): string {
  const s = Buffer.from(token, 'base64url').toString('utf8');
  if (!s.startsWith(TOKEN_PREFIX) || Buffer.from(s, 'utf8').toString('base64url') !== token.replace(/=+$/, '')) {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
  }
  return s.slice(TOKEN_PREFIX.length);
}
