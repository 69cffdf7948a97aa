/**
 * The object browser: one folder (prefix) of a bucket at a time, subfolders first, paged by ListObjectsV2's
 * continuation tokens; upload files or a folder with a progress bar each (large files in parts), download,
 * delete an object or a whole folder (every key under it, with its progress), and a link to each object's details.
 */
import { useRef, useState } from 'preact/hooks';
import { deleteObject, deletePrefix, downloadUrl, listFolder, uploadFile, type DeleteFailure } from '../s3.js';
import { href } from '../router.js';
import { ErrorNote, formatBytes, Page, useAction, useLoad, When } from '../ui.js';

const PAGE_SIZES = [50, 100, 500, 1000];

/** One upload's state, for its progress bar. */
interface Upload {
  id: number;
  key: string;
  size: number;
  sent: number;
  state: 'waiting' | 'uploading' | 'done' | 'failed';
  error?: unknown;
}

/** The folder's path as links: the bucket, then each folder down to `prefix`. */
function Crumbs({ bucket, prefix }: { bucket: string; prefix: string }) {
  const parts = prefix.split('/').filter(Boolean);
  return (
    <nav aria-label="Folder path" class="crumbs">
      <a href={href('buckets')}>Buckets</a> / <a href={href('buckets', bucket)}>{bucket}</a>
      {parts.map((p, i) => {
        const to = parts.slice(0, i + 1).join('/') + '/';
        return <span key={to}> / {i === parts.length - 1 ? <span aria-current="page">{p}</span> : <a href={href('buckets', bucket, 'folder', to)}>{p}</a>}</span>;
      })}
    </nav>
  );
}

