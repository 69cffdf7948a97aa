/**
 * One lifecycle pass over one bucket: every key its rules can reach, planned from the listing, re-planned from a
 * fresh look at the key just before acting, and acted on through the storage interface (so a delete of a locked
 * version meets the one object-lock check and is refused there); then the multipart uploads its rules abort.
 */
import type { Backend, LifecycleRule, ListedVersion } from '../../storage/backend.js';
import { S3Error } from '../../errors/s3-error.js';
import { bareEtag } from '../../storage/conditions/etag-match.js';
import { dueAfter } from '../../s3/lifecycle/due.js';
import { needsTags, ruleApplies } from '../../s3/lifecycle/rule-match.js';
import { keyGroups, versionsOfKey } from './key-groups.js';
import { planKey, sameAction, type PlanContext, type PlannedAction } from './plan.js';
import type { RefusedTransitions } from './refusals.js';
import type { Pacer } from './pacer.js';

/** What a pass reports: each action (done, or with dryRun to be done), and progress on large trees. */
export interface PassListener {
  action?(bucket: string, a: PlannedAction | UploadAbort, outcome: ActionOutcome, err?: unknown): void;
  /** Called every PROGRESS_EVERY keys scanned. */
  progress?(bucket: string, scanned: number): void;
}

/**
 * How an action ended: done (or, dry run, to be done); refused by object lock; refused by the storage (the class
 * cannot be had: remembered, refusals.ts); changed (the version is no longer the one planned for: a write got in
 * between the re-check and the act); gone meanwhile; or failed.
 */
export type ActionOutcome = 'done' | 'dry-run' | 'locked' | 'refused' | 'changed' | 'gone' | 'failed';

/** An incomplete multipart upload aborted by AbortIncompleteMultipartUpload. */
export interface UploadAbort {
  kind: 'abort-upload';
  key: string;
  uploadId: string;
  rule: string;
}

export interface BucketPassOptions {
  backend: Backend;
  bucket: string;
  rules: readonly LifecycleRule[];
  daySeconds: number;
  dryRun?: boolean;
  listener?: PassListener;
  signal?: AbortSignal;
  /** Checked before each action: false (the lease was lost) ends the pass. */
  stillHeld?: () => Promise<boolean>;
  now?: () => number;
  /** Transitions refused by earlier passes (the job keeps one across its passes): not tried again. */
  refusals?: RefusedTransitions;
  /** Paces the scan, in a serving gateway (pacer.ts). */
  pacer?: Pacer;
}

/** How many keys between progress calls. */
export const PROGRESS_EVERY = 10_000;

/** Counts of a bucket's pass. */
export interface BucketPassResult {
  scanned: number;
  actions: number;
}

/** The prefixes to walk: the rules' own, none inside another; '' when a rule covers the whole bucket. */
export function walkPrefixes(rules: readonly LifecycleRule[]): string[] {
  const prefixes = [...new Set(rules.map((r) => r.filter.prefix ?? ''))].sort();
  return prefixes.filter((p, i) => !prefixes.slice(0, i).some((q) => p.startsWith(q)));
}

/** Reads the tags of the versions a tag filter might reach (listings carry none); others are left as they are. */
async function withTags(o: BucketPassOptions, group: ListedVersion[]): Promise<void> {
  const tagRules = o.rules.filter(needsTags);
  if (!tagRules.length) return;
  for (const v of group) {
    if (v.deleteMarker || !v.object) continue;
    const subject = { key: v.key, size: v.object.size };
    if (!tagRules.some((r) => ruleApplies({ ...r, filter: { ...r.filter, tags: [] } }, subject))) continue;
    const info = await o.backend.headObject({ bucket: o.bucket, key: v.key, versionId: v.versionId === 'null' && !v.object.versionId ? undefined : v.versionId }).catch(() => undefined);
    v.object = { ...v.object, tags: info?.tags ?? [] };
  }
}

/** The version of `versions` an action is about (a bucket that never had versioning: its one version). */
function versionOf(versions: readonly ListedVersion[], a: PlannedAction): ListedVersion | undefined {
  return a.versionId === undefined ? versions[0] : versions.find((v) => v.versionId === a.versionId);
}

async function act(o: BucketPassOptions, a: PlannedAction, v: ListedVersion | undefined): Promise<void> {
  const { backend, bucket } = o;
  switch (a.kind) {
    case 'expire':
      // The current version: in a versioned bucket a delete marker goes on top, as S3's expiration does (a write
      // that got in is kept beneath it, as a version). Without versioning the delete would be for good: only the
      // very object the re-check saw goes, and the storage checks what it takes (write/delete.ts), so a write
      // landing after the re-check (a NAS user's above all) is a new object, left alone.
      await backend.deleteObject({
        bucket, key: a.key,
        ...(a.versionId === undefined && v?.object
          ? { conditions: { ifMatch: [bareEtag(v.object.etag)], size: v.object.size, modifiedAt: v.lastModified } } : {}),
      });
      return;
    case 'expire-delete-marker':
    case 'expire-noncurrent':
      // With its version id: the storage's object-lock check refuses a locked version (AccessDenied).
      await backend.deleteObject({ bucket, key: a.key, versionId: a.versionId });
      return;
    case 'transition':
    case 'transition-noncurrent':
      await backend.transitionObject(bucket, a.key, a.versionId, a.storageClass!, o.signal);
      return;
  }
}

