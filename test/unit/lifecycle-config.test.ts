/** Lifecycle: the configuration document as S3 checks it, rule matching, due dates and x-amz-expiration. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Error } from '../../src/errors/s3-error.js';
import { parseLifecycleConfiguration } from '../../src/s3/lifecycle/parse-configuration.js';
import { lifecycleConfigurationXml } from '../../src/s3/lifecycle/configuration-xml.js';
import { ruleApplies } from '../../src/s3/lifecycle/rule-match.js';
import { dueAfter } from '../../src/s3/lifecycle/due.js';
import { expirationHeader } from '../../src/s3/lifecycle/expiration-header.js';
import { encodeXml } from '../../src/s3/xml.js';

const cfg = (rules: string) => `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${rules}</LifecycleConfiguration>`;
const rule = (inner: string, id = '<ID>r</ID>') => `<Rule>${id}${inner}</Rule>`;
const days1 = '<Expiration><Days>1</Days></Expiration>';

function refuses(body: string, code: string, message?: RegExp): void {
  assert.throws(() => parseLifecycleConfiguration(body), (e: unknown) => {
    assert.ok(e instanceof S3Error, String(e));
    assert.equal(e.code, code, `${body}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  }, body);
}

test('a full configuration parses, and writes back in the shape it was given', () => {
  const body = cfg(
    rule('<Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration>' +
      '<Transition><Days>7</Days><StorageClass>GLACIER</StorageClass></Transition>', '<ID>logs</ID>') +
    rule('<Prefix>old/</Prefix><Status>Disabled</Status><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration>', '<ID>old</ID>') +
    rule('<Filter><And><Prefix>a/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>100</ObjectSizeLessThan></And></Filter>' +
      '<Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration>' +
      '<NoncurrentVersionTransition><NoncurrentDays>1</NoncurrentDays><StorageClass>DEEP_ARCHIVE</StorageClass></NoncurrentVersionTransition>', '<ID>and</ID>') +
    rule('<Filter></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>' +
      '<AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload>', '<ID>all</ID>'),
  );
  const rules = parseLifecycleConfiguration(body);
  assert.deepEqual(rules.map((r) => r.id), ['logs', 'old', 'and', 'all']);
  assert.deepEqual(rules[0]!.filter, { form: 'filter', prefix: 'logs/', tags: [] });
  assert.deepEqual(rules[0]!.transitions, [{ days: 7, storageClass: 'GLACIER' }]);
  assert.deepEqual(rules[1]!.expiration, { date: '2030-01-01T00:00:00.000Z' });
  assert.equal(rules[1]!.enabled, false);
  assert.deepEqual(rules[2]!.filter, { form: 'and', prefix: 'a/', tags: [{ key: 'k', value: 'v' }], sizeGreaterThan: 10, sizeLessThan: 100 });
  assert.deepEqual(rules[2]!.noncurrentExpiration, { noncurrentDays: 3, newerNoncurrentVersions: 2 });
  assert.deepEqual(rules[3]!.expiration, { expiredObjectDeleteMarker: true });
  assert.equal(rules[3]!.abortIncompleteMultipartUploadDays, 2);
  // Round trip: what GET writes parses to the same rules.
  assert.deepEqual(parseLifecycleConfiguration(encodeXml('LifecycleConfiguration', lifecycleConfigurationXml(rules))), rules);
  const xml = encodeXml('LifecycleConfiguration', lifecycleConfigurationXml(rules));
  assert.match(xml, /<Rule><ID>old<\/ID><Prefix>old\/<\/Prefix><Status>Disabled<\/Status>/);
  assert.match(xml, /<Filter><And><Prefix>a\/<\/Prefix><Tag><Key>k<\/Key>/);
  assert.match(xml, /<ID>all<\/ID><Filter><\/Filter>/);
});

test('a rule without an ID gets one; a bare date means midnight UTC', () => {
  const [r] = parseLifecycleConfiguration(cfg(rule('<Filter/><Status>Enabled</Status><Expiration><Date>2031-05-02</Date></Expiration>', '')));
  assert.ok(r!.id.length > 0 && r!.id.length <= 255);
  assert.equal(r!.expiration?.date, '2031-05-02T00:00:00.000Z');
});

test('MalformedXML: what the schema refuses', () => {
  refuses('<LifecycleConfiguration/>', 'MalformedXML');
  refuses('not xml', 'MalformedXML');
  refuses(cfg(rule('<Filter/><Status>enabled</Status>' + days1)), 'MalformedXML', /Status/);
  refuses(cfg(rule('<Filter/>' + days1)), 'MalformedXML', /Status/);
  refuses(cfg(rule('<Status>Enabled</Status>' + days1)), 'MalformedXML', /Filter/);
  refuses(cfg(rule('<Prefix>a</Prefix><Filter/><Status>Enabled</Status>' + days1)), 'MalformedXML');
  refuses(cfg(rule('<Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>' + days1)), 'MalformedXML', /And/);
  refuses(cfg(rule('<Filter><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>j</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>' + days1)), 'MalformedXML', /And/);
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Expiration><Days>1</Days><Date>2030-01-01</Date></Expiration>')), 'MalformedXML');
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>')), 'MalformedXML');
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Expiration></Expiration>')), 'MalformedXML');
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Expiration><Days>ten</Days></Expiration>')), 'MalformedXML');
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>yes</ExpiredObjectDeleteMarker></Expiration>')), 'MalformedXML');
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>STANDARD</StorageClass></Transition>')), 'MalformedXML');
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Transition><Days>1</Days></Transition>')), 'MalformedXML');
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Transition><StorageClass>GLACIER</StorageClass></Transition>')), 'MalformedXML');
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration>')), 'MalformedXML');
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><AbortIncompleteMultipartUpload/>')), 'MalformedXML');
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Bogus>1</Bogus>' + days1)), 'MalformedXML');
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Expiration><Date>next week</Date></Expiration>')), 'MalformedXML');
  refuses(cfg(Array.from({ length: 1001 }, (_, i) => rule('<Filter/><Status>Enabled</Status>' + days1, `<ID>r${i}</ID>`)).join('')), 'MalformedXML', /1000/);
});

test('InvalidArgument: values out of range', () => {
  refuses(cfg(rule('<Filter/><Status>Enabled</Status>' + days1, `<ID>${'x'.repeat(256)}</ID>`)), 'InvalidArgument', /ID length should not exceed allowed limit of 255/);
  parseLifecycleConfiguration(cfg(rule('<Filter/><Status>Enabled</Status>' + days1, `<ID>${'x'.repeat(255)}</ID>`)));
  refuses(cfg(rule('<Filter/><Status>Enabled</Status>' + days1) + rule('<Filter/><Status>Enabled</Status>' + days1)), 'InvalidArgument', /Rule ID must be unique/);
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration>')), 'InvalidArgument', /'Days' for Expiration action must be a positive integer/);
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Expiration><Days>-3</Days></Expiration>')), 'InvalidArgument');
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Expiration><Date>2030-01-01T01:00:00Z</Date></Expiration>')), 'InvalidArgument', /'Date' must be at midnight GMT/);
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Transition><Date>2030-01-01T00:00:01.000Z</Date><StorageClass>GLACIER</StorageClass></Transition>')), 'InvalidArgument', /midnight/);
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration>')), 'InvalidArgument', /NoncurrentDays/);
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101</NewerNoncurrentVersions></NoncurrentVersionExpiration>')), 'InvalidArgument', /NewerNoncurrentVersions/);
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload>')), 'InvalidArgument', /DaysAfterInitiation/);
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Transition><Days>10</Days><StorageClass>STANDARD_IA</StorageClass></Transition>')), 'InvalidArgument', /greater than or equal to 30 for storageClass 'STANDARD_IA'/);
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Expiration><Days>5</Days></Expiration><Transition><Days>5</Days><StorageClass>GLACIER</StorageClass></Transition>')), 'InvalidArgument', /must be greater than 'Days' in the Transition action/);
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition><Transition><Days>2</Days><StorageClass>GLACIER</StorageClass></Transition>')), 'InvalidArgument', /'StorageClass' must be different/);
  refuses(cfg(rule('<Filter><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan></Filter><Status>Enabled</Status>' + days1).replace('<Filter><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan></Filter>', '<Filter><And><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan><ObjectSizeLessThan>100</ObjectSizeLessThan></And></Filter>')), 'InvalidArgument', /ObjectSizeGreaterThan/);
  refuses(cfg(rule('<Filter><ObjectSizeLessThan>0</ObjectSizeLessThan></Filter><Status>Enabled</Status>' + days1)), 'InvalidArgument');
});

test('InvalidRequest: combinations S3 does not allow', () => {
  refuses(cfg(rule('<Filter/><Status>Enabled</Status>')), 'InvalidRequest', /At least one action needs to be specified in a rule/);
  refuses(cfg(rule('<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>')), 'InvalidRequest', /Tags/);
  refuses(cfg(rule('<Filter><ObjectSizeGreaterThan>1</ObjectSizeGreaterThan></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>')), 'InvalidRequest', /size/);
  refuses(cfg(rule('<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>')), 'InvalidRequest', /Tags/);
  refuses(cfg(rule('<Filter><And><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>k</Key><Value>w</Value></Tag></And></Filter><Status>Enabled</Status>' + days1)), 'InvalidRequest', /Duplicate/);
  refuses(cfg(rule('<Filter/><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition><Transition><Date>2030-01-01</Date><StorageClass>DEEP_ARCHIVE</StorageClass></Transition>')), 'InvalidRequest', /mixed/);
});

test('a rule applies when enabled and its prefix, tags and size bounds hold', () => {
  const [r] = parseLifecycleConfiguration(cfg(rule('<Filter><And><Prefix>a/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>100</ObjectSizeLessThan></And></Filter><Status>Enabled</Status>' + days1)));
  const tags = [{ key: 'x', value: 'y' }, { key: 'k', value: 'v' }];
  assert.ok(ruleApplies(r!, { key: 'a/b', size: 50, tags }));
  assert.ok(!ruleApplies(r!, { key: 'b/a', size: 50, tags }));
  assert.ok(!ruleApplies(r!, { key: 'a/b', size: 10, tags }), 'greater than is strict');
  assert.ok(!ruleApplies(r!, { key: 'a/b', size: 100, tags }), 'less than is strict');
  assert.ok(!ruleApplies(r!, { key: 'a/b', size: undefined, tags }), 'an unknown size matches no size bound');
  assert.ok(!ruleApplies(r!, { key: 'a/b', size: 50, tags: [{ key: 'k', value: 'w' }] }));
  assert.ok(!ruleApplies({ ...r!, enabled: false }, { key: 'a/b', size: 50, tags }));
});

test('due dates round up to the next day boundary; x-amz-expiration names the earliest rule', () => {
  const day = 86_400_000;
  const t = Date.UTC(2026, 0, 1, 13, 5);
  assert.equal(dueAfter(t, 1), Date.UTC(2026, 0, 3));
  assert.equal(dueAfter(Date.UTC(2026, 0, 1), 1), Date.UTC(2026, 0, 2), 'a midnight plus a day is the next midnight');
  assert.equal(dueAfter(10_500, 2, 2), 16_000, 'a 2-second day: 10.5 s + 4 s rounds up to 16 s');
  assert.equal(dueAfter(t, 3) - dueAfter(t, 2), day);
  const rules = parseLifecycleConfiguration(cfg(
    rule('<Filter><Prefix>a/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>10</Days></Expiration>', '<ID>ten days</ID>') +
    rule('<Filter/><Status>Enabled</Status><Expiration><Days>30</Days></Expiration>', '<ID>thirty</ID>') +
    rule('<Filter/><Status>Disabled</Status><Expiration><Days>1</Days></Expiration>', '<ID>off</ID>'),
  ));
  assert.equal(expirationHeader(rules, { key: 'a/x', size: 1, lastModified: new Date(t) }), `expiry-date="${new Date(Date.UTC(2026, 0, 12)).toUTCString()}", rule-id="ten%20days"`);
  assert.equal(expirationHeader(rules, { key: 'b/x', size: 1, lastModified: new Date(t) }), `expiry-date="Sun, 01 Feb 2026 00:00:00 GMT", rule-id="thirty"`);
  assert.equal(expirationHeader([rules[2]!], { key: 'b/x', size: 1, lastModified: new Date(t) }), undefined);
  assert.equal(expirationHeader(undefined, { key: 'b/x', size: 1, lastModified: new Date(t) }), undefined);
});
