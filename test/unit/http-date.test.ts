import test from 'node:test';
import assert from 'node:assert/strict';
import { parseHttpDate } from '../../src/http/http-date.js';

const T = Date.UTC(1994, 10, 6, 8, 49, 37);

test('the three forms of RFC 7231 name the same instant', () => {
  assert.equal(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')?.getTime(), T);
  assert.equal(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')?.getTime(), T);
  assert.equal(parseHttpDate('Sun Nov  6 08:49:37 1994')?.getTime(), T);
});

test('what Date#toUTCString writes reads back', () => {
  const d = new Date('2024-05-01T10:00:00Z');
  assert.equal(parseHttpDate(d.toUTCString())?.getTime(), d.getTime());
});

test('lenient where S3 is: a numeric zone, no weekday, any case, surrounding space', () => {
  assert.equal(parseHttpDate('Tue, 27 Mar 2007 19:36:42 +0000')?.getTime(), Date.UTC(2007, 2, 27, 19, 36, 42));
  assert.equal(parseHttpDate('Tue, 27 Mar 2007 21:36:42 +0200')?.getTime(), Date.UTC(2007, 2, 27, 19, 36, 42));
  assert.equal(parseHttpDate('06 Nov 1994 08:49:37 GMT')?.getTime(), T);
  assert.equal(parseHttpDate('  sun, 06 nov 1994 08:49:37 gmt ')?.getTime(), T);
});

test('RFC 850 two-digit years fall within 50 years of now', () => {
  const now = new Date().getUTCFullYear();
  const yy = String((now + 1) % 100).padStart(2, '0');
  assert.equal(parseHttpDate(`Monday, 01-Jan-${yy} 00:00:00 GMT`)?.getUTCFullYear(), now + 1);
});

test('anything else is undefined, never a guess', () => {
  for (const bad of [undefined, '', 'not a date', '1', '2024-05-01', 'Sun, 31 Feb 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 24:00:00 GMT', 'Sun, 06 Foo 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 08:49:37 PST']) {
    assert.equal(parseHttpDate(bad), undefined, String(bad));
  }
});
