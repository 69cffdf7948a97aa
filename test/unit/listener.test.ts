/**
 * Listeners hosting apps, in process on real sockets: two listeners side by side, the exchange's one access line,
 * the S3 app mounted as an app, unparsable requests, a failing app, Expect: 100-continue, HTTPS, and stop().
 */
import { after, before, describe, test } from 'node:test';
import { skipTest } from '../helpers/requires.js';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { App } from '../../src/server/app.js';
import { listen, type Listener } from '../../src/server/listener.js';
import { s3App } from '../../src/s3/app.js';
import { PosixBackend } from '../../src/storage/posix/posix-backend.js';
import { UserDirectory } from '../../src/accounts/user-directory.js';
import { processIdentity } from '../../src/accounts/identity.js';

/** A logger that keeps its lines. */
function capture(): { lines: Record<string, unknown>[]; log: Logger } {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) }) };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request to a listener; `agent` options pass through (TLS trust, for one). */
function get(l: Listener, path: string, opts: https.RequestOptions = {}, body?: string): Promise<Reply> {
  const send = l.scheme === 'https' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send({ host: l.host, port: l.port, path, method: body === undefined ? 'GET' : 'PUT', agent: false, ...opts }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    if (body !== undefined && (opts.headers as http.OutgoingHttpHeaders | undefined)?.expect) req.on('continue', () => req.end(body));
    else req.end(body);
  });
}

/** Sends raw bytes and reads until the server closes. */
function raw(l: Listener, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(l.port, l.host);
    let out = '';
    s.on('data', (c: Buffer) => (out += c.toString('latin1')));
    s.on('end', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(10_000, () => s.destroy(new Error('raw request timed out')));
    s.end(bytes);
  });
}

/** An app that answers `text`, naming its operation after the path. */
function textApp(text: string): App {
  return {
    handle: async (ex) => {
      ex.operation = `Get${ex.req.url}`;
      await ex.send({ status: 200, headers: { 'Content-Type': 'text/plain', 'x-expect-continue': String(ex.expectContinue) }, body: text });
    },
  };
}

