/**
 * End to end: what S3 requires of a request that locks bytes or changes a lock (issue #12). PutObject carrying
 * x-amz-object-lock-* headers, or into a bucket with a default retention, needs Content-MD5 or an x-amz-checksum-*
 * value; so do PutObjectRetention, PutObjectLegalHold and PutObjectLockConfiguration, whose digest is also checked
 * against the body. Without one: InvalidRequest with S3's words, and nothing written. @aws-sdk/client-s3 sends a
 * checksum on its own (the rest of the object lock tests use it unchanged). Directory objects (`a/`) cannot be
 * locked: 501 NotImplemented, nothing written.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand, GetObjectLegalHoldCommand, GetObjectLockConfigurationCommand, GetObjectRetentionCommand, PutObjectCommand,
  PutObjectLegalHoldCommand, PutObjectLockConfigurationCommand, PutObjectRetentionCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { checksumOf } from '../../src/checksums/checksum.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { parseXml, rawRequest, sdkError, type RawResponse } from './util.js';

const run = promisify(execFile);
const B = 'lock-digest';
const DEFAULTED = 'lock-digest-default';
const PUT_MESSAGE = 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters';
const LOCK_REQUEST_MESSAGE = 'Missing required header for this request: Content-MD5 OR x-amz-checksum-*';

let ts: TestServer;
let s3: S3Client;

const md5 = (body: string) => ({ 'content-md5': createHash('md5').update(body).digest('base64') });
const crc32 = (body: string) => ({ 'x-amz-checksum-crc32': checksumOf('CRC32', Buffer.from(body)).toString('base64') });
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const lockHeaders = () => ({ 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': inSeconds(600) });

function assertError(r: RawResponse, status: number, code: string, message?: string): void {
  assert.equal(r.status, status, r.text);
  const e = parseXml(r.text).Error;
  assert.equal(e.Code, code, r.text);
  if (message !== undefined) assert.equal(e.Message, message);
}

const head = (bucket: string, key: string) => rawRequest(ts, { method: 'HEAD', path: `/${bucket}/${key}` });

before(async () => {
  ts = await startServer();
  s3 = ts.client();
  await s3.send(new CreateBucketCommand({ Bucket: B, ObjectLockEnabledForBucket: true }));
  await s3.send(new CreateBucketCommand({ Bucket: DEFAULTED, ObjectLockEnabledForBucket: true }));
  await s3.send(new PutObjectLockConfigurationCommand({ Bucket: DEFAULTED, ObjectLockConfiguration: {
    ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } } }));
});

after(async () => {
  if (ts && process.getuid?.() === 0) await run('chattr', ['-R', '-i', ts.root]).catch(() => {});
  await ts?.stop();
});

describe('PutObject that locks its bytes', () => {
  it('without Content-MD5 or a checksum is InvalidRequest with S3\'s message, and writes nothing', async () => {
    for (const extra of [{}, { 'x-amz-sdk-checksum-algorithm': 'CRC32' }] as Record<string, string>[]) {
      const r = await rawRequest(ts, { method: 'PUT', path: `/${B}/bare`, headers: { ...lockHeaders(), ...extra }, body: 'data' });
      assertError(r, 400, 'InvalidRequest', PUT_MESSAGE);
    }
    const held = await rawRequest(ts, { method: 'PUT', path: `/${B}/bare`, headers: { 'x-amz-object-lock-legal-hold': 'ON' }, body: 'data' });
    assertError(held, 400, 'InvalidRequest', PUT_MESSAGE);
    assert.equal((await head(B, 'bare')).status, 404, 'nothing written');
  });

  it('with Content-MD5, an x-amz-checksum-* header or a checksum trailer goes ahead, locked', async () => {
    for (const [key, digest] of [['with-md5', md5('data')], ['with-crc32', crc32('data')]] as const) {
      const r = await rawRequest(ts, { method: 'PUT', path: `/${B}/${key}`, headers: { ...lockHeaders(), ...digest }, body: 'data' });
      assert.equal(r.status, 200, r.text);
      const got = await s3.send(new GetObjectRetentionCommand({ Bucket: B, Key: key }));
      assert.equal(got.Retention?.Mode, 'GOVERNANCE');
    }
    // The SDK sends its checksum as a trailer of an aws-chunked body.
    const sdk = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'with-sdk', Body: 'data', ObjectLockLegalHoldStatus: 'ON' }));
    assert.ok(sdk.VersionId);
    assert.equal((await s3.send(new GetObjectLegalHoldCommand({ Bucket: B, Key: 'with-sdk' }))).LegalHold?.Status, 'ON');
  });

  it('a wrong Content-MD5 is BadDigest and writes nothing', async () => {
    const r = await rawRequest(ts, { method: 'PUT', path: `/${B}/bad-md5`, headers: { ...lockHeaders(), ...md5('other') }, body: 'data' });
    assertError(r, 400, 'BadDigest');
    assert.equal((await head(B, 'bad-md5')).status, 404);
  });

  it('a bucket\'s default retention makes the digest required without any lock header; a bucket with lock but no default does not', async () => {
    const r = await rawRequest(ts, { method: 'PUT', path: `/${DEFAULTED}/plain`, body: 'data' });
    assertError(r, 400, 'InvalidRequest', PUT_MESSAGE);
    assert.equal((await head(DEFAULTED, 'plain')).status, 404, 'nothing written');
    const ok = await rawRequest(ts, { method: 'PUT', path: `/${DEFAULTED}/plain`, headers: md5('data'), body: 'data' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await s3.send(new GetObjectRetentionCommand({ Bucket: DEFAULTED, Key: 'plain' }))).Retention?.Mode, 'GOVERNANCE');
    const unlocked = await rawRequest(ts, { method: 'PUT', path: `/${B}/unlocked`, body: 'data' });
    assert.equal(unlocked.status, 200, 'nothing to lock: no digest needed');
  });
});

describe('requests that change a lock', () => {
  let versionId: string;
  before(async () => {
    versionId = (await s3.send(new PutObjectCommand({ Bucket: B, Key: 'target', Body: 'x' }))).VersionId!;
  });

  const retention = () => `<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>${inSeconds(600)}</RetainUntilDate></Retention>`;
  const hold = '<LegalHold><Status>ON</Status></LegalHold>';
  const config = '<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>1</Years></DefaultRetention></Rule></ObjectLockConfiguration>';
  const send = (query: [string, string][], body: string, headers: Record<string, string> = {}, path = `/${B}/target`) =>
    rawRequest(ts, { method: 'PUT', path, query, body, headers });

  async function unchanged(): Promise<void> {
    assert.equal((await sdkError(() => s3.send(new GetObjectRetentionCommand({ Bucket: B, Key: 'target', VersionId: versionId })))).name, 'NoSuchObjectLockConfiguration');
    assert.equal((await sdkError(() => s3.send(new GetObjectLegalHoldCommand({ Bucket: B, Key: 'target', VersionId: versionId })))).name, 'NoSuchObjectLockConfiguration');
    const c = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: B }));
    assert.equal(c.ObjectLockConfiguration?.Rule, undefined, 'no default retention');
  }

  it('without a digest are InvalidRequest (S3\'s message) and change nothing', async () => {
    const cases: [[string, string][], string][] = [[[['retention', ''], ['versionId', versionId]], retention()], [[['legal-hold', ''], ['versionId', versionId]], hold]];
    for (const [query, body] of cases) {
      assertError(await send(query, body), 400, 'InvalidRequest', LOCK_REQUEST_MESSAGE);
      assertError(await send(query, body, { 'x-amz-sdk-checksum-algorithm': 'CRC32' }), 400, 'InvalidRequest', LOCK_REQUEST_MESSAGE);
    }
    assertError(await send([['object-lock', '']], config, {}, `/${B}`), 400, 'InvalidRequest', LOCK_REQUEST_MESSAGE);
    await unchanged();
  });

  it('with a digest that does not match the body are BadDigest and change nothing', async () => {
    assertError(await send([['retention', ''], ['versionId', versionId]], retention(), md5('something else')), 400, 'BadDigest');
    assertError(await send([['legal-hold', ''], ['versionId', versionId]], hold, crc32('something else')), 400, 'BadDigest');
    assertError(await send([['object-lock', '']], config, md5('x'), `/${B}`), 400, 'BadDigest');
    await unchanged();
  });

  it('with Content-MD5 or x-amz-checksum-* go ahead; the SDK sends a checksum on its own', async () => {
    const r = retention();
    assert.equal((await send([['retention', ''], ['versionId', versionId]], r, md5(r))).status, 200);
    assert.equal((await send([['legal-hold', ''], ['versionId', versionId]], hold, crc32(hold))).status, 200);
    assert.equal((await s3.send(new GetObjectLegalHoldCommand({ Bucket: B, Key: 'target', VersionId: versionId }))).LegalHold?.Status, 'ON');
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: B, Key: 'target', VersionId: versionId, LegalHold: { Status: 'OFF' } }));
    await s3.send(new PutObjectRetentionCommand({ Bucket: B, Key: 'target', VersionId: versionId, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + 900_000) } }));
    const other = 'lock-digest-config';
    await s3.send(new CreateBucketCommand({ Bucket: other, ObjectLockEnabledForBucket: true }));
    assert.equal((await send([['object-lock', '']], config, crc32(config), `/${other}`)).status, 200);
    assert.equal((await s3.send(new GetObjectLockConfigurationCommand({ Bucket: other }))).ObjectLockConfiguration?.Rule?.DefaultRetention?.Years, 1);
  });
});

describe('the AWS SDK v3', () => {
  it('sends a checksum on its own by default; told to send one only when required, its lock PutObject is refused as S3 refuses it, its lock requests still go', async () => {
    // WHEN_SUPPORTED (the default) is exercised by every SDK call above; WHEN_REQUIRED sends none on PutObject.
    const sparing = ts.client({ requestChecksumCalculation: 'WHEN_REQUIRED' });
    const e = await sdkError(() => sparing.send(new PutObjectCommand({ Bucket: B, Key: 'sparing', Body: 'data', ObjectLockLegalHoldStatus: 'ON' })));
    assert.equal(e.name, 'InvalidRequest');
    assert.equal(e.message, PUT_MESSAGE);
    assert.equal((await head(B, 'sparing')).status, 404, 'nothing written');
    const withMd5 = await sparing.send(new PutObjectCommand({ Bucket: B, Key: 'sparing', Body: 'data', ContentMD5: md5('data')['content-md5'], ObjectLockLegalHoldStatus: 'ON' }));
    assert.ok(withMd5.VersionId);
    // PutObjectLegalHold requires a checksum in the SDK's model: sent whatever the setting.
    await sparing.send(new PutObjectLegalHoldCommand({ Bucket: B, Key: 'sparing', VersionId: withMd5.VersionId, LegalHold: { Status: 'OFF' } }));
    assert.equal((await s3.send(new GetObjectLegalHoldCommand({ Bucket: B, Key: 'sparing', VersionId: withMd5.VersionId }))).LegalHold?.Status, 'OFF');
  });
});

describe('directory objects (keys ending in /)', () => {
  it('cannot be locked: 501 NotImplemented for lock headers, a default retention, retention and legal hold; nothing written', async () => {
    const put = await rawRequest(ts, { method: 'PUT', path: `/${B}/folder/`, headers: { ...lockHeaders(), ...md5('') }, body: '' });
    assertError(put, 501, 'NotImplemented');
    assert.equal((await head(B, 'folder/')).status, 404, 'no directory made');
    const byDefault = await rawRequest(ts, { method: 'PUT', path: `/${DEFAULTED}/folder/`, headers: md5(''), body: '' });
    assertError(byDefault, 501, 'NotImplemented');
    assert.equal((await head(DEFAULTED, 'folder/')).status, 404, 'no directory made');
    // One made where nothing locks it: its lock cannot be set afterwards either.
    assert.equal((await rawRequest(ts, { method: 'PUT', path: `/${B}/made/`, body: '' })).status, 200);
    const r = `<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>${inSeconds(600)}</RetainUntilDate></Retention>`;
    assertError(await rawRequest(ts, { method: 'PUT', path: `/${B}/made/`, query: [['retention', '']], body: r, headers: md5(r) }), 501, 'NotImplemented');
    const h = '<LegalHold><Status>ON</Status></LegalHold>';
    assertError(await rawRequest(ts, { method: 'PUT', path: `/${B}/made/`, query: [['legal-hold', '']], body: h, headers: md5(h) }), 501, 'NotImplemented');
    assert.equal((await sdkError(() => s3.send(new GetObjectLegalHoldCommand({ Bucket: B, Key: 'made/' })))).name, 'NoSuchObjectLockConfiguration');
    // The SDK's own way: the same answer.
    const sdk = await sdkError(() => s3.send(new PutObjectCommand({ Bucket: B, Key: 'sdk-folder/', Body: '', ObjectLockLegalHoldStatus: 'ON' })));
    assert.equal(sdk.status, 501);
  });
});
