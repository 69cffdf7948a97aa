/**
 * HTTPS with real clients against a CA made by openssl: the AWS SDK, certificate replacement under a live keep-alive
 * client (by watching the files and on SIGHUP, a bad replacement keeping the old one), several names by SNI, every
 * start-up error naming its file, `cert status` and `cert create`, and plain HTTP or a stalled handshake on the port.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { repoRoot } from '../helpers/repo-root.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { TestCa } from './openssl-ca.js';

const ca = new TestCa();
after(() => ca.dispose());

/** Runs the dirbucket command line to completion. */
function dirbucket(...args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'dirbucket.js'), ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

interface Seen {
  status: number;
  serial: string;
  reused: boolean;
}

/** GET / over `agent`, reporting the certificate the connection carries and whether the connection was reused. */
function probe(port: number, agent: https.Agent, servername = 'localhost'): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/', agent, servername }, (res) => {
      const serial = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().serialNumber;
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

describe('HTTPS', () => {
  let dir: string;
  let ts: TestServer;
  const live = join(tmpdir(), `dirbucket-live-${process.pid}`);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dirbucket-tls-'));
    mkdirSync(live, { recursive: true });
    const first = ca.issue(['localhost']);
    copyFileSync(first.cert, join(live, 'cert.pem'));
    copyFileSync(first.key, join(live, 'key.pem'));
    const other = ca.issue(['other.test']);
    ts = await startServer({ args: ['--tls-cert', join(live, 'cert.pem'), '--tls-key', join(live, 'key.pem'), '--tls-cert', other.cert, '--tls-key', other.key] });
  });
  after(async () => {
    await ts?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(live, { recursive: true, force: true });
  });

  test('the AWS SDK over HTTPS, trusting the CA', async () => {
    assert.match(ts.endpoint, /^https:/);
    const s3 = ts.client({ requestHandler: { httpsAgent: new https.Agent({ ca: ca.pem }) } });
    await s3.send(new CreateBucketCommand({ Bucket: 'secure' }));
    await s3.send(new PutObjectCommand({ Bucket: 'secure', Key: 'a.txt', Body: 'over tls' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'secure', Key: 'a.txt' }));
    assert.equal(await got.Body!.transformToString(), 'over tls');
  });

  test('a client that does not trust the CA is refused its handshake', async () => {
    await assert.rejects(probe(ts.port, new https.Agent()), /self-signed|unable to (get|verify)/i);
  });

  test('the certificate is chosen by SNI', async () => {
    const other = await probe(ts.port, new https.Agent({ ca: ca.pem }), 'other.test');
    const dflt = await probe(ts.port, new https.Agent({ ca: ca.pem, checkServerIdentity: () => undefined }), 'unknown.test');
    assert.notEqual(other.serial, dflt.serial);
    assert.equal(dflt.serial, serialOf(join(live, 'cert.pem')));
  });

  test('a replaced certificate serves new handshakes; a keep-alive connection carries on; a bad one keeps the old', async () => {
    const keepAlive = new https.Agent({ ca: ca.pem, keepAlive: true, maxSockets: 1 });
    try {
      const before = await probe(ts.port, keepAlive);
      assert.equal(before.serial, serialOf(join(live, 'cert.pem')));
      // Replace both files the way renewal tools do: written beside, renamed over.
      const next = ca.issue(['localhost']);
      copyFileSync(next.key, join(live, 'key.new'));
      copyFileSync(next.cert, join(live, 'cert.new'));
      renameSync(join(live, 'key.new'), join(live, 'key.pem'));
      renameSync(join(live, 'cert.new'), join(live, 'cert.pem'));
      const wanted = serialOf(next.cert);
      assert.ok(await waitUntil(async () => (await probe(ts.port, new https.Agent({ ca: ca.pem }))).serial === wanted, { timeoutMs: 10_000, intervalMs: 100 }),
        `the new certificate is served:\n${ts.stdout().slice(-3000)}`);
      const still = await probe(ts.port, keepAlive);
      assert.deepEqual([still.status, still.reused, still.serial], [403, true, before.serial], 'the open connection carries on with the certificate it began with');

      // A bad replacement (a key that does not fit): logged, and the good certificate stays.
      copyFileSync(ca.issue(['localhost']).key, join(live, 'key.pem'));
      assert.ok(await waitUntil(() => /certificate not reloaded; the one in use stays/.test(ts.stdout()), { timeoutMs: 10_000, intervalMs: 100 }), ts.stdout().slice(-3000));
      assert.match(ts.stdout(), /does not match certificate/);
      assert.equal((await probe(ts.port, new https.Agent({ ca: ca.pem }))).serial, wanted);
    } finally {
      keepAlive.destroy();
    }
  });

  test('plain HTTP to the HTTPS port and a handshake never sent are cut off, and others are served meanwhile', async () => {
    const stalled = connect(ts.port, '127.0.0.1'); // connects and sends nothing
    const plain = await new Promise<string>((resolve) => {
      const s = connect(ts.port, '127.0.0.1', () => s.end('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      let out = '';
      s.on('data', (c: Buffer) => (out += c.toString('latin1')));
      s.on('close', () => resolve(out));
      s.on('error', () => undefined);
      s.setTimeout(5_000, () => s.destroy());
    });
    assert.doesNotMatch(plain, /^HTTP\/1\.1 200/);
    assert.equal((await probe(ts.port, new https.Agent({ ca: ca.pem }))).status, 403, 'another client is served while one stalls');
    const closed = await new Promise<boolean>((resolve) => {
      stalled.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 15_000).unref();
    });
    stalled.destroy();
    assert.ok(closed, 'a connection that never handshakes is closed within the handshake timeout');
  });
});

