import test from 'node:test';
import assert from 'node:assert/strict';
import { headerOf } from '../../src/http/headers.js';

test('a header is one string or undefined; arrays join as HTTP lists', () => {
  const h = { 'if-match': '"a"', 'set-cookie': ['x=1', 'y=2'], empty: '' };
  assert.equal(headerOf(h, 'if-match'), '"a"');
  assert.equal(headerOf(h, 'set-cookie'), 'x=1,y=2');
  assert.equal(headerOf(h, 'empty'), '');
  assert.equal(headerOf(h, 'missing'), undefined);
});
