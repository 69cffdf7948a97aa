/**
 * Deciding a statement's Condition block for a request, as IAM documents it: operators and keys are
 * ANDed, a key's policy values ORed (NORed for negated operators). A key the request lacks fails a
 * positive test and passes a negated one, passes `…IfExists` and `ForAllValues:`, and fails `ForAnyValue:`.
 */
import type { Condition, PolicyVersion } from './policy-document.js';
import { OPERATORS } from './condition-operators.js';
import { expandVariables } from './policy-variables.js';
import type { ConditionValues } from './request-conditions.js';

/** Whether one condition holds for the request's values. */
export function conditionHolds(c: Condition, values: ConditionValues, version: PolicyVersion): boolean {
  const present = values.get(c.key.toLowerCase()) ?? [];
  if (c.operator === 'Null') {
    const absent = present.length === 0;
    return c.values.some((v) => (v.toLowerCase() === 'true') === absent);
  }
  const spec = OPERATORS[c.operator];
  if (present.length === 0) {
    if (c.ifExists || c.qualifier === 'ForAllValues') return true;
    if (c.qualifier === 'ForAnyValue') return false;
    return spec.negated;
  }
  const expand = spec.variables && version === '2012-10-17';
  const policyValues = c.values.flatMap((v) => {
    if (!expand) return [v];
    const x = expandVariables(v, values, { escapeWildcards: spec.wildcards });
    // A variable the request has no value for makes that policy value match nothing.
    return x === undefined ? [] : [x];
  });
  const one = (requestValue: string): boolean => {
    const hit = policyValues.some((p) => spec.matches(requestValue, p));
    return spec.negated ? !hit : hit;
  };
  if (c.qualifier === 'ForAllValues') return present.every(one);
  if (c.qualifier === 'ForAnyValue') return present.some(one);
  // A multi-valued key without a qualifier: some value must match; for a negated operator, none may.
  return spec.negated ? present.every(one) : present.some(one);
}

/** Whether every condition of a statement holds. */
export function conditionsHold(conditions: readonly Condition[], values: ConditionValues, version: PolicyVersion): boolean {
  return conditions.every((c) => conditionHolds(c, values, version));
}