describe('start-up refuses a certificate it cannot serve, naming the file', () => {
  const good = ca.issue(['localhost']);
  const cases: [string, string[], RegExp][] = [
    ['a missing file', ['--tls-cert', '/nonexistent/cert.pem', '--tls-key', good.key], /certificate \/nonexistent\/cert\.pem: cannot read it: no such file/],
    ['an unreadable file', ['--tls-cert', good.cert, '--tls-key', tmpdir()], new RegExp(`private key ${tmpdir()}: cannot read it: is a directory`)],
    ['a key that does not fit', ['--tls-cert', good.cert, '--tls-key', ca.issue(['localhost']).key], /does not match certificate/],
    ['an expired certificate', (() => {
      const e = ca.issue(['localhost'], { start: '20200101000000Z', end: '20200201000000Z' });
      return ['--tls-cert', e.cert, '--tls-key', e.key];
    })(), /expired on 2020-02-01/],
    ['unpaired options', ['--tls-cert', good.cert], /--tls-cert and --tls-key come in pairs/],
  ];
  for (const [what, args, message] of cases) {
    test(what, () => {
      const root = mkdtempSync(join(tmpdir(), 'dirbucket-tlsbad-'));
      try {
        const r = dirbucket('serve', '--root', root, '--listen', '127.0.0.1:0', '--admin-listen', 'off', ...args);
        assert.equal(r.code, 2, r.out);
        assert.match(r.out, message);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }

  test('a certificate expiring within 30 days starts, with a warning', async () => {
    const soon = ca.issue(['localhost'], { days: 5 });
    const ts = await startServer({ args: ['--tls-cert', soon.cert, '--tls-key', soon.key] });
    try {
      assert.match(ts.stdout(), /certificate expires in 4 day/);
    } finally {
      await ts.stop();
    }
  });
});

describe('dirbucket cert', () => {
  test('status: text and --json, with the listener, and exit 1 for a pair serve would refuse', () => {
    const p = ca.issue(['status.test']);
    const t = dirbucket('cert', 'status', '--tls-cert', p.cert, '--tls-key', p.key, '--listen', '0.0.0.0:9443');
    assert.equal(t.code, 0, t.out);
    assert.match(t.out, /names: +127\.0\.0\.1, status\.test/);
    assert.match(t.out, /issuer: +CN=dirbucket test CA/);
    assert.match(t.out, /listener: +https:\/\/0\.0\.0\.0:9443/);
    const cfgDir = mkdtempSync(join(tmpdir(), 'dirbucket-certcfg-'));
    try {
      writeFileSync(join(cfgDir, 'c.yaml'), `tls:\n  - cert: ${p.cert}\n    key: ${ca.issue(['x.test']).key}\n`);
      const j = dirbucket('cert', 'status', '--json', '--config', join(cfgDir, 'c.yaml'));
      assert.equal(j.code, 1, j.out);
      const [s] = JSON.parse(j.out) as { subject: string; daysLeft: number; notAfter: string; problem: string }[];
      assert.equal(s!.subject, 'CN=status.test');
      assert.ok(s!.daysLeft >= 18 && s!.daysLeft <= 20, String(s!.daysLeft));
      assert.match(s!.problem, /does not match/);
    } finally {
      rmSync(cfgDir, { recursive: true, force: true });
    }
  });

  test('create writes a self-signed pair that serve accepts and clients can trust', async () => {
    const d = mkdtempSync(join(tmpdir(), 'dirbucket-certnew-'));
    try {
      const r = dirbucket('cert', 'create', '--host', 'localhost', '--host', '127.0.0.1', '--days', '90', '--cert', join(d, 'c.pem'), '--key', join(d, 'k.pem'));
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /--ca-bundle/);
      const again = dirbucket('cert', 'create', '--host', 'localhost', '--cert', join(d, 'c.pem'), '--key', join(d, 'k2.pem'));
      assert.equal(again.code, 2, 'an existing file is not overwritten');
      const ts = await startServer({ args: ['--tls-cert', join(d, 'c.pem'), '--tls-key', join(d, 'k.pem')] });
      try {
        const { readFileSync } = await import('node:fs');
        const seen = await probe(ts.port, new https.Agent({ ca: readFileSync(join(d, 'c.pem')) }));
        assert.equal(seen.status, 403);
      } finally {
        await ts.stop();
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
