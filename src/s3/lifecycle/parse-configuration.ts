/**
 * Parses and checks a PutBucketLifecycleConfiguration body as S3 does: what the schema refuses is MalformedXML,
 * a value out of range InvalidArgument, a combination S3 does not allow InvalidRequest.
 */
import { randomBytes } from 'node:crypto';
import type { LifecycleFilter, LifecycleRule, LifecycleTransition, NoncurrentTransition, Tag } from '../../storage/backend.js';
import { S3Error } from '../../errors/s3-error.js';
import { asArray, parseXml, textOf } from '../xml.js';

/** S3's limits: rules per configuration, characters of a rule ID, newer noncurrent versions kept. */
export const MAX_LIFECYCLE_RULES = 1000;
export const MAX_RULE_ID_LENGTH = 255;
export const MAX_NEWER_NONCURRENT_VERSIONS = 100;

/** The classes a Transition may name (S3's TransitionStorageClass); STANDARD is not one: objects start there. */
export const TRANSITION_CLASSES: readonly string[] = ['GLACIER', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'DEEP_ARCHIVE', 'GLACIER_IR'];
/** Classes S3 lets objects enter only after 30 days (its minimum storage duration for infrequent access). */
const THIRTY_DAY_CLASSES: readonly string[] = ['STANDARD_IA', 'ONEZONE_IA'];

type Xml = Record<string, unknown>;

const malformed = (message?: string) => new S3Error('MalformedXML', message);
const invalidArgument = (message: string) => new S3Error('InvalidArgument', message);
const invalidRequest = (message: string) => new S3Error('InvalidRequest', message);

/** The element `name` of `o`, which the schema allows once: absent, or an object (a repeat is MalformedXML). */
function single(o: Xml, name: string): Xml | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw malformed(`${name} may be given once.`);
  if (v === '') return {};
  if (typeof v !== 'object' || v === null) throw malformed(`${name} must be an element.`);
  return v as Xml;
}

/** A text child given at most once. */
function textChild(o: Xml, name: string): string | undefined {
  const v = o[name];
  if (Array.isArray(v)) throw malformed(`${name} may be given once.`);
  return textOf(v);
}

/** An integer child (the schema's xsd:int; its range is the caller's to check). */
function intChild(o: Xml, name: string): number | undefined {
  const t = textChild(o, name)?.trim();
  if (t === undefined) return undefined;
  if (!/^[+-]?\d{1,10}$/.test(t)) throw malformed(`${name} must be an integer, not '${t}'.`);
  return Number(t);
}

/** A long child (object sizes). */
function longChild(o: Xml, name: string): number | undefined {
  const t = textChild(o, name)?.trim();
  if (t === undefined) return undefined;
  if (!/^[+-]?\d{1,19}$/.test(t)) throw malformed(`${name} must be an integer, not '${t}'.`);
  return Number(t);
}

/** A Date: ISO 8601 at midnight UTC, kept as the canonical ISO string. */
function midnight(o: Xml, name: string): string | undefined {
  const t = textChild(o, name)?.trim();
  if (t === undefined) return undefined;
  // S3 takes an ISO 8601 date or date-time; a bare date means midnight UTC.
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(t);
  if (!m) throw malformed(`${name} must be an ISO 8601 date, not '${t}'.`);
  const ms = Date.parse(m[4] === undefined ? `${t}T00:00:00Z` : m[8] === undefined ? `${t}Z` : t);
  if (Number.isNaN(ms)) throw malformed(`${name} must be an ISO 8601 date, not '${t}'.`);
  if (ms % 86_400_000 !== 0) throw invalidArgument(`'${name}' must be at midnight GMT`);
  return new Date(ms).toISOString();
}

function tagOf(v: unknown): Tag {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed('Tag must have a Key and a Value.');
  const key = textChild(v as Xml, 'Key');
  const value = textChild(v as Xml, 'Value');
  if (key === undefined || value === undefined) throw malformed('Tag must have a Key and a Value.');
  if (key.length === 0 || key.length > 128) throw new S3Error('InvalidTag', 'The TagKey you have provided is invalid');
  if (value.length > 256) throw new S3Error('InvalidTag', 'The TagValue you have provided is invalid');
  return { key, value };
}