describe('listeners', () => {
  test('two listeners in one process, each with its app; one access line per request', async () => {
    const { lines, log } = capture();
    const a = await listen(textApp('from a'), { host: '127.0.0.1', port: 0, log });
    const b = await listen(textApp('from b'), { host: '127.0.0.1', port: 0, log });
    try {
      assert.notEqual(a.port, b.port);
      assert.equal(a.scheme, 'http');
      const ra = await get(a, '/x');
      const rb = await get(b, '/y');
      assert.deepEqual([ra.status, ra.body, rb.status, rb.body], [200, 'from a', 200, 'from b']);
      assert.equal(ra.headers.server, 'dirbucket');
      assert.equal(ra.headers['x-expect-continue'], 'false');
      const access = lines.filter((l) => l.msg === 'request');
      assert.deepEqual(access.map((l) => [l.op, l.status]), [['Get/x', 200], ['Get/y', 200]]);
      for (const l of access) {
        assert.match(String(l.req_id), /^[0-9A-F]{16}$/);
        // bytes_in counts what came after the request's headers: nothing, for a GET.
        assert.ok(l.bytes_in === 0 && (l.bytes_out as number) > ra.body.length && typeof l.ms === 'number', JSON.stringify(l));
        assert.equal(l.error, undefined);
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  test('an app that throws gets a 500 answered for it, a logged failure and its access line', async () => {
    const { lines, log } = capture();
    const l = await listen({ handle: async () => { throw new Error('broken app'); } }, { host: '127.0.0.1', port: 0, log });
    try {
      assert.equal((await get(l, '/')).status, 500);
      assert.equal(lines.filter((x) => x.msg === 'unexpected failure').length, 1);
      assert.deepEqual(lines.filter((x) => x.msg === 'request').map((x) => x.status), [500]);
    } finally {
      await l.stop();
    }
  });

  test('the app sees Expect: 100-continue and answers without the body when it chooses', async () => {
    const { lines, log } = capture();
    const l = await listen(textApp('early'), { host: '127.0.0.1', port: 0, log });
    try {
      const r = await get(l, '/', { headers: { expect: '100-continue', 'content-length': '5' } }, 'hello');
      assert.equal(r.headers['x-expect-continue'], 'true');
      assert.equal(lines.filter((x) => x.msg === 'request').length, 1);
    } finally {
      await l.stop();
    }
  });

  test('a request node cannot parse gets a bare 431 or 400 from an app without its own answer', async () => {
    const l = await listen(textApp('x'), { host: '127.0.0.1', port: 0, log: capture().log });
    try {
      assert.match(await raw(l, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), /^HTTP\/1\.1 431 [^\r]*\r\nContent-Length: 0\r\nConnection: close\r\n\r\n$/);
      assert.match(await raw(l, 'NOT HTTP AT ALL\r\n\r\n'), /^HTTP\/1\.1 400 /);
    } finally {
      await l.stop();
    }
  });

  test('stop() ends the listener: new connections are refused', async () => {
    const l = await listen(textApp('x'), { host: '127.0.0.1', port: 0, log: capture().log });
    await l.stop();
    await assert.rejects(get(l, '/'), /ECONNREFUSED/);
  });
});

describe('the S3 app on a listener', () => {
  let dir: string;
  let backend: PosixBackend;
  let users: UserDirectory;
  let l: Listener;
  const { lines, log } = capture();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dirbucket-listener-'));
    await mkdir(join(dir, 'root'));
    backend = new PosixBackend({ root: join(dir, 'root'), metadata: 'sidecar', fsync: false, followSymlinks: false });
    await backend.createBucket({ bucket: 'bkt' });
    users = await UserDirectory.open({
      file: join(dir, 'users.json'), admin: { accessKeyId: 'ADMINKEY0000', secretAccessKey: 'secret-secret-secret' }, self: processIdentity(), ownIdentityOnly: true,
    });
    l = await listen(s3App({ backend, credentials: users, settings: { region: 'us-east-1', maxXmlBytes: 1 << 20 }, log }), { host: '127.0.0.1', port: 0, log });
  });
  after(async () => {
    await l.stop();
    users.close();
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('an S3 error: XML answer, the request id in header, document and access line, the error code logged', async () => {
    const r = await get(l, '/bkt/some/key');
    assert.equal(r.status, 403);
    const id = r.headers['x-amz-request-id'];
    assert.equal(r.headers['x-amz-id-2'], id);
    assert.match(r.body, new RegExp(`<Code>AccessDenied</Code>.*<Resource>/bkt/some/key</Resource><RequestId>${id}</RequestId>`));
    const line = lines.find((x) => x.msg === 'request' && x.req_id === id);
    assert.ok(line, 'an access line for the request');
    assert.deepEqual([line.op, line.bucket, line.key, line.status, line.error], ['GetObject', 'bkt', 'some/key', 403, 'AccessDenied']);
  });

  test('a HEAD error has no body and a zero length', async () => {
    const r = await get(l, '/bkt/k', { method: 'HEAD' });
    assert.equal(r.status, 403);
    assert.equal(r.headers['content-length'], '0');
    assert.equal(r.body, '');
  });

  test('headers too large: the S3 error document, then the connection closes', async () => {
    const answer = await raw(l, `GET /bkt HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 400 [^\r]*\r\nContent-Type: application\/xml\r\nContent-Length: \d+\r\nConnection: close\r\n\r\n/);
    assert.match(answer, /<Code>RequestHeaderSectionTooLarge<\/Code>/);
  });
});

describe('HTTPS', () => {
  test('given a key and certificate, the listener speaks HTTPS with the same app', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'dirbucket-tls-'));
    try {
      const key = join(dir, 'key.pem');
      const cert = join(dir, 'cert.pem');
      const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key,
        '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
      if (made.error) {
        skipTest(t, `openssl is not installed (apt-get install openssl): ${made.error.message}`);
        return;
      }
      assert.equal(made.status, 0, made.stderr);
      const pem = { key: await readFile(key), cert: await readFile(cert) };
      const { lines, log } = capture();
      const l = await listen(textApp('over tls'), { host: '127.0.0.1', port: 0, tls: pem, log });
      try {
        assert.equal(l.scheme, 'https');
        const r = await get(l, '/secure', { ca: pem.cert });
        assert.deepEqual([r.status, r.body, r.headers.server], [200, 'over tls', 'dirbucket']);
        assert.deepEqual(lines.filter((x) => x.msg === 'request').map((x) => x.op), ['Get/secure']);
        await assert.rejects(get(l, '/'), /self[- ]signed|unable to verify/i, 'a client that does not trust the certificate is refused');
      } finally {
        await l.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
