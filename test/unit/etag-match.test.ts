import test from 'node:test';
import assert from 'node:assert/strict';
import { bareEtag, etagMatches, matchesEtag, parseEtagCondition } from '../../src/storage/conditions/etag-match.js';

test('a condition parses once: bare ETags, or * when any entry is *', () => {
  assert.deepEqual(parseEtagCondition('"abc"'), ['abc']);
  assert.deepEqual(parseEtagCondition(' "a" , W/"b",c ,'), ['a', 'b', 'c']);
  assert.equal(parseEtagCondition(' * '), '*');
  assert.equal(parseEtagCondition('"a", *'), '*');
  assert.deepEqual(parseEtagCondition(''), []);
});

test('quotes: both, one or none; the W/ weak prefix compares by its opaque part', () => {
  for (const tag of ['"abc"', 'abc', '"abc', 'abc"', 'W/"abc"', ' W/abc ']) assert.equal(bareEtag(tag), 'abc', tag);
  assert.ok(matchesEtag(['abc'], '"abc"'));
  assert.ok(matchesEtag(['abc'], 'abc'));
  assert.ok(etagMatches('W/"abc"', 'abc'));
});

test('lists match when any entry does; * matches anything; nothing matches an empty list', () => {
  assert.ok(matchesEtag(['x', 'abc'], 'abc'));
  assert.ok(!matchesEtag(['x', 'abd'], 'abc'));
  assert.ok(matchesEtag('*', 'anything-1'));
  assert.ok(!matchesEtag([], 'abc'));
  assert.ok(etagMatches('"x", "abc"', 'abc'));
  assert.ok(!etagMatches('', 'abc'));
});

test('multipart ETags keep their part count', () => {
  assert.ok(etagMatches('"0123-2"', '0123-2'));
  assert.ok(!etagMatches('"0123"', '0123-2'));
});
