/** The console's session table on a real directory: tokens, expiry, sign-out, the sweep of expired sessions, and the cookie's flags. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionStore, sameSecret } from '../../src/admin/session.js';
import { sessionCookie } from '../../src/admin/api/session-routes.js';
import type { ApiRequest } from '../../src/admin/api/api-types.js';

test('a session is found by its token until it expires or ends; expired ones are swept at the next sign-in', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dirbucket-sessions-'));
  try {
    const store = new SessionStore(join(dir, 'sessions'), 60_000);
    const t0 = new Date('2026-01-01T00:00:00Z');
    const a = await store.create('alice', 'AKIDA', t0);
    assert.match(a.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await store.find(a.token, new Date(t0.getTime() + 59_000)))?.user, 'alice');
    assert.equal(await store.find(a.token.slice(0, -1) + (a.token.endsWith('A') ? 'B' : 'A'), t0), undefined, 'another token');
    assert.equal(await store.find('../../etc/passwd', t0), undefined);
    assert.equal(await store.find(a.token, new Date(t0.getTime() + 60_000)), undefined, 'expired');
    assert.equal(readdirSync(join(dir, 'sessions')).length, 0, 'an expired session found is removed');
    const b = await store.create('bob', 'AKIDB', t0);
    await store.end(b.token);
    assert.equal(await store.find(b.token, t0), undefined, 'signed out');
    await store.create('carol', 'AKIDC', t0);
    await store.create('dave', 'AKIDD', new Date(t0.getTime() + 120_000));
    assert.equal(readdirSync(join(dir, 'sessions')).length, 1, 'carol\'s expired session swept at dave\'s sign-in');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sameSecret compares whole secrets', () => {
  assert.equal(sameSecret('abc', 'abc'), true);
  assert.equal(sameSecret('abc', 'abd'), false);
  assert.equal(sameSecret('abc', 'abcd'), false);
  assert.equal(sameSecret('', ''), true);
});

test('the session cookie is Secure exactly when the request came over TLS', () => {
  const over = (encrypted: boolean) => ({ http: { socket: encrypted ? { encrypted: true } : {} } }) as unknown as ApiRequest;
  assert.equal(sessionCookie(over(false), 'tok', 60), 'dirbucket_session=tok; Path=/admin/v1; Max-Age=60; HttpOnly; SameSite=Strict');
  assert.equal(sessionCookie(over(true), 'tok', 60), 'dirbucket_session=tok; Path=/admin/v1; Max-Age=60; HttpOnly; SameSite=Strict; Secure');
});
