/**
 * The condition operators: how one request value compares with one policy value. Negated operators
 * (StringNotEquals, NotIpAddress, …) are the NOR of their positive twin over the policy's values, so only
 * the positive comparisons live here; condition-block.ts applies negation, `…IfExists` and set qualifiers.
 */
import type { ConditionOperator } from './policy-document.js';
import { inCidr, parseCidr } from './ip-cidr.js';
import { markWildcards } from './policy-variables.js';
import { wildcardMatch } from './wildcard.js';

/** How an operator compares, and what its policy values must look like. */
export interface OperatorSpec {
  /** The positive comparison; for a negated operator, its twin's. */
  matches(requestValue: string, policyValue: string): boolean;
  negated: boolean;
  /** Whether `${…}` variables expand in its policy values (IAM: strings, ARNs and Bool only). */
  variables: boolean;
  /** Whether its policy values may hold wildcards (and so must be marked when a variable is expanded). */
  wildcards: boolean;
  /** Why a policy value is invalid for the operator, or undefined when it is valid. */
  invalid?(policyValue: string): string | undefined;
}

/** A number as IAM reads one: decimal, optionally signed, with a fraction. */
function number(text: string): number | undefined {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : undefined;
}

/** A date as IAM reads one: ISO 8601 (date, or date and time), or seconds since the epoch. */
export function parseDate(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

/** An ARN's six parts, the resource part keeping its own colons. */
function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' && parts[0] !== '*') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

function arnMatch(requestValue: string, policyValue: string): boolean {
  const r = arnParts(requestValue);
  const p = arnParts(policyValue);
  if (!r || !p) return policyValue === '*' || wildcardMatch(policyValue, markWildcards(requestValue));
  return p.every((part, i) => wildcardMatch(part, markWildcards(r[i])));
}

const stringLike = (r: string, p: string): boolean => wildcardMatch(p, markWildcards(r));
const stringEq = (r: string, p: string): boolean => r === p;
const stringEqIc = (r: string, p: string): boolean => r.toLowerCase() === p.toLowerCase();

function numeric(cmp: (a: number, b: number) => boolean): OperatorSpec['matches'] {
  return (r, p) => {
    const a = number(r);
    const b = number(p);
    return a !== undefined && b !== undefined && cmp(a, b);
  };
}

function date(cmp: (a: number, b: number) => boolean): OperatorSpec['matches'] {
  return (r, p) => {
    const a = parseDate(r);
    const b = parseDate(p);
    return a !== undefined && b !== undefined && cmp(a, b);
  };
}

const notNumber = (p: string): string | undefined => (number(p) === undefined ? `"${p}" is not a number` : undefined);
const notDate = (p: string): string | undefined => (parseDate(p) === undefined ? `"${p}" is not a date (ISO 8601 or epoch seconds)` : undefined);
const notCidr = (p: string): string | undefined => (parseCidr(p) === undefined ? `"${p}" is not an IP address or CIDR block` : undefined);
const notBool = (p: string): string | undefined => (/^(true|false)$/i.test(p) ? undefined : `"${p}" is not true or false`);

const S = { negated: false, variables: true, wildcards: false };
const LIKE = { negated: false, variables: true, wildcards: true };
const N = { negated: false, variables: false, wildcards: false, invalid: notNumber };
const D = { negated: false, variables: false, wildcards: false, invalid: notDate };
const A = { negated: false, variables: true, wildcards: true };
const not = <T extends object>(spec: T): T & { negated: true } => ({ ...spec, negated: true });

/** Every operator by name. */
export const OPERATORS: Readonly<Record<ConditionOperator, OperatorSpec>> = {
  StringEquals: { ...S, matches: stringEq },
  StringNotEquals: not({ ...S, matches: stringEq }),
  StringEqualsIgnoreCase: { ...S, matches: stringEqIc },
  StringNotEqualsIgnoreCase: not({ ...S, matches: stringEqIc }),
  StringLike: { ...LIKE, matches: stringLike },
  StringNotLike: not({ ...LIKE, matches: stringLike }),
  NumericEquals: { ...N, matches: numeric((a, b) => a === b) },
  NumericNotEquals: not({ ...N, matches: numeric((a, b) => a === b) }),
  NumericLessThan: { ...N, matches: numeric((a, b) => a < b) },
  NumericLessThanEquals: { ...N, matches: numeric((a, b) => a <= b) },
  NumericGreaterThan: { ...N, matches: numeric((a, b) => a > b) },
  NumericGreaterThanEquals: { ...N, matches: numeric((a, b) => a >= b) },
  DateEquals: { ...D, matches: date((a, b) => a === b) },
  DateNotEquals: not({ ...D, matches: date((a, b) => a === b) }),
  DateLessThan: { ...D, matches: date((a, b) => a < b) },
  DateLessThanEquals: { ...D, matches: date((a, b) => a <= b) },
  DateGreaterThan: { ...D, matches: date((a, b) => a > b) },
  DateGreaterThanEquals: { ...D, matches: date((a, b) => a >= b) },
  Bool: { ...S, matches: stringEqIc, invalid: notBool },
  BinaryEquals: { ...S, variables: false, matches: stringEq },
  IpAddress: { negated: false, variables: false, wildcards: false, invalid: notCidr, matches: (r, p) => { const c = parseCidr(p); return c !== undefined && inCidr(r, c); } },
  NotIpAddress: { negated: true, variables: false, wildcards: false, invalid: notCidr, matches: (r, p) => { const c = parseCidr(p); return c !== undefined && inCidr(r, c); } },
  // AWS documents ArnEquals and ArnLike as the same test: each of the six parts compared with wildcards.
  ArnEquals: { ...A, matches: arnMatch },
  ArnNotEquals: not({ ...A, matches: arnMatch }),
  ArnLike: { ...A, matches: arnMatch },
  ArnNotLike: not({ ...A, matches: arnMatch }),
  // Null is decided on the key's presence alone (condition-block.ts); its values are true or false.
  Null: { negated: false, variables: false, wildcards: false, invalid: notBool, matches: () => false },
};

/**
 * The operator named by a condition's written form — `[ForAnyValue:|ForAllValues:]Name[IfExists]` — or
 * undefined when there is no such operator. Names compare case-insensitively, as IAM accepts them.
 */
export function parseOperator(written: string): { operator: ConditionOperator; qualifier?: 'ForAnyValue' | 'ForAllValues'; ifExists: boolean } | undefined {
  let rest = written;
  let qualifier: 'ForAnyValue' | 'ForAllValues' | undefined;
  const q = /^(ForAnyValue|ForAllValues):/i.exec(rest);
  if (q) {
    qualifier = q[1].toLowerCase() === 'foranyvalue' ? 'ForAnyValue' : 'ForAllValues';
    rest = rest.slice(q[0].length);
  }
  let ifExists = false;
  if (/IfExists$/i.test(rest) && rest.length > 'IfExists'.length) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const operator = (Object.keys(OPERATORS) as ConditionOperator[]).find((o) => o.toLowerCase() === rest.toLowerCase());
  if (!operator || (operator === 'Null' && (ifExists || qualifier))) return undefined;
  return { operator, qualifier, ifExists };
}
