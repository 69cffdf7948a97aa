import test from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseListen, validateConfig } from '../../src/config/config.js';

test('listen addresses', () => {
  assert.deepEqual(parseListen('127.0.0.1:9000'), { host: '127.0.0.1', port: 9000 });
  assert.deepEqual(parseListen(':0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseListen('[::1]:9000'), { host: '::1', port: 9000 });
  assert.throws(() => parseListen('nope'), ConfigError);
  assert.throws(() => parseListen('host:70000'), ConfigError);
});

test('a valid file resolves paths against its folder', () => {
  const c = validateConfig({ buckets: [{ name: 'photos', path: 'p', access: 'read-only' }], metadata: 'sidecar', fsync: false }, '/etc/db');
  assert.deepEqual(c.buckets, [{ name: 'photos', path: '/etc/db/p', readOnly: true }]);
  assert.equal(c.metadata, 'sidecar');
  assert.equal(c.fsync, false);
});

test("a mapped bucket's identity and identity mode", () => {
  const c = validateConfig({ identityMode: 'bucket', buckets: [
    { name: 'a', path: 'a', identity: '1001:2001' }, { name: 'b', path: 'b', identityMode: 'user' }, { name: 'c', path: 'c', identity: 'www-data', identityMode: 'bucket' },
  ] }, '/etc/db');
  assert.equal(c.identityMode, 'bucket');
  assert.deepEqual(c.buckets?.map((b) => [b.name, b.identity, b.identityMode]), [['a', '1001:2001', undefined], ['b', undefined, 'user'], ['c', 'www-data', 'bucket']]);
});

test('errors name the bad field', () => {
  const cases: [unknown, RegExp][] = [
    [{ buckets: [{ name: 'x', path: '/p', access: 'rw' }] }, /^buckets\[0\]\.access: /],
    [{ buckets: [{ path: '/p' }] }, /^buckets\[0\]\.name: required/],
    [{ buckets: 'x' }, /^buckets: /],
    [{ metadata: 'disk' }, /^metadata: /],
    [{ fsync: 'yes' }, /^fsync: /],
    [{ lsiten: '1:2' }, /^lsiten: unknown setting/],
    [{ identityMode: 'group' }, /^identityMode: expected user or bucket, got "group"$/],
    [{ buckets: [{ name: 'x', path: '/p', identityMode: 'nobody' }] }, /^buckets\[0\]\.identityMode: expected user or bucket/],
    [{ buckets: [{ name: 'x', path: '/p', identity: '1:1', identityMode: 'user' }] }, /^buckets\[0\]: identity is what the bucket acts as/],
    [{ buckets: [{ name: 'x', path: '/p', identity: 12 }] }, /^buckets\[0\]\.identity: expected a non-empty string/],
    [[1, 2], /^configuration: /],
  ];
  for (const [doc, re] of cases) assert.throws(() => validateConfig(doc, '/'), (e: Error) => e instanceof ConfigError && re.test(e.message), JSON.stringify(doc));
});
