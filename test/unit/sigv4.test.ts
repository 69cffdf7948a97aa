/** SigV4 against AWS's published vectors: the generic test suite, its canonical requests, and the S3 API reference examples. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { authenticate, type RequestToAuth } from '../../src/auth/authenticate.js';
import type { Credential, CredentialStore } from '../../src/accounts/credentials.js';
import { parseAuthorizationHeader } from '../../src/auth/sigv4/authorization-header.js';
import { canonicalHeaders } from '../../src/auth/sigv4/canonical-headers.js';
import { canonicalQuery, canonicalQueryFromPairs } from '../../src/auth/sigv4/canonical-query.js';
import { canonicalRequest } from '../../src/auth/sigv4/canonical-request.js';
import { canonicalUri } from '../../src/auth/sigv4/canonical-uri.js';
import { chunkStringToSign } from '../../src/auth/sigv4/chunk-signature.js';
import { credentialScope, sign, stringToSign } from '../../src/auth/sigv4/signature.js';
import { signingKey, signingKeyCacheSize } from '../../src/auth/sigv4/signing-key.js';
import { splitTarget } from '../../src/auth/sigv4/request-target.js';
import { uriEncode } from '../../src/auth/sigv4/uri-encode.js';
import { verifySignature } from '../../src/auth/sigv4/verify-signature.js';
import { S3Error } from '../../src/errors/s3-error.js';

// Vectors are data files in the source tree, next to this test's source (tests run from dist/).
const VECTORS = join(dirname(fileURLToPath(import.meta.url)), '../../../test/unit/vectors');
const load = (name: string): any => JSON.parse(readFileSync(join(VECTORS, name), 'utf8'));

const suite = load('sigv4-suite.json');
const canonical = load('sigv4-canonical.json');
const s3 = load('s3-examples.json');

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const valuesFrom = (headers: Record<string, string>) => (name: string): string[] =>
  headers[name] === undefined ? [] : [headers[name]];

test('generic suite: every vector verifies through the canonicalisation and signing core', () => {
  assert.ok(suite.cases.length >= 20);
  for (const c of suite.cases) {
    const auth = parseAuthorizationHeader(c.authorization);
    assert.equal(auth.service, 'service', c.name);
    // What a client puts on the wire: path and query encoded once.
    const rawPath = uriEncode(c.path, true);
    const rawQuery = (c.query as [string, string][]).map(([k, v]) => `${uriEncode(k, false)}=${uriEncode(v, false)}`).join('&');
    const key = signingKey(suite.credentials.secretAccessKey, auth.date, auth.region, auth.service);
    assert.doesNotThrow(() => verifySignature({
      method: c.method, rawPath, rawQuery, signedHeaders: auth.signedHeaders, valuesOf: valuesFrom(c.headers),
      payloadHashes: [sha256(c.body ?? '')], amzDate: suite.amzDate,
      scope: credentialScope(auth.date, auth.region, auth.service), signingKey: key,
      accessKeyId: auth.accessKeyId, provided: auth.signature,
    }), c.name);
  }
});

test('generic suite: a changed byte anywhere is refused', () => {
  const c = suite.cases.find((x: any) => x.name === 'get-vanilla-query-order-key-case');
  const auth = parseAuthorizationHeader(c.authorization);
  const key = signingKey(suite.credentials.secretAccessKey, auth.date, auth.region, auth.service);
  const base = {
    method: 'GET', rawPath: '/', rawQuery: 'Param2=value2&Param1=value1', signedHeaders: auth.signedHeaders,
    valuesOf: valuesFrom(c.headers), payloadHashes: [sha256('')], amzDate: suite.amzDate,
    scope: credentialScope(auth.date, auth.region, auth.service), signingKey: key, accessKeyId: auth.accessKeyId,
    provided: auth.signature,
  };
  assert.doesNotThrow(() => verifySignature(base));
  const variants = [
    { rawQuery: 'Param2=value2&Param1=value2' },
    { rawPath: '/x' },
    { method: 'PUT' },
    { payloadHashes: [sha256('x')] },
    { provided: auth.signature.replace(/.$/, (ch: string) => (ch === '0' ? '1' : '0')) },
    { valuesOf: valuesFrom({ ...c.headers, host: 'example.amazonaws.com.' }) },
  ];
  for (const v of variants) {
    assert.throws(() => verifySignature({ ...base, ...v }), (e: unknown) => e instanceof S3Error && e.code === 'SignatureDoesNotMatch',
      JSON.stringify(Object.keys(v)));
  }
});

test('canonical requests of the suite are rebuilt byte for byte', () => {
  for (const c of canonical.cases) {
    const { rawPath, rawQuery } = splitTarget(c.target);
    const creq = canonicalRequest({
      method: 'GET',
      canonicalUri: canonicalUri(rawPath),
      canonicalQuery: canonicalQuery(rawQuery),
      canonicalHeaders: canonicalHeaders(c.signedHeaders, valuesFrom(c.headers)),
      signedHeaders: c.signedHeaders.join(';'),
      payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
    assert.equal(creq, c.canonicalRequest, c.name);
    assert.equal(stringToSign('20150830T123600Z', '20150830/us-east-1/service/aws4_request', creq), c.stringToSign, c.name);
  }
});

test('canonical query: sorting, empty values, encoding', () => {
  assert.equal(canonicalQuery('acl'), 'acl=');
  assert.equal(canonicalQuery('b=2&a=3&a=1&c'), 'a=1&a=3&b=2&c=');
  assert.equal(canonicalQuery('prefix=a%20b&x=%2f'), 'prefix=a%20b&x=%2F');
  assert.equal(canonicalQuery('k=a+b'), 'k=a%2Bb');
  assert.equal(canonicalQuery('k=a+b', { plusIsSpace: true }), 'k=a%20b');
  assert.equal(canonicalQuery('X-Amz-Signature=abc&a=1', { exclude: 'X-Amz-Signature' }), 'a=1');
  assert.equal(canonicalQuery('k=100%'), 'k=100%25');
  // Upper-case names sort before lower-case ones (byte order), as AWS sorts.
  assert.equal(canonicalQueryFromPairs([['b', '1'], ['B', '2'], ['a', '']]), 'B=2&a=&b=1');
  // Sorted by code point before encoding (aws-c-auth's get-vanilla-utf8-query); encoded order on request.
  assert.equal(canonicalQueryFromPairs([['\u1234', 'x'], ['Z', 'y']]), 'Z=y&%E1%88%B4=x');
  assert.equal(canonicalQueryFromPairs([['\u1234', 'x'], ['Z', 'y']], 'encoded'), '%E1%88%B4=x&Z=y');
});

test('canonical URI: not normalised, encoded once the AWS way', () => {
  assert.equal(canonicalUri('/test$file.text'), '/test%24file.text');
  assert.equal(canonicalUri('/test%24file.text'), '/test%24file.text');
  assert.equal(canonicalUri('/a/./b/../c//d'), '/a/./b/../c//d');
  assert.equal(canonicalUri('/k%20ey/%E1%88%B4'), '/k%20ey/%E1%88%B4');
  assert.equal(canonicalUri("/a!b'c(d)e*f"), '/a%21b%27c%28d%29e%2Af');
  assert.equal(canonicalUri('/a+b'), '/a%2Bb');
  assert.equal(canonicalUri(''), '/');
});

const exampleStore = (cred: Partial<Credential> = {}): CredentialStore => ({
  lookup: (id) => (id === s3.credentials.accessKeyId ? { ...s3.credentials, ...cred } : undefined),
});
const NOW = new Date(s3.now);
const OPTS = { region: 'us-east-1', now: NOW };

function s3Code(code: string, message?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof S3Error, `not an S3Error: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  };
}

test('S3 reference examples: header-signed GET with Range, PUT, GET ?lifecycle, list objects', () => {
  for (const ex of s3.headerAuth) {
    const req: RequestToAuth = { method: ex.method, url: ex.url, headers: ex.headers };
    const r = authenticate(req, exampleStore(), OPTS);
    assert.ok(r, ex.name);
    assert.equal(r.credential.user, 'example');
    assert.equal(r.presigned, false);
    assert.equal(r.signing!.scope, '20130524/us-east-1/s3/aws4_request');
    assert.equal(r.signing!.seedSignature, /Signature=([0-9a-f]{64})/.exec(ex.headers.authorization)![1]);
    assert.deepEqual(r.payload, { kind: 'sha256', hash: ex.headers['x-amz-content-sha256'] }, ex.name);
    if (ex.canonicalRequest) {
      const auth = parseAuthorizationHeader(ex.headers.authorization);
      const { rawPath, rawQuery } = splitTarget(ex.url);
      const creq = canonicalRequest({
        method: ex.method, canonicalUri: canonicalUri(rawPath), canonicalQuery: canonicalQuery(rawQuery),
        canonicalHeaders: canonicalHeaders(auth.signedHeaders, valuesFrom(ex.headers)),
        signedHeaders: auth.signedHeaders.join(';'), payloadHash: ex.headers['x-amz-content-sha256'],
      });
      assert.equal(creq, ex.canonicalRequest, ex.name);
    }
    // The PUT example's body hash is the hash of its body.
    if (ex.body) assert.equal(sha256(ex.body), ex.headers['x-amz-content-sha256']);
  }
});

test('S3 PUT example: the key may arrive unencoded ($) and still verifies', () => {
  const ex = s3.headerAuth.find((e: any) => e.method === 'PUT');
  assert.ok(authenticate({ method: 'PUT', url: '/test$file.text', headers: ex.headers }, exampleStore(), OPTS));
});

test('S3 examples: SignatureDoesNotMatch carries the string to sign and canonical request', () => {
  const ex = s3.headerAuth[0];
  const headers = { ...ex.headers, range: 'bytes=0-10' };
  assert.throws(() => authenticate({ method: 'GET', url: ex.url, headers }, exampleStore(), OPTS), (e: unknown) => {
    assert.ok(e instanceof S3Error);
    assert.equal(e.code, 'SignatureDoesNotMatch');
    assert.equal(e.status, 403);
    assert.equal(e.fields.AWSAccessKeyId, 'AKIAIOSFODNN7EXAMPLE');
    assert.match(e.fields.CanonicalRequest, /\nrange:bytes=0-10\n/);
    assert.match(e.fields.StringToSign, /^AWS4-HMAC-SHA256\n20130524T000000Z\n20130524\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/);
    return true;
  });
});

test('S3 presigned URL example verifies, and expires after X-Amz-Expires', () => {
  const ex = s3.presigned;
  const req: RequestToAuth = { method: 'GET', url: ex.url, headers: ex.headers };
  const r = authenticate(req, exampleStore(), OPTS);
  assert.ok(r);
  assert.equal(r.presigned, true);
  assert.deepEqual(r.payload, { kind: 'unsigned' });
  // Still valid at the last second, expired one second later, with S3's exact message.
  assert.ok(authenticate(req, exampleStore(), { region: 'us-east-1', now: new Date(NOW.getTime() + 86400_000) }));
  assert.throws(() => authenticate(req, exampleStore(), { region: 'us-east-1', now: new Date(NOW.getTime() + 86401_000) }),
    (e: unknown) => e instanceof S3Error && e.code === 'AccessDenied' && e.message === 'Request has expired');
  // Its string to sign is the published one.
  assert.throws(() => authenticate({ ...req, url: ex.url.replace('test.txt', 'test2.txt') }, exampleStore(), OPTS),
    (e: unknown) => e instanceof S3Error && e.code === 'SignatureDoesNotMatch' && e.fields.StringToSign !== ex.stringToSign);
  const p = parseAuthorizationHeader(`AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x`);
  assert.equal(p.region, 'us-east-1');
  const creq = canonicalRequest({
    method: 'GET', canonicalUri: '/test.txt',
    canonicalQuery: canonicalQuery(splitTarget(ex.url).rawQuery, { exclude: 'X-Amz-Signature' }),
    canonicalHeaders: canonicalHeaders(['host'], valuesFrom(ex.headers)), signedHeaders: 'host', payloadHash: 'UNSIGNED-PAYLOAD',
  });
  assert.equal(stringToSign('20130524T000000Z', '20130524/us-east-1/s3/aws4_request', creq), ex.stringToSign);
});

test('presigned: X-Amz-Expires bounds and missing parameters', () => {
  const url = (expires: string) => s3.presigned.url.replace('X-Amz-Expires=86400', `X-Amz-Expires=${expires}`);
  const run = (u: string) => authenticate({ method: 'GET', url: u, headers: s3.presigned.headers }, exampleStore(), OPTS);
  assert.throws(() => run(url('604801')), s3Code('AuthorizationQueryParametersError', /604800/));
  assert.throws(() => run(url('0')), s3Code('AuthorizationQueryParametersError'));
  assert.throws(() => run(url('-5')), s3Code('AuthorizationQueryParametersError'));
  assert.throws(() => run(url('soon')), s3Code('AuthorizationQueryParametersError', /number/));
  assert.throws(() => run(s3.presigned.url.replace('&X-Amz-Expires=86400', '')), s3Code('AuthorizationQueryParametersError', /X-Amz-Expires/));
  assert.throws(() => run(s3.presigned.url.replace('X-Amz-Date=20130524T000000Z', 'X-Amz-Date=2013-05-24')), s3Code('AuthorizationQueryParametersError'));
  assert.throws(() => run(s3.presigned.url.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1')), s3Code('AuthorizationQueryParametersError'));
  // 604800 itself is allowed (the signature then fails, which proves the bound was passed).
  assert.throws(() => run(url('604800')), s3Code('SignatureDoesNotMatch'));
  // A date in the future beyond the allowed skew is not valid yet.
  assert.throws(() => authenticate({ method: 'GET', url: s3.presigned.url, headers: s3.presigned.headers }, exampleStore(),
    { region: 'us-east-1', now: new Date(NOW.getTime() - 16 * 60_000) }), s3Code('AccessDenied', /not valid yet/));
});

test('presigned: x-amz-* headers the URL did not sign are refused', () => {
  const headers = { ...s3.presigned.headers, 'x-amz-meta-evil': '1' };
  assert.throws(() => authenticate({ method: 'GET', url: s3.presigned.url, headers }, exampleStore(), OPTS),
    (e: unknown) => e instanceof S3Error && e.code === 'AccessDenied' && e.fields.HeadersNotSigned === 'x-amz-meta-evil');
});

test('anonymous requests give undefined; mixed mechanisms are refused', () => {
  assert.equal(authenticate({ method: 'GET', url: '/bucket/key?list-type=2', headers: { host: 'h' } }, exampleStore(), OPTS), undefined);
  const ex = s3.headerAuth[0];
  assert.throws(() => authenticate({ method: 'GET', url: s3.presigned.url, headers: ex.headers }, exampleStore(), OPTS), s3Code('InvalidArgument'));
});

test('credential errors: unknown key, expired key', () => {
  const ex = s3.headerAuth[0];
  const req = { method: 'GET', url: ex.url, headers: ex.headers };
  assert.throws(() => authenticate(req, { lookup: () => undefined }, OPTS), (e: unknown) =>
    e instanceof S3Error && e.code === 'InvalidAccessKeyId' && e.status === 403 && e.fields.AWSAccessKeyId === 'AKIAIOSFODNN7EXAMPLE');
  assert.throws(() => authenticate(req, exampleStore({ expires: new Date(NOW.getTime() - 1) }), OPTS), s3Code('InvalidAccessKeyId', /expired/));
  assert.ok(authenticate(req, exampleStore({ expires: new Date(NOW.getTime() + 1000) }), OPTS));
  // The presigned path checks expiry too.
  assert.throws(() => authenticate({ method: 'GET', url: s3.presigned.url, headers: s3.presigned.headers },
    exampleStore({ expires: new Date(0) }), OPTS), s3Code('InvalidAccessKeyId', /expired/));
});

test('clock skew over 15 minutes is RequestTimeTooSkewed, within it is accepted', () => {
  const ex = s3.headerAuth[0];
  const req = { method: 'GET', url: ex.url, headers: ex.headers };
  const at = (ms: number) => ({ region: 'us-east-1', now: new Date(NOW.getTime() + ms) });
  assert.ok(authenticate(req, exampleStore(), at(15 * 60_000)));
  assert.ok(authenticate(req, exampleStore(), at(-15 * 60_000)));
  assert.throws(() => authenticate(req, exampleStore(), at(15 * 60_000 + 1000)), s3Code('RequestTimeTooSkewed'));
  assert.throws(() => authenticate(req, exampleStore(), at(-16 * 60_000)), s3Code('RequestTimeTooSkewed'));
});

test('header errors: V2, malformed, wrong service, missing x-amz-content-sha256, bad dates, SigV4a', () => {
  const ex = s3.headerAuth[0];
  const run = (headers: Record<string, string | undefined>, url = ex.url) =>
    authenticate({ method: 'GET', url, headers: { ...ex.headers, ...headers } }, exampleStore(), OPTS);
  // Signature V2 is verified unless switched off (--no-sigv2); switched off, it is refused naming V4.
  assert.throws(() => run({ authorization: 'AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=' }), s3Code('SignatureDoesNotMatch'));
  assert.throws(() => authenticate({ method: 'GET', url: ex.url, headers: { ...ex.headers, authorization: 'AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=' } },
    exampleStore(), { ...OPTS, sigv2: false }), s3Code('InvalidRequest', /Please use AWS4-HMAC-SHA256/));
  assert.throws(() => authenticate({ method: 'GET', url: '/k?AWSAccessKeyId=AK&Expires=1&Signature=x', headers: { host: 'h' } }, exampleStore(), { ...OPTS, sigv2: false }),
    s3Code('InvalidRequest', /Please use AWS4-HMAC-SHA256/));
  assert.throws(() => authenticate({ method: 'GET', url: '/k?AWSAccessKeyId=AK&Expires=1&Signature=x', headers: { host: 'h' } }, exampleStore(), OPTS),
    s3Code('InvalidAccessKeyId'), 'V2 on: the presigned V2 URL is verified (and its key is unknown)');
  assert.throws(() => run({ authorization: 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request' }), s3Code('AuthorizationHeaderMalformed'));
  assert.throws(() => run({ authorization: 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/us-east-1/s3, SignedHeaders=host, Signature=ab' }), s3Code('AuthorizationHeaderMalformed'));
  assert.throws(() => run({ authorization: ex.headers.authorization.replace('/s3/', '/ec2/') }), s3Code('AuthorizationHeaderMalformed', /service/));
  assert.throws(() => run({ authorization: ex.headers.authorization.replace('aws4_request', 'aws5_request') }), s3Code('AuthorizationHeaderMalformed'));
  assert.throws(() => run({ authorization: ex.headers.authorization.replace('20130524', '20130525') }), s3Code('AuthorizationHeaderMalformed', /date/));
  assert.throws(() => run({ authorization: ex.headers.authorization.replace('SignedHeaders=host;', 'SignedHeaders=') }), s3Code('AuthorizationHeaderMalformed', /host/));
  assert.throws(() => run({ 'x-amz-content-sha256': undefined }), s3Code('InvalidRequest', /^Missing required header for this request: x-amz-content-sha256$/));
  assert.throws(() => run({ 'x-amz-content-sha256': 'not-a-hash' }), s3Code('InvalidArgument'));
  assert.throws(() => run({ 'x-amz-date': 'yesterday' }), s3Code('AccessDenied', /Date or x-amz-date/));
  assert.throws(() => run({ authorization: 'AWS4-ECDSA-P256-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/s3/aws4_request, SignedHeaders=host, Signature=ab' }), s3Code('NotImplemented'));
  assert.throws(() => run({ authorization: 'Bearer abc' }), s3Code('InvalidArgument'));
});

/** The GET example signed anew by the core for another region (the published vectors above pin the core down). */
function getExampleSignedFor(region: string): { headers: Record<string, string>; key: Buffer } {
  const ex = s3.headerAuth[0];
  const key = signingKey(s3.credentials.secretAccessKey, '20130524', region, 's3');
  const signed = 'host;range;x-amz-content-sha256;x-amz-date';
  const creq = canonicalRequest({
    method: 'GET', canonicalUri: '/test.txt', canonicalQuery: '',
    canonicalHeaders: canonicalHeaders(signed.split(';'), valuesFrom(ex.headers)), signedHeaders: signed,
    payloadHash: ex.headers['x-amz-content-sha256'],
  });
  const sig = sign(key, stringToSign('20130524T000000Z', `20130524/${region}/s3/aws4_request`, creq));
  const authorization = `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/${region}/s3/aws4_request, SignedHeaders=${signed}, Signature=${sig}`;
  return { headers: { ...ex.headers, authorization }, key };
}

