/** End to end: addressing (path style and virtual-hosted style with --domain), Expect: 100-continue, keep-alive. */
import assert from 'node:assert/strict';
import type { LookupFunction } from 'node:net';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { bodyBytes, errorOf, parseXml, rawRequest, sha256hex, signHeaders, type RawResponse } from './util.js';

let ts: TestServer;
let s3: S3Client;
const DOMAIN = 'vhost.test';
const BUCKET = 'wire';

before(async () => {
  ({ ts, s3 } = await startWithBuckets([BUCKET], { args: ['--domain', DOMAIN] }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'dir/hello.txt', Body: 'hello wire' }));
});

after(() => ts?.stop());

/** Resolves every *.vhost.test name to 127.0.0.1, so virtual-hosted requests stay on the loopback. */
const loopbackLookup = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
  if (hostname !== DOMAIN && !hostname.endsWith('.' + DOMAIN)) {
    callback(new Error(`test lookup refuses ${hostname}`));
    return;
  }
  if (options?.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;

describe('virtual-hosted-style addressing (--domain)', () => {
  const vhost = (bucket?: string): string => `${bucket ? bucket + '.' : ''}${DOMAIN}:${ts.port}`;

  it('GET on bucket.domain/key reads the object', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: '/dir/hello.txt', host: vhost(BUCKET) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, 'hello wire');
  });

  it('GET on bucket.domain/ lists the bucket', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: '/', query: [['list-type', '2']], host: vhost(BUCKET) });
    assert.equal(r.status, 200, r.text);
    assert.equal(parseXml(r.text)['ListBucketResult']['Name'], BUCKET);
  });

  it('PUT on bucket.domain/key writes into that bucket', async () => {
    const r = await rawRequest(ts, { method: 'PUT', path: '/vh/put.txt', host: vhost(BUCKET), body: 'virtual' });
    assert.equal(r.status, 200, r.text);
    assert.equal(await readFile(join(ts.root, BUCKET, 'vh', 'put.txt'), 'utf8'), 'virtual');
  });

  it('the path is the whole key: a first segment is not taken for a bucket', async () => {
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/nested.txt`, host: vhost(BUCKET), body: 'n' });
    assert.equal(r.status, 200, r.text);
    assert.ok(existsSync(join(ts.root, BUCKET, BUCKET, 'nested.txt')));
  });

  it('the bare domain is the service: GET / lists buckets', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: '/', host: vhost() });
    assert.equal(r.status, 200, r.text);
    assert.ok(parseXml(r.text)['ListAllMyBucketsResult'], r.text);
  });

  it('the bare domain also takes path-style requests', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/dir/hello.txt`, host: vhost() });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, 'hello wire');
  });

  it('a missing virtual-hosted bucket answers NoSuchBucket', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: '/k', host: vhost('no-such-vhost-bucket') });
    assert.equal(r.status, 404);
    assert.equal(errorOf(r).Code, 'NoSuchBucket');
  });

  it('the AWS SDK without forcePathStyle works end to end', async () => {
    const agent = new http.Agent({ keepAlive: true, lookup: loopbackLookup });
    const c = ts.client({ endpoint: `http://${DOMAIN}:${ts.port}`, forcePathStyle: false, requestHandler: { httpAgent: agent } });
    try {
      await c.send(new CreateBucketCommand({ Bucket: 'vh-made' }));
      assert.ok(statSync(join(ts.root, 'vh-made')).isDirectory());
      await c.send(new PutObjectCommand({ Bucket: 'vh-made', Key: 'a/b.txt', Body: 'via vhost' }));
      const got = await c.send(new GetObjectCommand({ Bucket: 'vh-made', Key: 'a/b.txt' }));
      assert.equal((await bodyBytes(got.Body)).toString(), 'via vhost');
      const list = await c.send(new ListObjectsV2Command({ Bucket: 'vh-made' }));
      assert.deepEqual((list.Contents ?? []).map((o) => o.Key), ['a/b.txt']);
      const buckets = await c.send(new ListBucketsCommand({}));
      assert.ok((buckets.Buckets ?? []).some((b) => b.Name === 'vh-made'));
    } finally {
      agent.destroy();
    }
  });
});

