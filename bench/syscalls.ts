/**
 * System calls per request, counted rather than timed: `strace -f -c` on the server while one client sends
 * sequential 4 KiB HEAD, GET and PUT requests. Why: on a shared 2-core host timings move ±20 % between runs, but
 * the count of system calls a request costs (each async file operation also costs thread-pool wake-ups) does
 * not, so a hot-path regression shows here on any host, busy or not. Compare two servers in one go:
 *
 *   node dist/bench/syscalls.js [--server-bin PATH]… [--server-arg FLAG]… [--requests N]
 *
 * Each --server-bin (default bin/dirbucket.js) gets its own fresh root. Needs strace (Debian `strace`).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchS3Client } from './s3-client.js';
import { startServer } from './server-process.js';

const { values: flags } = parseArgs({
  options: {
    'server-bin': { type: 'string', multiple: true, default: ['bin/dirbucket.js'] },
    'server-arg': { type: 'string', multiple: true, default: [] },
    requests: { type: 'string', default: '300' },
  },
});
const N = Math.min(Math.max(Number(flags.requests), 10), 5000);
const BUCKET = 'syscalls';
const VERSIONED = 'syscalls-versioned';
const KEYS = 20;
const body = Buffer.alloc(4096, 7);
const tiny = Buffer.alloc(100, 7);
let nested = 0;

/** Per system call name, how many the server made per request (strace -c's `calls` column over N requests). */
async function counted(pid: number, send: (i: number) => Promise<void>): Promise<Map<string, number>> {
  const out = join(tmpdir(), `dirbucket-strace-${pid}-${randomBytes(4).toString('hex')}`);
  const strace = spawn('strace', ['-f', '-c', '-o', out, '-p', String(pid)], { stdio: 'ignore' });
  const exited = new Promise((resolve) => strace.once('exit', resolve));
  await new Promise((resolve) => setTimeout(resolve, 700)); // attached to every thread
  for (let i = 0; i < N; i++) await send(i);
  await new Promise((resolve) => setTimeout(resolve, 300));
  strace.kill('SIGINT');
  await exited;
  const calls = new Map<string, number>();
  for (const line of (await readFile(out, 'utf8')).split('\n')) {
    const cols = line.trim().split(/\s+/);
    // % time, seconds, usecs/call, calls, [errors], syscall; the summary row is `total`.
    if (cols.length < 5 || !/^[\d.]+$/.test(cols[0]!) || cols[cols.length - 1] === 'total') continue;
    calls.set(cols[cols.length - 1]!, Number(cols[3]) / N);
  }
  await rm(out, { force: true });
  return calls;
}

function summary(name: string, calls: Map<string, number>): string {
  const total = [...calls.values()].reduce((a, b) => a + b, 0);
  const top = [...calls].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
  return `  ${name.padEnd(5)} ${total.toFixed(1).padStart(6)} per request   (${top})`;
}

const credentials = { accessKeyId: 'SYSCALLS' + randomBytes(6).toString('hex').toUpperCase(), secretAccessKey: randomBytes(30).toString('base64') };
for (const script of flags['server-bin']) {
  const root = await mkdtemp(join(tmpdir(), 'dirbucket-syscalls-'));
  const server = await startServer({ root, credentials, script, serverArgs: flags['server-arg'], startTimeoutMs: 15_000 });
  try {
    const client = new BenchS3Client({ endpoint: server.endpoint, credentials, maxSockets: 1, timeoutMs: 30_000 });
    await client.expectOk({ method: 'PUT', bucket: BUCKET });
    for (let i = 0; i < KEYS; i++) await client.expectOk({ method: 'PUT', bucket: BUCKET, key: `k${i}`, body });
    await client.expectOk({ method: 'PUT', bucket: VERSIONED });
    await client.expectOk({ method: 'PUT', bucket: VERSIONED, query: { versioning: '' },
      body: Buffer.from('<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>') });
    const ops: [string, (i: number) => Promise<void>][] = [
      ['HEAD', async (i) => void (await client.expectOk({ method: 'HEAD', bucket: BUCKET, key: `k${i % KEYS}` }))],
      ['GET', async (i) => void (await client.expectOk({ method: 'GET', bucket: BUCKET, key: `k${i % KEYS}` }))],
      ['PUT', async (i) => void (await client.expectOk({ method: 'PUT', bucket: BUCKET, key: `p${i % KEYS}`, body }))],
      // Over existing keys of a bucket with versioning: each PUT keeps the version it replaces.
      ['versioned PUT', async (i) => void (await client.expectOk({ method: 'PUT', bucket: VERSIONED, key: `v${i % KEYS}`, body }))],
      // New keys two directories down, as the listing tree is written (bench/listing.ts): file and directory creation.
      ['nested PUT', async (i) => void (await client.expectOk({ method: 'PUT', bucket: BUCKET, key: `n${nested++}/e${i % 8}/f${i}.dat`, body: tiny }))],
    ];
    console.log(`${script} ${flags['server-arg'].join(' ')}: system calls of the server, ${N} sequential 4 KiB requests each`);
    for (const [name, send] of ops) {
      for (let i = 0; i < 20; i++) await send(i); // warm-up: caches, JIT, the thread pool
      console.log(summary(name, await counted(server.pid, send)));
    }
    client.close();
  } finally {
    await server.stop(10_000);
    await rm(root, { recursive: true, force: true });
  }
}
