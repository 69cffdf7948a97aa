import test from 'node:test';
import assert from 'node:assert/strict';
import { asArray, encodeXml, parseXml, textOf } from '../../src/s3/xml.js';
import { S3Error } from '../../src/errors/s3-error.js';

test('encoder writes nested objects, repeats arrays, skips undefined, escapes text', () => {
  const xml = encodeXml('ListBucketResult', {
    Name: 'b',
    Prefix: '',
    Marker: undefined,
    IsTruncated: false,
    Contents: [{ Key: 'a<&>"\'' }, { Key: 'b' }],
    LastModified: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
  });
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      '<Name>b</Name><Prefix></Prefix><IsTruncated>false</IsTruncated>' +
      '<Contents><Key>a&lt;&amp;&gt;&quot;&apos;</Key></Contents><Contents><Key>b</Key></Contents>' +
      '<LastModified>2024-01-02T03:04:05.000Z</LastModified></ListBucketResult>',
  );
});

test('parser reads a Delete document with one or many objects', () => {
  const one = parseXml('<Delete><Object><Key>a</Key></Object></Delete>', 'Delete');
  assert.deepEqual(asArray(one.Object).map((o) => textOf((o as Record<string, unknown>).Key)), ['a']);
  const many = parseXml(
    '<?xml version="1.0"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>' +
      '<Object><Key>a &amp; b</Key></Object><Object><Key> sp </Key><VersionId>null</VersionId></Object></Delete>',
    'Delete',
  );
  assert.equal(textOf(many.Quiet), 'true');
  assert.deepEqual(asArray(many.Object).map((o) => textOf((o as Record<string, unknown>).Key)), ['a & b', ' sp ']);
});

test('malformed XML, a wrong root and DOCTYPE are MalformedXML', () => {
  for (const body of ['', '<Delete>', '<Delete><Object></Delete>', '<Other/>', '<!DOCTYPE x [<!ENTITY a "b">]><Delete/>', 'not xml']) {
    assert.throws(() => parseXml(body, 'Delete'), (e: S3Error) => e.code === 'MalformedXML', JSON.stringify(body));
  }
});

test('characters XML 1.0 allows nowhere are MalformedXML; tab, newline and carriage return are fine', () => {
  for (const c of ['\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\u001b', '\u001f', '\ufffe', '\uffff']) {
    assert.throws(() => parseXml(`<Tagging><TagSet><Tag><Key>k${c}</Key><Value>v</Value></Tag></TagSet></Tagging>`, 'Tagging'),
      (e: unknown) => e instanceof S3Error && e.code === 'MalformedXML', `U+${c.charCodeAt(0).toString(16)}`);
  }
  const doc = parseXml('<Tagging>\t\r\n<TagSet><Tag><Key>k</Key><Value>v\tw</Value></Tag></TagSet></Tagging>', 'Tagging');
  assert.equal(textOf((doc.TagSet as Record<string, Record<string, unknown>>).Tag!.Value), 'v\tw');
});