/** The browser of `bucket` at `prefix` ('' for the top). */
export function Objects({ bucket, prefix }: { bucket: string; prefix: string }) {
  const [pageSize, setPageSize] = useState(100);
  // The tokens of the pages before this one: Back pops one.
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const token = tokens[tokens.length - 1];
  const listing = useLoad(() => listFolder(bucket, prefix, pageSize, token), [bucket, prefix, pageSize, token]);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const nextId = useRef(1);
  const remove = useAction();
  const [folderDelete, setFolderDelete] = useState<{ prefix: string; deleted: number; failed: DeleteFailure[]; done: boolean }>();
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const restart = () => setTokens([undefined]);
  const update = (id: number, change: Partial<Upload>) => setUploads((us) => us.map((u) => (u.id === id ? { ...u, ...change } : u)));

  const upload = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    const batch = Array.from(files).map((f) => ({
      // A folder's files carry their path below the chosen folder: kept as the key's folders.
      file: f, up: { id: nextId.current++, key: prefix + (f.webkitRelativePath || f.name), size: f.size, sent: 0, state: 'waiting' as const },
    }));
    setUploads((us) => [...us.filter((u) => u.state !== 'done'), ...batch.map((b) => b.up)]);
    for (const { file, up } of batch) {
      update(up.id, { state: 'uploading' });
      try {
        await uploadFile(bucket, up.key, file, (sent) => update(up.id, { sent }));
        update(up.id, { state: 'done', sent: up.size });
      } catch (error) {
        update(up.id, { state: 'failed', error });
      }
    }
    if (fileInput.current) fileInput.current.value = '';
    if (folderInput.current) folderInput.current.value = '';
    listing.reload();
  };

  const del = async (key: string) => {
    if (!confirm(`Delete ${key}?`)) return;
    if (await remove.run(() => deleteObject(bucket, key))) listing.reload();
  };

  const delFolder = async (folder: string) => {
    if (!confirm(`Delete the folder ${folder} and every object under it? This cannot be undone (in a versioned bucket, each gets a delete marker).`)) return;
    setFolderDelete({ prefix: folder, deleted: 0, failed: [], done: false });
    await remove.run(async () => {
      try {
        const r = await deletePrefix(bucket, folder, (deleted, failed) => setFolderDelete({ prefix: folder, deleted, failed: [...failed], done: false }));
        setFolderDelete({ prefix: folder, ...r, done: true });
      } catch (e) {
        setFolderDelete((f) => f && { ...f, done: true });
        throw e;
      }
    });
    listing.reload();
  };

  const l = listing.value;
  const name = (full: string) => full.slice(prefix.length);
  return (
    <Page title={prefix ? `${bucket}/${prefix}` : bucket} actions={<a href={href('buckets', bucket, 'settings')}>Bucket settings</a>}>
      <Crumbs bucket={bucket} prefix={prefix} />
      <div class="toolbar">
        <label for="upload-files">Upload files</label>
        <input id="upload-files" ref={fileInput} type="file" multiple onChange={(e) => void upload(e.currentTarget.files)} />
        <label for="upload-folder">Upload a folder</label>
        {/* webkitdirectory (a boolean property): every browser that matters takes it; it is not in preact's typings. */}
        <input id="upload-folder" ref={folderInput} type="file" {...{ webkitdirectory: true }} onChange={(e) => void upload(e.currentTarget.files)} />
        <button type="button" onClick={() => listing.reload()}>Refresh</button>
      </div>
      {uploads.length ? (
        <ul class="uploads" aria-label="Uploads">
          {uploads.map((u) => {
            const percent = u.size ? Math.floor((u.sent / u.size) * 100) : u.state === 'done' ? 100 : 0;
            return (
              <li key={u.id} data-upload={u.key} data-state={u.state}>
                <span class="key">{u.key}</span>
                <progress max={100} value={percent} data-progress={String(percent)} aria-label={`Upload of ${u.key}`} />
                <span>{u.state === 'failed' ? 'failed' : u.state === 'done' ? 'done' : `${percent}% of ${formatBytes(u.size)}`}</span>
                <ErrorNote error={u.error} />
              </li>
            );
          })}
        </ul>
      ) : null}
      {folderDelete ? (
        <div class="folder-delete" data-folder-delete={folderDelete.prefix} data-state={folderDelete.done ? 'done' : 'deleting'} role="status">
          {folderDelete.done ? `Deleted ${folderDelete.deleted} objects under ${folderDelete.prefix}.` : `Deleting ${folderDelete.prefix}: ${folderDelete.deleted} objects so far…`}
          {folderDelete.done ? null : <progress aria-label={`Deleting ${folderDelete.prefix}`} />}
          {folderDelete.failed.length ? (
            <ul class="error" aria-label="Not deleted">
              {folderDelete.failed.slice(0, 20).map((x) => <li key={x.key}>{x.key}: <strong>{x.code}</strong> {x.message}</li>)}
              {folderDelete.failed.length > 20 ? <li>…and {folderDelete.failed.length - 20} more</li> : null}
            </ul>
          ) : null}
        </div>
      ) : null}
      <ErrorNote error={remove.error ?? listing.error} />
      {listing.loading && !l ? <p aria-live="polite">Loading…</p> : null}
      {l ? (
        <table class="list" aria-label={`Contents of ${bucket}/${prefix}`}>
          <thead><tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Last modified</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {prefix ? (
              <tr><td colSpan={4}><a href={prefix.split('/').length > 2 ? href('buckets', bucket, 'folder', prefix.replace(/[^/]*\/$/, '')) : href('buckets', bucket)}>↑ Up one folder</a></td></tr>
            ) : null}
            {l.folders.map((f) => (
              <tr key={f} data-folder={f}>
                <td colSpan={3}><a href={href('buckets', bucket, 'folder', f)} class="folder">{name(f)}</a></td>
                <td class="actions">
                  <button type="button" class="danger" disabled={folderDelete !== undefined && !folderDelete.done} onClick={() => void delFolder(f)} aria-label={`Delete folder ${f}`}>Delete folder</button>
                </td>
              </tr>
            ))}
            {l.objects.map((o) => (
              <tr key={o.key} data-key={o.key}>
                <td><a href={href('buckets', bucket, 'object', o.key)}>{name(o.key) || o.key}</a></td>
                <td>{formatBytes(o.size)}</td>
                <td><When at={o.lastModified} /></td>
                <td class="actions">
                  <a href={downloadUrl(bucket, o.key)} download={o.key.split('/').pop()}>Download<span class="sr-only"> {o.key}</span></a>
                  <button type="button" class="danger" onClick={() => del(o.key)} aria-label={`Delete ${o.key}`}>Delete</button>
                </td>
              </tr>
            ))}
            {l.folders.length === 0 && l.objects.length === 0 ? <tr><td colSpan={4}>This folder is empty.</td></tr> : null}
          </tbody>
        </table>
      ) : null}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={tokens.length < 2} onClick={() => setTokens((t) => t.slice(0, -1))}>Previous page</button>
        <span>Page {tokens.length}</span>
        <button type="button" disabled={!l?.next} onClick={() => l?.next && setTokens((t) => [...t, l.next])}>Next page</button>
        <label for="page-size">Per page</label>
        <select id="page-size" value={pageSize} onChange={(e) => { setPageSize(Number(e.currentTarget.value)); restart(); }}>
          {PAGE_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
      </nav>
    </Page>
  );
}
