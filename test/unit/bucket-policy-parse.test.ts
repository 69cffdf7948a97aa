/** Bucket policy parsing: AWS's documented examples parse; each kind of mistake is MalformedPolicy naming it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { S3Error } from '../../src/errors/s3-error.js';
import { MAX_POLICY_BYTES, parsePolicy } from '../../src/s3/policy/parse-policy.js';
import { wildcardMatch } from '../../src/s3/policy/wildcard.js';

const B = 'amzn-s3-demo-bucket';
const parse = (doc: unknown, userExists?: (n: string) => boolean) =>
  parsePolicy(typeof doc === 'string' ? doc : JSON.stringify(doc), { bucket: B, userExists });
const stmt = (s: Record<string, unknown>) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, ...s }] });

/** Assert MalformedPolicy (400) whose message matches `re`. */
function refused(doc: unknown, re: RegExp, userExists?: (n: string) => boolean): void {
  assert.throws(() => parse(doc, userExists), (e: unknown) => {
    assert.ok(e instanceof S3Error, String(e));
    assert.equal(e.code, 'MalformedPolicy');
    assert.equal(e.status, 400);
    assert.match(e.message, re);
    return true;
  });
}

describe('parsePolicy: AWS documentation examples', () => {
  it('public read (Grant read-only permission to anonymous users)', () => {
    const p = parse({ Version: '2012-10-17', Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: [`arn:aws:s3:::${B}/*`] }] });
    assert.equal(p.version, '2012-10-17');
    assert.equal(p.statements.length, 1);
    assert.deepEqual(p.statements[0].principal, { kind: 'any' });
    assert.deepEqual(p.statements[0].action, ['s3:GetObject', 's3:GetObjectVersion']);
    assert.deepEqual(p.statements[0].conditions, []);
  });

  it('restricting access by IP address (IPv4 and IPv6, IpAddress and NotIpAddress)', () => {
    const p = parse({
      Id: 'S3PolicyId1', Version: '2012-10-17',
      Statement: [{
        Sid: 'IPAllow', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/*`],
        Condition: {
          NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:DB8:1234:5678::/64'] },
          IpAddress: { 'aws:SourceIp': '203.0.113.1/32' },
        },
      }],
    });
    assert.equal(p.id, 'S3PolicyId1');
    const [notIp, ip] = p.statements[0].conditions;
    assert.deepEqual([notIp.operator, notIp.key, notIp.values], ['NotIpAddress', 'aws:SourceIp', ['192.0.2.0/24', '2001:DB8:1234:5678::/64']]);
    assert.deepEqual([ip.operator, ip.values], ['IpAddress', ['203.0.113.1/32']]);
  });

  it('per-user home folders with ${aws:username}, s3:prefix and StringLike; set qualifiers and IfExists', () => {
    const p = parse({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'List', Effect: 'Allow', Principal: { AWS: ['alice', 'arn:aws:iam::111122223333:user/team/bob'] }, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${B}`, Condition: { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/*'] } } },
        { Sid: 'Home', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:*', Resource: `arn:aws:s3:::${B}/home/\${aws:username}/*` },
        { Sid: 'Tags', Effect: 'Allow', Principal: { CanonicalUser: 'a'.repeat(64) }, Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { 'ForAllValues:StringLike': { 's3:RequestObjectTagKeys': ['Owner', 'CreationDate'] }, StringEqualsIfExists: { 's3:x-amz-acl': 'private' } } },
      ],
    });
    assert.deepEqual(p.statements[0].principal, { kind: 'list', aws: ['alice', 'arn:aws:iam::111122223333:user/team/bob'], canonical: [] });
    const [tags, ifExists] = p.statements[2].conditions;
    assert.deepEqual([tags.qualifier, tags.operator, tags.ifExists], ['ForAllValues', 'StringLike', false]);
    assert.deepEqual([ifExists.qualifier, ifExists.operator, ifExists.ifExists], [undefined, 'StringEquals', true]);
  });

  it('numbers and booleans as condition values become strings; no Version reads as 2008-10-17', () => {
    const p = parse({ Statement: { Effect: 'Deny', Principal: { AWS: '*' }, NotAction: 's3:Get*', NotResource: `arn:aws:s3:::${B}/public/*`, Condition: { Bool: { 'aws:SecureTransport': false }, NumericGreaterThan: { 's3:max-keys': 10 } } } });
    assert.equal(p.version, '2008-10-17');
    assert.deepEqual(p.statements[0].conditions.map((c) => c.values), [['false'], ['10']]);
    assert.deepEqual(p.statements[0].principal, { kind: 'any' }, 'AWS:* is everybody');
    assert.deepEqual(p.statements[0].notAction, ['s3:Get*']);
  });

  it('resources: "*", a wildcard bucket part that matches this bucket, a variable, actions in any case', () => {
    parse(stmt({ Resource: '*' }));
    parse(stmt({ Resource: 'arn:aws:s3:::amzn-s3-*/*' }));
    parse(stmt({ Resource: 'arn:aws:s3:::*' }));
    parse(stmt({ Action: 'S3:getobject' }));
    parse(stmt({ Action: '*' }));
  });
});

describe('parsePolicy: MalformedPolicy naming the problem', () => {
  const cases: [string, unknown, RegExp][] = [
    ['invalid JSON', '{"Version": "2012-10-17",', /valid JSON/],
    ['not an object', '[1]', /valid JSON/],
    ['unknown version', { Version: '2012-10-18', Statement: [] }, /valid version string/],
    ['unknown top-level field', { Version: '2012-10-17', Statement: [], Foo: 1 }, /Unknown field Foo/],
    ['no Statement', { Version: '2012-10-17' }, /Missing required field Statement/],
    ['empty Statement', { Version: '2012-10-17', Statement: [] }, /Statement is empty/],
    ['bad effect', stmt({ Effect: 'Permit' }), /Invalid effect: Permit/],
    ['missing effect', stmt({ Effect: undefined }), /Missing required field Effect/],
    ['missing principal', stmt({ Principal: undefined }), /Missing required field Principal/],
    ['Principal and NotPrincipal', stmt({ NotPrincipal: { AWS: 'alice' } }), /both Principal and NotPrincipal/],
    ['Service principal', stmt({ Principal: { Service: 'cloudtrail.amazonaws.com' } }), /Invalid principal in policy/],
    ['principal with wildcard', stmt({ Principal: { AWS: 'arn:aws:iam::111122223333:user/a*' } }), /Invalid principal/],
    ['principal role ARN', stmt({ Principal: { AWS: 'arn:aws:iam::111122223333:role/r' } }), /Invalid principal/],
    ['bad canonical id', stmt({ Principal: { CanonicalUser: 'abc' } }), /CanonicalUser/],
    ['missing action', stmt({ Action: undefined }), /Missing required field Action/],
    ['unknown action', stmt({ Action: 's3:GetObjekt' }), /invalid action: s3:GetObjekt/],
    ['other service', stmt({ Action: 'iam:PassRole' }), /invalid action: iam:PassRole/],
    ['wildcard naming nothing', stmt({ Action: 's3:Frob*' }), /invalid action: s3:Frob\*/],
    ['empty action list', stmt({ Action: [] }), /non-empty list/],
    ['action not applying to any resource', stmt({ Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}` }), /does not apply to any resource.*s3:GetObject/],
    ['bucket action on objects only', stmt({ Action: 's3:ListBucket', Resource: `arn:aws:s3:::${B}/*` }), /does not apply/],
    ['missing resource', stmt({ Resource: undefined }), /Missing required field Resource/],
    ['another bucket', stmt({ Resource: 'arn:aws:s3:::other-bucket/*' }), /invalid resource: arn:aws:s3:::other-bucket\/\*/],
    ['not an S3 ARN', stmt({ Resource: 'arn:aws:sqs:::q' }), /invalid resource/],
    ['unknown condition operator', stmt({ Condition: { StringEqualz: { 's3:prefix': 'a' } } }), /Invalid Condition type : StringEqualz/],
    ['Null with IfExists', stmt({ Condition: { NullIfExists: { 's3:prefix': 'true' } } }), /Invalid Condition type/],
    ['unknown condition key', stmt({ Condition: { StringEquals: { 's3:colour': 'red' } } }), /invalid condition key: s3:colour/],
    ['other service key', stmt({ Condition: { StringEquals: { 'ec2:Region': 'x' } } }), /invalid condition key/],
    ['bad IP', stmt({ Condition: { IpAddress: { 'aws:SourceIp': '300.1.2.3/24' } } }), /not an IP address/],
    ['bad number', stmt({ Condition: { NumericLessThan: { 's3:max-keys': 'ten' } } }), /not a number/],
    ['bad date', stmt({ Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }), /not a date/],
    ['bad bool', stmt({ Condition: { Bool: { 'aws:SecureTransport': 'yes' } } }), /not true or false/],
    ['object as value', stmt({ Condition: { StringEquals: { 's3:prefix': { a: 1 } } } }), /values must be strings/],
    ['duplicate Sid', { Version: '2012-10-17', Statement: [stmt({ Sid: 'a' }).Statement[0], stmt({ Sid: 'a' }).Statement[0]] }, /must be unique/],
    ['unknown statement field', stmt({ Effects: 'Allow' }), /Unknown field Effects/],
  ];
  for (const [name, doc, re] of cases) it(name, () => refused(doc, re));

  it('larger than 20 KB', () => {
    const big = stmt({ Sid: 'x'.repeat(MAX_POLICY_BYTES) });
    refused(big, /maximum allowed document size/);
  });

  it('a user name that does not exist, when the caller can say', () => {
    refused(stmt({ Principal: { AWS: 'mallory' } }), /no user mallory/, (n) => n === 'alice');
    parse(stmt({ Principal: { AWS: ['alice', 'arn:aws:iam::111122223333:user/alice'] } }), (n) => n === 'alice');
  });
});

describe('wildcardMatch', () => {
  const cases: [string, string, boolean][] = [
    ['*', '', true], ['*', 'a/b/c', true], ['a*', 'a', true], ['a?c', 'abc', true], ['a?c', 'ac', false],
    ['home/*/x', 'home/a/b/x', true], ['*a*a*a*b', 'a'.repeat(5000), false], ['abc', 'abd', false], ['a*c', 'abcbc', true],
  ];
  for (const [p, v, want] of cases) it(`${p} ~ ${v.slice(0, 20)} = ${want}`, () => assert.equal(wildcardMatch(p, v), want));
  it('ignoreCase', () => assert.ok(wildcardMatch('S3:Get*', 's3:getobject', { ignoreCase: true })));
});
