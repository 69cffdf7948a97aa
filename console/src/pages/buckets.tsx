/** Buckets: those the user may see (ListBuckets through the admin API), create one, delete an empty one. */
import { useState } from 'preact/hooks';
import { api, apiLines, seg } from '../api.js';
import { href } from '../router.js';
import type { Bucket, Me } from '../types.js';
import { ErrorNote, formatBytes, Page, useAction, useLoad, When } from '../ui.js';

/** A bucket's count so far, while and after it is counted (GET /buckets/:b/usage, one JSON line per page). */
interface Usage {
  objects: number;
  bytes: number;
  done: boolean;
  /** false when the count stopped early (the server's time limit, or a failure). */
  complete?: boolean;
  message?: string;
  error?: unknown;
}

/** The buckets page. */
export function Buckets({ me }: { me: Me }) {
  const list = useLoad(() => api<{ buckets: Bucket[] }>('GET', 'buckets'), []);
  const [name, setName] = useState('');
  const [objectLock, setObjectLock] = useState(false);
  const create = useAction();
  const remove = useAction();
  const [usage, setUsage] = useState<Record<string, Usage>>({});
  // Counted on request, on the server: a bucket of millions of objects takes a while, and the running count shows it.
  const count = async (b: string) => {
    const set = (u: Usage) => setUsage((all) => ({ ...all, [b]: u }));
    set({ objects: 0, bytes: 0, done: false });
    try {
      await apiLines<Usage>(`buckets/${seg(b)}/usage`, (u) => set(u));
      // A connection cut before the last line: said, not left counting.
      setUsage((all) => (all[b]!.done ? all : { ...all, [b]: { ...all[b]!, done: true, complete: false, message: 'The count was cut short.' } }));
    } catch (error) {
      setUsage((all) => ({ ...all, [b]: { ...all[b]!, done: true, error } }));
    }
  };
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
          <thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Your access</th><th scope="col">Objects and size</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {buckets.map((b) => (
              <tr key={b.name} data-bucket={b.name}>
                <td><a href={href('buckets', b.name)}>{b.name}</a></td>
                <td><When at={b.creationDate} /></td>
                <td>{b.access}</td>
                <td aria-live="polite" data-usage={usage[b.name]?.done && usage[b.name]!.complete !== false ? `${usage[b.name]!.objects}/${usage[b.name]!.bytes}` : undefined}>
                  {usage[b.name] ? (
                    <>
                      {usage[b.name]!.objects} objects, {formatBytes(usage[b.name]!.bytes)}{usage[b.name]!.done ? (usage[b.name]!.complete === false ? ' at least' : '') : ' so far…'}
                      {usage[b.name]!.done ? null : <progress aria-label={`Counting ${b.name}`} />}
                      {usage[b.name]!.message ? <small> {usage[b.name]!.message}</small> : null}
                      <ErrorNote error={usage[b.name]!.error} />
                    </>
                  ) : (
                    <button type="button" onClick={() => void count(b.name)} aria-label={`Count the objects in ${b.name}`}>Count</button>
                  )}
                </td>
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
