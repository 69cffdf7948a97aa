/**
 * End to end: Signature V2, signed here by hand as AWS documents it (HMAC-SHA1 over the V2 string to sign):
 * header and presigned requests, a wrong signature, expiry, clock skew, and Content-MD5 — which V2 signs in
 * place of the body — checked against the body received.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { errorOf, send } from './util.js';

let ts: TestServer;
const BUCKET = 'sigv2';

before(async () => {
  const started = await startWithBuckets([BUCKET]);
  ts = started.ts;
  await started.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'hello.txt', Body: 'hello v2' }));
});
after(() => ts?.stop());

const sign = (toSign: string, secret = ts.secretAccessKey): string => createHmac('sha1', secret).update(toSign, 'utf8').digest('base64');

/** A V2 header-signed request: `Authorization: AWS key:signature` over method, Content-MD5, Content-Type, Date and the resource. */
function v2(method: string, path: string, o: { body?: string; md5?: string; type?: string; date?: Date; secret?: string; amz?: Record<string, string> } = {}) {
  const date = (o.date ?? new Date()).toUTCString();
  const amz = Object.entries(o.amz ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}:${v}\n`).join('');
  const toSign = `${method}\n${o.md5 ?? ''}\n${o.type ?? ''}\n${date}\n${amz}${path}`;
  const headers: Record<string, string> = { date, authorization: `AWS ${ts.accessKeyId}:${sign(toSign, o.secret)}`, ...(o.amz ?? {}) };
  if (o.md5) headers['content-md5'] = o.md5;
  if (o.type) headers['content-type'] = o.type;
  if (o.body !== undefined) headers['content-length'] = String(Buffer.byteLength(o.body));
  return send(`${ts.endpoint}${path}`, { method, headers, body: o.body });
}

const md5 = (s: string): string => createHash('md5').update(s).digest('base64');

describe('signature V2', () => {
  it('a header-signed GET, PUT (with Content-MD5 and x-amz-meta) and listing succeed', async () => {
    const get = await v2('GET', `/${BUCKET}/hello.txt`);
    assert.equal(get.status, 200, get.text);
    assert.equal(get.text, 'hello v2');
    const body = 'written with V2';
    const put = await v2('PUT', `/${BUCKET}/put.txt`, { body, md5: md5(body), type: 'text/plain', amz: { 'x-amz-meta-via': 'v2' } });
    assert.equal(put.status, 200, put.text);
    assert.equal(await readFile(join(ts.root, BUCKET, 'put.txt'), 'utf8'), body);
    const head = await v2('HEAD', `/${BUCKET}/put.txt`);
    assert.equal(head.headers['x-amz-meta-via'], 'v2');
    const list = await v2('GET', `/${BUCKET}`);
    assert.match(list.text, /<Key>put.txt<\/Key>/);
  });

  it('a body that does not match its signed Content-MD5 is refused (BadDigest) and nothing is written', async () => {
    const r = await v2('PUT', `/${BUCKET}/tampered.txt`, { body: 'what arrived', md5: md5('what was signed') });
    assert.equal(r.status, 400, r.text);
    assert.equal(errorOf(r).Code, 'BadDigest');
    assert.equal(existsSync(join(ts.root, BUCKET, 'tampered.txt')), false);
    const policy = await v2('PUT', `/${BUCKET}?policy`, { body: '{"Version":"2012-10-17","Statement":[]}', md5: md5('{}') });
    assert.equal(errorOf(policy).Code, 'BadDigest', 'bodies that are not objects are checked too');
  });

  it('a wrong secret is SignatureDoesNotMatch with the string to sign; a skewed Date is RequestTimeTooSkewed', async () => {
    const bad = await v2('GET', `/${BUCKET}/hello.txt`, { secret: 'not-the-secret' });
    assert.equal(bad.status, 403);
    assert.equal(errorOf(bad).Code, 'SignatureDoesNotMatch');
    assert.match(bad.text, /<StringToSign>GET\n\n\n.*\n\/sigv2\/hello.txt<\/StringToSign>/);
    const skewed = await v2('GET', `/${BUCKET}/hello.txt`, { date: new Date(Date.now() - 20 * 60_000) });
    assert.equal(errorOf(skewed).Code, 'RequestTimeTooSkewed');
  });

  it('a presigned V2 URL works until it expires', async () => {
    const url = (expires: number) => `${ts.endpoint}/${BUCKET}/hello.txt?AWSAccessKeyId=${ts.accessKeyId}&Expires=${expires}`
      + `&Signature=${encodeURIComponent(sign(`GET\n\n\n${expires}\n/${BUCKET}/hello.txt`))}`;
    const ok = await send(url(Math.floor(Date.now() / 1000) + 300), { method: 'GET' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.text, 'hello v2');
    const expired = await send(url(Math.floor(Date.now() / 1000) - 5), { method: 'GET' });
    assert.equal(expired.status, 403);
    assert.match(errorOf(expired).Message, /expired/);
  });
});
