/**
 * The admin listener over HTTPS (`--admin-tls`), with certificates from a CA made by openssl: the console's page and
 * the admin API answer over TLS with the S3 listener's certificate, the session cookie is Secure (and still
 * HttpOnly, SameSite=Strict), plain HTTP on the port gets no answer, a renewed certificate is served after SIGHUP,
 * and `--admin-tls` without certificates stops start-up saying why.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { repoRoot } from '../helpers/repo-root.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { TestCa } from './openssl-ca.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  serial: string;
}

/** One request to the admin listener over HTTPS, trusting only the test CA (checked for the name localhost). */
function call(port: number, ca: string, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port, path, method, servername: 'localhost', ca, agent: false,
      headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text, serial }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.end(body);
  });
}

function serialOf(file: string): string {
  return spawnSync('openssl', ['x509', '-in', file, '-noout', '-serial'], { encoding: 'utf8' }).stdout.trim().replace('serial=', '').toUpperCase();
}

describe('the admin listener over HTTPS', () => {
  const ca = new TestCa();
  const live = join(tmpdir(), `dirbucket-admin-tls-${process.pid}`);
  let ts: TestServer;
  let port: number;

  before(async () => {
    mkdirSync(live, { recursive: true });
    const first = ca.issue(['localhost']);
    copyFileSync(first.cert, join(live, 'cert.pem'));
    copyFileSync(first.key, join(live, 'key.pem'));
    ts = await startServer({ args: ['--admin-listen', '127.0.0.1:0', '--admin-tls', '--tls-cert', join(live, 'cert.pem'), '--tls-key', join(live, 'key.pem')] });
    const m = /^Admin: https:\/\/127\.0\.0\.1:(\d+)/m.exec(ts.stdout());
    assert.ok(m, ts.stdout());
    port = Number(m[1]);
  });
  after(async () => {
    await ts?.stop();
    rmSync(live, { recursive: true, force: true });
    ca.dispose();
  });

  test('sign-in over TLS: the session cookie is Secure, HttpOnly, SameSite=Strict; the session works', async () => {
    const r = await call(port, ca.pem, 'POST', '/admin/v1/session', JSON.stringify({ accessKeyId: ts.accessKeyId, secretAccessKey: ts.secretAccessKey }));
    assert.equal(r.status, 201, r.body);
    const cookie = ([] as string[]).concat(r.headers['set-cookie'] ?? [])[0]!;
    const flags = cookie.split(';').slice(1).map((f) => f.trim());
    assert.ok(flags.includes('Secure'), cookie);
    assert.ok(flags.includes('HttpOnly') && flags.includes('SameSite=Strict'), cookie);
    const who = await new Promise<Answer>((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port, path: '/admin/v1/session', servername: 'localhost', ca: ca.pem, agent: false, headers: { cookie: cookie.split(';')[0]! } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text, serial: '' }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(who.status, 200, who.body);
    assert.equal(JSON.parse(who.body).via, 'session');
    const page = await call(port, ca.pem, 'GET', '/');
    assert.ok(page.status === 200 || page.status === 503, `the console page: ${page.status}`);
    assert.equal((await call(port, ca.pem, 'GET', '/health/live')).status, 200);
  });

  test('plain HTTP on the admin port gets no answer', async () => {
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(15_000) }));
  });

  test('a renewed certificate is served on the admin listener after SIGHUP, as on the S3 listener', async () => {
    const before = await call(port, ca.pem, 'GET', '/health/live');
    assert.equal(before.serial, serialOf(join(live, 'cert.pem')));
    const next = ca.issue(['localhost']);
    copyFileSync(next.key, join(live, 'key.pem'));
    copyFileSync(next.cert, join(live, 'cert.pem'));
    process.kill(ts.pid, 'SIGHUP');
    const wanted = serialOf(next.cert);
    assert.ok(await waitUntil(async () => (await call(port, ca.pem, 'GET', '/health/live')).serial === wanted, { timeoutMs: 10_000, intervalMs: 100 }),
      `the new certificate is served:\n${ts.stdout().slice(-3000)}`);
  });

  test('--admin-tls without certificates: start-up stops, saying so', () => {
    const r = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'dirbucket.js'), 'serve', '--root', live, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--admin-tls'],
      { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--admin-tls serves the admin listener with the certificates of --tls-cert and --tls-key/);
  });
});
