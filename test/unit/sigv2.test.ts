/**
 * SigV2 against outside truth: AWS's documented example (Signing and authenticating REST requests), and
 * requests signed at test time by Debian's python3 botocore (HmacV1Auth for headers, HmacV1QueryAuth for
 * presigned URLs, as boto3 1.26 and aws cli v1 use them): path and virtual-host style, sub-resources,
 * x-amz-* headers, Content-MD5 and Content-Type. Then the refusals: a wrong key, expiry, clock skew.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { CredentialStore } from '../../src/accounts/credentials.js';
import type { RequestToAuth } from '../../src/auth/authenticate.js';
import { signV2, signaturesEqualV2 } from '../../src/auth/sigv2/signature.js';
import { canonicalAmzHeaders, canonicalResource, stringToSignV2 } from '../../src/auth/sigv2/string-to-sign.js';
import { authenticateV2, isSigV2 } from '../../src/auth/sigv2/verify-v2.js';
import { S3Error } from '../../src/errors/s3-error.js';
import { requireTool } from '../helpers/requires.js';

const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const store: CredentialStore = { lookup: (id) => (id === AKID ? { accessKeyId: AKID, secretAccessKey: SECRET, user: 'alice' } : undefined) };

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof S3Error, String(e));
    return e.code;
  }
  return 'none';
}

describe('SigV2: AWS documentation example', () => {
  it('Object GET (virtual-hosted): string to sign and signature', () => {
    const sts = stringToSignV2({ method: 'GET', contentMd5: '', contentType: '', date: 'Tue, 27 Mar 2007 19:36:42 +0000', amzHeaders: new Map(), resource: canonicalResource('/photos/puppy.jpg', '', 'awsexamplebucket1') });
    assert.equal(sts, 'GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/awsexamplebucket1/photos/puppy.jpg');
    assert.equal(signV2(SECRET, sts), 'qgk2+6Sv9/oM7G3qLEjTH1a1l1g=');
  });

  it('the same request verifies through authenticateV2, and fails with another path', () => {
    const req: RequestToAuth = { method: 'GET', url: '/photos/puppy.jpg', headers: { host: 'awsexamplebucket1.us-west-1.s3.amazonaws.com', date: 'Tue, 27 Mar 2007 19:36:42 +0000', authorization: `AWS ${AKID}:qgk2+6Sv9/oM7G3qLEjTH1a1l1g=` } };
    const now = new Date('2007-03-27T19:40:00Z');
    assert.ok(isSigV2(req));
    assert.equal(authenticateV2(req, store, { hostBucket: 'awsexamplebucket1', now }).credential.user, 'alice');
    assert.equal(code(() => authenticateV2({ ...req, url: '/photos/kitten.jpg' }, store, { hostBucket: 'awsexamplebucket1', now })), 'SignatureDoesNotMatch');
  });

  it('canonical amz headers: lower-cased, sorted, repeated values joined, folding unfolded', () => {
    const h = new Map<string, string[]>([['x-amz-meta-reviewedby', ['joe@example.com', 'jane@example.com']], ['X-Amz-Acl', ['public-read ']], ['x-amz-meta-note', ['a\r\n  b']], ['content-type', ['x']]]);
    assert.equal(canonicalAmzHeaders(h), 'x-amz-acl:public-read\nx-amz-meta-note:a b\nx-amz-meta-reviewedby:joe@example.com,jane@example.com\n');
  });

  it('canonical resource: signed sub-resources only, sorted, values decoded', () => {
    assert.equal(canonicalResource('/b/k', 'versionId=v%2B1&max-keys=3&acl&response-content-type=text%2Fplain'), '/b/k?acl&response-content-type=text/plain&versionId=v+1');
    assert.equal(canonicalResource('/', '', 'b'), '/b/');
    assert.equal(canonicalResource('', 'uploads', undefined), '/?uploads');
  });

  it('signature comparison: exact, spaces read as +', () => {
    assert.ok(signaturesEqualV2('a+b=', 'a b='));
    assert.ok(!signaturesEqualV2('a+b=', 'a+b=x'));
    assert.ok(!signaturesEqualV2('a+b=', 'a+c='));
  });
});

/** Requests signed by botocore at test time, as the JSON the Python script prints. */
const BOTOCORE = String.raw`
import json, sys
from botocore.auth import HmacV1Auth, HmacV1QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
creds = Credentials(sys.argv[1], sys.argv[2])
DATE = 'Wed, 05 Jun 2024 12:00:00 GMT'
class Fixed(HmacV1Auth):
    def _get_date(self): return DATE
class FixedQuery(HmacV1QueryAuth):
    def _get_date(self): return '1717592400'
def header(method, url, headers=None, auth_path=None):
    r = AWSRequest(method=method, url=url, headers=headers or {})
    r.auth_path = auth_path
    Fixed(creds).add_auth(r)
    return {'kind': 'header', 'method': method, 'url': url, 'headers': dict(r.headers.items())}
def query(method, url, headers=None, auth_path=None):
    r = AWSRequest(method=method, url=url, headers=headers or {})
    r.auth_path = auth_path
    FixedQuery(creds, expires=3600).add_auth(r)
    hs = {k: v for k, v in r.headers.items() if not k.lower().startswith('x-amz-') and k.lower() not in ('date',)}
    return {'kind': 'query', 'method': method, 'url': r.url, 'headers': hs}
out = [
  header('GET', 'http://127.0.0.1:9000/bucket/photos/puppy.jpg'),
  header('PUT', 'http://127.0.0.1:9000/bucket/dir/key%20with%20space.txt', {'Content-MD5': '1B2M2Y8AsgTpgAmY7PhCfg==', 'Content-Type': 'text/plain', 'x-amz-meta-Author': 'Ann', 'x-amz-acl': 'public-read'}),
  header('PUT', 'http://127.0.0.1:9000/bucket/big?partNumber=2&uploadId=abc%2Fdef'),
  header('GET', 'http://127.0.0.1:9000/bucket?acl'),
  header('GET', 'http://127.0.0.1:9000/bucket/k?versionId=3HL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY&max-keys=5&response-content-type=text%2Fplain'),
  header('DELETE', 'http://bucket.localhost:9000/a/b.txt', auth_path='/bucket/a/b.txt'),
  query('GET', 'http://127.0.0.1:9000/bucket/photos/puppy.jpg'),
  query('GET', 'http://127.0.0.1:9000/bucket/k?response-content-disposition=attachment%3B%20filename%3D%22a.txt%22'),
  query('PUT', 'http://127.0.0.1:9000/bucket/up.bin', {'x-amz-acl': 'private', 'Content-Type': 'application/octet-stream'}),
]
print(json.dumps(out))
`;

