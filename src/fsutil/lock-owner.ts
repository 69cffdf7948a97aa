/** Who holds a lock (a lock file, an upload's completion), and whether that process is known to be gone (same host only). */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';

/** A process, as precisely as the host can name it: pid reuse and reboots do not make another process "it". */
export interface LockOwner {
  host: string;
  pid: number;
  /** The kernel's boot id and the process's start time (clock ticks after boot), where /proc has them. */
  boot?: string;
  start?: string;
  /** The pid namespace: containers sharing a host name (host networking) do not see each other's pids. */
  ns?: string;
}

let self: LockOwner | undefined;

/** This process. */
export function currentOwner(): LockOwner {
  self ??= { host: hostname(), pid: process.pid, boot: bootId(), start: startTime(String(process.pid)), ns: pidNamespace() };
  return self;
}

/**
 * True only when `owner` certainly no longer runs: it was on this host, in this boot, and its pid is gone or now
 * belongs to a process started at another time. A process on another host is never judged here (its lock
 * goes stale by time instead).
 */
export async function ownerIsGone(owner: LockOwner | undefined): Promise<boolean> {
  const me = currentOwner();
  if (!owner || owner.host !== me.host) return false;
  if (!owner.ns || owner.ns !== me.ns) return false; // another container: its pids are not ours to look up
  if (owner.boot && me.boot && owner.boot !== me.boot) return true; // the host rebooted since
  if (owner.pid === me.pid) return owner.start !== undefined && owner.start !== me.start;
  let stat: string;
  try {
    stat = await readFile(`/proc/${owner.pid}/stat`, 'utf8');
  } catch {
    return me.boot !== undefined; // with /proc readable for us, a missing entry means no such process
  }
  // A zombie (killed, not yet reaped by its parent) still has its /proc entry and start time, but runs no more.
  if (stateOf(stat) === 'Z' || stateOf(stat) === 'X') return true;
  return owner.start !== undefined && startOf(stat) !== owner.start;
}

/**
 * This process as a part of a file name, `<machine>_<pid>_<start>`, for the files it leaves while it writes them
 * (staging files): whoever finds one later can tell whether its writer still runs. `machine` is a short hash of
 * the host name, boot id and pid namespace: processes with the same one can look each other's pids up.
 */
export function ownerTag(): string {
  // Fixed for the life of the process (as currentOwner is), and asked for on every PUT: made once.
  const me = currentOwner();
  selfTag ??= `${machineTag()}_${me.pid}_${me.start ?? ''}`;
  return selfTag;
}
let selfTag: string | undefined;

/**
 * A fresh name `<what>-<random>.<owner tag>` for a scratch file (a probe) in a directory the staging sweep reads (a
 * bucket's tmp directory): one a killed process left is removed as soon as that process is known to be gone.
 */
export function scratchName(what: string): string {
  return `${what}-${randomBytes(6).toString('hex')}.${ownerTag()}`;
}

/** The machine part of this process's tag (ownerTag). */
export function machineTag(): string {
  const me = currentOwner();
  selfMachine ??= createHash('sha256').update(`${me.host}\0${me.boot ?? ''}\0${me.ns ?? ''}`).digest('hex').slice(0, 12);
  return selfMachine;
}
let selfMachine: string | undefined;

/** The machine of an owner tag, or undefined for a name part that is none. */
export function machineOfTag(tag: string): string | undefined {
  const m = /^([0-9a-f]{12})_\d+_\d*$/.exec(tag);
  return m?.[1];
}

/**
 * Whether the process named by owner `tag` certainly runs no more: true or false for a tag of this machine,
 * undefined for another machine's (its pids are not ours to look up) or no tag at all.
 */
export async function taggedOwnerIsGone(tag: string): Promise<boolean | undefined> {
  if (machineOfTag(tag) !== machineTag()) return undefined;
  const [, pid, start] = tag.split('_');
  return ownerIsGone({ ...currentOwner(), pid: Number(pid), start: start || undefined });
}

function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function startTime(pid: string): string | undefined {
  try {
    return startOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

// Field 3 of /proc/PID/stat: R, S, D... Z for a zombie, X for dead.
function stateOf(stat: string): string | undefined {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

// Field 22 of /proc/PID/stat; the command name (field 2) is in parentheses and may hold spaces.
function startOf(stat: string): string | undefined {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}
