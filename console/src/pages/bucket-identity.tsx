/**
 * A bucket's identity (an administrator's): what its requests act as on the file system — the mode, the identity
 * set for it (`dirbucket bucket identity`), a mapped bucket's configured one, and the identity in force — with a
 * form to set it (UID:GID, or a login looked up on the server) or unset it.
 */
import { useState } from 'preact/hooks';
import { api, seg } from '../api.js';
import { ErrorNote, useAction, useLoad } from '../ui.js';

interface Id {
  uid: number;
  gid: number;
  groups: number[];
  systemUser?: string;
}

interface IdentityAnswer {
  bucket: string;
  mode: 'user' | 'bucket';
  identity: Id | null;
  configured?: Id;
  actsAs: Id | null;
  problem?: string;
}

const said = (i: Id) => `uid ${i.uid}, gid ${i.gid}${i.groups.length ? `, groups ${i.groups.join(',')}` : ''}${i.systemUser ? ` (${i.systemUser})` : ''}`;

/** The identity section of `bucket`'s settings. */
export function BucketIdentity({ bucket }: { bucket: string }) {
  const path = `buckets/${seg(bucket)}/identity`;
  const loaded = useLoad(() => api<IdentityAnswer>('GET', path), [bucket]);
  const [spec, setSpec] = useState('');
  const [done, setDone] = useState('');
  const action = useAction();
  const change = async (what: string, f: () => Promise<unknown>) => {
    setDone('');
    if (await action.run(async () => { await f(); })) {
      setDone(what);
      setSpec('');
      loaded.reload();
    }
  };
  const v = loaded.value;
  return (
    <>
      <ErrorNote error={loaded.error ?? action.error} />
      {done ? <p role="status">{done}</p> : null}
      {v ? (
        <dl class="facts" data-acts-as={v.actsAs ? `${v.actsAs.uid}:${v.actsAs.gid}` : 'each user'}>
          <dt>Identity mode</dt><dd>{v.mode}</dd>
          <dt>Set for this bucket</dt><dd>{v.identity ? said(v.identity) : 'none'}</dd>
          {v.configured ? <><dt>In the configuration file</dt><dd>{said(v.configured)} (comes first)</dd></> : null}
          <dt>Requests act as</dt><dd>{v.actsAs ? said(v.actsAs) : 'each user\'s own identity'}</dd>
          {v.problem ? <><dt>Problem</dt><dd class="error">{v.problem}</dd></> : null}
        </dl>
      ) : null}
      <form class="inline" aria-label="Bucket identity" onSubmit={(e) => { e.preventDefault(); void change('Identity saved.', () => api('PUT', path, { identity: spec.trim() })); }}>
        <label for="bucket-identity">Identity (UID:GID or a login on the server)</label>
        <input id="bucket-identity" required value={spec} spellcheck={false} onInput={(e) => setSpec(e.currentTarget.value)} />
        <button type="submit" disabled={action.busy}>Set identity</button>
        {v?.identity ? <button type="button" class="danger" disabled={action.busy} onClick={() => void change('Identity unset.', () => api('DELETE', path))}>Unset identity</button> : null}
      </form>
    </>
  );
}