test('regions: the gateway\'s own and us-east-1 are accepted, others refused as S3 does (unless anyRegion)', () => {
  const eu = getExampleSignedFor('eu-west-1');
  const req = { method: 'GET', url: '/test.txt', headers: eu.headers };
  // Signed for the gateway's region: the key is derived from the scope's region.
  const r = authenticate(req, exampleStore(), { region: 'eu-west-1', now: NOW });
  assert.equal(r?.signing!.scope, '20130524/eu-west-1/s3/aws4_request');
  assert.deepEqual(r?.signing.signingKey, eu.key);
  // Signed for another region than the gateway's.
  assert.throws(() => authenticate(req, exampleStore(), { region: 'us-west-2', now: NOW }), (e: unknown) =>
    e instanceof S3Error && e.code === 'AuthorizationHeaderMalformed' && e.status === 400 && e.fields.Region === 'us-west-2'
    && /the region 'eu-west-1' is wrong; expecting 'us-west-2'/.test(e.message));
  assert.ok(authenticate(req, exampleStore(), { region: 'us-west-2', now: NOW, anyRegion: true }));
  // us-east-1, the default of clients without a region setting, is accepted by a gateway in any region.
  const ex = s3.headerAuth[0];
  assert.ok(authenticate({ method: 'GET', url: ex.url, headers: ex.headers }, exampleStore(), { region: 'eu-west-1', now: NOW }));
  // The presigned path applies the same rule.
  assert.throws(() => authenticate({ method: 'GET', url: s3.presigned.url.replace('us-east-1', 'ap-south-1'), headers: s3.presigned.headers },
    exampleStore(), { region: 'eu-west-1', now: NOW }), s3Code('AuthorizationQueryParametersError', /region/));
});

