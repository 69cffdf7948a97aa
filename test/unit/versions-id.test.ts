/** Version ids (src/storage/posix/versions/version-id.ts): shape, order, parsing, and the ids derived for NAS changes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dateOfId, derivedVersionId, impliedMarkerId, isVersionId, newVersionId, parseVersionId, timeOfId, VERSION_ID_LENGTH,
} from '../../src/storage/posix/versions/version-id.js';
import { rejectsS3 } from './storage-fixture.js';

test('new ids are 20 URL-safe characters, unique, and sort in the order they were made', () => {
  const ids = Array.from({ length: 5000 }, () => newVersionId());
  for (const id of ids) assert.match(id, /^[0-9a-v]{20}$/);
  assert.equal(VERSION_ID_LENGTH, 20);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
  const at = dateOfId(ids[0]).getTime();
  assert.ok(Math.abs(at - Date.now()) < 5000, 'the time part is now');
});

test('a new id comes after the key\'s newest, even one from a host whose clock runs ahead', () => {
  const now = newVersionId();
  const future = now.slice(0, 2) + 'v'.repeat(9) + now.slice(11); // made by a clock years ahead
  const next = newVersionId(future);
  assert.ok(next > future);
  assert.equal(timeOfId(next), timeOfId(future) + 1n);
});

test('parseVersionId accepts null and our ids, and calls anything else malformed (InvalidArgument)', async () => {
  assert.equal(parseVersionId('null'), 'null');
  const id = newVersionId();
  assert.equal(parseVersionId(id), id);
  for (const bad of ['', 'NULL', id.toUpperCase(), id + '0', id.slice(1), 'w'.repeat(20), '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY', '../etc']) {
    assert.equal(isVersionId(bad), false, bad);
    await rejectsS3(Promise.resolve().then(() => parseVersionId(bad)), 'InvalidArgument', /Invalid version id/);
  }
});

test('a derived id is a pure function of the file\'s identity and the key\'s newest version', () => {
  const stats = { ino: 1234n, size: 10n, mtimeNs: 1_700_000_000_123_456_789n, birthtimeNs: 1_700_000_000_000_000_000n };
  const a = derivedVersionId(stats);
  assert.equal(derivedVersionId({ ...stats }), a, 'two gateways agree');
  assert.notEqual(derivedVersionId({ ...stats, size: 11n }), a);
  assert.notEqual(derivedVersionId({ ...stats, mtimeNs: stats.mtimeNs + 1n }), a);
  assert.equal(timeOfId(a), stats.mtimeNs / 1000n, 'its time is the file\'s');
  // An old mtime (rsync -t, cp -p) still sorts after the versions already kept.
  const newest = newVersionId();
  const b = derivedVersionId(stats, newest);
  assert.ok(b > newest);
  assert.equal(derivedVersionId(stats, newest), b);
});

test('the marker a NAS delete implies comes right after the version that went, the same for everyone', () => {
  const v = newVersionId();
  const m = impliedMarkerId(v);
  assert.ok(isVersionId(m) && m > v);
  assert.equal(timeOfId(m), timeOfId(v) + 1n);
  assert.equal(impliedMarkerId(v), m);
  assert.notEqual(impliedMarkerId(m), m);
});
