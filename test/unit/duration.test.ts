/** The one duration grammar, and the rules each setting adds to it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/config.js';
import { durationMs, parseDuration, parseExpiry, parseKeyLifetime } from '../../src/config/duration.js';

test('the grammar: a number and a unit (s m h d w y), bare seconds, 0, spaces allowed around', () => {
  const cases: [string, number][] = [
    ['90s', 90_000], ['30m', 1_800_000], ['12h', 43_200_000], ['7d', 7 * 86_400_000], ['2w', 14 * 86_400_000],
    ['1y', 365 * 86_400_000], ['45', 45_000], ['0', 0], ['0d', 0], [' 7 d ', 7 * 86_400_000], ['999999999s', 999_999_999_000],
  ];
  for (const [text, ms] of cases) assert.equal(durationMs(text)?.ms, ms, text);
  for (const bad of ['', ' ', 'd', '7 days', '-1d', '1.5h', '7x', '1e3', '1234567890s', '7dd', '0x10']) assert.equal(durationMs(bad), undefined, bad);
});

test('parseDuration: every unit by default, with a refusal that says what is accepted', () => {
  assert.equal(parseDuration('2w'), 14 * 86_400_000);
  assert.equal(parseDuration('0'), 0);
  assert.throws(() => parseDuration('soon'), (e: unknown) => e instanceof ConfigError && /"soon" is not a duration.*s, m, h, d, w, y/.test(e.message));
  assert.throws(() => parseDuration('0', { zero: false }), ConfigError);
  assert.throws(() => parseDuration('45', { bare: false }), ConfigError);
  assert.throws(() => parseDuration('1w', { units: ['s', 'd'] }), /\(s, d\)/);
  assert.throws(() => parseDuration('x', { message: (t) => `nope: ${t}` }), /^ConfigError: nope: x$/);
});

test('a key lifetime is positive and has a unit; an upload expiry takes s, m, h, d, bare seconds and 0', () => {
  assert.equal(parseKeyLifetime('90d'), 90 * 86_400_000);
  assert.equal(parseKeyLifetime('1y'), 365 * 86_400_000);
  for (const bad of ['0', '0d', '90', '90 days', '-1d']) assert.throws(() => parseKeyLifetime(bad), /is not a duration: expected a positive number and a unit/, bad);
  assert.equal(parseExpiry('0', '--multipart-expiry'), 0);
  assert.equal(parseExpiry('3600', 'multipartExpiry'), 3_600_000);
  assert.throws(() => parseExpiry('2w', 'multipartExpiry'), /^ConfigError: multipartExpiry: expected a duration such as 7d/);
});
