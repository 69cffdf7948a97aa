/**
 * Users, keys and grants (an administrator's): add and remove users, create a key (its secret shown this once),
 * revoke one, expiry highlighted; grant users access to buckets. Anyone else sees their own keys.
 */
import { useState } from 'preact/hooks';
import { api, seg } from '../api.js';
import type { Grant, Key, Me, NewKey, User } from '../types.js';
import { daysUntil, ErrorNote, Page, useAction, useLoad, When } from '../ui.js';

/** Days left under which a key's expiry is highlighted. */
const EXPIRY_WARNING_DAYS = 30;

/** A key's status, with how soon it expires. */
function KeyStatus({ k }: { k: Key }) {
  if (k.status !== 'active') return <span class={`badge ${k.status === 'expired' ? 'bad' : 'muted'}`}>{k.status}</span>;
  if (!k.expires) return <span class="badge ok">active</span>;
  const days = daysUntil(k.expires);
  return days < EXPIRY_WARNING_DAYS
    ? <span class="badge warn">active, expires in {days} day{days === 1 ? '' : 's'}</span>
    : <span class="badge ok">active</span>;
}

/** A table of keys, with revoke buttons when `revoke` is given. */
function KeyTable({ keys, revoke }: { keys: Key[]; revoke?: (id: string) => void }) {
  if (keys.length === 0) return <p>No keys.</p>;
  return (
    <table class="list" aria-label="Access keys">
      <thead><tr><th scope="col">User</th><th scope="col">Access key</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Status</th>{revoke ? <th scope="col"><span class="sr-only">Actions</span></th> : null}</tr></thead>
      <tbody>
        {keys.map((k) => {
          const soon = k.status === 'active' && k.expires && daysUntil(k.expires) < EXPIRY_WARNING_DAYS;
          return (
            <tr key={k.accessKeyId} data-key-id={k.accessKeyId} data-status={k.status} class={k.status !== 'active' ? 'inactive' : soon ? 'expiring' : ''}>
              <td>{k.user}</td>
              <td><code>{k.accessKeyId}</code></td>
              <td><When at={k.created} /></td>
              <td>{k.expires ? <When at={k.expires} /> : 'never'}</td>
              <td><KeyStatus k={k} /></td>
              {revoke ? (
                <td class="actions">
                  {k.status === 'active' ? <button type="button" class="danger" onClick={() => revoke(k.accessKeyId)} aria-label={`Revoke key ${k.accessKeyId}`}>Revoke</button> : null}
                </td>
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The secret of a key just created: shown here once, never again. */
function NewSecret({ k, done }: { k: NewKey; done: () => void }) {
  return (
    <div class="secret" role="alert" aria-labelledby="new-key-title">
      <h2 id="new-key-title">New key for {k.user}</h2>
      <p>Copy the secret now: it is shown this once and cannot be shown again.</p>
      <dl class="facts">
        <dt>Access key</dt><dd><code data-new-access-key>{k.accessKeyId}</code></dd>
        <dt>Secret key</dt><dd><code data-new-secret-key>{k.secretAccessKey}</code></dd>
        {k.expires ? <><dt>Expires</dt><dd><When at={k.expires} /></dd></> : null}
      </dl>
      <button type="button" onClick={done}>I have copied it</button>
    </div>
  );
}

/** An administrator's users page. */
function AdminUsers() {
  const users = useLoad(() => api<{ users: User[] }>('GET', 'users'), []);
  const keys = useLoad(() => api<{ keys: Key[] }>('GET', 'keys'), []);
  const grants = useLoad(() => api<{ grants: Grant[] }>('GET', 'grants'), []);
  const action = useAction();
  const [secret, setSecret] = useState<NewKey>();
  const [form, setForm] = useState({ name: '', uid: '', gid: '', groups: '', systemUser: '', admin: false, canCreateBuckets: false });
  const [keyForm, setKeyForm] = useState({ user: '', expiresIn: '' });
  const [grantForm, setGrantForm] = useState({ user: '', bucket: '', access: 'read-only' });
  const reloadAll = () => {
    users.reload();
    keys.reload();
    grants.reload();
  };
  const names = (users.value?.users ?? []).map((u) => u.name);

  const addUser = async (e: Event) => {
    e.preventDefault();
    const ids = (s: string) => s.split(/[\s,]+/).filter(Boolean).map(Number);
    const identity = form.systemUser.trim()
      ? { systemUser: form.systemUser.trim() }
      : { uid: Number(form.uid), gid: Number(form.gid), groups: ids(form.groups) };
    if (await action.run(() => api('POST', 'users', { name: form.name.trim(), ...identity, admin: form.admin, canCreateBuckets: form.canCreateBuckets }))) {
      setForm({ name: '', uid: '', gid: '', groups: '', systemUser: '', admin: false, canCreateBuckets: false });
      reloadAll();
    }
  };
  const removeUser = async (name: string) => {
    if (!confirm(`Remove user ${name} and all of their keys?`)) return;
    if (await action.run(() => api('DELETE', `users/${seg(name)}`))) reloadAll();
  };
  const createKey = async (e: Event) => {
    e.preventDefault();
    const user = keyForm.user || names[0] || '';
    await action.run(async () => {
      const k = await api<NewKey>('POST', 'keys', { user, ...(keyForm.expiresIn.trim() ? { expiresIn: keyForm.expiresIn.trim() } : {}) });
      setSecret(k);
      setKeyForm({ user, expiresIn: '' });
      reloadAll();
    });
  };
  const revoke = async (id: string) => {
    if (!confirm(`Revoke key ${id}? Clients using it stop working at once.`)) return;
    if (await action.run(() => api('DELETE', `keys/${seg(id)}`))) reloadAll();
  };
  const setGrant = async (e: Event) => {
    e.preventDefault();
    const user = grantForm.user || names[0] || '';
    if (await action.run(() => api('PUT', `grants/${seg(user)}/${seg(grantForm.bucket.trim())}`, { access: grantForm.access }))) grants.reload();
  };
  const dropGrant = async (g: Grant) => {
    if (await action.run(() => api('DELETE', `grants/${seg(g.user)}/${seg(g.bucket)}`))) grants.reload();
  };

  return (
    <Page title="Users and keys">
      <ErrorNote error={action.error ?? users.error ?? keys.error ?? grants.error} />
      {secret ? <NewSecret k={secret} done={() => setSecret(undefined)} /> : null}
      <h2>Users</h2>
      {users.value ? (
        <table class="list" aria-label="Users">
          <thead><tr><th scope="col">Name</th><th scope="col">uid:gid</th><th scope="col">Administrator</th><th scope="col">Creates buckets</th><th scope="col">Keys</th><th scope="col">Created</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {users.value.users.map((u) => (
              <tr key={u.name} data-user={u.name}>
                <td>{u.name}{u.systemUser ? <small> ({u.systemUser})</small> : null}</td>
                <td>{u.uid}:{u.gid}{u.groups.length ? <small> +{u.groups.join(',')}</small> : null}</td>
                <td>{u.admin ? 'yes' : 'no'}</td>
                <td>{u.canCreateBuckets ? 'yes' : 'no'}</td>
                <td>{u.keys.filter((k) => k.status === 'active').length} active</td>
                <td><When at={u.created} /></td>
                <td class="actions"><button type="button" class="danger" onClick={() => removeUser(u.name)} aria-label={`Remove user ${u.name}`}>Remove</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form class="grid" onSubmit={addUser} aria-labelledby="add-user-title">
        <h3 id="add-user-title">Add a user</h3>
        <label for="user-name">Name</label>
        <input id="user-name" required value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        <label for="user-uid">uid</label>
        <input id="user-uid" inputMode="numeric" pattern="\d+" required={!form.systemUser} value={form.uid} onInput={(e) => setForm({ ...form, uid: e.currentTarget.value })} />
        <label for="user-gid">gid</label>
        <input id="user-gid" inputMode="numeric" pattern="\d+" required={!form.systemUser} value={form.gid} onInput={(e) => setForm({ ...form, gid: e.currentTarget.value })} />
        <label for="user-groups">More groups (gids)</label>
        <input id="user-groups" value={form.groups} onInput={(e) => setForm({ ...form, groups: e.currentTarget.value })} />
        <label for="user-system">Or a system user (login)</label>
        <input id="user-system" value={form.systemUser} onInput={(e) => setForm({ ...form, systemUser: e.currentTarget.value })} />
        <label class="check"><input type="checkbox" checked={form.admin} onChange={(e) => setForm({ ...form, admin: e.currentTarget.checked })} /> Administrator</label>
        <label class="check"><input type="checkbox" checked={form.canCreateBuckets} onChange={(e) => setForm({ ...form, canCreateBuckets: e.currentTarget.checked })} /> May create buckets</label>
        <button type="submit" disabled={action.busy}>Add user</button>
      </form>

      <h2>Access keys</h2>
      <form class="inline" onSubmit={createKey} aria-label="Create a key">
        <label for="key-user">User</label>
        <select id="key-user" value={keyForm.user || names[0]} onChange={(e) => setKeyForm({ ...keyForm, user: e.currentTarget.value })}>
          {names.map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
        <label for="key-expires">Expires in</label>
        <input id="key-expires" placeholder="e.g. 90d (empty: never)" pattern="\d+\s*[smhdwy]" value={keyForm.expiresIn} onInput={(e) => setKeyForm({ ...keyForm, expiresIn: e.currentTarget.value })} />
        <button type="submit" disabled={action.busy || names.length === 0}>Create key</button>
      </form>
      {keys.value ? <KeyTable keys={keys.value.keys} revoke={revoke} /> : null}

      <h2>Bucket grants</h2>
      <form class="inline" onSubmit={setGrant} aria-label="Grant access to a bucket">
        <label for="grant-user">User</label>
        <select id="grant-user" value={grantForm.user || names[0]} onChange={(e) => setGrantForm({ ...grantForm, user: e.currentTarget.value })}>
          {names.map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
        <label for="grant-bucket">Bucket</label>
        <input id="grant-bucket" required value={grantForm.bucket} onInput={(e) => setGrantForm({ ...grantForm, bucket: e.currentTarget.value })} />
        <label for="grant-access">Access</label>
        <select id="grant-access" value={grantForm.access} onChange={(e) => setGrantForm({ ...grantForm, access: e.currentTarget.value })}>
          <option value="read-only">read-only</option>
          <option value="read-write">read-write</option>
        </select>
        <button type="submit" disabled={action.busy}>Grant</button>
      </form>
      {grants.value?.grants.length ? (
        <table class="list" aria-label="Grants">
          <thead><tr><th scope="col">User</th><th scope="col">Bucket</th><th scope="col">Access</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {grants.value.grants.map((g) => (
              <tr key={`${g.user}/${g.bucket}`}>
                <td>{g.user}</td><td>{g.bucket}</td><td>{g.access}</td>
                <td class="actions"><button type="button" onClick={() => dropGrant(g)} aria-label={`Remove ${g.user}'s grant on ${g.bucket}`}>Remove</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <p>No grants.</p>}
    </Page>
  );
}

/** A user's own keys (read-only: creating and revoking keys is an administrator's). */
function OwnKeys({ me }: { me: Me }) {
  const keys = useLoad(() => api<{ keys: Key[] }>('GET', `keys?user=${seg(me.user)}`), [me.user]);
  return (
    <Page title="Your keys">
      <p>Signed in as <strong>{me.user}</strong> with key <code>{me.accessKeyId}</code>. An administrator creates and revokes keys.</p>
      <ErrorNote error={keys.error} />
      {keys.value ? <KeyTable keys={keys.value.keys} /> : null}
    </Page>
  );
}

/** The users page: everything for an administrator, one's own keys for anyone else. */
export function Users({ me }: { me: Me }) {
  return me.admin ? <AdminUsers /> : <OwnKeys me={me} />;
}