describe('path-style addressing', () => {
  it('works on 127.0.0.1 alongside --domain', async () => {
    const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'dir/hello.txt' }));
    assert.equal((await bodyBytes(out.Body)).toString(), 'hello wire');
  });
});

/** Sends a signed PUT with `Expect: 100-continue`; writes the body only after a 100 (bounded wait). */
function putWithExpect(path: string, body: Buffer, o: { secretAccessKey?: string } = {}): Promise<RawResponse & { continued: boolean }> {
  const signed = signHeaders(ts, { method: 'PUT', path, payloadHash: sha256hex(body), secretAccessKey: o.secretAccessKey });
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = http.request(`${ts.endpoint}${path}`, {
      method: 'PUT',
      headers: { ...signed.headers, 'content-length': String(body.length), expect: '100-continue' },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, text: b.toString('utf8'), continued });
      });
    });
    req.on('continue', () => {
      continued = true;
      req.end(body);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('Expect: 100-continue request timed out')));
    req.on('error', reject);
    req.flushHeaders();
  });
}

describe('Expect: 100-continue', () => {
  it('the server answers 100 Continue, then stores the body', async () => {
    const body = Buffer.alloc(256 * 1024, 7);
    const r = await putWithExpect(`/${BUCKET}/expect.bin`, body);
    assert.equal(r.continued, true, 'got 100 Continue');
    assert.equal(r.status, 200, r.text);
    assert.ok((await readFile(join(ts.root, BUCKET, 'expect.bin'))).equals(body));
  });

  it('a request that fails authentication is answered without waiting for the body', async () => {
    const r = await putWithExpect(`/${BUCKET}/expect-denied.bin`, Buffer.alloc(1024, 1), { secretAccessKey: 'wrong' });
    assert.equal(r.status, 403);
    assert.equal(existsSync(join(ts.root, BUCKET, 'expect-denied.bin')), false);
  });
});

describe('keep-alive', () => {
  it('several requests, including an error, share one connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const reused: boolean[] = [];
      const statuses: number[] = [];
      const paths = [`/${BUCKET}/dir/hello.txt`, `/${BUCKET}/missing`, `/${BUCKET}/dir/hello.txt`, '/'];
      for (const path of paths) {
        const signed = signHeaders(ts, { method: 'GET', path, payloadHash: sha256hex('') });
        await new Promise<void>((resolve, reject) => {
          const req = http.request(`${ts.endpoint}${path}`, { method: 'GET', headers: signed.headers, agent }, (res) => {
            statuses.push(res.statusCode ?? 0);
            res.resume();
            res.on('end', resolve);
          });
          req.setTimeout(10_000, () => req.destroy(new Error('keep-alive request timed out')));
          req.on('error', reject);
          req.end();
          reused.push(req.reusedSocket);
        });
      }
      assert.deepEqual(statuses, [200, 404, 200, 200]);
      assert.deepEqual(reused, [false, true, true, true]);
    } finally {
      agent.destroy();
    }
  });

  it('the SDK client reuses its connections', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    let sockets = 0;
    const origCreate = agent.createConnection.bind(agent);
    agent.createConnection = ((...args: Parameters<typeof origCreate>) => {
      sockets++;
      return origCreate(...args);
    }) as typeof agent.createConnection;
    const c = ts.client({ requestHandler: { httpAgent: agent } });
    try {
      for (let i = 0; i < 10; i++) {
        await c.send(new PutObjectCommand({ Bucket: BUCKET, Key: `ka/${i}`, Body: `k${i}` }));
        const got = await c.send(new GetObjectCommand({ Bucket: BUCKET, Key: `ka/${i}` }));
        assert.equal((await bodyBytes(got.Body)).toString(), `k${i}`);
      }
      assert.ok(sockets <= 2, `opened ${sockets} connections for 20 sequential requests`);
    } finally {
      agent.destroy();
    }
  });
});
