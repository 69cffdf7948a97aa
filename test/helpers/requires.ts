/**
 * What a test needs from the machine (a client program, root, a file system that behaves a certain way), and
 * the one rule for a need that is not met: here the test is skipped with the reason; under CI=true it fails.
 * Why fail in CI: .ci/run installs every tool and runs as root on ext4, so a missing one is a broken set-up that
 * a skip would hide, and the suite would pass having tested less.
 */
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { findExecutable, run } from './tool.js';

/** A program a test runs: its path, or the reason to skip (`skip` is false exactly when `path` is set). */
export type Tool = { path: string; skip: false } | { path: undefined; skip: string };

/**
 * The programs tests run, with the Debian package that installs each (the ones .ci/run installs, plus util-linux).
 * `at` is looked at before PATH: PATH may lead elsewhere first (pyenv's aws v1, for one); Debian installs there.
 */
const TOOLS = {
  aws: { at: ['/usr/bin/aws'], apt: 'awscli' },
  rclone: { at: ['/usr/bin/rclone'], apt: 'rclone' },
  s3cmd: { at: ['/usr/bin/s3cmd'], apt: 's3cmd' },
  chromium: { at: ['/usr/bin/chromium'], apt: 'chromium' },
  python3: { at: ['/usr/bin/python3'], apt: 'python3' },
  setfacl: { at: ['/usr/bin/setfacl'], apt: 'acl' },
  fincore: { at: ['/usr/bin/fincore'], apt: 'util-linux' },
  openssl: { at: ['/usr/bin/openssl'], apt: 'openssl' },
  curl: { at: ['/usr/bin/curl'], apt: 'curl' },
  mfsmaster: { at: ['/usr/sbin/mfsmaster'], apt: 'moosefs-master' },
  mfschunkserver: { at: ['/usr/sbin/mfschunkserver'], apt: 'moosefs-chunkserver' },
  mfsmount: { at: ['/usr/bin/mfsmount'], apt: 'moosefs-client' },
} as const;

/** The name of a program in the table above. */
export type ToolName = keyof typeof TOOLS;

/**
 * The rule, for a need that is not met: returns `reason` (to skip with) here, throws under CI=true.
 * `false` (nothing missing) passes through, so `{ skip: unmet(cond && 'why') }` reads as it runs.
 */
export function unmet(reason: string): string;
export function unmet(reason: string | false): string | false;
export function unmet(reason: string | false): string | false {
  if (reason && process.env.CI === 'true') throw new Error(`CI=true, and a test's need is not met: ${reason}`);
  return reason;
}

/** For a need found unmet inside a running test: skips it here, fails it under CI=true. Return right after. */
export function skipTest(t: TestContext, reason: string): void {
  t.skip(unmet(reason));
}

/** A program from the table: where it is, or why the tests that need it skip (throws under CI=true). */
export function requireTool(name: ToolName): Tool {
  const { at, apt } = TOOLS[name];
  const path = findExecutable(name, [...at]);
  return path ? { path, skip: false } : { path: undefined, skip: unmet(`${name} is not installed (apt-get install ${apt})`) };
}

/**
 * A python3 that imports boto3: Debian's first (python3-boto3 installs there), then PATH's (maybe pyenv's) only if
 * it has boto3 too.
 */
export async function requirePythonWithBoto3(): Promise<Tool> {
  const candidates = [...new Set(['/usr/bin/python3', findExecutable('python3')].filter((p): p is string => !!p))];
  for (const python of candidates) {
    if (!existsSync(python)) continue;
    const r = await run(python, ['-c', 'import boto3'], { timeoutMs: 30_000 }).catch(() => undefined);
    if (r?.code === 0) return { path: python, skip: false };
  }
  const among = candidates.length ? ` among ${candidates.join(', ')}` : '';
  return { path: undefined, skip: unmet(`no python3 with boto3${among} (apt-get install python3-boto3)`) };
}

/** False as root; else `needs root to <why>` to skip with (throws under CI=true, which runs as root). */
export function requireRoot(why: string): false | string {
  return unmet(process.getuid?.() !== 0 && `needs root to ${why}`);
}
