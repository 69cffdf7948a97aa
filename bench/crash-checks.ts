/**
 * What a crash trial checks once the killed server has been started again: the Completes the kill cut off are
 * resent and finish soon; every acknowledged write is readable with its ETag and bytes (or was superseded by a
 * later one); no object is torn or mixes two writes; the listing agrees with GET and HEAD; every acknowledged
 * version is still there, whole; and, once the sweeps have run, nothing is left in the staging, multipart and
 * versions directories.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand,
  ListObjectVersionsCommand, ListObjectsV2Command, type S3Client,
} from '@aws-sdk/client-s3';
import { PLAIN, PLAIN_KEYS, VERSIONED, VERSIONED_KEYS, verifyBody, type BodyRegistry, type Op } from './crash-workload.js';

/** The kinds of finding, each a count that must be zero. */
export const FINDINGS = {
  lost: 'acknowledged writes lost',
  mixed: 'torn or mixed objects',
  listing: 'listings that disagree with GET or HEAD',
  synthetic: 'synthetic ETags on S3-written objects',
  versions: 'acknowledged versions lost or torn',
  leftovers: 'staging, multipart and record leftovers after the sweeps',
  versionTemps: 'temporaries and locks of killed writers among the versions, still there after a later write of their key',
  slowComplete: 'resent Completes slower than 8 s or failed',
  serverErrors: '5xx answers from a live server',
} as const;
export type FindingKind = keyof typeof FINDINGS;

/** What one trial's check found, and figures for the summary. */
export interface TrialCheck {
  findings: Record<FindingKind, string[]>;
  /** Resent Completes: how long each took. */
  completeMs: number[];
  /** Uploads whose Create or parts were cut off (their ids unknown to the client): aborted. */
  orphanUploads: number;
  /** How long after the restart the sweeps had left nothing behind. */
  sweptMs: number;
  /** Removals a killed process began, left for the multipart sweep's grace (60 s), not yet overdue. */
  pendingRemovals: number;
  /**
   * Temporaries and locks among a key's versions: no job sweeps them, the next writer of that key does (under its
   * lock). The trials judge them (crash-trials.ts): one still there after a later acknowledged write of its key
   * is a finding.
   */
  versionLeftovers: VersionLeftover[];
}

/** A temporary or lock file in a key's directory of versions. */
export interface VersionLeftover {
  /** `<bucket>/versions/<key>/.dirbucket/<name>`. */
  path: string;
  bucket: string;
  key: string;
  /** Inode and ctime: told apart from a later file of the same name (a later killed writer's `.lock`). */
  ino: number;
  ctimeMs: number;
}

/** What the trials know of the tree between trials: each plain key's body id (null: absent), checked. */
export type KnownState = Map<string, string | null>;

/** Everything a check needs. */
export interface CheckContext {
  s3: S3Client;
  /** The served root, to look at the state directories. */
  root: string;
  registry: BodyRegistry;
  /** This trial's operations. */
  ops: Op[];
  /** Every acknowledged version id (and delete marker) ever, by `key` → id → body id (null: a delete marker). */
  ackedVersions: Map<string, Map<string, string | null>>;
  /** The plain keys as the previous check left them; updated to what this one finds. */
  known: KnownState;
  /** When the trial's workload began: the previous state counts as made then. */
  trialStart: number;
  /** When the server was started again. */
  restartedAt: number;
  /** How long to wait for the sweeps to leave nothing behind. */
  sweepTimeoutMs: number;
}

/** Runs every check of one trial; never throws for what it finds (only for a server that does not answer at all). */
export async function checkTrial(ctx: CheckContext): Promise<TrialCheck> {
  const out: TrialCheck = { findings: { lost: [], mixed: [], listing: [], synthetic: [], versions: [], leftovers: [], versionTemps: [], slowComplete: [], serverErrors: [] }, completeMs: [], orphanUploads: 0, sweptMs: 0, pendingRemovals: 0, versionLeftovers: [] };
  for (const op of ctx.ops) if (op.serverError) out.findings.serverErrors.push(`${op.kind} ${op.bucket}/${op.key}: ${op.serverError}`);
  await resendCompletes(ctx, out);
  out.orphanUploads = await abortOrphans(ctx.s3);
  await checkPlain(ctx, out);
  await checkVersioned(ctx, out);
  await waitForSweeps(ctx, out);
  return out;
}

