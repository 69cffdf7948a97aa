/**
 * Tags on the wire: the x-amz-tagging header, the <Tagging> document, and S3's limits on both, each refused with
 * S3's error and a message saying which rule was broken.
 */
import type { Tag } from '../storage/bucket-config.js';
import { S3Error } from '../errors/s3-error.js';
import { asArray, parseXml, textOf, type XmlObject } from './xml.js';

/** S3's limits: 10 tags on an object, 50 on a bucket; keys up to 128 and values up to 256 Unicode characters. */
export const MAX_OBJECT_TAGS = 10;
export const MAX_BUCKET_TAGS = 50;
export const MAX_TAG_KEY_CHARS = 128;
export const MAX_TAG_VALUE_CHARS = 256;

/** Whose tags: the count limit and the message differ. */
export type TagTarget = 'object' | 'bucket';

// Characters as S3 counts them: code points, not UTF-16 units (an emoji is one character).
function chars(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function invalid(message: string): S3Error {
  return new S3Error('InvalidTag', message);
}

/** Checks a tag set against S3's rules; throws InvalidTag naming the first rule broken. */
export function checkTags(tags: readonly Tag[], target: TagTarget): void {
  const max = target === 'object' ? MAX_OBJECT_TAGS : MAX_BUCKET_TAGS;
  if (tags.length > max) {
    throw invalid(target === 'object' ? `Object tags cannot be greater than ${max}` : `Bucket tag count cannot be greater than ${max}`);
  }
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    if (key === '') throw invalid('The TagKey you have provided is invalid: a tag key cannot be empty');
    if (chars(key) > MAX_TAG_KEY_CHARS) throw invalid(`The TagKey you have provided is too long, max ${MAX_TAG_KEY_CHARS}`);
    if (chars(value) > MAX_TAG_VALUE_CHARS) throw invalid(`The TagValue you have provided is too long, max ${MAX_TAG_VALUE_CHARS}`);
    // The aws: prefix is reserved for tags AWS sets itself; S3 compares it case-insensitively.
    if (key.toLowerCase().startsWith('aws:')) throw invalid('Your TagKey cannot be prefixed with aws:');
    if (seen.has(key)) throw invalid(`Cannot provide multiple Tags with the same key: '${key}'`);
    seen.add(key);
  }
}

/**
 * Parses x-amz-tagging (URL query form, `k1=v1&k2=v2`) and checks it as an object's tag set. A repeated key is
 * InvalidArgument, as S3 answers for this header.
 */
export function parseTaggingHeader(value: string): Tag[] {
  const tags: Tag[] = [];
  const seen = new Set<string>();
  for (const [key, v] of new URLSearchParams(value)) {
    if (seen.has(key)) {
      throw new S3Error('InvalidArgument', 'The header \'x-amz-tagging\' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.',
        { ArgumentName: 'x-amz-tagging', ArgumentValue: value });
    }
    seen.add(key);
    tags.push({ key, value: v });
  }
  checkTags(tags, 'object');
  return tags;
}

/** Parses a <Tagging><TagSet><Tag><Key/><Value/></Tag>…</TagSet></Tagging> body and checks it for `target`. */
export function parseTagging(body: string, target: TagTarget): Tag[] {
  const doc = parseXml(body, 'Tagging');
  if (doc['TagSet'] === undefined) throw new S3Error('MalformedXML', 'The Tagging document must contain a TagSet.');
  const set = typeof doc['TagSet'] === 'string' && doc['TagSet'].trim() === '' ? {} : doc['TagSet'];
  if (typeof set !== 'object' || set === null || Array.isArray(set)) throw new S3Error('MalformedXML');
  const tags = asArray<Record<string, unknown>>((set as Record<string, unknown>)['Tag']).map((t) => {
    if (typeof t !== 'object' || t === null) throw new S3Error('MalformedXML');
    const key = textOf(t['Key']);
    const value = textOf(t['Value']);
    if (key === undefined || value === undefined) throw new S3Error('MalformedXML', 'Each Tag must have a Key and a Value.');
    return { key, value };
  });
  checkTags(tags, target);
  return tags;
}

/** The <Tagging> answer of GetObjectTagging and GetBucketTagging. */
export function taggingXml(tags: readonly Tag[]): XmlObject {
  return { TagSet: { Tag: tags.map((t) => ({ Key: t.key, Value: t.value })) } };
}
