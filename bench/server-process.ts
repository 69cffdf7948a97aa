/** Starts the real dirbucket server as a child process and learns its endpoint from the banner. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Credentials } from '../test/helpers/sigv4.js';

export interface ServerOptions {
  root: string;
  credentials: Credentials;
  /** The server's entry script, relative to the repository root; default bin/dirbucket.js. */
  script?: string;
  /** Extra node flags for the server, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Extra dirbucket flags, e.g. --no-fsync. */
  serverArgs?: string[];
  /** How long to wait for the `Endpoint:` line. */
  startTimeoutMs: number;
}

export interface RunningServer {
  endpoint: string;
  pid: number;
  /** The last lines the server wrote to stderr, for error messages. */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL if it has not exited within the timeout; resolves with how it ended. */
  stop(timeoutMs: number): Promise<string>;
}

/** The repository root, two levels above dist/bench/. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const ENDPOINT_LINE = /^Endpoint: (http:\/\/127\.0\.0\.1:\d+)\s*$/m;

/** Spawns `node bin/dirbucket.js serve` and resolves once it prints its endpoint (rejects on exit or timeout). */
export function startServer(options: ServerOptions): Promise<RunningServer> {
  const args = [
    ...(options.nodeArgs ?? []),
    options.script ?? 'bin/dirbucket.js', 'serve', '--root', options.root, '--listen', '127.0.0.1:0', '--log-level', 'warn',
    ...(options.serverArgs ?? []),
  ];
  const env = { DIRBUCKET_ACCESS_KEY: options.credentials.accessKeyId, DIRBUCKET_SECRET_KEY: options.credentials.secretAccessKey };
  return spawnWithEndpoint(args, env, options.startTimeoutMs);
}

/** Spawns `node ARGS` in the repository root and resolves once it prints an `Endpoint: http://127.0.0.1:PORT` line. */
export async function spawnWithEndpoint(args: string[], env: Record<string, string>, startTimeoutMs: number): Promise<RunningServer> {
  // Spawn node itself (not a shell or npm) so that the pid is the server's, for /proc/PID/status.
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-4000)));
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`)),
  );
  const endpoint = await waitForEndpoint(child, exited, startTimeoutMs).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\nstderr:\n${stderr}`);
  });
  return {
    endpoint,
    pid: child.pid!,
    stderrTail: () => stderr,
    stop: async (timeoutMs) => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function waitForEndpoint(child: ChildProcess, exited: Promise<string>, timeoutMs: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no "Endpoint:" line within ${timeoutMs} ms; stdout:\n${out}`)), timeoutMs);
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`server ended (${how}) before printing its endpoint; stdout:\n${out}`));
    });
    // Keep reading stdout after the banner: a full pipe would block the server's writes.
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      if (out.length < 16_000) out += s;
      const match = ENDPOINT_LINE.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
}

/** The peak resident set size (VmHWM) of a live process, in bytes. */
export async function peakRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** CPU seconds (user + system) a live process has used so far, from /proc/PID/stat. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  return ticks / CLOCK_TICKS_PER_SECOND;
}

// USER_HZ is 100 on every Linux architecture node runs on; the kernel reports stat times in it.
const CLOCK_TICKS_PER_SECOND = 100;
