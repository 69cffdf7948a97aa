/** A bucket policy as parsed: the typed form of the JSON document that evaluation and the status check read. */

/** The two policy-language versions AWS accepts; only 2012-10-17 expands `${…}` policy variables. */
export type PolicyVersion = '2012-10-17' | '2008-10-17';

/** Who a statement names: everybody (`"*"`, `{"AWS": "*"}`), or a list of users. */
export type PrincipalSet =
  | { kind: 'any' }
  /** Entries as written: a user name, a user ARN, a canonical id, an account (root ARN or 12 digits). */
  | { kind: 'list'; aws: readonly string[]; canonical: readonly string[] };

/** The base operators, without the `…IfExists` suffix or a set qualifier. */
export type ConditionOperator =
  | 'StringEquals' | 'StringNotEquals' | 'StringEqualsIgnoreCase' | 'StringNotEqualsIgnoreCase' | 'StringLike' | 'StringNotLike'
  | 'NumericEquals' | 'NumericNotEquals' | 'NumericLessThan' | 'NumericLessThanEquals' | 'NumericGreaterThan' | 'NumericGreaterThanEquals'
  | 'DateEquals' | 'DateNotEquals' | 'DateLessThan' | 'DateLessThanEquals' | 'DateGreaterThan' | 'DateGreaterThanEquals'
  | 'Bool' | 'BinaryEquals' | 'IpAddress' | 'NotIpAddress'
  | 'ArnEquals' | 'ArnNotEquals' | 'ArnLike' | 'ArnNotLike'
  | 'Null';

/** One key test of a Condition block, e.g. `"ForAnyValue:StringLikeIfExists": {"s3:prefix": ["a/*"]}`. */
export interface Condition {
  /** The operator as written, for messages. */
  written: string;
  operator: ConditionOperator;
  qualifier?: 'ForAnyValue' | 'ForAllValues';
  ifExists: boolean;
  /** The condition key as written (keys compare case-insensitively). */
  key: string;
  /** The policy's values, as strings (JSON numbers and booleans are written as text). */
  values: readonly string[];
}

/** One statement; exactly one of each pair (principal/notPrincipal, …) is set. */
export interface Statement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  principal?: PrincipalSet;
  notPrincipal?: PrincipalSet;
  action?: readonly string[];
  notAction?: readonly string[];
  resource?: readonly string[];
  notResource?: readonly string[];
  /** ANDed together. */
  conditions: readonly Condition[];
}

/** A parsed bucket policy. */
export interface PolicyDocument {
  version: PolicyVersion;
  id?: string;
  statements: readonly Statement[];
}
