/** FileBody (src/storage/posix/file-body.ts): a file range as a response body, over a real file and a real loopback HTTP server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBody } from '../../src/storage/posix/read/file-body.js';
import { writesItself } from '../../src/storage/backend.js';

const MIB = 1024 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** A server answering GET /<name>?start=&end= with that range of the file, through FileBody.writeTo. */
async function withServer(dir: string, fn: (port: number, outcomes: Promise<string>[]) => Promise<void>): Promise<void> {
  const outcomes: Promise<string>[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const outcome = (async () => {
      const fh = await open(join(dir, url.pathname.slice(1)), 'r');
      try {
        const start = Number(url.searchParams.get('start'));
        const end = Number(url.searchParams.get('end'));
        res.setHeader('Content-Length', end - start + 1);
        const body = new FileBody(fh, start, end);
        if (url.searchParams.has('slowfile')) {
          // Shrink the file once the first buffer is under way.
          setTimeout(() => void truncate(join(dir, url.pathname.slice(1)), 10), 5);
        }
        await body.writeTo(res);
        return 'sent';
      } catch (e) {
        return `failed: ${(e as Error).message}`;
      } finally {
        await fh.close();
      }
    })();
    outcomes.push(outcome);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn((server.address() as AddressInfo).port, outcomes);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

function get(port: number, path: string): Promise<{ status: number; body: Buffer; complete: boolean }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), complete: res.complete }));
      res.on('error', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), complete: false }));
    }).on('error', reject);
  });
}

test('writeTo sends exactly the range, whole or in part, across buffer boundaries, many at once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'filebody-'));
  try {
    const files = Array.from({ length: 6 }, (_, i) => randomBytes(3 * MIB + 1000 * i + 7));
    await Promise.all(files.map((f, i) => writeFile(join(dir, `f${i}`), f)));
    await withServer(dir, async (port, outcomes) => {
      // Concurrent responses share the buffer pool: a buffer reused too early would corrupt one of them.
      for (let round = 0; round < 3; round++) {
        const ranges = files.map((f, i) => (i % 3 === 0 ? [0, f.length - 1] : i % 3 === 1 ? [MIB - 1, 2 * MIB + 5] : [f.length - 10, f.length - 1]));
        const got = await Promise.all(files.map((_, i) => get(port, `/f${i}?start=${ranges[i]![0]}&end=${ranges[i]![1]}`)));
        got.forEach((g, i) => {
          const want = files[i]!.subarray(ranges[i]![0]!, ranges[i]![1]! + 1);
          assert.equal(g.status, 200);
          assert.equal(g.body.length, want.length, `file ${i} round ${round}`);
          assert.equal(md5(g.body), md5(want), `file ${i} round ${round}`);
        });
      }
      assert.deepEqual(new Set(await Promise.all(outcomes)), new Set(['sent']));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a client that goes away mid-body makes writeTo reject, and later responses are still right', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'filebody-'));
  try {
    const big = randomBytes(24 * MIB);
    await writeFile(join(dir, 'big'), big);
    await withServer(dir, async (port, outcomes) => {
      await new Promise<void>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: `/big?start=0&end=${big.length - 1}`, agent: false }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => {});
        req.setTimeout(10_000, () => reject(new Error('no data')));
      });
      const outcome = await Promise.race([outcomes[0]!, new Promise<string>((r) => setTimeout(() => r('hung'), 10_000))]);
      assert.match(outcome, /^failed: /);
      const again = await get(port, `/big?start=0&end=${big.length - 1}`);
      assert.equal(md5(again.body), md5(big));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a file that shrinks while it is sent cuts the response instead of hanging or padding it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'filebody-'));
  try {
    const data = randomBytes(64 * MIB);
    await writeFile(join(dir, 'shrinking'), data);
    await withServer(dir, async (port) => {
      const g = await get(port, `/shrinking?start=0&end=${data.length - 1}&slowfile=1`);
      assert.equal(g.complete, false);
      assert.ok(g.body.length < data.length);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('as a plain Readable it yields the same bytes, and it is recognised as writing itself', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'filebody-'));
  try {
    const data = randomBytes(2 * MIB + 333);
    await writeFile(join(dir, 'r'), data);
    const fh = await open(join(dir, 'r'), 'r');
    try {
      const whole = new FileBody(fh, 0, data.length - 1);
      assert.ok(writesItself(whole));
      const chunks: Buffer[] = [];
      for await (const c of whole) chunks.push(c as Buffer);
      assert.ok(Buffer.concat(chunks).equals(data));
      const part: Buffer[] = [];
      for await (const c of new FileBody(fh, 5, MIB + 9)) part.push(c as Buffer);
      assert.ok(Buffer.concat(part).equals(data.subarray(5, MIB + 10)));
    } finally {
      await fh.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
