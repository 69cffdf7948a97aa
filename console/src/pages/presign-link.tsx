/**
 * "Copy a presigned link" for one object: the admin API signs a GET URL with the signed-in user's own key
 * (POST /admin/v1/presign), for the lifetime chosen (at most a week, S3's limit); the link is shown to select and
 * copied to the clipboard where the browser allows it (a secure context).
 */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorNote, useAction, When } from '../ui.js';

const LIFETIMES: [number, string][] = [[900, '15 minutes'], [3600, '1 hour'], [86_400, '1 day'], [604_800, '7 days']];

interface Presigned {
  url: string;
  accessKeyId: string;
  expires: string;
  keyExpires?: string;
}

/** The form that makes and shows a presigned link of `key` (its `versionId`, when given). */
export function PresignLink({ bucket, keyName, versionId }: { bucket: string; keyName: string; versionId?: string }) {
  const [expiresIn, setExpiresIn] = useState(3600);
  const [link, setLink] = useState<Presigned>();
  const [copied, setCopied] = useState('');
  const action = useAction();
  const make = async (e: Event) => {
    e.preventDefault();
    setCopied('');
    await action.run(async () => {
      const p = await api<Presigned>('POST', 'presign', { bucket, key: keyName, expiresIn, ...(versionId ? { versionId } : {}) });
      setLink(p);
      try {
        await navigator.clipboard.writeText(p.url);
        setCopied('Link copied to the clipboard.');
      } catch {
        setCopied('Select the link and copy it (this browser does not let the page write to the clipboard here).');
      }
    });
  };
  return (
    <form class="inline presign" aria-label="Presigned link" onSubmit={make}>
      <label for="presign-expires">Link valid for</label>
      <select id="presign-expires" value={expiresIn} onChange={(e) => setExpiresIn(Number(e.currentTarget.value))}>
        {LIFETIMES.map(([s, label]) => <option key={s} value={s}>{label}</option>)}
      </select>
      <button type="submit" disabled={action.busy}>Copy a presigned link</button>
      <ErrorNote error={action.error} />
      {link ? (
        <div class="presigned">
          <label for="presigned-url">Presigned link (anyone holding it can download the object until <When at={link.expires} />)</label>
          <input id="presigned-url" readOnly value={link.url} data-presigned-url={link.url} onFocus={(e) => e.currentTarget.select()} />
          {link.keyExpires && link.keyExpires < link.expires ? <p class="error">Your key expires first (<When at={link.keyExpires} />): the link stops working then.</p> : null}
          {copied ? <p role="status">{copied}</p> : null}
        </div>
      ) : null}
    </form>
  );
}
