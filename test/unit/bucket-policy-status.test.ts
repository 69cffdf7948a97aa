/** GetBucketPolicyStatus's IsPublic, by AWS's "meaning of public" rule and its examples. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePolicy } from '../../src/s3/policy/parse-policy.js';
import { isPublicPolicy } from '../../src/s3/policy/policy-status.js';

const B = 'amzn-s3-demo-bucket';
const one = (s: Record<string, unknown>) => JSON.stringify({
  Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, ...s }],
});

const cases: [string, string, boolean][] = [
  ['Principal "*" with no condition', one({}), true],
  ['AWS "*"', one({ Principal: { AWS: '*' } }), true],
  ['NotPrincipal Allow', one({ Principal: undefined, NotPrincipal: { AWS: 'alice' } }), true],
  ['a named user', one({ Principal: { AWS: 'arn:aws:iam::111122223333:user/alice' } }), false],
  ['the account', one({ Principal: { AWS: '111122223333' } }), false],
  ['a canonical user', one({ Principal: { CanonicalUser: 'f'.repeat(64) } }), false],
  ['Deny to everybody', one({ Effect: 'Deny' }), false],
  ['everybody from a /24', one({ Condition: { IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } }), false],
  ['everybody from a /8', one({ Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }), false],
  ['everybody from a /7 (too wide)', one({ Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/7' } } }), true],
  ['everybody from 0.0.0.0/1', one({ Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/1' } } }), true],
  ['IPv6 /32 is narrow enough', one({ Condition: { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } } }), false],
  ['IPv6 /31 is too wide', one({ Condition: { IpAddress: { 'aws:SourceIp': '2001:db8::/31' } } }), true],
  ['NotIpAddress does not narrow', one({ Condition: { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } }), true],
  ['fixed source ARN', one({ Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/E1' } } }), false],
  ['wildcard source ARN', one({ Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudfront::*:distribution/*' } } }), true],
  ['fixed source VPC endpoint', one({ Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } }), false],
  ['organisation', one({ Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } }), false],
  ['fixed user id', one({ Condition: { StringEquals: { 'aws:userid': 'AIDAEXAMPLE' } } }), false],
  ['user id with a variable', one({ Condition: { StringEquals: { 'aws:userid': '${aws:username}' } } }), true],
  ['IfExists does not narrow', one({ Condition: { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } }), true],
  ['Referer does not narrow (anyone can send one)', one({ Condition: { StringLike: { 'aws:Referer': 'https://example.com/*' } } }), true],
  ['HTTPS-only condition does not narrow', one({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } }), true],
];

describe('isPublicPolicy', () => {
  for (const [name, text, want] of cases) it(`${name}: ${want}`, () => assert.equal(isPublicPolicy(parsePolicy(text, { bucket: B })), want));

  it('one public statement among private ones makes the policy public', () => {
    const text = JSON.stringify({ Version: '2012-10-17', Statement: [
      { Effect: 'Allow', Principal: { AWS: 'alice' }, Action: 's3:*', Resource: `arn:aws:s3:::${B}/*` },
      { Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${B}` },
    ] });
    assert.equal(isPublicPolicy(parsePolicy(text, { bucket: B })), true);
  });
});
