/**
 * Key rules and key → path mapping (pure). A key the file system cannot hold as exactly that path is refused
 * with an error naming the rule; no key is ever mapped to some other path.
 */
import { S3Error } from '../../../errors/s3-error.js';
import { RESERVED_NAME } from './reserved.js';

/** S3's limit on a key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/** NAME_MAX of Linux file systems: the longest file name, in bytes. */
export const MAX_SEGMENT_BYTES = 255;

/** A valid key split into path segments. */
export interface KeyPath {
  /** The path segments, without the empty one a trailing '/' would give. */
  segments: string[];
  /** The key ends in '/': a directory object. */
  dirObject: boolean;
}

// A lone UTF-16 surrogate has no UTF-8 form: Buffer.from would turn it into U+FFFD, i.e. another path.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function invalid(key: string, rule: string): S3Error {
  return new S3Error('InvalidArgument', `Invalid key '${key}': ${rule}.`, { ArgumentName: 'key', ArgumentValue: key });
}

/** Validates `key` and splits it into segments; throws InvalidArgument or KeyTooLongError naming the rule. */
export function parseKey(key: string): KeyPath {
  if (key === '') throw invalid(key, 'a key cannot be empty');
  if (LONE_SURROGATE.test(key)) throw invalid(key, 'a key must be valid Unicode (it is stored as a UTF-8 path)');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', `Your key is too long: it has ${Buffer.byteLength(key)} bytes, the limit is ${MAX_KEY_BYTES}.`);
  }
  if (key.includes('\0')) throw invalid(key, 'a key cannot contain a NUL character');
  const dirObject = key.endsWith('/');
  const segments = (dirObject ? key.slice(0, -1) : key).split('/');
  for (const segment of segments) {
    if (segment === '') throw invalid(key, "a key cannot have an empty segment (a leading '/' or '//')");
    if (segment === '.' || segment === '..') throw invalid(key, `a key cannot have a '${segment}' segment`);
    if (segment === RESERVED_NAME) throw invalid(key, `'${RESERVED_NAME}' is reserved for the gateway's internal state`);
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) {
      throw invalid(key, `a segment cannot be longer than ${MAX_SEGMENT_BYTES} bytes (a file name limit)`);
    }
  }
  return { segments, dirObject };
}

/** Validates `key` (see parseKey). */
export function checkKey(key: string): void {
  parseKey(key);
}

/** The path of `key` under the bucket directory `root`, without a trailing '/' for directory objects. */
export function keyToPath(root: string, key: string): string {
  const { segments } = parseKey(key);
  return `${root.endsWith('/') ? root.slice(0, -1) : root}/${segments.join('/')}`;
}

/** The key of the directory made of the first `count` segments, with its trailing '/' ('' for the bucket root). */
export function dirKeyOf(segments: readonly string[], count: number): string {
  return count === 0 ? '' : `${segments.slice(0, count).join('/')}/`;
}
