/**
 * Certificate reload by SIGHUP alone, with --workers 2: the files served are symbolic links into a folder the
 * server does not watch, so replacing the files there is seen only when SIGHUP asks. Every worker reloads; new
 * connections get the new certificate, an open keep-alive connection carries on with the old.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { TestCa } from './openssl-ca.js';

interface Seen {
  status: number;
  serial: string;
  reused: boolean;
}

/** GET / over `agent` (a new connection unless the agent keeps one): the certificate seen and whether the connection was reused. */
function probe(port: number, agent: https.Agent): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/', agent, servername: 'localhost' }, (res) => {
      const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, serial, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
  });
}

function serialOf(file: string): string {
  return spawnSync('openssl', ['x509', '-in', file, '-noout', '-serial'], { encoding: 'utf8' }).stdout.trim().replace('serial=', '').toUpperCase();
}

describe('SIGHUP reloads the certificates in every worker', () => {
  const ca = new TestCa();
  const real = mkdtempSync(join(tmpdir(), 'dirbucket-hup-real-'));
  const links = mkdtempSync(join(tmpdir(), 'dirbucket-hup-links-'));
  let ts: TestServer;
  before(async () => {
    const first = ca.issue(['localhost']);
    copyFileSync(first.cert, join(real, 'cert.pem'));
    copyFileSync(first.key, join(real, 'key.pem'));
    symlinkSync(join(real, 'cert.pem'), join(links, 'cert.pem'));
    symlinkSync(join(real, 'key.pem'), join(links, 'key.pem'));
    ts = await startServer({ args: ['--workers', '2', '--tls-cert', join(links, 'cert.pem'), '--tls-key', join(links, 'key.pem')] });
  });
  after(async () => {
    await ts?.stop();
    ca.dispose();
    rmSync(real, { recursive: true, force: true });
    rmSync(links, { recursive: true, force: true });
  });

  test('files replaced: nothing changes until SIGHUP; then new connections to either worker see the new certificate, an open one carries on', async () => {
    const fresh = () => probe(ts.port, new https.Agent({ ca: ca.pem }));
    const keepAlive = new https.Agent({ ca: ca.pem, keepAlive: true, maxSockets: 1 });
    try {
      const old = serialOf(join(real, 'cert.pem'));
      assert.equal((await probe(ts.port, keepAlive)).serial, old);
      const next = ca.issue(['localhost']);
      copyFileSync(next.key, join(real, 'key.new'));
      copyFileSync(next.cert, join(real, 'cert.new'));
      renameSync(join(real, 'key.new'), join(real, 'key.pem'));
      renameSync(join(real, 'cert.new'), join(real, 'cert.pem'));
      const wanted = serialOf(next.cert);
      // Longer than the watch's settling delay: had a watch seen the change, it would have reloaded by now.
      await sleep(1500);
      for (let i = 0; i < 4; i++) assert.equal((await fresh()).serial, old, 'no reload without SIGHUP');
      process.kill(ts.pid, 'SIGHUP');
      const reloaded = () => ts.stdout().split('\n').filter((l) => l.includes('"certificate reloaded"')).map((l) => (JSON.parse(l) as { pid: number }).pid);
      assert.ok(await waitUntil(() => new Set(reloaded()).size === 2, { timeoutMs: 10_000 }), `both workers reload:\n${ts.stdout().slice(-3000)}`);
      // Round robin gives each new connection to the next worker: six reach both.
      for (let i = 0; i < 6; i++) assert.equal((await fresh()).serial, wanted, `new connection ${i}`);
      const still = await probe(ts.port, keepAlive);
      assert.deepEqual([still.status, still.reused, still.serial], [403, true, old], 'the open connection carries on with the certificate it began with');
    } finally {
      keepAlive.destroy();
    }
  });
});