/** The conditions of a <Filter> or of its <And>. */
function conditions(o: Xml, filter: LifecycleFilter): void {
  const prefix = textChild(o, 'Prefix');
  if (prefix !== undefined) filter.prefix = prefix;
  filter.tags.push(...asArray(o['Tag']).map(tagOf));
  const gt = longChild(o, 'ObjectSizeGreaterThan');
  const lt = longChild(o, 'ObjectSizeLessThan');
  if (gt !== undefined) {
    if (gt < 0) throw invalidArgument("'ObjectSizeGreaterThan' should be a non-negative integer");
    filter.sizeGreaterThan = gt;
  }
  if (lt !== undefined) {
    if (lt <= 0) throw invalidArgument("'ObjectSizeLessThan' should be a positive integer");
    filter.sizeLessThan = lt;
  }
  if (gt !== undefined && lt !== undefined && gt >= lt) {
    throw invalidArgument("'ObjectSizeGreaterThan' must be less than 'ObjectSizeLessThan'");
  }
  const keys = new Set<string>();
  for (const t of filter.tags) {
    if (keys.has(t.key)) throw invalidRequest('Duplicate Tag Keys are not allowed.');
    keys.add(t.key);
  }
}

const CONDITIONS = ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan'];

function filterOf(rule: Xml): LifecycleFilter {
  const old = rule['Prefix'];
  const f = single(rule, 'Filter');
  if (old !== undefined && f !== undefined) throw malformed('A rule has either a Filter or a Prefix, not both.');
  if (old !== undefined) return { form: 'prefix', prefix: textChild(rule, 'Prefix') ?? '', tags: [] };
  // Filter is required where the rule gives no Prefix.
  if (f === undefined) throw malformed('A rule needs a Filter (or the older Prefix).');
  const given = Object.keys(f);
  const and = single(f, 'And');
  if (and !== undefined) {
    if (given.length > 1) throw malformed('Filter may hold one of Prefix, Tag, ObjectSizeGreaterThan, ObjectSizeLessThan or And.');
    for (const k of Object.keys(and)) if (!CONDITIONS.includes(k)) throw malformed(`And may not hold ${k}.`);
    const filter: LifecycleFilter = { form: 'and', tags: [] };
    conditions(and, filter);
    return filter;
  }
  for (const k of given) if (!CONDITIONS.includes(k)) throw malformed(`Filter may not hold ${k}.`);
  // More than one condition (two tags count as two) must be combined in And.
  if (given.length > 1 || Array.isArray(f['Tag'])) throw malformed('Several Filter conditions must be combined in an And element.');
  const filter: LifecycleFilter = { form: 'filter', tags: [] };
  conditions(f, filter);
  return filter;
}

/** How S3 names a rule's filter in its messages. */
function filterText(f: LifecycleFilter): string {
  return `(prefix=${f.prefix ?? ''})`;
}

function expirationOf(rule: Xml): LifecycleRule['expiration'] {
  const e = single(rule, 'Expiration');
  if (e === undefined) return undefined;
  const days = intChild(e, 'Days');
  const date = midnight(e, 'Date');
  const marker = textChild(e, 'ExpiredObjectDeleteMarker')?.trim();
  const given = [days, date, marker].filter((x) => x !== undefined).length;
  if (given !== 1) throw malformed('Expiration takes exactly one of Days, Date and ExpiredObjectDeleteMarker.');
  if (days !== undefined && days <= 0) throw invalidArgument("'Days' for Expiration action must be a positive integer");
  if (marker !== undefined) {
    if (marker !== 'true' && marker !== 'false') throw malformed(`ExpiredObjectDeleteMarker must be true or false, not '${marker}'.`);
    return { expiredObjectDeleteMarker: marker === 'true' };
  }
  return days !== undefined ? { days } : { date: date! };
}

