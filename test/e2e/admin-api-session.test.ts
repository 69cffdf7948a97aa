/**
 * Console sessions on the admin API, against a real server: sign-in (cookie flags, one refusal for every wrong
 * part), what a session may do, CSRF refusals, sign-out, expiry, a revoked key ending its sessions, the session
 * table under the state directory (no token in it), and sessions shared by the workers of --workers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminApi, ApiSession } from '../helpers/admin-api.js';
import { adminOf } from '../helpers/admin.js';
import { startServer, type TestServer } from '../helpers/server.js';

const ME = { uid: process.getuid!(), gid: process.getgid!() };

describe('admin API sessions', () => {
  let ts: TestServer;
  let admin: string;
  let api: AdminApi;
  let key: { accessKeyId: string; secretAccessKey: string };
  const sessionsDir = () => join(ts.root, '.dirbucket', 'admin-sessions');

  before(async () => {
    ts = await startServer({ args: ['--admin-listen', '127.0.0.1:0'] });
    admin = adminOf(ts);
    api = new AdminApi(admin, ts);
    assert.equal((await api.call('POST', 'users', { name: 'carol', ...ME, canCreateBuckets: true })).status, 201);
    const k = await api.call('POST', 'keys', { user: 'carol' });
    key = { accessKeyId: k.body.accessKeyId, secretAccessKey: k.body.secretAccessKey };
  });
  after(async () => {
    await ts?.stop();
  });

  test('sign-in: 201, an HttpOnly SameSite=Strict cookie for /admin/v1 that expires, no Secure over plain HTTP', async () => {
    const { session, answer } = await ApiSession.signIn(admin, key.accessKeyId, key.secretAccessKey);
    const cookie = answer.headers.get('set-cookie')!;
    assert.match(cookie, /^dirbucket_session=[A-Za-z0-9_-]{43}; /);
    const flags = cookie.split(';').slice(1).map((f) => f.trim());
    assert.ok(flags.includes('HttpOnly') && flags.includes('SameSite=Strict') && flags.includes('Path=/admin/v1'), cookie);
    assert.ok(flags.includes('Max-Age=28800'), cookie);
    assert.ok(!flags.includes('Secure'), 'the admin listener is plain HTTP here');
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.body.user, 'carol');
    assert.equal(answer.body.admin, false);
    assert.ok(Math.abs(Date.parse(answer.body.expires) - (Date.now() + 8 * 3600_000)) < 60_000);
    assert.equal(typeof answer.body.csrfToken, 'string');
    assert.doesNotMatch(JSON.stringify(answer.body), new RegExp(key.secretAccessKey));
    const me = await session.call('GET', 'session');
    assert.equal(me.status, 200);
    assert.deepEqual([me.body.user, me.body.via, me.body.csrfToken], ['carol', 'session', session.csrfToken]);
  });

  test('a refused sign-in says the same whatever was wrong: secret, key, revoked key, expired key', async () => {
    const revoked = (await api.call('POST', 'keys', { user: 'carol' })).body;
    assert.equal((await api.call('DELETE', `keys/${revoked.accessKeyId}`)).status, 200);
    // An expired key: written into the users file as `dirbucket key` would leave one (expiry in the past).
    const expired = (await api.call('POST', 'keys', { user: 'carol', expiresIn: '1d' })).body;
    const file = join(ts.root, '.dirbucket', 'users.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.users.carol.keys.find((k: { accessKeyId: string }) => k.accessKeyId === expired.accessKeyId).expires = new Date(Date.now() - 1000).toISOString();
    writeFileSync(file, JSON.stringify(doc));
    const attempts: [string, string][] = [
      [key.accessKeyId, key.secretAccessKey + 'x'],
      ['AKIDNOSUCHKEY0000000', key.secretAccessKey],
      [revoked.accessKeyId, revoked.secretAccessKey],
      [expired.accessKeyId, expired.secretAccessKey],
      [ts.accessKeyId, ''],
    ];
    const answers = new Set<string>();
    for (const [accessKeyId, secretAccessKey] of attempts) {
      // The users file is polled: wait until the expired key is seen as such.
      let r = await new AdminApi(admin).call('POST', 'session', { accessKeyId, secretAccessKey });
      for (let i = 0; i < 50 && r.status === 201; i++) {
        await new Promise((res) => setTimeout(res, 100));
        r = await new AdminApi(admin).call('POST', 'session', { accessKeyId, secretAccessKey });
      }
      assert.equal(r.status, 403, `${accessKeyId}: ${JSON.stringify(r.body)}`);
      assert.equal(r.headers.get('set-cookie'), null);
      answers.add(JSON.stringify([r.body.code, r.body.message]));
    }
    assert.equal(answers.size, 1, [...answers].join('\n'));
    assert.match([...answers][0]!, /AccessDenied.*do not match an active key/);
    // Not JSON (a cross-site form could send that without a preflight): refused before any key is looked at.
    const form = await new AdminApi(admin).call('POST', 'session', undefined,
      { raw: `accessKeyId=${key.accessKeyId}&secretAccessKey=${key.secretAccessKey}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 400);
    assert.equal(form.headers.get('set-cookie'), null);
  });

  test('a session acts as its user, under the same rules; changes need the CSRF token', async () => {
    const { session } = await ApiSession.signIn(admin, key.accessKeyId, key.secretAccessKey);
    // Without the token, or with another, a change is refused and nothing happens.
    for (const csrf of [false, 'wrong', ''] as const) {
      const r = await session.call('POST', 'buckets', { name: 'carols' }, csrf);
      assert.equal(r.status, 403, `csrf ${csrf}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.message, /CSRF token.*x-dirbucket-csrf/);
    }
    assert.equal((await api.call('GET', 'buckets/carols')).status, 404, 'not created');
    // Another session's token does not do either.
    const other = await ApiSession.signIn(admin, key.accessKeyId, key.secretAccessKey);
    assert.equal((await session.call('POST', 'buckets', { name: 'carols' }, other.session.csrfToken)).status, 403);
    // With it: she may create buckets (her right), and reads need no token.
    let r = await session.call('POST', 'buckets', { name: 'carols' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    r = await session.call('GET', 'buckets', undefined, false);
    assert.deepEqual(r.body.buckets.map((b: { name: string }) => b.name), ['carols']);
    assert.equal((await session.call('PUT', 'buckets/carols/versioning', { status: 'Enabled' })).status, 204);
    // An administrator's action stays one.
    r = await session.call('POST', 'users', { name: 'mallory', ...ME });
    assert.equal(r.status, 403);
    assert.match(r.body.message, /Only an administrator may add users/);
    // A bad cookie is no session.
    r = await new AdminApi(admin).call('GET', 'buckets', undefined, { headers: { cookie: 'dirbucket_session=' + 'A'.repeat(43) } });
    assert.equal(r.status, 403);
    assert.match(r.body.message, /session has ended/);
  });

  test('sign-out ends the session (the cookie removed, the token refused); other sessions stay', async () => {
    const a = (await ApiSession.signIn(admin, key.accessKeyId, key.secretAccessKey)).session;
    const b = (await ApiSession.signIn(admin, key.accessKeyId, key.secretAccessKey)).session;
    assert.equal((await a.call('DELETE', 'session', undefined, false)).status, 403, 'sign-out needs the token too');
    const out = await a.call('DELETE', 'session');
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie')!, /^dirbucket_session=; Path=\/admin\/v1; Max-Age=0; HttpOnly; SameSite=Strict/);
    const r = await a.call('GET', 'session');
    assert.equal(r.status, 403);
    assert.equal((await b.call('GET', 'session')).status, 200);
    // A SigV4 request has no session to end.
    assert.equal((await api.call('DELETE', 'session')).status, 400);
  });

  test('signing in again from a browser that has a session ends that session (its file too); a failed sign-in ends nothing', async () => {
    const first = (await ApiSession.signIn(admin, key.accessKeyId, key.secretAccessKey)).session;
    const files = () => readdirSync(sessionsDir()).length;
    const before = files();
    const refused = await new AdminApi(admin).call('POST', 'session', { accessKeyId: key.accessKeyId, secretAccessKey: 'x' }, { headers: { cookie: first.cookie } });
    assert.equal(refused.status, 403);
    assert.equal((await first.call('GET', 'session')).status, 200, 'a refused sign-in leaves the session as it was');
    const again = await new AdminApi(admin).call('POST', 'session', { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }, { headers: { cookie: first.cookie } });
    assert.equal(again.status, 201);
    assert.equal((await first.call('GET', 'session')).status, 403, 'the earlier session is over');
    assert.equal(files(), before, 'one session replaced by another');
    const second = new ApiSession(admin, again.headers.get('set-cookie')!.split(';')[0]!, again.body.csrfToken);
    assert.equal((await second.call('GET', 'session')).status, 200);
  });

  test('the session table: one file per session under the state directory, mode 0600, without the token', async () => {
    const { session } = await ApiSession.signIn(admin, key.accessKeyId, key.secretAccessKey);
    const token = session.cookie.split('=')[1]!;
    const files = readdirSync(sessionsDir());
    assert.ok(files.length >= 1);
    for (const f of files) {
      assert.match(f, /^[0-9a-f]{64}\.json$/);
      assert.equal(statSync(join(sessionsDir(), f)).mode & 0o777, 0o600);
      assert.ok(!readFileSync(join(sessionsDir(), f), 'utf8').includes(token));
    }
    assert.equal(statSync(sessionsDir()).mode & 0o777, 0o700);
  });

  test('an expired session is refused and its file removed', async () => {
    const { session } = await ApiSession.signIn(admin, key.accessKeyId, key.secretAccessKey);
    const { createHash } = await import('node:crypto');
    const file = join(sessionsDir(), createHash('sha256').update(session.cookie.split('=')[1]!).digest('hex') + '.json');
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    stored.expires = new Date(Date.now() - 1000).toISOString();
    writeFileSync(file, JSON.stringify(stored));
    const r = await session.call('GET', 'buckets');
    assert.equal(r.status, 403);
    assert.match(r.body.message, /session has ended/);
    assert.throws(() => statSync(file), { code: 'ENOENT' });
  });

  test('revoking the key ends its sessions at once; removing the user too', async () => {
    const k = (await api.call('POST', 'keys', { user: 'carol' })).body;
    const { session } = await ApiSession.signIn(admin, k.accessKeyId, k.secretAccessKey);
    assert.equal((await session.call('GET', 'buckets')).status, 200);
    assert.equal((await api.call('DELETE', `keys/${k.accessKeyId}`)).status, 200);
    assert.equal((await session.call('GET', 'buckets')).status, 403);
    assert.equal((await api.call('POST', 'users', { name: 'dave', ...ME })).status, 201);
    const dk = (await api.call('POST', 'keys', { user: 'dave' })).body;
    const dave = (await ApiSession.signIn(admin, dk.accessKeyId, dk.secretAccessKey)).session;
    assert.equal((await dave.call('GET', 'session')).status, 200);
    assert.equal((await api.call('DELETE', 'users/dave')).status, 200);
    assert.equal((await dave.call('GET', 'session')).status, 403);
  });
});

describe('admin API sessions with --workers 2', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer({ args: ['--admin-listen', '127.0.0.1:0', '--workers', '2'] });
  });
  after(async () => {
    await ts?.stop();
  });

  test('a session made by one worker is known to every worker (the table is in the state directory)', async () => {
    const admin = adminOf(ts);
    const { session } = await ApiSession.signIn(admin, ts.accessKeyId, ts.secretAccessKey);
    // A new connection each time, so that the primary hands the requests to both workers in turn.
    const get = () => new Promise<number>((resolve, reject) => {
      const req = http.get(`${admin}/admin/v1/session`, { agent: false, headers: { cookie: session.cookie } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    });
    for (let i = 0; i < 20; i++) assert.equal(await get(), 200, `request ${i}`);
    assert.equal((await session.call('DELETE', 'session')).status, 204);
    for (let i = 0; i < 10; i++) assert.equal(await get(), 403, `request ${i} after sign-out`);
  });
});