test('repeated headers: headersDistinct values are joined with "," as SigV4 requires', () => {
  const c = suite.cases.find((x: any) => x.name === 'get-header-key-duplicate');
  const auth = parseAuthorizationHeader(c.authorization);
  const key = signingKey(suite.credentials.secretAccessKey, auth.date, auth.region, auth.service);
  const distinct: Record<string, string[]> = { host: ['example.amazonaws.com'], 'my-header1': ['value2', 'value2', 'value1'], 'x-amz-date': ['20150830T123600Z'] };
  assert.doesNotThrow(() => verifySignature({
    method: 'GET', rawPath: '/', rawQuery: '', signedHeaders: auth.signedHeaders, valuesOf: (n) => distinct[n] ?? [],
    payloadHashes: [sha256('')], amzDate: suite.amzDate, scope: credentialScope(auth.date, auth.region, auth.service),
    signingKey: key, accessKeyId: auth.accessKeyId, provided: auth.signature,
  }));
});

test('aws-chunked example: the first chunk string to sign is the published one', () => {
  const ch = s3.chunked;
  const key = signingKey(s3.credentials.secretAccessKey, '20130524', 'us-east-1', 's3');
  const data = Buffer.alloc(65536, 'a');
  const sts = chunkStringToSign({ signingKey: key, amzDate: '20130524T000000Z', scope: '20130524/us-east-1/s3/aws4_request' },
    ch.seedSignature, createHash('sha256').update(data).digest('hex'));
  assert.equal(sts, ch.firstChunkStringToSign);
  assert.equal(sign(key, sts), ch.chunkSignatures[0]);
});

test('aws-chunked example: the seed signature is the request signature (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', () => {
  const ch = s3.chunked;
  const r = authenticate({ method: ch.method, url: ch.url, headers: ch.headers }, exampleStore(), OPTS);
  assert.ok(r);
  assert.deepEqual(r.payload, { kind: 'streaming-signed', trailer: false });
  assert.equal(r.signing!.seedSignature, ch.seedSignature);
});

test('signing keys are cached, and the cache stays bounded', () => {
  const a = signingKey('secret-a', '20240101', 'us-east-1', 's3');
  assert.equal(signingKey('secret-a', '20240101', 'us-east-1', 's3'), a, 'the same Buffer comes back from the cache');
  for (let i = 0; i < 250; i++) signingKey(`secret-${i}`, '20240102', 'us-east-1', 's3');
  assert.ok(signingKeyCacheSize() <= 100, `cache holds ${signingKeyCacheSize()}`);
  // An evicted key is derived again, equal in value.
  assert.deepEqual(signingKey('secret-a', '20240101', 'us-east-1', 's3'), a);
});
