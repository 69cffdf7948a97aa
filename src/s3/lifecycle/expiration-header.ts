/**
 * x-amz-expiration for PutObject, HeadObject and GetObject: when the current version will expire and by which
 * rule, the earliest if several apply (S3's `expiry-date="…", rule-id="…"`, the rule ID URL-encoded).
 */
import type { LifecycleRule } from '../../storage/backend.js';
import { dueOf } from './due.js';
import { ruleApplies, type LifecycleSubject } from './rule-match.js';

/** The header's value for an object modified at `lastModified`, or undefined when no enabled rule expires it. */
export function expirationHeader(rules: readonly LifecycleRule[] | undefined, o: LifecycleSubject & { lastModified: Date }, daySeconds?: number): string | undefined {
  if (!rules) return undefined;
  let best: { at: number; id: string } | undefined;
  for (const r of rules) {
    const e = r.expiration;
    if (!e || (e.days === undefined && e.date === undefined) || !ruleApplies(r, o)) continue;
    const at = dueOf(e, o.lastModified.getTime(), daySeconds);
    if (!best || at < best.at) best = { at, id: r.id };
  }
  return best && `expiry-date="${new Date(best.at).toUTCString()}", rule-id="${encodeURIComponent(best.id)}"`;
}
