/** XML for the S3 wire: one encoder for every response body, one strict parser for request bodies. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Error } from '../errors/s3-error.js';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** A value the encoder understands: nested objects become elements, arrays repeat the element. */
export type XmlValue = string | number | boolean | Date | undefined | null | XmlObject | XmlValue[];
export interface XmlObject { [name: string]: XmlValue }

/** Escapes text for element content (also safe in attribute values). */
export function escapeXml(s: string): string {
  // Most names need no escaping: test first, since a replace with a callback costs far more than a test.
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPE_ALL, escapeOne) : s;
}
// Control characters (a key may hold any byte but '/') go as character references: raw, they would make the
// document ill-formed, and a parser would stop at them.
const NEEDS_ESCAPE = /[&<>"'\x00-\x08\x0b-\x1f]/;
const ESCAPE_ALL = /[&<>"'\x00-\x08\x0b-\x1f]/g;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
function escapeOne(c: string): string {
  return ESCAPES[c] ?? `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
}

function text(v: string | number | boolean | Date): string {
  if (typeof v === 'string') return escapeXml(v);
  if (typeof v === 'object') return v.toISOString();
  return String(v);
}

/**
 * The key under which an object's attributes are given: `{ Grantee: { [ATTRIBUTES]: { 'xsi:type': 'Group' }, URI: … } }`.
 * Why: a few S3 answers need attributes (the xsi:type of an ACL grantee), which the SDKs read.
 */
export const ATTRIBUTES = '@';

function attributes(v: XmlValue): string {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date) return '';
  return Object.entries(v).map(([k, a]) => (a === undefined || a === null ? '' : ` ${k}="${escapeXml(String(a))}"`)).join('');
}

// Why string concatenation and for-in: a listing page encodes thousands of small elements, and V8 joins
// strings as ropes; this runs about twice as fast as pushing parts to an array and iterating Object.entries.
function element(name: string, v: XmlValue): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) {
    let out = '';
    for (const item of v) out += element(name, item);
    return out;
  }
  if (typeof v === 'object' && !(v instanceof Date)) return `<${name}${attributes(v[ATTRIBUTES])}>${children(v)}</${name}>`;
  return `<${name}>${text(v)}</${name}>`;
}

/**
 * The key under which differently named elements are given in one order: `{ [SEQUENCE]: [{ Version: … }, { DeleteMarker: … }] }`.
 * Why: ListObjectVersions interleaves its two kinds of entry in key and version order, as S3 does.
 */
export const SEQUENCE = '#sequence';

function children(v: XmlObject): string {
  let out = '';
  for (const k in v) {
    if (k === ATTRIBUTES) continue;
    if (k === SEQUENCE) {
      for (const item of v[k] as XmlObject[]) for (const name in item) out += element(name, item[name]);
      continue;
    }
    out += element(k, v[k]);
  }
  return out;
}

/** Encodes `{Root: {...}}` as an S3 XML document with the S3 namespace on the root element. */
export function encodeXml(root: string, body: XmlObject | string, xmlns: string | null = S3_XMLNS): string {
  const open = xmlns ? `<${root} xmlns="${xmlns}">` : `<${root}>`;
  const inner = typeof body === 'string' ? escapeXml(body) : children(body);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${open}${inner}</${root}>`;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  // Numeric character references (&#34; &#x22;) are plain XML, and Go's encoding/xml writes quotes in ETags that
  // way (rclone's CompleteMultipartUpload). The parser decodes them only in this mode; DOCTYPE is refused above.
  htmlEntities: true,
  isArray: () => false,
});

// eslint-disable-next-line no-control-regex -- these characters are what it looks for
const NOT_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * Parses a request body and returns the content of its root element, which must be `root`.
 * Malformed XML or a different root is MalformedXML. Repeated elements come back as arrays: use `asArray`.
 */
export function parseXml(body: string, root: string): Record<string, unknown> {
  if (body.trim() === '') throw new S3Error('MalformedXML');
  // DOCTYPE is refused outright: no entity expansion tricks on a request body.
  if (/<!DOCTYPE/i.test(body)) throw new S3Error('MalformedXML');
  // Characters XML 1.0 allows nowhere (§2.2), which the validator lets through: a tag or CORS origin holding
  // an escape or NUL must be refused as S3 does, not stored.
  if (NOT_XML_CHARS.test(body)) throw new S3Error('MalformedXML');
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw new S3Error('MalformedXML');
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(body) as Record<string, unknown>;
  } catch {
    throw new S3Error('MalformedXML');
  }
  const top = Object.keys(doc).filter((k) => k !== '?xml');
  if (top.length !== 1 || top[0] !== root) throw new S3Error('MalformedXML');
  const content = doc[root];
  if (content === '' || content === undefined) return {};
  if (typeof content !== 'object' || content === null) throw new S3Error('MalformedXML');
  return content as Record<string, unknown>;
}

/** A parsed child that may occur once or many times, as an array. */
export function asArray<T = unknown>(v: unknown): T[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]) as T[];
}

/** A parsed child's text content ('' for an empty element, undefined when absent). */
export function textOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && Object.keys(v as object).length === 0) return '';
  if (typeof v === 'object' && '#text' in (v as object)) return String((v as Record<string, unknown>)['#text']);
  throw new S3Error('MalformedXML');
}
