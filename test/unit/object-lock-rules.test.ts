/**
 * The rules of object lock as pure functions (issue #12): the one delete check (deletable.ts), how retention may
 * change (retention-change.ts), and the x-amz-object-lock-* headers and lock XML as S3 validates them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { S3Error } from '../../src/errors/s3-error.js';
import { assertDeletable, lockInForce } from '../../src/storage/posix/object-lock/deletable.js';
import { changedRetention } from '../../src/storage/posix/object-lock/retention-change.js';
import { lockFromHeaders, lockHeaders } from '../../src/s3/lock/lock-headers.js';
import { parseLegalHold, parseLockConfiguration, parseRetention } from '../../src/s3/lock/lock-xml.js';
import type { ObjectLock, Retention } from '../../src/storage/object-lock.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const at = (s: number) => new Date(NOW + s * 1000).toISOString();
const gov = (s: number): Retention => ({ mode: 'GOVERNANCE', retainUntil: at(s) });
const comp = (s: number): Retention => ({ mode: 'COMPLIANCE', retainUntil: at(s) });
const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    assert.ok(e instanceof S3Error, String(e));
    return e.code;
  }
};

describe('the delete check', () => {
  const del = (lock: ObjectLock, bypassGovernance = false) => code(() => assertDeletable(lock, { key: 'k', versionId: 'v', bypassGovernance, now: NOW }));

  it('lets unlocked and expired versions go', () => {
    assert.equal(del({}), undefined);
    assert.equal(del({ retention: comp(-1) }), undefined);
    assert.equal(del({ retention: gov(-1), legalHold: false }), undefined);
    assert.equal(lockInForce({ retention: comp(0) }, NOW), undefined, 'the date itself is past');
  });

  it('refuses COMPLIANCE and a legal hold whatever the bypass; GOVERNANCE unless bypassed', () => {
    assert.equal(del({ retention: comp(10) }, true), 'AccessDenied');
    assert.equal(del({ legalHold: true }, true), 'AccessDenied');
    assert.equal(del({ retention: gov(10), legalHold: true }, true), 'AccessDenied');
    assert.equal(del({ retention: gov(10) }), 'AccessDenied');
    assert.equal(del({ retention: gov(10) }, true), undefined);
  });

  it('names the lock in its message', () => {
    assert.throws(() => assertDeletable({ retention: comp(10) }, { key: 'a/b', versionId: 'v1', now: NOW }), /object lock: version v1 of 'a\/b' is under COMPLIANCE retention until/);
    assert.throws(() => assertDeletable({ legalHold: true }, { key: 'a', versionId: 'v1', now: NOW }), /legal hold/);
  });
});

describe('changing retention', () => {
  const change = (old: ObjectLock, next: Retention | undefined, bypass = false) => code(() => changedRetention(old, next, bypass, NOW));

  it('extending, or setting where none is in force, needs nothing', () => {
    assert.equal(change({}, gov(10)), undefined);
    assert.equal(change({ retention: gov(10) }, gov(20)), undefined);
    assert.equal(change({ retention: comp(10) }, comp(10)), undefined);
    assert.equal(change({ retention: gov(10) }, comp(10)), undefined, 'to the stricter mode');
    assert.equal(change({ retention: comp(-5) }, gov(1)), undefined, 'an expired COMPLIANCE binds nothing');
  });

  it('GOVERNANCE shortened, removed or weakened only with bypass', () => {
    assert.equal(change({ retention: gov(10) }, gov(5)), 'AccessDenied');
    assert.equal(change({ retention: gov(10) }, undefined), 'AccessDenied');
    assert.equal(change({ retention: gov(10) }, gov(5), true), undefined);
    assert.equal(change({ retention: gov(10) }, undefined, true), undefined);
  });

  it('COMPLIANCE never shortened, removed or weakened, bypass or not', () => {
    assert.equal(change({ retention: comp(10) }, comp(5), true), 'AccessDenied');
    assert.equal(change({ retention: comp(10) }, undefined, true), 'AccessDenied');
    assert.equal(change({ retention: comp(10) }, gov(100), true), 'AccessDenied');
  });

  it('keeps the legal hold as it was', () => {
    assert.deepEqual(changedRetention({ legalHold: true }, gov(10), false, NOW), { retention: gov(10), legalHold: true });
    assert.deepEqual(changedRetention({ retention: gov(10), legalHold: false }, undefined, true, NOW), { legalHold: false });
  });
});

describe('x-amz-object-lock-* headers', () => {
  const future = new Date(Date.now() + 3600_000).toISOString();

  it('reads mode and date together, and the legal hold', () => {
    assert.equal(lockFromHeaders({}), undefined);
    assert.deepEqual(lockFromHeaders({ 'x-amz-object-lock-mode': 'COMPLIANCE', 'x-amz-object-lock-retain-until-date': future, 'x-amz-object-lock-legal-hold': 'OFF' }),
      { retention: { mode: 'COMPLIANCE', retainUntil: future }, legalHold: false });
  });

  it('refuses half a retention, unknown modes, past or malformed dates, bad legal holds: InvalidArgument', () => {
    for (const h of [
      { 'x-amz-object-lock-mode': 'GOVERNANCE' },
      { 'x-amz-object-lock-retain-until-date': future },
      { 'x-amz-object-lock-mode': 'governance', 'x-amz-object-lock-retain-until-date': future },
      { 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': '2000-01-01T00:00:00Z' },
      { 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': 'tomorrow' },
      { 'x-amz-object-lock-legal-hold': 'on' },
    ]) assert.equal(code(() => lockFromHeaders(h)), 'InvalidArgument', JSON.stringify(h));
  });

  it('writes them back on GET and HEAD', () => {
    assert.deepEqual(lockHeaders({ retention: { mode: 'GOVERNANCE', retainUntil: future }, legalHold: true }),
      { 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': future, 'x-amz-object-lock-legal-hold': 'ON' });
    assert.deepEqual(lockHeaders(undefined), {});
  });
});

describe('lock XML', () => {
  const conf = (inner: string) => `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>${inner}</ObjectLockConfiguration>`;

  it('parses a configuration with Days or Years', () => {
    assert.deepEqual(parseLockConfiguration(conf('')), { enabled: true });
    assert.deepEqual(parseLockConfiguration(conf('<Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>2</Years></DefaultRetention></Rule>')),
      { enabled: true, defaultRetention: { mode: 'COMPLIANCE', years: 2 } });
  });

  it('refuses Days with Years, no period, a bad mode (MalformedXML), a period not positive (InvalidArgument)', () => {
    assert.equal(code(() => parseLockConfiguration(conf('<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years></DefaultRetention></Rule>'))), 'MalformedXML');
    assert.equal(code(() => parseLockConfiguration(conf('<Rule><DefaultRetention><Mode>GOVERNANCE</Mode></DefaultRetention></Rule>'))), 'MalformedXML');
    assert.equal(code(() => parseLockConfiguration(conf('<Rule><DefaultRetention><Mode>X</Mode><Days>1</Days></DefaultRetention></Rule>'))), 'MalformedXML');
    assert.equal(code(() => parseLockConfiguration(conf('<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>0</Days></DefaultRetention></Rule>'))), 'InvalidArgument');
    assert.equal(code(() => parseLockConfiguration('<ObjectLockConfiguration/>')), 'MalformedXML');
  });

  it('parses Retention (empty: removal) and LegalHold', () => {
    assert.equal(parseRetention('<Retention/>'), undefined);
    const future = new Date(Date.now() + 60_000).toISOString();
    assert.deepEqual(parseRetention(`<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>${future}</RetainUntilDate></Retention>`), { mode: 'GOVERNANCE', retainUntil: future });
    assert.equal(code(() => parseRetention('<Retention><Mode>GOVERNANCE</Mode></Retention>')), 'MalformedXML');
    assert.equal(parseLegalHold('<LegalHold><Status>ON</Status></LegalHold>'), true);
    assert.equal(code(() => parseLegalHold('<LegalHold><Status>On</Status></LegalHold>')), 'MalformedXML');
  });
});