/** The Completes the kill cut off, sent again as a client would: each must finish (200) or find its upload done (404) soon. */
async function resendCompletes(ctx: CheckContext, out: TrialCheck): Promise<void> {
  for (const op of ctx.ops.filter((o) => o.pendingComplete)) {
    const t0 = Date.now();
    const { uploadId, parts } = op.pendingComplete!;
    try {
      await ctx.s3.send(new CompleteMultipartUploadCommand({ Bucket: op.bucket, Key: op.key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
      // Finished now, or before the kill: acknowledged either way, and as late as now.
      op.acked = true;
      op.end = Date.now();
    } catch (e) {
      if ((e as { name?: string }).name !== 'NoSuchUpload') out.findings.slowComplete.push(`${op.key}: resent Complete failed: ${(e as Error).name} ${(e as Error).message.slice(0, 200)}`);
    }
    const ms = Date.now() - t0;
    out.completeMs.push(ms);
    if (ms > 8_000) out.findings.slowComplete.push(`${op.key}: resent Complete took ${ms} ms`);
  }
}

/** Aborts the uploads nobody will complete (the kill cut off their Create or parts); returns how many. */
async function abortOrphans(s3: S3Client): Promise<number> {
  let n = 0;
  for (let page = 0; page < 100; page++) {
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: PLAIN }));
    const uploads = listed.Uploads ?? [];
    if (!uploads.length) break;
    for (const u of uploads) {
      // Gone between the listing and the abort (a recovery or the sweep finished it): nothing to abort.
      const aborted = await s3.send(new AbortMultipartUploadCommand({ Bucket: PLAIN, Key: u.Key!, UploadId: u.UploadId! })).then(() => true, (e: unknown) => {
        if ((e as { name?: string }).name === 'NoSuchUpload') return false;
        throw e;
      });
      if (aborted) n++;
    }
  }
  return n;
}

const notFound = (e: unknown) => (e as { name?: string }).name === 'NoSuchKey' || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

/** Reads a key whole: its verified body id, null when absent, or undefined (with a finding) when torn or mixed. */
async function readKey(ctx: CheckContext, out: TrialCheck, bucket: string, key: string, versionId?: string): Promise<{ id: string | null; etag?: string; size?: number } | undefined> {
  const got = await ctx.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId })).catch((e: unknown) => {
    if (notFound(e)) return undefined;
    throw e;
  });
  if (!got) return { id: null };
  const bytes = Buffer.from(await got.Body!.transformToByteArray());
  const v = verifyBody(bytes, got.Metadata, got.ETag, ctx.registry);
  if ('problem' in v) {
    out.findings.mixed.push(`GET ${bucket}/${key}${versionId ? `?versionId=${versionId}` : ''}: ${v.problem}`);
    return undefined;
  }
  return { id: v.id, etag: got.ETag, size: bytes.length };
}

/**
 * The plain bucket: each key holds what some write on it made (or what it held before the trial), and no
 * acknowledged write on it began after that write ended; HEAD and the listing agree with GET.
 */
async function checkPlain(ctx: CheckContext, out: TrialCheck): Promise<void> {
  const seen = new Map<string, { etag?: string; size?: number }>();
  for (const key of PLAIN_KEYS) {
    const now = await readKey(ctx, out, PLAIN, key);
    if (now === undefined) continue;
    const on = ctx.ops.filter((o) => o.key === key && o.bucket === PLAIN);
    // What may have made the present content: a write of that body (a copy of it, or any copy whose answer was lost),
    // a delete for absence, or the state before the trial (as of its start).
    const made = on.filter((o) => (now.id === null ? o.kind === 'delete' : o.id === now.id || (o.kind === 'copy' && !o.acked)))
      .map((o) => o.end);
    if (ctx.known.get(key) === now.id || (now.id === null && !ctx.known.has(key))) made.push(ctx.trialStart);
    if (!made.length) {
      out.findings.lost.push(`${key} holds ${now.id ?? 'nothing'}, which no write on it made`);
    } else {
      const lastEnd = Math.max(...made);
      const later = on.filter((o) => o.acked && o.start > lastEnd);
      if (later.length) out.findings.lost.push(`${key} holds ${now.id ?? 'nothing'}, but ${later.map((o) => `${o.kind} ${o.id ?? ''}`).join(', ')} began after and was acknowledged`);
    }
    ctx.known.set(key, now.id);
    if (now.id !== null) {
      seen.set(key, now);
      const head = await ctx.s3.send(new HeadObjectCommand({ Bucket: PLAIN, Key: key })).catch((e: Error) => e);
      if (head instanceof Error) out.findings.listing.push(`HEAD ${key}: ${head.name} after GET served it`);
      else if (head.ETag !== now.etag || head.ContentLength !== now.size) out.findings.listing.push(`HEAD ${key}: ${head.ETag} ${head.ContentLength} B, GET: ${now.etag} ${now.size} B`);
    }
  }
  const listed = new Map<string, { etag?: string; size?: number }>();
  let token: string | undefined;
  for (let page = 0; page < 100; page++) {
    const l = await ctx.s3.send(new ListObjectsV2Command({ Bucket: PLAIN, ContinuationToken: token }));
    for (const o of l.Contents ?? []) listed.set(o.Key!, { etag: o.ETag, size: o.Size });
    token = l.NextContinuationToken;
    if (!token) break;
  }
  for (const [key, o] of listed) {
    const g = seen.get(key);
    const e = o.etag?.replaceAll('"', '') ?? '';
    if (!/^[0-9a-f]{32}(-\d+)?$/.test(e) || (e.endsWith('-1') && ![...ctx.registry.byId.values()].some((b) => b.etag === e))) out.findings.synthetic.push(`LIST ${key}: ETag ${o.etag}`);
    if (!g) out.findings.listing.push(`LIST shows ${key}, which GET did not serve`);
    else if (g.etag !== o.etag || g.size !== o.size) out.findings.listing.push(`LIST ${key}: ${o.etag} ${o.size} B, GET: ${g.etag} ${g.size} B`);
  }
  for (const key of seen.keys()) if (!listed.has(key)) out.findings.listing.push(`GET serves ${key}, which LIST does not show`);
}