interface Signed {
  kind: 'header' | 'query';
  method: string;
  url: string;
  headers: Record<string, string>;
}

const { path: python, skip: noPython } = requireTool('python3');

describe('SigV2: requests signed by botocore', { skip: noPython }, () => {
  const signed = (): Signed[] => JSON.parse(execFileSync(python!, ['-c', BOTOCORE, AKID, SECRET], { encoding: 'utf8' }));
  const toAuth = (s: Signed): { req: RequestToAuth; hostBucket?: string } => {
    const u = new URL(s.url);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.headers)) headers[k.toLowerCase()] = v;
    headers.host = u.host;
    const hostBucket = u.hostname.endsWith('.localhost') ? u.hostname.split('.')[0] : undefined;
    return { req: { method: s.method, url: u.pathname + u.search, headers }, hostBucket };
  };

  it('every botocore request verifies, header and presigned', () => {
    const all = signed();
    assert.equal(all.length, 9);
    for (const s of all) {
      const { req, hostBucket } = toAuth(s);
      const now = s.kind === 'header' ? new Date('2024-06-05T12:05:00Z') : new Date('2024-06-05T12:30:00Z');
      const r = authenticateV2(req, store, { hostBucket, now });
      assert.equal(r.presigned, s.kind === 'query', s.url);
      assert.ok(isSigV2(req));
    }
  });

  it('a changed header, method or sub-resource breaks the signature; an unsigned query parameter does not', () => {
    const [, put, part, , versioned] = signed().map(toAuth);
    const now = new Date('2024-06-05T12:00:00Z');
    assert.equal(code(() => authenticateV2({ ...put.req, headers: { ...put.req.headers, 'x-amz-acl': 'private' } }, store, { now })), 'SignatureDoesNotMatch');
    assert.equal(code(() => authenticateV2({ ...put.req, headers: { ...put.req.headers, 'content-type': 'text/html' } }, store, { now })), 'SignatureDoesNotMatch');
    assert.equal(code(() => authenticateV2({ ...put.req, method: 'POST' }, store, { now })), 'SignatureDoesNotMatch');
    assert.equal(code(() => authenticateV2({ ...part.req, url: part.req.url.replace('partNumber=2', 'partNumber=3') }, store, { now })), 'SignatureDoesNotMatch');
    assert.equal(code(() => authenticateV2({ ...versioned.req, url: versioned.req.url.replace('max-keys=5', 'max-keys=7') }, store, { now })), 'none');
  });

  it('presigned: expired, wrong key, tampered signature', () => {
    const presigned = signed().filter((s) => s.kind === 'query').map(toAuth);
    const { req } = presigned[0];
    assert.equal(code(() => authenticateV2(req, store, { now: new Date('2024-06-05T13:00:01Z') })), 'AccessDenied');
    assert.equal(code(() => authenticateV2({ ...req, url: req.url.replace(AKID, 'AKIANOTEXAMPLE000000') }, store, { now: new Date('2024-06-05T12:30:00Z') })), 'InvalidAccessKeyId');
    assert.equal(code(() => authenticateV2({ ...req, url: req.url.replace(/Signature=[^&]+/, 'Signature=AAAA') }, store, { now: new Date('2024-06-05T12:30:00Z') })), 'SignatureDoesNotMatch');
    assert.equal(code(() => authenticateV2({ ...req, url: req.url.replace(/Expires=\d+/, 'Expires=1917592400') }, store, { now: new Date('2024-06-05T12:30:00Z') })), 'SignatureDoesNotMatch');
  });

  it('header: more than 15 minutes of clock skew is RequestTimeTooSkewed', () => {
    const { req } = toAuth(signed()[0]);
    assert.equal(code(() => authenticateV2(req, store, { now: new Date('2024-06-05T12:16:00Z') })), 'RequestTimeTooSkewed');
    assert.equal(code(() => authenticateV2(req, store, { now: new Date('2024-06-05T11:44:00Z') })), 'RequestTimeTooSkewed');
  });
});

