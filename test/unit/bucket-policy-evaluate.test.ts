/**
 * Bucket policy evaluation against a case table: AWS's documented bucket-policy examples (public read,
 * IP allow/deny lists, HTTPS only, Referer, per-user home folders, tags, ACL and encryption headers, time
 * windows), and the IAM rules for missing keys, negation, IfExists, set qualifiers and variables.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideAccess, evaluatePolicy, s3Arn, type PolicyDecision } from '../../src/s3/policy/evaluate-policy.js';
import { parsePolicy } from '../../src/s3/policy/parse-policy.js';
import { requestConditions, type RequestFacts } from '../../src/s3/policy/request-conditions.js';
import { inCidr, parseCidr } from '../../src/s3/policy/ip-cidr.js';
import { ownerOf } from '../../src/s3/owner.js';

const B = 'amzn-s3-demo-bucket';
const ALICE = { user: 'alice', canonicalId: ownerOf('alice').ID };
const BOB = { user: 'bob', canonicalId: ownerOf('bob').ID };
const HERE = '192.0.2.10';

type Doc = Record<string, unknown>;
const policy = (...Statement: Doc[]) => JSON.stringify({ Version: '2012-10-17', Statement });

/** One row: a policy, the request (action, key or bucket, facts), the decision wanted. */
interface Row {
  name: string;
  policy: string;
  action: string;
  key?: string;
  facts?: RequestFacts;
  want: PolicyDecision;
}

function decide(r: Row): PolicyDecision {
  const doc = parsePolicy(r.policy, { bucket: B });
  const facts: RequestFacts = { sourceIp: HERE, secure: true, now: new Date('2024-06-01T12:00:00Z'), ...r.facts };
  return evaluatePolicy(doc, { action: r.action, resource: s3Arn(B, r.key), principal: facts.principal, conditions: requestConditions(facts) });
}

