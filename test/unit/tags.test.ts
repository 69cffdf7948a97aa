/** Tag validation and the tagging wire forms (x-amz-tagging header, <Tagging> document): S3's limits and errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Error } from '../../src/errors/s3-error.js';
import { checkTags, parseTagging, parseTaggingHeader, taggingXml } from '../../src/s3/tags.js';
import { encodeXml } from '../../src/s3/xml.js';

const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));

function refuses(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof S3Error && e.code === code && message.test(e.message), `${code} ${message}`);
}

test('an object takes at most 10 tags, a bucket at most 50', () => {
  checkTags(tags(10), 'object');
  refuses(() => checkTags(tags(11), 'object'), 'InvalidTag', /Object tags cannot be greater than 10/);
  checkTags(tags(50), 'bucket');
  refuses(() => checkTags(tags(51), 'bucket'), 'InvalidTag', /Bucket tag count cannot be greater than 50/);
});

test('keys up to 128 and values up to 256 Unicode characters, counted as characters, not bytes or UTF-16 units', () => {
  checkTags([{ key: 'k'.repeat(128), value: 'v'.repeat(256) }], 'object');
  // 128 emoji are 256 UTF-16 units and 512 UTF-8 bytes, and still 128 characters.
  checkTags([{ key: '😀'.repeat(128), value: 'é'.repeat(256) }], 'object');
  refuses(() => checkTags([{ key: 'k'.repeat(129), value: '' }], 'object'), 'InvalidTag', /TagKey .* too long, max 128/);
  refuses(() => checkTags([{ key: 'k', value: '😀'.repeat(257) }], 'object'), 'InvalidTag', /TagValue .* too long, max 256/);
});

test('duplicate keys, empty keys and the reserved aws: prefix (any case) are refused, each saying which rule', () => {
  refuses(() => checkTags([{ key: 'a', value: '1' }, { key: 'a', value: '2' }], 'object'), 'InvalidTag', /multiple Tags with the same key/);
  refuses(() => checkTags([{ key: '', value: 'x' }], 'object'), 'InvalidTag', /cannot be empty/);
  refuses(() => checkTags([{ key: 'AWS:cost', value: 'x' }], 'bucket'), 'InvalidTag', /prefixed with aws:/);
  checkTags([{ key: 'aws', value: '' }, { key: 'my:aws:x', value: '' }], 'object'); // only the prefix is reserved
});

test('x-amz-tagging is URL-encoded query form; a repeated key is InvalidArgument', () => {
  assert.deepEqual(parseTaggingHeader('a=1&b=two%20words&c=&d'), [
    { key: 'a', value: '1' }, { key: 'b', value: 'two words' }, { key: 'c', value: '' }, { key: 'd', value: '' },
  ]);
  assert.deepEqual(parseTaggingHeader('k%26=v%3D%2B'), [{ key: 'k&', value: 'v=+' }]);
  assert.deepEqual(parseTaggingHeader(''), []);
  refuses(() => parseTaggingHeader('a=1&a=2'), 'InvalidArgument', /without tag name duplicates/);
  refuses(() => parseTaggingHeader(tags(11).map((t) => `${t.key}=${t.value}`).join('&')), 'InvalidTag', /greater than 10/);
});

test('a <Tagging> body parses in order, keeps spaces, and needs a TagSet with Key and Value in each Tag', () => {
  const body = '<?xml version="1.0"?><Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>'
    + '<Tag><Key>b</Key><Value> spaced </Value></Tag><Tag><Key>a &amp; b</Key><Value></Value></Tag></TagSet></Tagging>';
  assert.deepEqual(parseTagging(body, 'object'), [{ key: 'b', value: ' spaced ' }, { key: 'a & b', value: '' }]);
  assert.deepEqual(parseTagging('<Tagging><TagSet/></Tagging>', 'object'), []);
  assert.deepEqual(parseTagging('<Tagging><TagSet>\n  </TagSet></Tagging>', 'bucket'), []);
  refuses(() => parseTagging('<Tagging></Tagging>', 'object'), 'MalformedXML', /TagSet/);
  refuses(() => parseTagging('<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>', 'object'), 'MalformedXML', /Key and a Value/);
  refuses(() => parseTagging('<Other/>', 'object'), 'MalformedXML', /./);
  const eleven = `<Tagging><TagSet>${tags(11).map((t) => `<Tag><Key>${t.key}</Key><Value>${t.value}</Value></Tag>`).join('')}</TagSet></Tagging>`;
  refuses(() => parseTagging(eleven, 'object'), 'InvalidTag', /greater than 10/);
  assert.equal(parseTagging(eleven, 'bucket').length, 11);
});

test('the <Tagging> answer lists each tag, and an empty TagSet element when there are none', () => {
  assert.equal(encodeXml('Tagging', taggingXml([{ key: 'k<', value: 'v' }])),
    '<?xml version="1.0" encoding="UTF-8"?>\n<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>k&lt;</Key><Value>v</Value></Tag></TagSet></Tagging>');
  assert.match(encodeXml('Tagging', taggingXml([])), /<TagSet><\/TagSet>/);
});
