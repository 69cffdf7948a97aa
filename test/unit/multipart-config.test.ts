/** The multipart expiry setting: durations on the command line and in the configuration file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DEFAULTS, validateConfig } from '../../src/config/config.js';
import { parseExpiry as parseDuration } from '../../src/config/duration.js';

test('durations: s, m, h, d, bare seconds and 0 (never)', () => {
  assert.equal(parseDuration('7d', 'x'), 7 * 86_400_000);
  assert.equal(parseDuration('12h', 'x'), 12 * 3_600_000);
  assert.equal(parseDuration('30m', 'x'), 1_800_000);
  assert.equal(parseDuration('90s', 'x'), 90_000);
  assert.equal(parseDuration('45', 'x'), 45_000);
  assert.equal(parseDuration('0', 'x'), 0);
  for (const bad of ['', '7 days', '-1d', '1.5h', 'd', '7w']) {
    assert.throws(() => parseDuration(bad, '--multipart-expiry'), (e: unknown) => e instanceof ConfigError && /--multipart-expiry/.test(e.message), bad);
  }
});

test('the default is 7 days; the configuration file takes multipartExpiry as a duration or seconds', () => {
  assert.equal(DEFAULTS.multipartExpiryMs, 7 * 86_400_000);
  assert.equal(validateConfig({ multipartExpiry: '2d' }, '/').multipartExpiryMs, 2 * 86_400_000);
  assert.equal(validateConfig({ multipartExpiry: 3600 }, '/').multipartExpiryMs, 3_600_000);
  assert.throws(() => validateConfig({ multipartExpiry: 'soon' }, '/'), /multipartExpiry/);
  assert.throws(() => validateConfig({ multipartExpiry: true }, '/'), /multipartExpiry/);
});