const publicRead = policy({ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: [`arn:aws:s3:::${B}/*`] });
const ipDeny = policy({
  Sid: 'IPAllow', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/*`],
  Condition: { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:DB8:1234:5678::/64'] } },
});
const ipAllowExcept = policy({
  Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${B}/*`,
  Condition: { IpAddress: { 'aws:SourceIp': '54.240.143.0/24' }, NotIpAddress: { 'aws:SourceIp': '54.240.143.188/32' } },
});
const httpsOnly = policy({ Sid: 'AllowSSLRequestsOnly', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
const referer = policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { StringLike: { 'aws:Referer': ['https://www.example.com/*', 'https://example.com/*'] } } });
const homeFolders = policy(
  { Sid: 'ListHome', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${B}`, Condition: { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/*'] } } },
  { Sid: 'OwnHome', Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 's3:*', Resource: `arn:aws:s3:::${B}/home/\${aws:username}/*` },
);
const tagged = policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { StringEquals: { 's3:ExistingObjectTag/environment': 'production' } } });
const tagKeys = policy({ Effect: 'Allow', Principal: { AWS: 'alice' }, Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { 'ForAllValues:StringLike': { 's3:RequestObjectTagKeys': ['Owner', 'Creation*'] } } });
const anyTagKey = policy({ Effect: 'Allow', Principal: { AWS: 'alice' }, Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { 'ForAnyValue:StringEquals': { 's3:RequestObjectTagKeys': ['Project'] } } });
const ownerFullControl = policy(
  { Effect: 'Allow', Principal: { AWS: ['alice', 'bob'] }, Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/*` },
  { Effect: 'Deny', Principal: { AWS: ['alice', 'bob'] }, Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { StringNotEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } },
);
const requireSse = policy({ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } } });
const sseIfPresent = policy({ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'AES256' } } });
const window = policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { DateGreaterThan: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' }, DateLessThan: { 'aws:CurrentTime': '2024-12-31T23:59:59Z' } } });
const epoch = policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { NumericLessThan: { 'aws:EpochTime': 1717243200 } } });
const maxKeys = policy({ Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${B}`, Condition: { NumericLessThanEquals: { 's3:max-keys': '10' }, StringEquals: { 's3:delimiter': '/' } } });
const sigV4Only = policy({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${B}/*`, Condition: { StringNotEquals: { 's3:signatureversion': 'AWS4-HMAC-SHA256' } } });
const tls12 = policy({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${B}/*`, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } });
const notPrincipal = policy({ Effect: 'Deny', NotPrincipal: { AWS: 'alice' }, Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${B}/*` });
const notAction = policy({ Effect: 'Deny', Principal: '*', NotAction: ['s3:Get*', 's3:List*'], Resource: [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/*`] });
const notResource = policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', NotResource: `arn:aws:s3:::${B}/private/*` });
const canonical = policy({ Effect: 'Allow', Principal: { CanonicalUser: BOB.canonicalId }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*` });
const userid = policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { StringEquals: { 'aws:userid': ALICE.canonicalId, 'aws:PrincipalType': 'User' } } });
const agent = policy({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${B}/*`, Condition: { StringLike: { 'aws:UserAgent': '*curl*' } } });
const versionId = policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObjectVersion', Resource: `arn:aws:s3:::${B}/*`, Condition: { StringEqualsIgnoreCase: { 's3:VersionId': 'ABC' } } });
const literalStar = policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/stars/\${*}`, Condition: { StringLike: { 'aws:Referer': '${aws:username, \'nobody\'}' } } });
const v2008 = JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/\${aws:username}/*` }] });
const arnCond = policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/*' } } });

const rows: Row[] = [
  { name: 'public read: anonymous GET', policy: publicRead, action: 's3:GetObject', key: 'a/b.txt', want: 'Allow' },
  { name: 'public read: no PUT', policy: publicRead, action: 's3:PutObject', key: 'a', want: 'NotApplicable' },
  { name: 'public read: no listing (bucket ARN)', policy: publicRead, action: 's3:ListBucket', want: 'NotApplicable' },
  { name: 'public read: action names compare case-insensitively', policy: publicRead, action: 's3:getobject', key: 'a', want: 'Allow' },
  { name: 'IP deny: inside 192.0.2.0/24', policy: ipDeny, action: 's3:GetObject', key: 'k', want: 'NotApplicable' },
  { name: 'IP deny: outside', policy: ipDeny, action: 's3:GetObject', key: 'k', facts: { sourceIp: '198.51.100.7' }, want: 'Deny' },
  { name: 'IP deny: IPv6 inside the /64', policy: ipDeny, action: 's3:ListBucket', facts: { sourceIp: '2001:db8:1234:5678::9' }, want: 'NotApplicable' },
  { name: 'IP deny: IPv6 outside', policy: ipDeny, action: 's3:ListBucket', facts: { sourceIp: '2001:db8:1234:5679::9' }, want: 'Deny' },
  { name: 'IP deny: IPv4-mapped IPv6 counts as IPv4', policy: ipDeny, action: 's3:GetObject', key: 'k', facts: { sourceIp: '::ffff:192.0.2.99' }, want: 'NotApplicable' },
  { name: 'IP deny: no address known: negated test passes, so Deny', policy: ipDeny, action: 's3:GetObject', key: 'k', facts: { sourceIp: undefined }, want: 'Deny' },
  { name: 'IP allow with exception: in range', policy: ipAllowExcept, action: 's3:GetObject', key: 'k', facts: { sourceIp: '54.240.143.7' }, want: 'Allow' },
  { name: 'IP allow with exception: the excluded address', policy: ipAllowExcept, action: 's3:GetObject', key: 'k', facts: { sourceIp: '54.240.143.188' }, want: 'NotApplicable' },
  { name: 'HTTPS only: plain HTTP denied', policy: httpsOnly, action: 's3:GetObject', key: 'k', facts: { secure: false }, want: 'Deny' },
  { name: 'HTTPS only: TLS passes', policy: httpsOnly, action: 's3:GetObject', key: 'k', want: 'NotApplicable' },
  { name: 'Referer: from the site', policy: referer, action: 's3:GetObject', key: 'k', facts: { referer: 'https://www.example.com/page' }, want: 'Allow' },
  { name: 'Referer: elsewhere', policy: referer, action: 's3:GetObject', key: 'k', facts: { referer: 'https://evil.example.net/' }, want: 'NotApplicable' },
  { name: 'Referer: none sent', policy: referer, action: 's3:GetObject', key: 'k', want: 'NotApplicable' },
  { name: 'home: alice lists her folder', policy: homeFolders, action: 's3:ListBucket', facts: { principal: ALICE, s3: { 's3:prefix': 'home/alice/' } }, want: 'Allow' },
  { name: 'home: alice lists the root (empty prefix)', policy: homeFolders, action: 's3:ListBucket', facts: { principal: ALICE, s3: { 's3:prefix': '' } }, want: 'Allow' },
  { name: 'home: alice cannot list bob\'s', policy: homeFolders, action: 's3:ListBucket', facts: { principal: ALICE, s3: { 's3:prefix': 'home/bob/' } }, want: 'NotApplicable' },
  { name: 'home: listing without prefix key', policy: homeFolders, action: 's3:ListBucket', facts: { principal: ALICE }, want: 'NotApplicable' },
  { name: 'home: alice writes in hers', policy: homeFolders, action: 's3:PutObject', key: 'home/alice/x', facts: { principal: ALICE }, want: 'Allow' },
  { name: 'home: bob cannot write in alice\'s', policy: homeFolders, action: 's3:PutObject', key: 'home/alice/x', facts: { principal: BOB }, want: 'NotApplicable' },
  { name: 'home: anonymous is not the account', policy: homeFolders, action: 's3:GetObject', key: 'home/alice/x', want: 'NotApplicable' },
  { name: 'tag: production object', policy: tagged, action: 's3:GetObject', key: 'k', facts: { s3: { 's3:ExistingObjectTag/environment': 'production' } }, want: 'Allow' },
  { name: 'tag: other value', policy: tagged, action: 's3:GetObject', key: 'k', facts: { s3: { 's3:ExistingObjectTag/environment': 'staging' } }, want: 'NotApplicable' },
  { name: 'ForAllValues: allowed tag keys only', policy: tagKeys, action: 's3:PutObject', key: 'k', facts: { principal: ALICE, s3: { 's3:RequestObjectTagKeys': ['Owner', 'CreationDate'] } }, want: 'Allow' },
  { name: 'ForAllValues: one key outside the set', policy: tagKeys, action: 's3:PutObject', key: 'k', facts: { principal: ALICE, s3: { 's3:RequestObjectTagKeys': ['Owner', 'Cost'] } }, want: 'NotApplicable' },
  { name: 'ForAllValues: no tags at all passes', policy: tagKeys, action: 's3:PutObject', key: 'k', facts: { principal: ALICE }, want: 'Allow' },
  { name: 'ForAnyValue: one matching key', policy: anyTagKey, action: 's3:PutObject', key: 'k', facts: { principal: ALICE, s3: { 's3:RequestObjectTagKeys': ['Cost', 'Project'] } }, want: 'Allow' },
  { name: 'ForAnyValue: no tags fails', policy: anyTagKey, action: 's3:PutObject', key: 'k', facts: { principal: ALICE }, want: 'NotApplicable' },
  { name: 'x-amz-acl: bucket-owner-full-control', policy: ownerFullControl, action: 's3:PutObject', key: 'k', facts: { principal: BOB, s3: { 's3:x-amz-acl': 'bucket-owner-full-control' } }, want: 'Allow' },
  { name: 'x-amz-acl: other ACL, explicit Deny wins', policy: ownerFullControl, action: 's3:PutObject', key: 'k', facts: { principal: BOB, s3: { 's3:x-amz-acl': 'public-read' } }, want: 'Deny' },
  { name: 'x-amz-acl: none sent, negated test passes: Deny', policy: ownerFullControl, action: 's3:PutObject', key: 'k', facts: { principal: BOB }, want: 'Deny' },
  { name: 'Null: encryption header missing', policy: requireSse, action: 's3:PutObject', key: 'k', want: 'Deny' },
  { name: 'Null: encryption header present', policy: requireSse, action: 's3:PutObject', key: 'k', facts: { s3: { 's3:x-amz-server-side-encryption': 'AES256' } }, want: 'NotApplicable' },
  { name: 'IfExists: header absent passes the negated test (Deny)', policy: sseIfPresent, action: 's3:PutObject', key: 'k', want: 'Deny' },
  { name: 'IfExists: header right', policy: sseIfPresent, action: 's3:PutObject', key: 'k', facts: { s3: { 's3:x-amz-server-side-encryption': 'AES256' } }, want: 'NotApplicable' },
  { name: 'IfExists: header wrong', policy: sseIfPresent, action: 's3:PutObject', key: 'k', facts: { s3: { 's3:x-amz-server-side-encryption': 'aws:kms' } }, want: 'Deny' },
  { name: 'date window: inside', policy: window, action: 's3:GetObject', key: 'k', want: 'Allow' },
  { name: 'date window: after', policy: window, action: 's3:GetObject', key: 'k', facts: { now: new Date('2025-01-01T00:00:00Z') }, want: 'NotApplicable' },
  { name: 'epoch: before', policy: epoch, action: 's3:GetObject', key: 'k', facts: { now: new Date('2024-06-01T11:59:59Z') }, want: 'Allow' },
  { name: 'epoch: at the instant', policy: epoch, action: 's3:GetObject', key: 'k', want: 'NotApplicable' },
  { name: 'max-keys and delimiter: both hold', policy: maxKeys, action: 's3:ListBucket', facts: { s3: { 's3:max-keys': '5', 's3:delimiter': '/' } }, want: 'Allow' },
  { name: 'max-keys too large', policy: maxKeys, action: 's3:ListBucket', facts: { s3: { 's3:max-keys': '1000', 's3:delimiter': '/' } }, want: 'NotApplicable' },
  { name: 'max-keys not a number', policy: maxKeys, action: 's3:ListBucket', facts: { s3: { 's3:max-keys': 'x', 's3:delimiter': '/' } }, want: 'NotApplicable' },
  { name: 'SigV4 only: V2 denied', policy: sigV4Only, action: 's3:GetObject', key: 'k', facts: { principal: ALICE, signatureVersion: 'AWS' }, want: 'Deny' },
  { name: 'SigV4 only: V4 passes', policy: sigV4Only, action: 's3:GetObject', key: 'k', facts: { principal: ALICE, signatureVersion: 'AWS4-HMAC-SHA256' }, want: 'NotApplicable' },
  { name: 'TLS 1.2+: 1.1 denied', policy: tls12, action: 's3:GetObject', key: 'k', facts: { tlsVersion: 'TLSv1.1' }, want: 'Deny' },
  { name: 'TLS 1.2+: 1.3 passes', policy: tls12, action: 's3:GetObject', key: 'k', facts: { tlsVersion: 'TLSv1.3' }, want: 'NotApplicable' },
  { name: 'NotPrincipal: alice is exempt', policy: notPrincipal, action: 's3:DeleteObject', key: 'k', facts: { principal: ALICE }, want: 'NotApplicable' },
  { name: 'NotPrincipal: bob denied', policy: notPrincipal, action: 's3:DeleteObject', key: 'k', facts: { principal: BOB }, want: 'Deny' },
  { name: 'NotPrincipal: anonymous denied', policy: notPrincipal, action: 's3:DeleteObject', key: 'k', want: 'Deny' },
  { name: 'NotAction: reads pass', policy: notAction, action: 's3:ListBucket', want: 'NotApplicable' },
  { name: 'NotAction: writes denied', policy: notAction, action: 's3:PutObject', key: 'k', want: 'Deny' },
  { name: 'NotResource: public part', policy: notResource, action: 's3:GetObject', key: 'pub/x', want: 'Allow' },
  { name: 'NotResource: private part', policy: notResource, action: 's3:GetObject', key: 'private/x', want: 'NotApplicable' },
  { name: 'CanonicalUser: bob', policy: canonical, action: 's3:GetObject', key: 'k', facts: { principal: BOB }, want: 'Allow' },
  { name: 'CanonicalUser: alice', policy: canonical, action: 's3:GetObject', key: 'k', facts: { principal: ALICE }, want: 'NotApplicable' },
  { name: 'aws:userid and aws:PrincipalType: alice', policy: userid, action: 's3:GetObject', key: 'k', facts: { principal: ALICE }, want: 'Allow' },
  { name: 'aws:userid: anonymous', policy: userid, action: 's3:GetObject', key: 'k', want: 'NotApplicable' },
  { name: 'UserAgent deny', policy: agent, action: 's3:GetObject', key: 'k', facts: { userAgent: 'curl/8.5.0' }, want: 'Deny' },
  { name: 'VersionId ignoring case', policy: versionId, action: 's3:GetObjectVersion', key: 'k', facts: { s3: { 's3:VersionId': 'abc' } }, want: 'Allow' },
  { name: '${*} is a literal star in a resource', policy: literalStar, action: 's3:GetObject', key: 'stars/*', facts: { principal: ALICE, referer: 'alice' }, want: 'Allow' },
  { name: '${*} does not match other keys', policy: literalStar, action: 's3:GetObject', key: 'stars/x', facts: { principal: ALICE, referer: 'alice' }, want: 'NotApplicable' },
  { name: 'variable default for anonymous', policy: literalStar, action: 's3:GetObject', key: 'stars/*', facts: { referer: 'nobody' }, want: 'Allow' },
  { name: '2008-10-17 keeps ${…} literal', policy: v2008, action: 's3:GetObject', key: 'alice/x', facts: { principal: ALICE }, want: 'NotApplicable' },
  { name: '2008-10-17 literal key', policy: v2008, action: 's3:GetObject', key: '${aws:username}/x', facts: { principal: ALICE }, want: 'Allow' },
  { name: 'ArnLike: matching source', policy: arnCond, action: 's3:GetObject', key: 'k', facts: { s3: { 'aws:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/E1' } }, want: 'Allow' },
  { name: 'ArnLike: no source', policy: arnCond, action: 's3:GetObject', key: 'k', want: 'NotApplicable' },
];

describe('evaluatePolicy: case table', () => {
  for (const r of rows) it(r.name, () => assert.equal(decide(r), r.want));
});

describe('decideAccess: explicit Deny wins; otherwise rights, ACL or policy Allow', () => {
  const cases: [PolicyDecision, boolean, boolean, boolean][] = [
    ['Deny', true, true, false], ['Deny', false, false, false], ['Allow', false, false, true], ['NotApplicable', true, false, true],
    ['NotApplicable', false, true, true], ['NotApplicable', false, false, false],
  ];
  for (const [policy, rights, acl, want] of cases) {
    it(`${policy} rights=${rights} acl=${acl} → ${want}`, () => assert.equal(decideAccess({ policy, rights, acl }), want));
  }
});

describe('CIDR', () => {
  const cases: [string, string, boolean][] = [
    ['10.0.0.0/8', '10.255.1.2', true], ['10.0.0.0/8', '11.0.0.1', false], ['0.0.0.0/0', '1.2.3.4', true],
    ['192.0.2.7', '192.0.2.7', true], ['192.0.2.7/32', '192.0.2.8', false], ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false], ['::/0', '10.0.0.1', false], ['2001:DB8:1234:5678:ABCD::/80', '2001:db8:1234:5678:abcd:1::', true],
  ];
  for (const [cidr, ip, want] of cases) it(`${ip} in ${cidr}: ${want}`, () => assert.equal(inCidr(ip, parseCidr(cidr)!), want));
  it('malformed blocks', () => {
    for (const bad of ['1.2.3.4/33', '1.2.3/24', '::1/129', 'x', '1.2.3.4/']) assert.equal(parseCidr(bad), undefined, bad);
  });
});
