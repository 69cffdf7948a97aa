/**
 * The POST Object policy document: base64 JSON with an `expiration` and `conditions` that every form
 * field must satisfy — `{"field": "value"}` and `["eq", "$field", "value"]` for exact values,
 * `["starts-with", "$field", "prefix"]`, `["content-length-range", min, max]`. Field names compare
 * case-insensitively, values case-sensitively; each field but the signature, the policy, the file and
 * `x-ignore-*` must be named by a condition. Failures are 403 AccessDenied worded as S3 words them.
 */
import { S3Error } from '../../errors/s3-error.js';

/** One condition of a POST policy. */
export type PostCondition =
  | { kind: 'eq'; field: string; value: string; written: string }
  | { kind: 'starts-with'; field: string; prefix: string; written: string }
  | { kind: 'content-length-range'; min: number; max: number; written: string };

/** A decoded POST policy. */
export interface PostPolicy {
  expiration: Date;
  conditions: readonly PostCondition[];
}

const invalid = (why: string): S3Error => new S3Error('InvalidPolicyDocument', `Invalid Policy: ${why}`);
const denied = (why: string): S3Error => new S3Error('AccessDenied', `Invalid according to Policy: ${why}`);

/** Fields that are never named by conditions (lower-case). */
const UNCOVERED = new Set(['policy', 'signature', 'x-amz-signature', 'awsaccesskeyid', 'file']);

/** Decode and check the shape of a base64 policy. Throws InvalidPolicyDocument. */
export function parsePostPolicy(base64: string): PostPolicy {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    throw invalid('Invalid JSON.');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('Invalid JSON.');
  const doc = json as Record<string, unknown>;
  if (typeof doc.expiration !== 'string') throw invalid('Policy missing expiration.');
  const expiration = new Date(doc.expiration);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(doc.expiration) || Number.isNaN(expiration.getTime())) throw invalid(`Invalid 'expiration' value: '${doc.expiration}'`);
  if (!Array.isArray(doc.conditions)) throw invalid('Policy missing conditions.');
  return { expiration, conditions: doc.conditions.map(parseCondition) };
}

function fieldName(ref: unknown, written: string): string {
  if (typeof ref !== 'string' || !ref.startsWith('$') || ref.length < 2) throw invalid(`Condition field name must start with '$': ${written}`);
  return ref.slice(1).toLowerCase();
}

function parseCondition(c: unknown): PostCondition {
  const written = JSON.stringify(c);
  if (Array.isArray(c)) {
    const op = typeof c[0] === 'string' ? c[0].toLowerCase() : '';
    if (op === 'content-length-range') {
      const [min, max] = [Number(c[1]), Number(c[2])];
      if (c.length !== 3 || !Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) throw invalid(`Invalid content-length-range: ${written}`);
      return { kind: 'content-length-range', min, max, written };
    }
    if (c.length !== 3 || typeof c[2] !== 'string') throw invalid(`Invalid condition: ${written}`);
    if (op === 'eq') return { kind: 'eq', field: fieldName(c[1], written), value: c[2], written };
    if (op === 'starts-with') return { kind: 'starts-with', field: fieldName(c[1], written), prefix: c[2], written };
    throw invalid(`Unknown condition operator '${String(c[0])}': ${written}`);
  }
  if (typeof c === 'object' && c !== null && Object.keys(c).length === 1) {
    const [[field, value]] = Object.entries(c);
    if (typeof value !== 'string') throw invalid(`Invalid condition: ${written}`);
    return { kind: 'eq', field: field.toLowerCase(), value, written };
  }
  throw invalid(`Invalid condition: ${written}`);
}

/** What the form looks like to the policy: its fields (lower-case names) and the bucket posted to. */
export interface PostForm {
  fields: ReadonlyMap<string, string>;
  bucket: string;
}

/**
 * Check the policy against the form (not the file's size: see contentLengthRange). Throws AccessDenied
 * for an expired policy, a failed condition, or a field no condition names.
 */
export function checkPostPolicy(policy: PostPolicy, form: PostForm, now: Date = new Date()): void {
  if (now.getTime() > policy.expiration.getTime()) throw denied('Policy expired.');
  const value = (field: string): string | undefined => (field === 'bucket' ? form.bucket : form.fields.get(field));
  const covered = new Set<string>();
  for (const c of policy.conditions) {
    if (c.kind === 'content-length-range') continue;
    covered.add(c.field);
    const v = value(c.field);
    const ok = v !== undefined && (c.kind === 'eq' ? v === c.value : v.startsWith(c.prefix));
    if (!ok) throw denied(`Policy Condition failed: ${c.written}`);
  }
  const extra = [...form.fields.keys()].filter((f) => !UNCOVERED.has(f) && !f.startsWith('x-ignore-') && !covered.has(f));
  if (extra.length > 0) throw denied(`Extra input fields: ${extra.join(', ')}`);
}

/** The file size the policy allows (the last content-length-range), if it sets one. */
export function contentLengthRange(policy: PostPolicy): { min: number; max: number } | undefined {
  let range: { min: number; max: number } | undefined;
  for (const c of policy.conditions) if (c.kind === 'content-length-range') range = { min: c.min, max: c.max };
  return range;
}

/** EntityTooSmall/EntityTooLarge when a file's size falls outside the policy's range. */
export function checkFileSize(size: number, range: { min: number; max: number } | undefined): void {
  if (!range) return;
  if (size < range.min) throw new S3Error('EntityTooSmall', undefined, { ProposedSize: String(size), MinSizeAllowed: String(range.min) });
  if (size > range.max) throw new S3Error('EntityTooLarge', undefined, { ProposedSize: String(size), MaxSizeAllowed: String(range.max) });
}

/** The object key: the form's `key` with `${filename}` replaced by the file's name (S3 replaces every one). */
export function resolveKey(key: string, filename: string | undefined): string {
  return key.replaceAll('${filename}', filename ?? '');
}
