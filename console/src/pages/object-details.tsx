/** One object: its headers and metadata (HeadObject; metadata edited by a copy onto itself), its tags (Get/PutObjectTagging), download, a presigned link, delete. */
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { deleteObject, downloadUrl, getObjectTags, headObject, listVersions, putObjectTags, restoreArchived, restoreVersion, versionDownloadUrl, type Tag } from '../s3.js';
import { href } from '../router.js';
import { ErrorNote, formatBytes, Page, useAction, useLoad, When } from '../ui.js';
import { MetadataEditor } from './metadata-editor.js';
import { PresignLink } from './presign-link.js';

/** Tags as rows to edit, with a blank row to add one. */
export function TagEditor({ tags, save, busy }: { tags: Tag[]; save: (tags: Tag[]) => void; busy: boolean }) {
  const [rows, setRows] = useState<Tag[]>(tags);
  useEffect(() => setRows(tags), [tags]);
  const set = (i: number, change: Partial<Tag>) => setRows((r) => r.map((t, j) => (j === i ? { ...t, ...change } : t)));
  return (
    <form onSubmit={(e) => { e.preventDefault(); save(rows.filter((t) => t.key !== '')); }} aria-label="Tags">
      <table class="list">
        <thead><tr><th scope="col">Key</th><th scope="col">Value</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {rows.map((t, i) => (
            <tr key={i}>
              <td><input aria-label={`Tag ${i + 1} key`} value={t.key} maxLength={128} onInput={(e) => set(i, { key: e.currentTarget.value })} /></td>
              <td><input aria-label={`Tag ${i + 1} value`} value={t.value} maxLength={256} onInput={(e) => set(i, { value: e.currentTarget.value })} /></td>
              <td><button type="button" onClick={() => setRows((r) => r.filter((_, j) => j !== i))} aria-label={`Remove tag ${i + 1}`}>Remove</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => setRows((r) => [...r, { key: '', value: '' }])}>Add a tag</button>{' '}
      <button type="submit" disabled={busy}>Save tags</button>
    </form>
  );
}

/** The details page of `key` in `bucket`. */
export function ObjectDetails({ bucket, keyName }: { bucket: string; keyName: string }) {
  const head = useLoad(() => headObject(bucket, keyName), [bucket, keyName]);
  const versions = useLoad(() => listVersions(bucket, keyName), [bucket, keyName]);
  const tags = useLoad(() => getObjectTags(bucket, keyName), [bucket, keyName]);
  const action = useAction();
  const [saved, setSaved] = useState(false);
  const [restoreDays, setRestoreDays] = useState(1);
  const folder = keyName.includes('/') ? keyName.replace(/[^/]*$/, '') : '';
  const back = folder ? href('buckets', bucket, 'folder', folder) : href('buckets', bucket);
  const h = head.value;
  const meta = h ? [...h.entries()].filter(([k]) => k.startsWith('x-amz-meta-')) : [];
  const saveTags = async (t: Tag[]) => {
    setSaved(false);
    if (await action.run(() => putObjectTags(bucket, keyName, t))) {
      setSaved(true);
      tags.reload();
    }
  };
  const makeCurrent = async (versionId: string) => {
    setSaved(false);
    if (await action.run(() => restoreVersion(bucket, keyName, versionId))) {
      head.reload();
      versions.reload();
    }
  };
  const restore = async () => {
    if (await action.run(() => restoreArchived(bucket, keyName, restoreDays))) head.reload();
  };
  const archived = h && /GLACIER|DEEP_ARCHIVE/.test(h.get('x-amz-storage-class') ?? '');
  const del = async () => {
    if (!confirm(`Delete ${keyName}?`)) return;
    if (await action.run(() => deleteObject(bucket, keyName))) location.hash = back;
  };
  return (
    <Page title={keyName} actions={<a href={back}>Back to the folder</a>}>
      <ErrorNote error={head.error ?? action.error} />
      {h ? (
        <dl class="facts">
          <dt>Bucket</dt><dd>{bucket}</dd>
          <dt>Size</dt><dd>{formatBytes(Number(h.get('content-length') ?? 0))} ({h.get('content-length')} bytes)</dd>
          <dt>Content type</dt><dd>{h.get('content-type') ?? '—'}</dd>
          <dt>Last modified</dt><dd><When at={h.get('last-modified') ?? undefined} /></dd>
          <dt>ETag</dt><dd><code>{h.get('etag')}</code></dd>
          {h.get('x-amz-storage-class') ? <><dt>Storage class</dt><dd>{h.get('x-amz-storage-class')}</dd></> : null}
          {h.get('x-amz-version-id') ? <><dt>Version</dt><dd><code>{h.get('x-amz-version-id')}</code></dd></> : null}
          {meta.map(([k, v]) => <Fragment key={k}><dt>{k.slice('x-amz-meta-'.length)} <small>(metadata)</small></dt><dd>{v}</dd></Fragment>)}
        </dl>
      ) : null}
      <p class="toolbar">
        <a href={downloadUrl(bucket, keyName)} download={keyName.split('/').pop()} class="button">Download</a>
        <button type="button" class="danger" onClick={del}>Delete</button>
      </p>
      <PresignLink bucket={bucket} keyName={keyName} />
      {archived ? (
        <form class="inline" aria-label="Restore from the archive" onSubmit={(e) => { e.preventDefault(); void restore(); }}>
          <span>{h.get('x-amz-restore') ? `Restore: ${h.get('x-amz-restore')}` : 'Archived: restore a readable copy to download it.'}</span>
          <label for="restore-days">Days</label>
          <input id="restore-days" type="number" min={1} max={3650} value={restoreDays} onInput={(e) => setRestoreDays(Number(e.currentTarget.value) || 1)} />
          <button type="submit" disabled={action.busy}>Restore</button>
        </form>
      ) : null}
      <h2>Metadata</h2>
      {h ? <MetadataEditor bucket={bucket} keyName={keyName} head={h} saved={() => { head.reload(); versions.reload(); }} /> : null}
      <h2>Tags</h2>
      <ErrorNote error={tags.error} />
      {tags.value ? <TagEditor tags={tags.value} save={saveTags} busy={action.busy} /> : null}
      {saved ? <p role="status">Tags saved.</p> : null}
      {versions.value && versions.value.some((v) => v.versionId !== 'null') ? (
        <>
          <h2>Versions</h2>
          <table class="list" aria-label="Versions">
            <thead><tr><th scope="col">Version</th><th scope="col">Saved</th><th scope="col">Size</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {versions.value.map((v) => (
                <tr key={v.versionId} data-version={v.versionId} class={v.isLatest ? 'current' : ''}>
                  <td><code>{v.versionId}</code>{v.isLatest ? ' (current)' : ''}{v.deleteMarker ? ' (delete marker)' : ''}</td>
                  <td><When at={v.lastModified} /></td>
                  <td>{v.deleteMarker ? '—' : formatBytes(v.size)}</td>
                  <td class="actions">
                    {v.deleteMarker ? null : <a href={versionDownloadUrl(bucket, keyName, v.versionId)} download={keyName.split('/').pop()}>Download<span class="sr-only"> version {v.versionId}</span></a>}
                    {v.isLatest || v.deleteMarker ? null : <button type="button" onClick={() => makeCurrent(v.versionId)} aria-label={`Make version ${v.versionId} current`}>Make current</button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </Page>
  );
}

