/** Buckets: those the user may see (ListBuckets through the admin API), create one, delete an empty one. */
import { useState } from 'preact/hooks';
import { api, seg } from '../api.js';
import { href } from '../router.js';
import type { Bucket, Me } from '../types.js';
import { ErrorNote, Page, useAction, useLoad, When } from '../ui.js';

/** The buckets page. */
export function Buckets({ me }: { me: Me }) {
  const list = useLoad(() => api<{ buckets: Bucket[] }>('GET', 'buckets'), []);
  const [name, setName] = useState('');
  const [objectLock, setObjectLock] = useState(false);
  const create = useAction();
  const remove = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await create.run(() => api('POST', 'buckets', { name: name.trim(), objectLock }))) {
      setName('');
      setObjectLock(false);
      list.reload();
    }
  };
  const del = async (b: string) => {
    if (!confirm(`Delete bucket ${b}? It must be empty.`)) return;
    if (await remove.run(() => api('DELETE', `buckets/${seg(b)}`))) list.reload();
  };
  const buckets = list.value?.buckets ?? [];
  return (
    <Page title="Buckets">
      {me.admin || me.canCreateBuckets ? (
        <form class="inline" onSubmit={submit} aria-label="Create a bucket">
          <label for="bucket-name">New bucket</label>
          <input id="bucket-name" required minLength={3} maxLength={63} pattern="[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]" spellcheck={false}
            title="3 to 63 characters: lower-case letters, digits, dots and dashes" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <label class="check"><input type="checkbox" checked={objectLock} onChange={(e) => setObjectLock(e.currentTarget.checked)} /> Object lock</label>
          <button type="submit" disabled={create.busy}>Create bucket</button>
        </form>
      ) : null}
      <ErrorNote error={create.error ?? remove.error ?? list.error} />
      {list.loading && !list.value ? <p aria-live="polite">Loading…</p> : null}
      {list.value && buckets.length === 0 ? <p>No buckets{me.admin || me.canCreateBuckets ? ' yet' : ' you have access to'}.</p> : null}
      {buckets.length ? (
        <table class="list" aria-label="Buckets">
          <thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Your access</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {buckets.map((b) => (
              <tr key={b.name} data-bucket={b.name}>
                <td><a href={href('buckets', b.name)}>{b.name}</a></td>
                <td><When at={b.creationDate} /></td>
                <td>{b.access}</td>
                <td class="actions">
                  <a href={href('buckets', b.name, 'settings')}>Settings<span class="sr-only"> of {b.name}</span></a>
                  <button type="button" class="danger" onClick={() => del(b.name)} aria-label={`Delete bucket ${b.name}`}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Page>
  );
}