/** The versioned bucket: every acknowledged version is there, whole; every listed version reads whole; GET serves the latest. */
async function checkVersioned(ctx: CheckContext, out: TrialCheck): Promise<void> {
  for (const op of ctx.ops.filter((o) => o.bucket === VERSIONED && o.acked && o.versionId)) {
    const ids = ctx.ackedVersions.get(op.key) ?? new Map<string, string | null>();
    ids.set(op.versionId!, op.kind === 'versioned-put' ? op.id! : null);
    ctx.ackedVersions.set(op.key, ids);
  }
  const listed = new Map<string, { id: string; marker: boolean; latest: boolean; etag?: string }[]>();
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const l = await ctx.s3.send(new ListObjectVersionsCommand({ Bucket: VERSIONED, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
    for (const v of l.Versions ?? []) listed.set(v.Key!, [...(listed.get(v.Key!) ?? []), { id: v.VersionId!, marker: false, latest: !!v.IsLatest, etag: v.ETag }]);
    for (const m of l.DeleteMarkers ?? []) listed.set(m.Key!, [...(listed.get(m.Key!) ?? []), { id: m.VersionId!, marker: true, latest: !!m.IsLatest }]);
    if (!l.IsTruncated) break;
    keyMarker = l.NextKeyMarker;
    versionMarker = l.NextVersionIdMarker;
  }
  for (const key of VERSIONED_KEYS) {
    const versions = listed.get(key) ?? [];
    const byId = new Map(versions.map((v) => [v.id, v]));
    for (const [id, body] of ctx.ackedVersions.get(key) ?? []) {
      const v = byId.get(id);
      if (!v) out.findings.versions.push(`${key}: acknowledged ${body === null ? 'delete marker' : `version of ${body}`} ${id} is not listed`);
      else if (v.marker !== (body === null)) out.findings.versions.push(`${key}: ${id} listed as ${v.marker ? 'a delete marker' : 'a version'}`);
    }
    const read = new Map<string, string | null>();
    for (const v of versions.filter((x) => !x.marker)) {
      const got = await readKey(ctx, out, VERSIONED, key, v.id);
      if (got === undefined) continue;
      read.set(v.id, got.id);
      if (got.id === null) out.findings.versions.push(`${key}: listed version ${v.id} answers 404`);
      else if (got.etag !== v.etag) out.findings.listing.push(`versions of ${key}: ${v.id} listed with ${v.etag}, GET ${got.etag}`);
      const acked = ctx.ackedVersions.get(key)?.get(v.id);
      if (acked !== undefined && acked !== got.id) out.findings.versions.push(`${key}: version ${v.id} holds ${got.id}, acknowledged with ${acked}`);
    }
    const latest = versions.filter((v) => v.latest);
    if (versions.length && latest.length !== 1) out.findings.listing.push(`versions of ${key}: ${latest.length} marked latest`);
    const current = await readKey(ctx, out, VERSIONED, key);
    if (current === undefined || !latest[0]) continue;
    const expected = latest[0].marker ? null : read.get(latest[0].id);
    if (latest[0].marker ? current.id !== null : expected !== undefined && current.id !== expected) {
      out.findings.versions.push(`${key}: GET serves ${current.id ?? 'nothing'}, the latest listed is ${latest[0].marker ? 'a delete marker' : latest[0].id}`);
    }
  }
}

/**
 * Waits (bounded) until the sweeps have left nothing in the staging and multipart directories (nor a temporary of
 * an atomic write anywhere in the state); what remains is a finding. Temporaries and locks among the versions are
 * reported as they are: the next write of their key sweeps them, not a job (waiting would not help).
 */
async function waitForSweeps(ctx: CheckContext, out: TrialCheck): Promise<void> {
  let left = await leftovers(ctx.root);
  while (left.stray.length && Date.now() - ctx.restartedAt < ctx.sweepTimeoutMs) {
    await sleep(250);
    left = await leftovers(ctx.root);
  }
  out.sweptMs = Date.now() - ctx.restartedAt;
  out.findings.leftovers.push(...left.stray);
  out.versionLeftovers = left.versionTemps;
  out.pendingRemovals = left.pending;
}

/** The multipart sweep's grace for a removal in progress, and its interval at the default expiry: a removal older than both is overdue. */
const REMOVAL_OVERDUE_MS = 60_000 + 5 * 60_000;
/** The temporary of an atomic write (src/fsutil/atomic-temp.ts), with or without its writer's tag. */
const ATOMIC_TEMP = /\.[0-9a-f]{12}(?:\.[0-9a-f]{12}_\d+_\d*)?\.tmp$/;

/**
 * What the state directories hold that a finished, swept tree should not: staging files, uploads being created,
 * completed or recovered, temporaries of atomic writes (records, part records, markers), and among the versions
 * temporaries and locks. Removals in progress (`.done-`, `.aborting-`, `.expired-`) are the multipart sweep's after
 * a grace: pending until overdue.
 */
export async function leftovers(root: string): Promise<{ stray: string[]; versionTemps: VersionLeftover[]; pending: number }> {
  const stray: string[] = [];
  const versionTemps: VersionLeftover[] = [];
  let pending = 0;
  for (const bucket of [PLAIN, VERSIONED]) {
    const state = join(root, bucket, '.dirbucket');
    for (const name of await readdir(join(state, 'tmp')).catch(() => [] as string[])) stray.push(`${bucket}/tmp/${name}`);
    for (const name of await readdir(join(state, 'multipart')).catch(() => [] as string[])) {
      if (name.endsWith('.completed.json')) continue;
      if (/\.(done|aborting|expired)-/.test(name)) {
        const st = await lstat(join(state, 'multipart', name)).catch(() => undefined);
        if (st && Date.now() - st.ctimeMs > REMOVAL_OVERDUE_MS) stray.push(`${bucket}/multipart/${name} (overdue removal)`);
        else pending++;
        continue;
      }
      stray.push(`${bucket}/multipart/${name}`);
    }
    await walkState(state, bucket, stray);
    await walkVersions(join(state, 'versions'), bucket, [], versionTemps);
  }
  return { stray, versionTemps, pending };
}

/** Temporaries of atomic writes anywhere in a bucket's state but its versions (walked apart) and tmp (listed whole). */
async function walkState(dir: string, rel: string, stray: string[], depth = 0): Promise<void> {
  if (depth > 4) return;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (depth === 0 && (e.name === 'versions' || e.name === 'tmp')) continue;
    if (ATOMIC_TEMP.test(e.name)) stray.push(`${rel}/${e.name}`);
    else if (e.isDirectory()) await walkState(join(dir, e.name), `${rel}/${e.name}`, stray, depth + 1);
  }
}

/** Temporaries (`.t-*`, atomic writes') and commit locks (`.lock*`) anywhere under a bucket's versions: a writer died holding them. */
async function walkVersions(dir: string, bucket: string, segments: string[], out: VersionLeftover[]): Promise<void> {
  if (segments.length > 16) return;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.name.startsWith('.t-') || e.name.startsWith('.lock') || ATOMIC_TEMP.test(e.name)) {
      const st = await lstat(join(dir, e.name)).catch(() => undefined);
      // `<key…>/.dirbucket/<name>`: the segments end with the directory of versions' own name.
      if (st) out.push({ path: `${bucket}/versions/${[...segments, e.name].join('/')}`, bucket, key: segments.slice(0, -1).join('/'), ino: st.ino, ctimeMs: st.ctimeMs });
    } else if (e.isDirectory()) {
      await walkVersions(join(dir, e.name), bucket, [...segments, e.name], out);
    }
  }
}
