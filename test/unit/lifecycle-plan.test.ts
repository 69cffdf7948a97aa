/** The lifecycle planner: which action each version of a key gets, from its versions newest first. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LifecycleRule, ListedVersion } from '../../src/storage/backend.js';
import { planKey, type PlanContext } from '../../src/server/lifecycle/plan.js';
import { walkPrefixes } from '../../src/server/lifecycle/bucket-pass.js';

const DAY = 10; // seconds
const T0 = 1_000_000_000;
const rule = (r: Partial<LifecycleRule>): LifecycleRule => ({ id: 'r', enabled: true, filter: { form: 'filter', prefix: '', tags: [] }, transitions: [], noncurrentTransitions: [], ...r });
const version = (id: string, atSec: number, o: { marker?: boolean; size?: number; storageClass?: string } = {}): ListedVersion => ({
  key: 'k', versionId: id, isLatest: false, deleteMarker: o.marker ?? false, lastModified: new Date(T0 + atSec * 1000),
  object: o.marker ? undefined : { key: 'k', size: o.size ?? 5, lastModified: new Date(T0 + atSec * 1000), etag: `e-${id}`, meta: { userMetadata: {} }, storageClass: o.storageClass ?? 'STANDARD', isDirectoryObject: false },
});
const at = (sec: number, versioned = true): PlanContext => ({ now: T0 + sec * 1000, daySeconds: DAY, versioned });
const kinds = (plan: ReturnType<typeof planKey>) => plan.map((a) => `${a.kind}:${a.versionId ?? '-'}${a.storageClass ? `>${a.storageClass}` : ''}`);

test('expiration of the current version falls due at the day boundary after Days', () => {
  const rules = [rule({ expiration: { days: 2 } })];
  // Modified at 3 s: 2 days of 10 s later is 23 s, rounded up to the boundary at 30 s.
  assert.deepEqual(kinds(planKey(rules, [version('a', 3)], at(29))), []);
  assert.deepEqual(kinds(planKey(rules, [version('a', 3)], at(30))), ['expire:a']);
  assert.deepEqual(kinds(planKey(rules, [version('a', 3)], at(30, false))), ['expire:-'], 'a bucket without versioning: the object itself');
  assert.deepEqual(kinds(planKey([rule({ expiration: { date: new Date(T0 + 40_000).toISOString() } })], [version('a', 3)], at(39))), []);
});

test('transitions move down the class order only, the deepest due one; expiration wins over them', () => {
  const rules = [rule({ transitions: [{ days: 1, storageClass: 'STANDARD_IA' }, { days: 3, storageClass: 'GLACIER' }] })];
  assert.deepEqual(kinds(planKey(rules, [version('a', 0)], at(10))), ['transition:a>STANDARD_IA']);
  assert.deepEqual(kinds(planKey(rules, [version('a', 0)], at(30))), ['transition:a>GLACIER']);
  assert.deepEqual(kinds(planKey(rules, [version('a', 0, { storageClass: 'GLACIER' })], at(30))), [], 'already there');
  assert.deepEqual(kinds(planKey(rules, [version('a', 0, { storageClass: 'DEEP_ARCHIVE' })], at(30))), [], 'never back up');
  assert.deepEqual(kinds(planKey([...rules, rule({ id: 'e', expiration: { days: 2 } })], [version('a', 0)], at(30))), ['expire:a']);
});

test('noncurrent ages count from when the next newer version was made; NewerNoncurrentVersions are kept', () => {
  const rules = [rule({ noncurrentExpiration: { noncurrentDays: 1, newerNoncurrentVersions: 1 } })];
  // v4 current (made at 100 s), v3 noncurrent since 100, v2 since 50, v1 since 20.
  const vs = [version('v4', 100), version('v3', 50), version('v2', 20), version('v1', 0)];
  const plain = [rule({ noncurrentExpiration: { noncurrentDays: 1 } })];
  // v3 is due at 110 s (noncurrent since 100), v2 at 60 s, v1 at 30 s.
  assert.deepEqual(kinds(planKey(plain, vs, at(105))), ['expire-noncurrent:v2', 'expire-noncurrent:v1']);
  assert.deepEqual(kinds(planKey(plain, vs, at(110))), ['expire-noncurrent:v3', 'expire-noncurrent:v2', 'expire-noncurrent:v1']);
  assert.deepEqual(kinds(planKey(rules, vs, at(110))), ['expire-noncurrent:v2', 'expire-noncurrent:v1'], 'v3 kept: the one newer noncurrent version');
  const keepTwo = [rule({ noncurrentExpiration: { noncurrentDays: 1, newerNoncurrentVersions: 2 } })];
  assert.deepEqual(kinds(planKey(keepTwo, vs, at(110))), ['expire-noncurrent:v1']);
  const nt = [rule({ noncurrentTransitions: [{ noncurrentDays: 1, storageClass: 'GLACIER' }] })];
  assert.deepEqual(kinds(planKey(nt, vs, at(105))), ['transition-noncurrent:v2>GLACIER', 'transition-noncurrent:v1>GLACIER']);
});

test('a delete marker goes only when it is the last version left and a rule says ExpiredObjectDeleteMarker', () => {
  const eodm = [rule({ expiration: { expiredObjectDeleteMarker: true } })];
  assert.deepEqual(kinds(planKey(eodm, [version('m', 0, { marker: true })], at(1))), ['expire-delete-marker:m']);
  assert.deepEqual(kinds(planKey(eodm, [version('m', 5, { marker: true }), version('a', 0)], at(100))), []);
  assert.deepEqual(kinds(planKey([rule({ expiration: { days: 1 } })], [version('m', 0, { marker: true })], at(100))), [], 'Days does not remove markers');
  assert.deepEqual(kinds(planKey([rule({ expiration: { days: 1 } })], [version('m', 0, { marker: true }), version('a', 0)], at(100))), [], 'nor expire under a marker');
});

test('filters: size and tags never hold for delete markers; disabled rules do nothing', () => {
  const sized = [rule({ filter: { form: 'filter', tags: [], sizeGreaterThan: 1 }, noncurrentExpiration: { noncurrentDays: 1 } })];
  assert.deepEqual(kinds(planKey(sized, [version('v2', 10), version('m', 5, { marker: true }), version('v1', 0)], at(100))), ['expire-noncurrent:v1']);
  assert.deepEqual(kinds(planKey([rule({ enabled: false, expiration: { days: 1 } })], [version('a', 0)], at(100))), []);
});

test('the walk covers each rule prefix once, none inside another', () => {
  const p = (...prefixes: string[]) => walkPrefixes(prefixes.map((prefix) => rule({ filter: { form: 'filter', prefix, tags: [] } })));
  assert.deepEqual(p('logs/', 'logs/app/', 'tmp/'), ['logs/', 'tmp/']);
  assert.deepEqual(p('logs/', ''), ['']);
  assert.deepEqual(p('b', 'a'), ['a', 'b']);
});
