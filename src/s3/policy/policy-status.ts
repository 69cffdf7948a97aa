/**
 * GetBucketPolicyStatus's IsPublic, by AWS's rule ("The meaning of public"): a policy is public when an
 * Allow statement reaches everybody (Principal `*`, an `AWS` wildcard, or NotPrincipal) and no condition of
 * that statement pins the request to fixed values of a key that narrows who can ask: a source address
 * (CIDR no wider than /8 for IPv4, /32 for IPv6), a source ARN, VPC, endpoint, owner or account, a user id,
 * an organisation or account of the principal, or an access point. Fixed means no wildcard and no variable.
 */
import { parseCidr } from './ip-cidr.js';
import type { Condition, PolicyDocument, Statement } from './policy-document.js';
import { hasVariable } from './policy-variables.js';
import { hasWildcard } from './wildcard.js';

/** The keys whose fixed values make a statement for everybody non-public. */
const NARROWING_KEYS = new Set([
  'aws:sourceip', 'aws:sourcearn', 'aws:sourcevpc', 'aws:sourcevpce', 'aws:sourceowner', 'aws:sourceaccount',
  'aws:userid', 'aws:principalorgid', 'aws:principalaccount', 's3:dataaccesspointarn', 's3:dataaccesspointaccount',
]);

/** Operators that require the key to have one of the values (negations, IfExists and ForAllValues do not). */
const NARROWING_OPERATORS = new Set(['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'ArnEquals', 'ArnLike', 'IpAddress']);

function fixedValue(c: Condition, value: string): boolean {
  if (hasWildcard(value) || hasVariable(value)) return false;
  if (c.operator !== 'IpAddress') return true;
  const cidr = parseCidr(value);
  return cidr !== undefined && cidr.prefix >= (cidr.bits === 32 ? 8 : 32);
}

/** Whether a condition pins its key to fixed values that narrow who can make the request. */
function narrows(c: Condition): boolean {
  return NARROWING_KEYS.has(c.key.toLowerCase()) && NARROWING_OPERATORS.has(c.operator) && !c.ifExists
    && c.qualifier !== 'ForAllValues' && c.values.every((v) => fixedValue(c, v));
}

/** Whether a statement grants access to everybody. */
function isPublicStatement(s: Statement): boolean {
  if (s.effect !== 'Allow') return false;
  const everybody = s.notPrincipal !== undefined || s.principal?.kind === 'any'
    || (s.principal?.kind === 'list' && s.principal.aws.some(hasWildcard));
  return everybody && !s.conditions.some(narrows);
}

/** Whether the policy is public (GetBucketPolicyStatus IsPublic; what BlockPublicPolicy refuses). */
export function isPublicPolicy(doc: PolicyDocument): boolean {
  return doc.statements.some(isPublicStatement);
}
