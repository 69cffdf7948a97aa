/** Runs the `dirbucket user|key|bucket` commands for end-to-end tests, as an operator would. */
import { join } from 'node:path';
import type { Identity } from '../../src/accounts/identity.js';
import { repoRoot } from '../helpers/repo-root.js';
import { describeRun, run, type RunResult } from '../helpers/tool.js';

/** Runs `dirbucket ARGS` (bounded to 30 s); the result whatever the exit code. */
export function dirbucket(args: string[]): Promise<RunResult> {
  return run(process.execPath, [join(repoRoot(), 'bin', 'dirbucket.js'), ...args], { timeoutMs: 30_000 });
}

/** Runs `dirbucket ARGS` and throws with its output unless it exits 0; resolves with stdout. */
export async function dirbucketOk(args: string[]): Promise<string> {
  const r = await dirbucket(args);
  if (r.code !== 0) throw new Error(describeRun(`dirbucket ${args.join(' ')}`, r));
  return r.stdout;
}

/** A user's key pair as `key create --json` prints it. */
export interface UserKey {
  user: string;
  accessKeyId: string;
  secretAccessKey: string;
  expires?: string;
}

/**
 * Adds a user with `identity` on the tree served from `root`; extra flags such as --can-create-buckets. With
 * --init, as an operator setting users up before the first start does (tests often add users before a server runs).
 */
export async function addUser(root: string, name: string, who: Identity, flags: string[] = []): Promise<void> {
  const groups = who.groups.length ? ['--groups', who.groups.join(',')] : [];
  await dirbucketOk(['user', 'add', name, '--uid', String(who.uid), '--gid', String(who.gid), ...groups, ...flags, '--root', root, '--init']);
}

/** Creates a key for `user` and returns it. */
export async function createKey(root: string, user: string, expires?: string): Promise<UserKey> {
  return JSON.parse(await dirbucketOk(['key', 'create', user, '--json', ...(expires ? ['--expires', expires] : []), '--root', root])) as UserKey;
}
