/**
 * The speed check, made robust on a shared host: one real server, two clients — the administrator
 * (root: no user-space checks) and an ordinary user with `--identity` (every check) — taking turns, round after
 * round, on the same data: 4 KiB GETs at 32 in flight, and ListObjectsV2 of a 20,000-key tree written on disk.
 * Reported per side: median throughput and median server CPU per operation (from /proc), the latter being
 * what other processes on the host disturb least. Run as root: `node dist/bench/identity-compare.js`.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseIdentity, prepareIdentityUser } from './identity-user.js';
import { createTreeOnDisk, measureListing } from './listing.js';
import { median } from './md5-reference.js';
import { runConcurrent } from './run-concurrent.js';
import { BenchS3Client } from './s3-client.js';
import { cpuSeconds, startServer } from './server-process.js';

const { values } = parseArgs({ options: { identity: { type: 'string', default: '1000:1000' }, rounds: { type: 'string', default: '6' } } });
const ROUNDS = Number(values.rounds);
const OBJECTS = 500;
const GETS = 4000;
const KEYS = 20_000;
const admin = { accessKeyId: 'BENCH' + randomBytes(8).toString('hex').toUpperCase(), secretAccessKey: randomBytes(30).toString('base64') };
const root = await mkdtemp(join(tmpdir(), 'dirbucket-compare-'));
const user = await prepareIdentityUser(root, parseIdentity(values.identity!));
const server = await startServer({ root, credentials: admin, startTimeoutMs: 15_000 });
const clients = {
  admin: new BenchS3Client({ endpoint: server.endpoint, credentials: admin, maxSockets: 32, timeoutMs: 60_000 }),
  user: new BenchS3Client({ endpoint: server.endpoint, credentials: user, maxSockets: 32, timeoutMs: 60_000 }),
};
type Side = keyof typeof clients;

try {
  // The user makes the bucket and its objects, as a user of a NAS share would own them; the admin reads them too.
  await clients.user.expectOk({ method: 'PUT', bucket: 'bench-small' });
  const body = randomBytes(4096);
  const put = await runConcurrent({ concurrency: 32, count: OBJECTS, timeLimitMs: 60_000,
    op: async (i) => void (await clients.user.expectOk({ method: 'PUT', bucket: 'bench-small', key: `small/obj-${i}`, body })) });
  if (put.failed) throw new Error(`PUT failed: ${put.firstError}`);
  const listDir = join(root, 'bench-list-disk');
  await mkdir(listDir);
  await createTreeOnDisk(listDir, KEYS);

  const get = async (side: Side) => {
    const cpu0 = await cpuSeconds(server.pid);
    const r = await runConcurrent({ concurrency: 32, count: GETS, timeLimitMs: 60_000,
      op: async (i) => void (await clients[side].expectOk({ method: 'GET', bucket: 'bench-small', key: `small/obj-${i % OBJECTS}` })) });
    if (r.failed) throw new Error(`${side} GET failed: ${r.firstError}`);
    return { perSecond: r.perSecond, cpuUs: (((await cpuSeconds(server.pid)) - cpu0) / r.ok) * 1e6 };
  };
  const list = async (side: Side) => {
    const cpu0 = await cpuSeconds(server.pid);
    const r = await measureListing(clients[side], 'bench-list-disk', { expectedKeys: KEYS, rounds: 1, timeLimitMs: 60_000 });
    return { perSecond: r.keysPerSecond, cpuUs: (((await cpuSeconds(server.pid)) - cpu0) / KEYS) * 1e6 };
  };

  await get('admin');
  await get('user');
  const samples: Record<string, { perSecond: number; cpuUs: number }[]> = { 'GET admin': [], 'GET user': [], 'LIST admin': [], 'LIST user': [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order: Side[] = round % 2 === 0 ? ['admin', 'user'] : ['user', 'admin'];
    for (const side of order) samples[`GET ${side}`]!.push(await get(side));
    for (const side of order) samples[`LIST ${side}`]!.push(await list(side));
  }
  const m = (k: string, f: 'perSecond' | 'cpuUs') => median(samples[k]!.map((s) => s[f]));
  console.log(`identity ${values.identity}, ${ROUNDS} alternating rounds; medians (per-round values in brackets)`);
  for (const op of ['GET', 'LIST']) {
    const unit = op === 'GET' ? '4 KiB GET/s' : 'keys/s';
    for (const side of ['admin', 'user']) {
      const k = `${op} ${side}`;
      console.log(`${k.padEnd(11)} ${Math.round(m(k, 'perSecond')).toString().padStart(7)} ${unit}  server CPU ${m(k, 'cpuUs').toFixed(1)} µs per ${op === 'GET' ? 'GET' : 'key'}` +
        `  [${samples[k]!.map((s) => Math.round(s.perSecond)).join(', ')}]`);
    }
    const slower = 1 - m(`${op} user`, 'perSecond') / m(`${op} admin`, 'perSecond');
    const cpu = m(`${op} user`, 'cpuUs') / m(`${op} admin`, 'cpuUs') - 1;
    console.log(`${op}: user vs admin: throughput ${(slower * -100).toFixed(1)}%, server CPU per operation ${(cpu * 100 >= 0 ? '+' : '')}${(cpu * 100).toFixed(1)}%`);
  }
} finally {
  clients.admin.close();
  clients.user.close();
  await server.stop(10_000);
  await rm(root, { recursive: true, force: true });
}
