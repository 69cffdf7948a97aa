/**
 * The versions of a key as S3 sees them, judged from what is on disk (pure). The rules, in order:
 * - a file at the path whose record names a kept version is that version, current; kept delete markers
 *   newer than it are the remains of a crashed restore (a marker is removed only after its version is back);
 * - a file whose record names a version newer than any kept is a commit that crashed before its link: current;
 * - any other file appeared outside S3 (created, replaced, rewritten): a new current version, its id derived
 *   from its stats (the `null` version when suspended, or when it predates versioning);
 * - no file, and the newest kept entry a version: a NAS delete or rename-away, read as a delete marker.
 */
import type { VersioningPolicy } from './context.js';
import type { KeyState } from './key-state.js';
import type { Entry } from './layout.js';
import { derivedVersionId, impliedMarkerId, NULL_VERSION_ID } from './version-id.js';
import { stampOf } from './version-record.js';

/** One version or delete marker of a key. */
export interface VersionView {
  id: string;
  /** Its place in the key's order: greater is newer. */
  seq: string;
  kind: 'data' | 'marker';
  /**
   * Where it is: the plain file at the path ('path', the current version), an entry of the store ('entry'),
   * or nowhere yet ('implied': the marker a NAS delete stands for).
   */
  where: 'path' | 'entry' | 'implied';
  /** Its entry in the store; for the current file, set once it is kept there. */
  entry?: Entry;
  /** The current file appeared outside S3: it has no record of this version yet. */
  found?: boolean;
}

/** A key judged: its versions newest first (the first is current), and the entries that no longer count. */
export interface KeyView {
  versions: VersionView[];
  /** Kept entries superseded (an older `null`) or left by a crash (a marker newer than the current file). */
  stale: Entry[];
}

/** Judges `state` under `policy` (see the rules above). */
export function resolveVersions(state: KeyState, policy: VersioningPolicy): KeyView {
  const entries = state.entries;
  const newest = entries[0];
  const stale: Entry[] = [];
  if (!state.file) {
    const kept = entries.map(entryView);
    if (newest?.kind !== 'data') return { versions: kept, stale };
    const seq = impliedMarkerId(newestTaken(state)!);
    return { versions: [{ id: seq, seq, kind: 'marker', where: 'implied' }, ...kept], stale };
  }
  const { stats, record } = state.file;
  const stamp = stampOf(record, stats);
  const linked = stamp && entries.find((e) => e.kind === 'data' && e.id === stamp.id && e.seq === stamp.seq);
  let current: VersionView;
  if (linked) {
    current = { ...entryView(linked), where: 'path' };
    for (const e of entries) if (e.kind === 'marker' && e.seq > linked.seq) stale.push(e);
  } else if (stamp && (!newest || stamp.seq > newest.seq)) {
    current = { id: stamp.id, seq: stamp.seq, kind: 'data', where: 'path' };
  } else {
    const seq = derivedVersionId(stats, newestTaken(state));
    current = { id: isNullVersion(state, policy) ? NULL_VERSION_ID : seq, seq, kind: 'data', where: 'path', found: true };
  }
  // Only one `null` version: the current one supersedes any kept before it.
  if (current.id === NULL_VERSION_ID) for (const e of entries) if (e.id === NULL_VERSION_ID && e !== current.entry && !stale.includes(e)) stale.push(e);
  const rest = entries.filter((e) => e !== current.entry && !stale.includes(e)).map(entryView);
  return { versions: [current, ...rest], stale };
}

/**
 * Whether `view` lists as a settle would leave it: the current file kept, nothing stale, no kept version newer than
 * the current one. A key read without its lock (a listing) can be caught half-way through another process's
 * change: the file's stats from before a commit's rename and its directory of versions from after it make the
 * replaced version current with the new one older. No state a settle leaves looks like that (an implied marker
 * does: its id is the one a DELETE is about to write, and a settle writes the same).
 */
export function isSettledView(view: KeyView): boolean {
  const [top, ...rest] = view.versions;
  if (view.stale.length > 0) return false;
  if (!top) return true;
  if (top.where === 'path' && !top.entry) return false;
  return rest.every((v) => v.seq < top.seq);
}

/** The newest place taken in the key's order, lost and rewritten versions included: ids come after it. */
export function newestTaken(state: KeyState): string | undefined {
  let seq: string | undefined;
  for (const e of [state.entries[0], state.lost[0], state.rewritten]) if (e && (seq === undefined || e.seq > seq)) seq = e.seq;
  return seq;
}

function entryView(e: Entry): VersionView {
  return { id: e.id, seq: e.seq, kind: e.kind === 'marker' ? 'marker' : 'data', where: 'entry', entry: e };
}

// A file found while suspended is the null version, as a write would make it; so is a file at a never
// versioned key that was last written before versioning was first enabled.
function isNullVersion(state: KeyState, policy: VersioningPolicy): boolean {
  if (policy.status === 'Suspended') return true;
  if (state.entries.length > 0 || state.lost.length > 0 || policy.enabledAt === undefined) return false;
  const { mtimeNs, birthtimeNs } = state.file!.stats;
  const written = mtimeNs > birthtimeNs ? mtimeNs : birthtimeNs;
  return written / 1_000_000n < BigInt(policy.enabledAt);
}

/** Whether the view's current version is the key's object (false when the key is deleted or has none). */
export function hasCurrentObject(view: KeyView): boolean {
  return view.versions[0]?.kind === 'data';
}
