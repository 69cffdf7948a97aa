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

test('errors name the bad field', () => {
  const cases: [unknown, RegExp][] = [
    [{ buckets: [{ name: 'x', path: '/p', access: 'rw' }] }, /^buckets\[0\]\.access: /],
    [{ buckets: [{ path: '/p' }] }, /^buckets\[0\]\.name: required/],
    [{ buckets: 'x' }, /^buckets: /],
    [{ metadata: 'disk' }, /^metadata: /],
    [{ fsync: 'yes' }, /^fsync: /],
    [{ lsiten: '1:2' }, /^lsiten: unknown setting/],
    [[1, 2], /^configuration: /],
  ];
  for (const [doc, re] of cases) assert.throws(() => validateConfig(doc, '/'), (e: Error) => e instanceof ConfigError && re.test(e.message), JSON.stringify(doc));
});