describe('SigV2: x-amz-date and malformed headers', () => {
  const now = new Date('2024-06-05T12:00:00Z');
  const xAmzDate = 'Wed, 05 Jun 2024 12:00:00 GMT';
  it('with x-amz-date the Date line is empty (as s3cmd signs)', () => {
    const sts = `GET\n\n\n\nx-amz-date:${xAmzDate}\n/bucket/k`;
    const req: RequestToAuth = { method: 'GET', url: '/bucket/k', headers: { 'x-amz-date': xAmzDate, authorization: `AWS ${AKID}:${signV2(SECRET, sts)}` } };
    assert.equal(authenticateV2(req, store, { now }).presigned, false);
  });
  it('no date at all is AccessDenied; a malformed header InvalidArgument', () => {
    assert.equal(code(() => authenticateV2({ method: 'GET', url: '/b', headers: { authorization: `AWS ${AKID}:abc=` } }, store, { now })), 'AccessDenied');
    assert.equal(code(() => authenticateV2({ method: 'GET', url: '/b', headers: { date: xAmzDate, authorization: 'AWS nocolon' } }, store, { now })), 'InvalidArgument');
  });
  it('isSigV2: V4 and anonymous requests are not V2', () => {
    assert.equal(isSigV2({ method: 'GET', url: '/b', headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x' } }), false);
    assert.equal(isSigV2({ method: 'GET', url: '/b?X-Amz-Signature=x', headers: {} }), false);
    assert.equal(isSigV2({ method: 'GET', url: '/b', headers: {} }), false);
  });
});
