/**
 * What the lifecycle rules ask for one key, from its versions as a listing gives them (newest first): pure, so the
 * job plans from a listing and plans again from a fresh one just before acting, and acts only on what is still
 * planned. Ages count from a version's modification time; a noncurrent version's from when it became noncurrent,
 * which is when the next newer version (or delete marker) was made.
 */
import type { LifecycleRule, ListedVersion } from '../../storage/backend.js';
import { dueAfter, dueOf } from '../../s3/lifecycle/due.js';
import { ruleApplies } from '../../s3/lifecycle/rule-match.js';

/** One action on one version. */
export interface PlannedAction {
  kind: 'expire' | 'expire-delete-marker' | 'expire-noncurrent' | 'transition' | 'transition-noncurrent';
  key: string;
  /** The version acted on; undefined in a bucket that never had versioning (the object itself). */
  versionId?: string;
  /** The rule that asks for it. */
  rule: string;
  /** Transitions: the class the version moves to. */
  storageClass?: string;
  /** The version's ETag as planned: a version rewritten meanwhile is no longer the one planned for. */
  etag?: string;
}

/** What a plan needs besides the versions: the time, the day length, and whether the bucket keeps versions. */
export interface PlanContext {
  now: number;
  daySeconds: number;
  /** Versioning was ever enabled: expiring the current version leaves a delete marker instead of deleting it. */
  versioned: boolean;
}

/** Storage classes from the most to the least readily available: a transition only moves a version down this list. */
const CLASS_ORDER = ['STANDARD', 'REDUCED_REDUNDANCY', 'INTELLIGENT_TIERING', 'STANDARD_IA', 'ONEZONE_IA', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'];
const rank = (c: string | undefined) => Math.max(0, CLASS_ORDER.indexOf(c ?? 'STANDARD'));

/** The subject a filter looks at: delete markers have no size or tags, so size and tag filters never hold for them. */
function subjectOf(v: ListedVersion) {
  return { key: v.key, size: v.object?.size, tags: v.object?.tags ?? [] };
}

/** The deepest transition of `rules` due for a version, if it moves the version down the class order. */
function dueTransition(rules: readonly LifecycleRule[], v: ListedVersion, from: number, ctx: PlanContext, noncurrent: boolean, newer: number) {
  let best: { rule: string; storageClass: string } | undefined;
  for (const r of rules) {
    if (!ruleApplies(r, subjectOf(v))) continue;
    const list = noncurrent
      ? r.noncurrentTransitions.filter((t) => newer >= (t.newerNoncurrentVersions ?? 0) && dueAfter(from, t.noncurrentDays, ctx.daySeconds) <= ctx.now)
      : r.transitions.filter((t) => dueOf(t, from, ctx.daySeconds) <= ctx.now);
    for (const t of list) if (rank(t.storageClass) > rank(best?.storageClass)) best = { rule: r.id, storageClass: t.storageClass };
  }
  return best && rank(best.storageClass) > rank(v.object?.storageClass) ? best : undefined;
}

/** The current version's action: expiration first (nothing else matters then), else the deepest transition due. */
function planCurrent(rules: readonly LifecycleRule[], v: ListedVersion, only: boolean, ctx: PlanContext): PlannedAction | undefined {
  const at = v.lastModified.getTime();
  const id = ctx.versioned ? v.versionId : undefined;
  if (v.deleteMarker) {
    // A delete marker with no version left under it ("expired object delete marker").
    if (!only) return undefined;
    const r = rules.find((r) => r.expiration?.expiredObjectDeleteMarker && ruleApplies(r, subjectOf(v)));
    return r && { kind: 'expire-delete-marker', key: v.key, versionId: v.versionId, rule: r.id };
  }
  const exp = rules.find((r) => r.expiration && (r.expiration.days !== undefined || r.expiration.date !== undefined) && ruleApplies(r, subjectOf(v)) && dueOf(r.expiration, at, ctx.daySeconds) <= ctx.now);
  if (exp) return { kind: 'expire', key: v.key, versionId: id, rule: exp.id, etag: v.object?.etag };
  const t = dueTransition(rules, v, at, ctx, false, 0);
  return t && { kind: 'transition', key: v.key, versionId: id, rule: t.rule, storageClass: t.storageClass, etag: v.object?.etag };
}

/**
 * The actions for one key: `versions` are all of the key's versions and delete markers, newest first (the first
 * is the current one). Rules should be the enabled ones; disabled ones never match anyway.
 */
export function planKey(rules: readonly LifecycleRule[], versions: readonly ListedVersion[], ctx: PlanContext): PlannedAction[] {
  const out: PlannedAction[] = [];
  const [current] = versions;
  if (!current) return out;
  const first = planCurrent(rules, current, versions.length === 1, ctx);
  if (first) out.push(first);
  // Noncurrent versions: how many newer noncurrent versions each has decides NewerNoncurrentVersions.
  let newer = 0;
  for (let i = 1; i < versions.length; i++) {
    const v = versions[i]!;
    const since = versions[i - 1]!.lastModified.getTime();
    const exp = rules.find((r) => {
      const e = r.noncurrentExpiration;
      return e && ruleApplies(r, subjectOf(v)) && newer >= (e.newerNoncurrentVersions ?? 0) && dueAfter(since, e.noncurrentDays, ctx.daySeconds) <= ctx.now;
    });
    if (exp) out.push({ kind: 'expire-noncurrent', key: v.key, versionId: v.versionId, rule: exp.id, etag: v.object?.etag });
    else if (!v.deleteMarker) {
      const t = dueTransition(rules, v, since, ctx, true, newer);
      if (t) out.push({ kind: 'transition-noncurrent', key: v.key, versionId: v.versionId, rule: t.rule, storageClass: t.storageClass, etag: v.object?.etag });
    }
    // Delete markers are not versions kept: they do not count among the newer noncurrent versions.
    if (!v.deleteMarker) newer++;
  }
  return out;
}

/** Whether two plans name the same action on the same version (the re-check before acting). */
export function sameAction(a: PlannedAction, b: PlannedAction): boolean {
  return a.kind === b.kind && a.key === b.key && a.versionId === b.versionId && a.storageClass === b.storageClass && a.etag === b.etag;
}
