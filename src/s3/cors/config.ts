/** The <CORSConfiguration> document: parsed and checked for PutBucketCors, written for GetBucketCors. */
import type { CorsRule } from '../../storage/bucket-config.js';
import { S3Error } from '../../errors/s3-error.js';
import { asArray, parseXml, textOf, type XmlObject } from '../xml.js';

/** S3's limit on rules per bucket. */
export const MAX_CORS_RULES = 100;
/** The methods a CORS rule may allow. */
export const CORS_METHODS: readonly string[] = ['GET', 'PUT', 'HEAD', 'POST', 'DELETE'];

function texts(v: unknown, name: string): string[] {
  return asArray(v).map((x) => {
    const t = textOf(x);
    if (t === undefined) throw new S3Error('MalformedXML', `${name} must be text.`);
    return t.trim();
  });
}

function oneWildcard(kind: string, values: string[]): void {
  for (const v of values) {
    if (v.split('*').length > 2) throw new S3Error('InvalidRequest', `${kind} "${v}" can not have more than one wildcard.`);
  }
}

function ruleOf(r: unknown): CorsRule {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new S3Error('MalformedXML');
  const o = r as Record<string, unknown>;
  const allowedOrigins = texts(o['AllowedOrigin'], 'AllowedOrigin');
  const allowedMethods = texts(o['AllowedMethod'], 'AllowedMethod');
  if (allowedOrigins.length === 0 || allowedMethods.length === 0) {
    throw new S3Error('MalformedXML', 'Each CORSRule needs at least one AllowedOrigin and one AllowedMethod.');
  }
  for (const m of allowedMethods) {
    if (!CORS_METHODS.includes(m)) throw new S3Error('InvalidRequest', `Found unsupported HTTP method in CORS config. Unsupported method is ${m}`);
  }
  const allowedHeaders = texts(o['AllowedHeader'], 'AllowedHeader');
  oneWildcard('AllowedOrigin', allowedOrigins);
  oneWildcard('AllowedHeader', allowedHeaders);
  const rule: CorsRule = { allowedOrigins, allowedMethods, allowedHeaders, exposeHeaders: texts(o['ExposeHeader'], 'ExposeHeader') };
  const id = textOf(o['ID']);
  if (id !== undefined) {
    if (id.length > 255) throw new S3Error('InvalidArgument', 'A CORSRule ID can be at most 255 characters.', { ArgumentName: 'ID', ArgumentValue: id });
    rule.id = id;
  }
  const maxAge = textOf(o['MaxAgeSeconds'])?.trim();
  if (maxAge !== undefined) {
    if (!/^\d{1,10}$/.test(maxAge) || Number(maxAge) > 2 ** 31 - 1) throw new S3Error('MalformedXML', `MaxAgeSeconds must be a non-negative integer, not '${maxAge}'.`);
    rule.maxAgeSeconds = Number(maxAge);
  }
  return rule;
}

/** Parses a PutBucketCors body: 1 to 100 rules, each checked as S3 checks it. */
export function parseCorsConfiguration(body: string): CorsRule[] {
  const doc = parseXml(body, 'CORSConfiguration');
  const rules = asArray(doc['CORSRule']).map(ruleOf);
  if (rules.length === 0) throw new S3Error('MalformedXML', 'A CORSConfiguration needs at least one CORSRule.');
  if (rules.length > MAX_CORS_RULES) throw new S3Error('InvalidRequest', `A CORS configuration can have at most ${MAX_CORS_RULES} rules.`);
  return rules;
}

/** The body of a GetBucketCors answer. */
export function corsConfigurationXml(rules: readonly CorsRule[]): XmlObject {
  return {
    CORSRule: rules.map((r) => ({
      ID: r.id,
      AllowedHeader: r.allowedHeaders,
      AllowedMethod: r.allowedMethods,
      AllowedOrigin: r.allowedOrigins,
      ExposeHeader: r.exposeHeaders,
      MaxAgeSeconds: r.maxAgeSeconds,
    })),
  };
}
