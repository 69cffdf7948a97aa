/**
 * PutBucketPolicy's check: a policy document's JSON to its typed form, refused with MalformedPolicy and a
 * message naming the problem, as S3 refuses it: bad JSON, an unknown version, effect, action, resource,
 * principal, condition operator or key, a resource of another bucket, or a document over 20 KB.
 */
import { S3Error } from '../../errors/s3-error.js';
import { isKnownConditionKey } from './condition-keys.js';
import { OPERATORS, parseOperator } from './condition-operators.js';
import type { Condition, PolicyDocument, PolicyVersion, PrincipalSet, Statement } from './policy-document.js';
import { ACCOUNT_PRINCIPAL, CANONICAL_ID, USER_ARN } from './principal-match.js';
import { actionsNamedBy, type ResourceKind } from './s3-actions.js';
import { hasVariable } from './policy-variables.js';
import { wildcardMatch } from './wildcard.js';

/** S3's limit on a bucket policy's size. */
export const MAX_POLICY_BYTES = 20 * 1024;

/** What parsing needs to know: the bucket the policy is for, and optionally which user names exist. */
export interface ParsePolicyOptions {
  bucket: string;
  /** When given, a principal naming a user who does not exist is refused, as AWS refuses unknown ARNs. */
  userExists?: (name: string) => boolean;
}

const VERSIONS: readonly string[] = ['2012-10-17', '2008-10-17'];
const TOP_FIELDS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const S3_ARN = 'arn:aws:s3:::';

function malformed(message: string): S3Error {
  return new S3Error('MalformedPolicy', message);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string or a non-empty list of strings, as Action, Resource and principal entries are written. */
function stringList(v: unknown, field: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || !list.every((x) => typeof x === 'string' && x.length > 0)) {
    throw malformed(`${field} must be a string or a non-empty list of strings`);
  }
  return list as string[];
}

