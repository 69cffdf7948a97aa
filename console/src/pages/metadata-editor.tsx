/**
 * The user metadata (x-amz-meta-*) of an object, edited as rows of name and value and saved by CopyObject onto
 * itself with REPLACE (s3.ts replaceMetadata: the content, content type, tags and storage class stay).
 */
import { useEffect, useState } from 'preact/hooks';
import { replaceMetadata } from '../s3.js';
import { ErrorNote, useAction } from '../ui.js';

interface Row {
  name: string;
  value: string;
}

/** The editor of `key`'s metadata; `head`: its HeadObject headers; `saved` is called after a save. */
export function MetadataEditor({ bucket, keyName, head, saved }: { bucket: string; keyName: string; head: Headers; saved: () => void }) {
  const initial = () => [...head.entries()].filter(([k]) => k.startsWith('x-amz-meta-')).map(([k, v]) => ({ name: k.slice('x-amz-meta-'.length), value: v }));
  const [rows, setRows] = useState<Row[]>(initial);
  const [done, setDone] = useState(false);
  const action = useAction();
  useEffect(() => setRows(initial()), [head]);
  const set = (i: number, change: Partial<Row>) => setRows((r) => r.map((x, j) => (j === i ? { ...x, ...change } : x)));
  const save = async (e: Event) => {
    e.preventDefault();
    setDone(false);
    const metadata = Object.fromEntries(rows.filter((r) => r.name.trim() !== '').map((r) => [r.name.trim(), r.value]));
    if (await action.run(() => replaceMetadata(bucket, keyName, head, metadata))) {
      setDone(true);
      saved();
    }
  };
  return (
    <form onSubmit={save} aria-label="Metadata">
      <table class="list">
        <thead><tr><th scope="col">Name</th><th scope="col">Value</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td><input aria-label={`Metadata ${i + 1} name`} value={r.name} pattern="[A-Za-z0-9_.\-]+" title="letters, digits, - _ and . (it becomes an HTTP header name)" onInput={(e) => set(i, { name: e.currentTarget.value })} /></td>
              <td><input aria-label={`Metadata ${i + 1} value`} value={r.value} onInput={(e) => set(i, { value: e.currentTarget.value })} /></td>
              <td><button type="button" onClick={() => setRows((x) => x.filter((_, j) => j !== i))} aria-label={`Remove metadata ${i + 1}`}>Remove</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => setRows((x) => [...x, { name: '', value: '' }])}>Add metadata</button>{' '}
      <button type="submit" disabled={action.busy}>Save metadata</button>
      <ErrorNote error={action.error} />
      {done ? <p role="status">Metadata saved.</p> : null}
    </form>
  );
}
