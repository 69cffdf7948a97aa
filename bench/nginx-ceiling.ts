/**
 * nginx as a ceiling for GETs (issue #15): Debian's nginx (nginx-light or nginx), one worker, sendfile on, no
 * access log, serving the same 4 KiB and 1 MiB files from the same file system, measured with the same client
 * and concurrency. Found on the PATH or in /usr/sbin; when there is none the rows say how to get it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runConcurrent, type ConcurrentResult } from './run-concurrent.js';
import { BenchS3Client } from './s3-client.js';
import type { Credentials } from '../test/helpers/sigv4.js';

/** The nginx binary, if installed. */
export function findNginx(): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin']) {
    if (dir && existsSync(join(dir, 'nginx'))) return join(dir, 'nginx');
  }
  return undefined;
}

/** A free loopback port (nginx takes its port from its configuration, not from the kernel). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

export interface NginxCeiling {
  get4k: ConcurrentResult;
  get1m: ConcurrentResult;
}

/** Serves `small` (4 KiB) and `large` (1 MiB) files with nginx in a directory beside `near`, and GETs them. */
export async function measureNginx(nginx: string, near: string, credentials: Credentials,
  o: { concurrency: number; count4k: number; count1m: number; timeLimitMs: number }): Promise<NginxCeiling> {
  const dir = await mkdtemp(join(near, 'nginx-'));
  // nginx's worker drops root for `nobody`: it must be able to reach the files (mkdtemp makes the directory 0700).
  await chmod(dir, 0o755);
  const small = Buffer.alloc(4096, 0x61);
  const large = Buffer.alloc(1024 * 1024, 0x62);
  await mkdir(join(dir, 'www', 'b'), { recursive: true });
  await writeFile(join(dir, 'www', 'b', 'small'), small);
  await writeFile(join(dir, 'www', 'b', 'large'), large);
  const port = await freePort();
  await writeFile(join(dir, 'nginx.conf'), [
    'worker_processes 1;', 'daemon off;', `pid ${dir}/nginx.pid;`, `error_log ${dir}/error.log warn;`,
    'events { worker_connections 1024; }',
    'http {', '  sendfile on;', '  tcp_nopush on;', '  access_log off;', '  keepalive_requests 1000000;', '  keepalive_timeout 60s;',
    `  client_body_temp_path ${dir}/body;`, `  proxy_temp_path ${dir}/proxy;`, `  fastcgi_temp_path ${dir}/fastcgi;`,
    `  uwsgi_temp_path ${dir}/uwsgi;`, `  scgi_temp_path ${dir}/scgi;`,
    `  server { listen 127.0.0.1:${port}; root ${dir}/www; }`, '}', '',
  ].join('\n'));
  const child = spawn(nginx, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const client = new BenchS3Client({ endpoint: `http://127.0.0.1:${port}`, credentials, maxSockets: o.concurrency, timeoutMs: 60_000 });
  try {
    // Up within 5 s, or its error says why.
    for (let i = 0; ; i++) {
      const status = await client.send({ method: 'GET', bucket: 'b', key: 'small' }).then((r) => r.status, (e: Error) => e.message);
      if (status === 200) break;
      if (i >= 50 || child.exitCode !== null) throw new Error(`nginx did not serve the test file (last answer: ${status}): ${stderr.slice(0, 300)}`);
      await sleep(100);
    }
    const get = (key: string, size: number, count: number) => runConcurrent({
      concurrency: o.concurrency, count, timeLimitMs: o.timeLimitMs,
      op: async () => {
        const res = await client.expectOk({ method: 'GET', bucket: 'b', key });
        if (res.bytes !== size) throw new Error(`nginx GET ${key}: ${res.bytes} bytes`);
      },
    });
    return { get4k: await get('small', small.length, o.count4k), get1m: await get('large', large.length, o.count1m) };
  } finally {
    client.close();
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    await rm(dir, { recursive: true, force: true });
  }
}
