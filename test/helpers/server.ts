/** Starts real `dirbucket serve` processes on ephemeral ports for end-to-end tests (one at a time on a tree for crash tests), and stops them. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { CreateBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { repoRoot } from './repo-root.js';
import { waitUntil } from './wait.js';

/** A running server and what a test needs to talk to it. */
export interface TestServer {
  /** `http://127.0.0.1:PORT`, as printed on the server's Endpoint line. */
  endpoint: string;
  port: number;
  /** The server process's id (with --workers, the primary's). */
  pid: number;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The directory served (root mode: each subdirectory is a bucket). */
  root: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** A new S3Client for this server: path style, default checksum settings; destroyed on stop(). */
  client(opts?: Partial<S3ClientConfig>): S3Client;
  /** SIGTERM, wait for exit (bounded, then SIGKILL), remove the temp root if startServer made it. */
  stop(): Promise<void>;
  /** kill -9, at once; the temp root stays until stop(). */
  kill(): void;
  /** Everything the process wrote to stdout and stderr so far (bounded), for diagnostics. */
  stdout(): string;
}

/** Options for startServer. */
export interface StartServerOptions {
  /** Serve this directory (the caller owns it); default: a fresh temp directory removed on stop(). */
  root?: string;
  /** Extra arguments after `serve --root DIR --listen 127.0.0.1:0`. */
  args?: string[];
  /** Extra environment variables for the server process. */
  env?: Record<string, string>;
  /** Start with these credentials instead of fresh ones: servers taking turns on one tree must share them. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** How long to wait for the Endpoint line; default 15 s. */
  startTimeoutMs?: number;
}

const REGION = 'us-east-1';
/** Keep at most this much output per process: tests that make thousands of requests log one line each. */
const OUTPUT_LIMIT = 4 * 1024 * 1024;
const ENDPOINT_LINE = /^Endpoint: (https?:\/\/127\.0\.0\.1:(\d+))\s*$/m;

/**
 * Spawns `node bin/dirbucket.js serve` with fresh credentials and waits (bounded) for its Endpoint line.
 * With env DIRBUCKET_TEST_METADATA set (e.g. `sidecar`), passes `--metadata VALUE` unless args already choose one,
 * so a whole suite can run against the fallback metadata store.
 */
