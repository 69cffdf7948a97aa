/** compareUtf8 against the outside truth, Buffer.compare of the UTF-8 bytes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareUtf8 } from '../../src/storage/posix/list/byte-order.js';

/** Characters around every boundary where UTF-16 and UTF-8 order could part ways. */
const ALPHABET = ['a', 'z', '/', '-', '\u00e9', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uff21', '\uffff', '\u{10000}', '\u{1f600}', '\u{10ffff}'];

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

test('agrees with Buffer.compare on the UTF-8 bytes, including where UTF-16 order differs', () => {
  let seed = 7;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 16) % n;
  };
  const word = () => Array.from({ length: rand(4) }, () => ALPHABET[rand(ALPHABET.length)]).join('');
  let differsFromUtf16 = 0;
  for (let i = 0; i < 5000; i++) {
    const a = word();
    const b = rand(4) === 0 ? a + word() : word();
    const truth = sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.equal(sign(compareUtf8(a, b)), truth, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    assert.equal(sign(compareUtf8(b, a)), sign(Buffer.compare(Buffer.from(b), Buffer.from(a))));
    if (truth !== sign(a < b ? -1 : a > b ? 1 : 0)) differsFromUtf16++;
  }
  assert.ok(differsFromUtf16 > 0, 'the sample holds pairs that UTF-16 order gets wrong');
});

test('S3 examples: "-" and "." before "/", "/" before "0", U+FF21 before U+1F600', () => {
  assert.ok(compareUtf8('a-b', 'a/x') < 0);
  assert.ok(compareUtf8('a.txt', 'a/x') < 0);
  assert.ok(compareUtf8('a/x', 'a0') < 0);
  assert.ok(compareUtf8('\uff21', '\u{1f600}') < 0);
  assert.ok(compareUtf8('a', 'a/') < 0);
  assert.equal(compareUtf8('\u{1f600}x', '\u{1f600}x'), 0);
});
