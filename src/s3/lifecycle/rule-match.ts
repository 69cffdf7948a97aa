/** Whether a lifecycle rule applies to an object: enabled, and every condition of its filter holds. */
import type { LifecycleRule, Tag } from '../../storage/backend.js';

/** What a filter looks at. `size` undefined: not known (a streamed PUT), so a size condition cannot hold. */
export interface LifecycleSubject {
  key: string;
  size?: number;
  tags?: readonly Tag[];
}

/** True when `rule` is enabled and its prefix, tags and size bounds all hold for `o`. */
export function ruleApplies(rule: LifecycleRule, o: LifecycleSubject): boolean {
  if (!rule.enabled) return false;
  const f = rule.filter;
  if (f.prefix && !o.key.startsWith(f.prefix)) return false;
  if (f.sizeGreaterThan !== undefined && (o.size === undefined || o.size <= f.sizeGreaterThan)) return false;
  if (f.sizeLessThan !== undefined && (o.size === undefined || o.size >= f.sizeLessThan)) return false;
  for (const t of f.tags) if (!o.tags?.some((x) => x.key === t.key && x.value === t.value)) return false;
  return true;
}

/** Whether the rule's filter looks at tags: the job must then read an object's tags, which listings do not carry. */
export function needsTags(rule: LifecycleRule): boolean {
  return rule.filter.tags.length > 0;
}
