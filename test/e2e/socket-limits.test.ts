/**
 * Hostile clients at the socket, each cut off or refused within a bounded time while others are served: 50
 * connections trickling their headers (slowloris), a body trickled a byte a second, an oversized header block and
 * many repeated headers, TLS handshakes begun and never finished, plain HTTP to the HTTPS port. The limits tested
 * are the listener's: headers within 20 s, bodies at 1 KiB/s or more over 20 s, 16 KiB of headers, handshakes within 10 s.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { listFiles } from '../helpers/files.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { signV4 } from '../helpers/sigv4.js';
import { TestCa } from './openssl-ca.js';
import { join } from 'node:path';

/** What a hostile socket saw: the bytes answered, and how long after connecting the server closed it. */
interface Ending {
  answer: string;
  ms: number;
}

/** Opens a socket to `port`, lets `feed` write to it, and resolves once the server closes it (or after `capMs`, as Infinity). */
function hostile(port: number, feed: (s: Socket) => void, capMs = 45_000): Promise<Ending> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = connect(port, '127.0.0.1', () => feed(s));
    let answer = '';
    const cap = setTimeout(() => {
      s.destroy();
      resolve({ answer, ms: Infinity });
    }, capMs);
    s.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(cap);
      resolve({ answer, ms: Date.now() - t0 });
    });
  });
}

/** Writes `text` to `s` every `everyMs` until the socket closes. */
function trickle(s: Socket, text: string | (() => string | Buffer), everyMs: number): void {
  const timer = setInterval(() => (s.writable ? s.write(typeof text === 'string' ? text : text()) : clearInterval(timer)), everyMs);
  s.once('close', () => clearInterval(timer));
}