/** Parse and validate a bucket policy document. Throws S3Error MalformedPolicy. */
export function parsePolicy(text: string, opts: ParsePolicyOptions): PolicyDocument {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) {
    throw malformed(`Policy exceeds the maximum allowed document size of ${MAX_POLICY_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw malformed('Policies must be valid JSON and the first byte must be \'{\'');
  }
  if (!isObject(json)) throw malformed('Policies must be valid JSON and the first byte must be \'{\'');
  for (const field of Object.keys(json)) if (!TOP_FIELDS.has(field)) throw malformed(`Unknown field ${field}`);
  // IAM reads a policy without a Version as the 2008 language.
  const version = json.Version ?? '2008-10-17';
  if (typeof version !== 'string' || !VERSIONS.includes(version)) {
    throw malformed(`The policy must contain a valid version string (2012-10-17 or 2008-10-17), not ${JSON.stringify(version)}`);
  }
  if (json.Id !== undefined && typeof json.Id !== 'string') throw malformed('Id must be a string');
  if (json.Statement === undefined) throw malformed('Missing required field Statement');
  const raw = Array.isArray(json.Statement) ? json.Statement : [json.Statement];
  if (raw.length === 0) throw malformed('Could not parse the policy: Statement is empty!');
  const statements = raw.map((s) => parseStatement(s, opts));
  const sids = statements.flatMap((s) => (s.sid ? [s.sid] : []));
  if (new Set(sids).size !== sids.length) throw malformed('Statement IDs (SID) in a single policy must be unique');
  return { version: version as PolicyVersion, id: json.Id as string | undefined, statements };
}

/** One of a pair of fields (Action/NotAction …): exactly one must be present. */
function oneOf(s: Record<string, unknown>, field: string): { key: string; value: unknown; negated: boolean } {
  const not = `Not${field}`;
  if (s[field] !== undefined && s[not] !== undefined) throw malformed(`A statement cannot have both ${field} and ${not}`);
  if (s[field] !== undefined) return { key: field, value: s[field], negated: false };
  if (s[not] !== undefined) return { key: not, value: s[not], negated: true };
  throw malformed(`Missing required field ${field}`);
}

function parseStatement(s: unknown, opts: ParsePolicyOptions): Statement {
  if (!isObject(s)) throw malformed('Each Statement must be a JSON object');
  for (const field of Object.keys(s)) if (!STATEMENT_FIELDS.has(field)) throw malformed(`Unknown field ${field}`);
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw malformed('Sid must be a string');
  if (s.Effect === undefined) throw malformed('Missing required field Effect');
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed(`Invalid effect: ${String(s.Effect)}`);

  const principal = oneOf(s, 'Principal');
  const principalSet = parsePrincipal(principal.value, opts);
  const action = oneOf(s, 'Action');
  const actions = stringList(action.value, action.key);
  const resource = oneOf(s, 'Resource');
  const resources = stringList(resource.value, resource.key);
  const kinds: ResourceKind[][] = actions.map(validAction);
  for (const r of resources) validResource(r, opts.bucket);
  if (!action.negated && !resource.negated) {
    // AWS refuses e.g. s3:GetObject on the bucket's ARN alone: the action can never apply.
    const reachable = new Set(resources.flatMap(resourceKinds));
    kinds.forEach((k, i) => {
      if (!k.some((kind) => reachable.has(kind))) throw malformed(`Action does not apply to any resource(s) in statement: ${actions[i]}`);
    });
  }
  return {
    sid: s.Sid as string | undefined,
    effect: s.Effect,
    [principal.negated ? 'notPrincipal' : 'principal']: principalSet,
    [action.negated ? 'notAction' : 'action']: actions,
    [resource.negated ? 'notResource' : 'resource']: resources,
    conditions: s.Condition === undefined ? [] : parseConditions(s.Condition),
  };
}

/** `"*"`, or `{"AWS": …, "CanonicalUser": …}` with user names, user ARNs, accounts or canonical ids. */
function parsePrincipal(v: unknown, opts: ParsePolicyOptions): PrincipalSet {
  if (v === '*') return { kind: 'any' };
  if (!isObject(v) || Object.keys(v).length === 0) throw malformed('Invalid principal in policy');
  const aws: string[] = [];
  const canonical: string[] = [];
  for (const [type, value] of Object.entries(v)) {
    const entries = stringList(value, `Principal ${type}`);
    if (type === 'AWS') {
      for (const e of entries) validAwsPrincipal(e, opts);
      aws.push(...entries);
    } else if (type === 'CanonicalUser') {
      if (!entries.every((e) => CANONICAL_ID.test(e))) throw malformed('Invalid principal in policy: a CanonicalUser is 64 hex digits');
      canonical.push(...entries);
    } else {
      throw malformed(`Invalid principal in policy: dirbucket has no ${type} principals (use "*", AWS or CanonicalUser)`);
    }
  }
  if (aws.includes('*')) return { kind: 'any' };
  return { kind: 'list', aws, canonical };
}

function validAwsPrincipal(e: string, opts: ParsePolicyOptions): void {
  if (e === '*' || ACCOUNT_PRINCIPAL.test(e) || CANONICAL_ID.test(e)) return;
  const arn = USER_ARN.exec(e);
  const name = arn ? arn[1] : e;
  if (e.startsWith('arn:') && !arn) throw malformed(`Invalid principal in policy: ${e}`);
  if (/[*?]/.test(name) || !/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/.test(name)) throw malformed(`Invalid principal in policy: ${e}`);
  if (opts.userExists && !opts.userExists(name)) throw malformed(`Invalid principal in policy: no user ${name}`);
}

/** The resource kinds an action pattern reaches; refuses patterns naming no S3 action. */
function validAction(a: string): ResourceKind[] {
  const kinds = a === '*' || /^s3:/i.test(a) ? actionsNamedBy(a) : [];
  if (kinds.length === 0) throw malformed(`Policy has invalid action: ${a}`);
  return kinds;
}

/** `*`, or an S3 ARN whose bucket part names (or matches) this bucket. */
function validResource(r: string, bucket: string): void {
  if (r === '*') return;
  if (!r.startsWith(S3_ARN) || r.length === S3_ARN.length) throw malformed(`Policy has invalid resource: ${r}`);
  const path = r.slice(S3_ARN.length);
  const bucketPart = path.split('/')[0];
  // A variable in the bucket part cannot be checked now; a wildcard must be able to match this bucket.
  if (!hasVariable(bucketPart) && !wildcardMatch(bucketPart, bucket) && !(bucketPart.endsWith('*') && wildcardMatch(bucketPart, `${bucket}/`))) {
    throw malformed(`Policy has invalid resource: ${r} (not bucket ${bucket})`);
  }
}

/** Which kinds of ARN a resource pattern can match: a `*` may stand for a `/` and reach objects. */
function resourceKinds(r: string): ResourceKind[] {
  if (r === '*') return ['bucket', 'object', 'account'];
  const path = r.slice(S3_ARN.length);
  const kinds: ResourceKind[] = [];
  if (!path.includes('/')) kinds.push('bucket');
  if (path.includes('/') || path.includes('*')) kinds.push('object');
  return kinds;
}

function parseConditions(v: unknown): Condition[] {
  if (!isObject(v)) throw malformed('Condition must be a JSON object');
  const out: Condition[] = [];
  for (const [written, block] of Object.entries(v)) {
    const op = parseOperator(written);
    if (!op) throw malformed(`Invalid Condition type : ${written}`);
    if (!isObject(block) || Object.keys(block).length === 0) throw malformed(`Condition ${written} must map condition keys to values`);
    for (const [key, raw] of Object.entries(block)) {
      if (!isKnownConditionKey(key)) throw malformed(`Policy has an invalid condition key: ${key}`);
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.length === 0 || !list.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) {
        throw malformed(`Condition ${written} ${key}: values must be strings, numbers or booleans`);
      }
      const values = list.map(String);
      const invalid = OPERATORS[op.operator].invalid;
      for (const value of values) {
        const why = invalid?.(value);
        if (why) throw malformed(`Invalid value for condition ${written} ${key}: ${why}`);
      }
      out.push({ written, ...op, key, values });
    }
  }
  return out;
}