export async function startServer(opts: StartServerOptions = {}): Promise<TestServer> {
  const ownsRoot = opts.root === undefined;
  const root = opts.root ?? (await mkdtemp(join(tmpdir(), 'dirbucket-e2e-')));
  const accessKeyId = opts.credentials?.accessKeyId ?? 'TEST' + randomBytes(8).toString('hex').toUpperCase();
  const secretAccessKey = opts.credentials?.secretAccessKey ?? `s${randomBytes(24).toString('base64url')}`; // never a leading '-', which a command line would take for an option
  const args = ['serve', '--root', root, '--listen', '127.0.0.1:0', ...(opts.args ?? [])];
  // Servers run side by side: none takes the fixed default admin port unless a test asks for an admin listener.
  if (!args.includes('--admin-listen')) args.push('--admin-listen', 'off');
  const metadata = process.env.DIRBUCKET_TEST_METADATA;
  if (metadata && !args.some((a) => a === '--metadata' || a.startsWith('--metadata='))) {
    args.push('--metadata', metadata);
  }
  const cwd = repoRoot();
  const child = spawn(process.execPath, [join(cwd, 'bin', 'dirbucket.js'), ...args], {
    cwd,
    env: { ...process.env, DIRBUCKET_ACCESS_KEY: accessKeyId, DIRBUCKET_SECRET_KEY: secretAccessKey, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (output.length > OUTPUT_LIMIT) output = output.slice(output.length - OUTPUT_LIMIT);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  let endpoint: string;
  let port: number;
  try {
    [endpoint, port] = await waitForEndpoint(child, () => output, opts.startTimeoutMs ?? 15_000);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    if (ownsRoot) await rm(root, { recursive: true, force: true });
    throw err;
  }

  const clients: S3Client[] = [];
  let stopped = false;
  return {
    endpoint,
    port,
    pid: child.pid!,
    exited,
    root,
    accessKeyId,
    secretAccessKey,
    region: REGION,
    client(config = {}) {
      const client = new S3Client({
        endpoint,
        region: REGION,
        forcePathStyle: true,
        credentials: { accessKeyId, secretAccessKey },
        ...config,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const c of clients) c.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // Why bounded: a server that hangs on shutdown must not hang the suite; it is killed after 5 s.
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      if (ownsRoot) await rm(root, { recursive: true, force: true });
    },
    kill() {
      child.kill('SIGKILL');
    },
    stdout() {
      return output;
    },
  };
}

/** Starts a server, makes its default client and creates `buckets` with it; stops the server again if that fails. */
export async function startWithBuckets(buckets: string[], opts: StartServerOptions = {}): Promise<{ ts: TestServer; s3: S3Client }> {
  const ts = await startServer(opts);
  const s3 = ts.client();
  try {
    for (const bucket of buckets) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    await ts.stop();
    throw err;
  }
  return { ts, s3 };
}

/**
 * For crash tests: a temporary tree that servers take turns on (started, killed with SIGKILL, started again),
 * all with the first one's credentials (the harness makes fresh ones per server). serverOnTree() makes one.
 */
export class ServerOnTree {
  #root?: string;
  #current?: TestServer;
  #s3?: S3Client;
  #credentials?: { accessKeyId: string; secretAccessKey: string };
  readonly #retired: TestServer[] = [];

  /** The directory served: root mode, one subdirectory per bucket. */
  get root(): string {
    assert.ok(this.#root, 'the tree is made in before()');
    return this.#root;
  }

  /** The server started last. */
  get server(): TestServer {
    assert.ok(this.#current, 'no server has been started');
    return this.#current;
  }

  /** A client of the server started last. */
  get s3(): S3Client {
    assert.ok(this.#s3, 'no server has been started');
    return this.#s3;
  }

  /** Makes the temporary tree (once). */
  async make(prefix: string): Promise<void> {
    this.#root ??= await mkdtemp(join(tmpdir(), prefix));
  }

  /** Starts a server on the tree, with the shared credentials, and a client for it. */
  async start(): Promise<TestServer> {
    const server = await startServer({ root: this.root, credentials: this.#credentials });
    this.#credentials ??= { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey };
    if (this.#current) this.#retired.push(this.#current);
    this.#current = server;
    this.#s3 = server.client();
    return server;
  }

  /** kill -9 the running server, and wait (bounded) until its port no longer answers. */
  async crash(): Promise<void> {
    const server = this.server;
    server.kill();
    const down = await waitUntil(() => new Promise<boolean>((resolve) => {
      const req = http.get(server.endpoint, () => resolve(false));
      req.on('error', () => resolve(true));
      req.setTimeout(500, () => req.destroy());
    }), { timeoutMs: 10_000, intervalMs: 50 });
    assert.ok(down, 'the killed server still answers');
  }

  /** Stops every server started (a killed one is only waited for) and removes the tree. */
  async close(): Promise<void> {
    for (const s of [...this.#retired, this.#current]) await s?.stop();
    if (this.#root) await rm(this.#root, { recursive: true, force: true });
  }
}

/**
 * A crash test file's tree: before(), a temporary tree (named from `prefix`) with a server on it and `bucket`
 * made; after(), every server stopped and the tree removed.
 */
export function serverOnTree(prefix: string, bucket: string): ServerOnTree {
  const tree = new ServerOnTree();
  before(async () => {
    await tree.make(prefix);
    await tree.start();
    await tree.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => tree.close());
  return tree;
}

/** Resolves with [endpoint, port] once the Endpoint line appears; rejects on exit or timeout, quoting the output. */
function waitForEndpoint(child: ChildProcess, output: () => string, timeoutMs: number): Promise<[string, number]> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const m = ENDPOINT_LINE.exec(output());
      if (m) finish(() => resolve([m[1]!, Number(m[2])]));
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(() => reject(new Error(`dirbucket exited (code ${code}, signal ${signal}) before printing its Endpoint line:\n${output()}`)));
    const timer = setTimeout(
      () => finish(() => reject(new Error(`dirbucket printed no Endpoint line within ${timeoutMs} ms:\n${output()}`))),
      timeoutMs,
    );
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.off('exit', onExit);
      settle();
    };
    child.stdout!.on('data', check);
    child.once('exit', onExit);
    check();
  });
}