function transitionOf(v: unknown): LifecycleTransition {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed('Transition must be an element.');
  const t = v as Xml;
  const storageClass = textChild(t, 'StorageClass')?.trim();
  if (storageClass === undefined || !TRANSITION_CLASSES.includes(storageClass)) throw malformed(`Transition needs a StorageClass of ${TRANSITION_CLASSES.join(', ')}.`);
  const days = intChild(t, 'Days');
  const date = midnight(t, 'Date');
  if ((days === undefined) === (date === undefined)) throw malformed('Transition takes exactly one of Days and Date.');
  if (days !== undefined) {
    if (days < 0) throw invalidArgument("'Days' in Transition action must be a non-negative integer");
    if (THIRTY_DAY_CLASSES.includes(storageClass) && days < 30) {
      throw invalidArgument(`'Days' in Transition action must be greater than or equal to 30 for storageClass '${storageClass}'`);
    }
    return { days, storageClass };
  }
  return { date: date!, storageClass };
}

function noncurrentExpirationOf(rule: Xml): LifecycleRule['noncurrentExpiration'] {
  const e = single(rule, 'NoncurrentVersionExpiration');
  if (e === undefined) return undefined;
  const noncurrentDays = intChild(e, 'NoncurrentDays');
  if (noncurrentDays === undefined) throw malformed('NoncurrentVersionExpiration needs NoncurrentDays.');
  if (noncurrentDays <= 0) throw invalidArgument("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
  const newer = newerOf(e, 'NoncurrentVersionExpiration');
  return newer === undefined ? { noncurrentDays } : { noncurrentDays, newerNoncurrentVersions: newer };
}

function newerOf(e: Xml, action: string): number | undefined {
  const newer = intChild(e, 'NewerNoncurrentVersions');
  if (newer !== undefined && (newer < 1 || newer > MAX_NEWER_NONCURRENT_VERSIONS)) {
    throw invalidArgument(`'NewerNoncurrentVersions' for ${action} action must be a positive integer up to ${MAX_NEWER_NONCURRENT_VERSIONS}`);
  }
  return newer;
}

function noncurrentTransitionOf(v: unknown): NoncurrentTransition {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed('NoncurrentVersionTransition must be an element.');
  const t = v as Xml;
  const storageClass = textChild(t, 'StorageClass')?.trim();
  if (storageClass === undefined || !TRANSITION_CLASSES.includes(storageClass)) throw malformed(`NoncurrentVersionTransition needs a StorageClass of ${TRANSITION_CLASSES.join(', ')}.`);
  const noncurrentDays = intChild(t, 'NoncurrentDays');
  if (noncurrentDays === undefined) throw malformed('NoncurrentVersionTransition needs NoncurrentDays.');
  if (noncurrentDays < 0) throw invalidArgument("'NoncurrentDays' in NoncurrentVersionTransition action must be a non-negative integer");
  if (THIRTY_DAY_CLASSES.includes(storageClass) && noncurrentDays < 30) {
    throw invalidArgument(`'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass '${storageClass}'`);
  }
  const newer = newerOf(t, 'NoncurrentVersionTransition');
  return newer === undefined ? { noncurrentDays, storageClass } : { noncurrentDays, newerNoncurrentVersions: newer, storageClass };
}

function abortDaysOf(rule: Xml, filter: LifecycleFilter): number | undefined {
  const a = single(rule, 'AbortIncompleteMultipartUpload');
  if (a === undefined) return undefined;
  const days = intChild(a, 'DaysAfterInitiation');
  if (days === undefined) throw malformed('AbortIncompleteMultipartUpload needs DaysAfterInitiation.');
  if (days <= 0) throw invalidArgument("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer");
  // Uploads have no tags or size yet: S3 refuses the combination rather than never applying it.
  if (filter.tags.length) throw invalidRequest('AbortIncompleteMultipartUpload cannot be specified with Tags.');
  if (filter.sizeGreaterThan !== undefined || filter.sizeLessThan !== undefined) throw invalidRequest('AbortIncompleteMultipartUpload cannot be specified with object size.');
  return days;
}

const RULE_CHILDREN = ['ID', 'Status', 'Prefix', 'Filter', 'Expiration', 'Transition', 'NoncurrentVersionExpiration', 'NoncurrentVersionTransition', 'AbortIncompleteMultipartUpload'];

/** Checks that transitions and expiration of one rule are in an order S3 accepts. */
function checkOrder(r: LifecycleRule): void {
  const classes = new Set<string>();
  for (const t of r.transitions) {
    if (classes.has(t.storageClass)) throw invalidArgument(`'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '${filterText(r.filter)}'`);
    classes.add(t.storageClass);
  }
  const byDays = r.transitions.filter((t) => t.days !== undefined);
  if (byDays.length && byDays.length !== r.transitions.length) throw invalidRequest(`Found mixed 'Date' and 'Days' based Transition actions in lifecycle rule for filter '${filterText(r.filter)}'`);
  const lastDays = Math.max(-1, ...byDays.map((t) => t.days!));
  if (r.expiration?.days !== undefined && byDays.length && r.expiration.days <= lastDays) {
    throw invalidArgument(`'Days' in the Expiration action for filter '${filterText(r.filter)}' must be greater than 'Days' in the Transition action`);
  }
  const ncClasses = new Set<string>();
  for (const t of r.noncurrentTransitions) {
    if (ncClasses.has(t.storageClass)) throw invalidArgument(`'StorageClass' must be different for 'NoncurrentVersionTransition' actions in same 'Rule' with filter '${filterText(r.filter)}'`);
    ncClasses.add(t.storageClass);
  }
  const lastNc = Math.max(-1, ...r.noncurrentTransitions.map((t) => t.noncurrentDays));
  if (r.noncurrentExpiration && r.noncurrentTransitions.length && r.noncurrentExpiration.noncurrentDays <= lastNc) {
    throw invalidArgument(`'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '${filterText(r.filter)}' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action`);
  }
}

function ruleOf(v: unknown): LifecycleRule {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed('Rule must be an element.');
  const o = v as Xml;
  for (const k of Object.keys(o)) if (!RULE_CHILDREN.includes(k)) throw malformed(`Rule may not hold ${k}.`);
  const id = textChild(o, 'ID');
  if (id !== undefined && id.length > MAX_RULE_ID_LENGTH) throw invalidArgument(`ID length should not exceed allowed limit of ${MAX_RULE_ID_LENGTH}`);
  const status = textChild(o, 'Status');
  // Exact case: S3 refuses `enabled`.
  if (status !== 'Enabled' && status !== 'Disabled') throw malformed("Status must be 'Enabled' or 'Disabled'.");
  const filter = filterOf(o);
  const rule: LifecycleRule = {
    // S3 names a rule given without an ID itself.
    id: id || randomBytes(24).toString('base64url'),
    enabled: status === 'Enabled',
    filter,
    transitions: asArray(o['Transition']).map(transitionOf),
    noncurrentTransitions: asArray(o['NoncurrentVersionTransition']).map(noncurrentTransitionOf),
  };
  const expiration = expirationOf(o);
  if (expiration) {
    if (expiration.expiredObjectDeleteMarker !== undefined && filter.tags.length) {
      throw invalidRequest('ExpiredObjectDeleteMarker cannot be specified with Tags.');
    }
    rule.expiration = expiration;
  }
  const nce = noncurrentExpirationOf(o);
  if (nce) rule.noncurrentExpiration = nce;
  const abort = abortDaysOf(o, filter);
  if (abort !== undefined) rule.abortIncompleteMultipartUploadDays = abort;
  if (!rule.expiration && !rule.transitions.length && !rule.noncurrentExpiration && !rule.noncurrentTransitions.length && abort === undefined) {
    throw invalidRequest('At least one action needs to be specified in a rule');
  }
  checkOrder(rule);
  return rule;
}

/** Parses a PutBucketLifecycleConfiguration body: 1 to 1,000 rules with unique IDs, each checked as S3 checks it. */
export function parseLifecycleConfiguration(body: string): LifecycleRule[] {
  const doc = parseXml(body, 'LifecycleConfiguration');
  for (const k of Object.keys(doc)) if (k !== 'Rule') throw malformed(`LifecycleConfiguration may not hold ${k}.`);
  const given = asArray(doc['Rule']);
  if (given.length === 0) throw malformed('A LifecycleConfiguration needs at least one Rule.');
  if (given.length > MAX_LIFECYCLE_RULES) throw malformed(`A LifecycleConfiguration can have at most ${MAX_LIFECYCLE_RULES} rules.`);
  const rules = given.map(ruleOf);
  const ids = new Set<string>();
  for (const r of rules) {
    if (ids.has(r.id)) throw invalidArgument('Rule ID must be unique. Found same ID for more than one rule');
    ids.add(r.id);
  }
  return rules;
}
