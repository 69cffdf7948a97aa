/** Finds and runs the programs tests drive (aws cli, rclone, s3cmd, python with boto3...); requires.ts says which must be there. */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The outcome of a finished command. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options for run. */
export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Kill the process (SIGKILL) and reject after this long; default 120 s. */
  timeoutMs?: number;
}

/** The first executable among the given absolute candidates, then `name` on PATH; undefined if none. */
export function findExecutable(name: string, candidates: string[] = []): string | undefined {
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name));
  for (const path of [...candidates, ...onPath]) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here; try the next
    }
  }
  return undefined;
}

/** Runs a command to completion with bounded time and output; never uses a shell. */
export function run(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ? (Object.fromEntries(Object.entries(opts.env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv) : process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    // Why capped: a client stuck in a retry loop can print without end; the tail is what explains a failure.
    const cap = (s: string): string => (s.length > 2_000_000 ? s.slice(-1_000_000) : s);
    child.stdout.on('data', (c: Buffer) => (stdout = cap(stdout + c.toString('utf8'))));
    child.stderr.on('data', (c: Buffer) => (stderr = cap(stderr + c.toString('utf8'))));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')}: killed after ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * The current environment without variables that would steer a client elsewhere (AWS_*, RCLONE_*, proxies),
 * plus the given ones. Why: a developer's own profile, region or proxy must not change what a test does.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(AWS_|RCLONE_|S3CMD|BOTO_)/i.test(k) || /^(https?|all|no)_proxy$/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Describes a finished command for an assertion message. */
export function describeRun(what: string, r: RunResult): string {
  return `${what}: exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\nstdout:\n${r.stdout.slice(-4000)}\nstderr:\n${r.stderr.slice(-4000)}`;
}