function outcomeOf(e: unknown): Exclude<ActionOutcome, 'done' | 'dry-run'> {
  if (!(e instanceof S3Error)) return 'failed';
  // The object-lock check names the lock; any other AccessDenied (file permissions) is a failure to look into.
  if (e.code === 'AccessDenied' && /object lock/.test(e.message)) return 'locked';
  // A version the file system locks, or that cannot take the class; a class the bucket cannot take at all.
  if (e.code === 'InvalidObjectState' || e.code === 'InvalidStorageClass') return 'refused';
  if (e.code === 'PreconditionFailed') return 'changed';
  if (e.code === 'NoSuchKey' || e.code === 'NoSuchVersion' || e.code === 'NoSuchUpload') return 'gone';
  return 'failed';
}

/** Whether `a` was refused for the very version it is planned for by an earlier pass (it is then not tried). */
function refusedBefore(o: BucketPassOptions, a: PlannedAction, versions: readonly ListedVersion[]): boolean {
  if (!o.refusals || (a.kind !== 'transition' && a.kind !== 'transition-noncurrent')) return false;
  const v = versionOf(versions, a);
  return v !== undefined && o.refusals.refused(o.bucket, a, v);
}

/** Plans a key again from a fresh look, and does what is still planned. */
async function recheckAndAct(o: BucketPassOptions, ctx: PlanContext, planned: PlannedAction[]): Promise<number> {
  const key = planned[0]!.key;
  const fresh = await versionsOfKey(o.backend, o.bucket, key, ctx.versioned);
  await withTags(o, fresh);
  const still = planKey(o.rules, fresh, { ...ctx, now: o.now?.() ?? Date.now() });
  let done = 0;
  for (const a of still) {
    if (!planned.some((p) => sameAction(p, a))) continue;
    if (o.stillHeld && !(await o.stillHeld())) throw new Error('the lifecycle lease was taken over; this pass stops');
    o.signal?.throwIfAborted();
    const v = versionOf(fresh, a);
    try {
      await act(o, a, v);
      done++;
      o.listener?.action?.(o.bucket, a, 'done');
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      const outcome = outcomeOf(e);
      if (outcome === 'refused' && v && (a.kind === 'transition' || a.kind === 'transition-noncurrent')) o.refusals?.remember(o.bucket, a, v);
      o.listener?.action?.(o.bucket, a, outcome, e);
    }
  }
  return done;
}

/** Aborts the uploads the rules' AbortIncompleteMultipartUpload makes due. */
async function abortUploads(o: BucketPassOptions, now: number): Promise<number> {
  const rules = o.rules.filter((r) => r.abortIncompleteMultipartUploadDays !== undefined);
  if (!rules.length) return 0;
  let done = 0;
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    o.signal?.throwIfAborted();
    const page = await o.backend.listMultipartUploads({ bucket: o.bucket, prefix: '', keyMarker, uploadIdMarker, maxUploads: 1000 });
    for (const u of page.uploads) {
      const r = rules.find((r) => ruleApplies(r, { key: u.key }) && dueAfter(u.initiated.getTime(), r.abortIncompleteMultipartUploadDays!, o.daySeconds) <= now);
      if (!r) continue;
      const a: UploadAbort = { kind: 'abort-upload', key: u.key, uploadId: u.uploadId, rule: r.id };
      if (o.dryRun) {
        o.listener?.action?.(o.bucket, a, 'dry-run');
        continue;
      }
      if (o.stillHeld && !(await o.stillHeld())) throw new Error('the lifecycle lease was taken over; this pass stops');
      try {
        // Safe against a Complete under way: the storage lets one of the two win.
        await o.backend.abortMultipartUpload({ bucket: o.bucket, key: u.key, uploadId: u.uploadId });
        done++;
        o.listener?.action?.(o.bucket, a, 'done');
      } catch (e) {
        o.listener?.action?.(o.bucket, a, outcomeOf(e), e);
      }
    }
    if (!page.isTruncated) break;
    keyMarker = page.nextKeyMarker;
    uploadIdMarker = page.nextUploadIdMarker;
  }
  return done;
}

/** Applies the bucket's enabled rules once. */
export async function bucketPass(o: BucketPassOptions): Promise<BucketPassResult> {
  const rules = o.rules.filter((r) => r.enabled);
  const opts = { ...o, rules };
  const now = o.now?.() ?? Date.now();
  const versioned = (await o.backend.getBucketVersioning({ bucket: o.bucket })) !== undefined;
  const ctx: PlanContext = { now, daySeconds: o.daySeconds, versioned };
  let scanned = 0;
  let actions = 0;
  const objectRules = rules.filter((r) => r.expiration || r.transitions.length || r.noncurrentExpiration || r.noncurrentTransitions.length);
  if (objectRules.length) {
    const walked = { ...opts, rules: objectRules };
    const loose = objectRules.map((r) => (needsTags(r) ? { ...r, filter: { ...r.filter, tags: [] } } : r));
    for (const prefix of walkPrefixes(objectRules)) {
      for await (const page of keyGroups(o.backend, o.bucket, prefix, versioned, o.signal)) {
        await o.pacer?.tick(o.signal);
        for (const group of page) {
          if (++scanned % PROGRESS_EVERY === 0) o.listener?.progress?.(o.bucket, scanned);
          // Listings carry no tags: plan first as if every tag filter held, and read tags only where that finds work.
          if (!planKey(loose, group, ctx).length) continue;
          await withTags(walked, group);
          const planned = planKey(objectRules, group, ctx).filter((a) => !refusedBefore(walked, a, group));
          if (!planned.length) continue;
          if (o.dryRun) {
            for (const a of planned) o.listener?.action?.(o.bucket, a, 'dry-run');
            continue;
          }
          actions += await recheckAndAct(walked, ctx, planned);
          o.pacer?.restart();
        }
      }
    }
  }
  actions += await abortUploads(opts, now);
  return { scanned, actions };
}