/** The server's resident memory, in bytes. */
function rss(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

describe('hostile clients at the socket', { concurrency: true }, () => {
  const ca = new TestCa();
  let ts: TestServer;
  let tls: TestServer;
  let s3: S3Client;
  before(async () => {
    const pair = ca.issue(['localhost']);
    [ts, tls] = await Promise.all([startServer(), startServer({ args: ['--tls-cert', pair.cert, '--tls-key', pair.key] })]);
    s3 = ts.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'limits' }));
    await s3.send(new PutObjectCommand({ Bucket: 'limits', Key: 'present', Body: 'still served' }));
  });
  after(async () => {
    await Promise.all([ts?.stop(), tls?.stop()]);
    ca.dispose();
  });

  test('50 connections trickling their headers are answered 400 RequestTimeout within 20 s; a GET is served meanwhile; memory stays flat', async () => {
    const rss0 = rss(ts.pid);
    const slow = Array.from({ length: 50 }, (_, i) => hostile(ts.port, (s) => {
      s.write(`GET /limits/present HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
      trickle(s, `X-Slow-${i}: y\r\n`, 1000);
    }));
    await sleep(3000);
    const t0 = Date.now();
    const got = await s3.send(new GetObjectCommand({ Bucket: 'limits', Key: 'present' }));
    assert.equal(await got.Body!.transformToString(), 'still served');
    assert.ok(Date.now() - t0 < 3000, `the GET took ${Date.now() - t0} ms while 50 sockets hung`);
    assert.ok(rss(ts.pid) - rss0 < 30e6, `memory grew by ${rss(ts.pid) - rss0} bytes`);
    for (const e of await Promise.all(slow)) {
      assert.ok(e.ms >= 19_000 && e.ms < 24_000, `closed after ${e.ms} ms`);
      assert.match(e.answer, /^HTTP\/1\.1 400 [^]*<Code>RequestTimeout<\/Code>/);
    }
  });

  test('a body trickled at a byte a second is cut off within 25 s, unanswered; nothing is written', async () => {
    const filesBefore = await listFiles(join(ts.root, 'limits'));
    const host = `127.0.0.1:${ts.port}`;
    const total = 1024 * 1024;
    const { headers } = signV4({
      method: 'PUT', canonicalUri: '/limits/trickled', headers: { host, 'content-length': String(total) }, payloadHash: 'UNSIGNED-PAYLOAD',
      accessKeyId: ts.accessKeyId, secretAccessKey: ts.secretAccessKey, region: ts.region,
    });
    const head = ['PUT /limits/trickled HTTP/1.1', `Host: ${host}`, `Content-Length: ${total}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
    const e = await hostile(ts.port, (s) => {
      s.write(head);
      s.write(Buffer.alloc(4096, 'a'));
      trickle(s, 'a', 1000);
    });
    assert.ok(e.ms >= 19_000 && e.ms < 27_000, `closed after ${e.ms} ms`);
    assert.equal(e.answer, '');
    await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: 'limits', Key: 'trickled' })), { name: 'NotFound' });
    // The staging sweep's heartbeat (.dirbucket/alive/, a job of the server) may appear meanwhile: not the request's.
    const sansHeartbeat = (files: string[]) => files.filter((f) => !f.startsWith('.dirbucket/alive/'));
    assert.deepEqual(sansHeartbeat(await listFiles(join(ts.root, 'limits'))), sansHeartbeat(filesBefore), 'nothing left in the bucket, internal state included');
  });

  test('a download its client stops reading for 26 s is not cut off: only a body coming in is held to a rate', async () => {
    const body = Buffer.alloc(16 * 1024 * 1024, 'd');
    // A bucket of its own: the tests run at once, and the trickled body's looks at what is in 'limits'.
    await s3.send(new CreateBucketCommand({ Bucket: 'downloads' }));
    await s3.send(new PutObjectCommand({ Bucket: 'downloads', Key: 'download', Body: body }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'downloads', Key: 'download' }));
    const stream = got.Body as import('node:stream').Readable;
    stream.pause();
    await sleep(26_000);
    let n = 0;
    for await (const chunk of stream) n += (chunk as Buffer).length;
    assert.equal(n, body.length);
  });

  test('an oversized header block: 400 RequestHeaderSectionTooLarge, closed, nothing written; many repeated headers within the limit are answered as usual', async () => {
    const big = await hostile(ts.port, (s) => s.write(`PUT /limits/big HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\nx`));
    assert.match(big.answer, /^HTTP\/1\.1 400 [^]*<Code>RequestHeaderSectionTooLarge<\/Code>/);
    assert.ok(big.ms < 3000, `closed after ${big.ms} ms`);
    const repeated = await hostile(ts.port, (s) => s.write(`PUT /limits/rep HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n${'X-R: 1\r\n'.repeat(5000)}\r\nx`));
    // node:http counts the bytes of names and values (4 a line here), not the separators.
    assert.match(repeated.answer, /^HTTP\/1\.1 400 [^]*<Code>RequestHeaderSectionTooLarge<\/Code>/, '5,000 repeated headers are 20 KB of names and values: over the limit');
    const within = await hostile(ts.port, (s) => s.write(`PUT /limits/rep HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nConnection: close\r\n${'X-R: 1\r\n'.repeat(1500)}\r\nx`));
    assert.match(within.answer, /^HTTP\/1\.1 403 [^]*<Code>AccessDenied<\/Code>/, 'an unsigned PUT with 1,500 repeated headers: refused as any unsigned PUT');
    for (const key of ['big', 'rep']) await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: 'limits', Key: key })), { name: 'NotFound' }, key);
  });

  test('HTTPS: 20 handshakes begun and never finished are cut off within 10 s, plain HTTP at once; a client is served meanwhile', async () => {
    // A TLS record header announcing a 512-byte ClientHello, then its first bytes only.
    const stalled = Array.from({ length: 20 }, () => hostile(tls.port, (s) => s.write(Buffer.from('1603010200010001fc0303', 'hex'))));
    const plain = hostile(tls.port, (s) => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await sleep(1000);
    const status = await new Promise<number>((resolve, reject) => {
      https.get({ host: '127.0.0.1', port: tls.port, path: '/', servername: 'localhost', ca: ca.pem, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on('error', reject);
    });
    assert.equal(status, 403, 'an unsigned request over HTTPS is answered while 20 handshakes hang');
    const p = await plain;
    assert.ok(p.ms < 3000, `plain HTTP closed after ${p.ms} ms`);
    assert.doesNotMatch(p.answer, /^HTTP\/1\.1 200/);
    for (const e of await Promise.all(stalled)) assert.ok(e.ms >= 9_000 && e.ms < 13_000, `handshake cut off after ${e.ms} ms`);
  });
});
