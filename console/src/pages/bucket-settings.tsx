/**
 * A bucket's settings through the admin API (each read and written by its S3 operation, so the same rights apply):
 * versioning, object lock and its default retention, tags, lifecycle rules (lifecycle-editor.tsx), CORS rules and the
 * bucket policy (both JSON, checked in the page before they are sent).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, seg } from '../api.js';
import { href } from '../router.js';
import type { Tag } from '../s3.js';
import { ErrorNote, Page, useAction, useLoad } from '../ui.js';
import type { BucketDetails, Me } from '../types.js';
import { BucketIdentity } from './bucket-identity.js';
import { LifecycleEditor } from './lifecycle-editor.js';
import { TagEditor } from './object-details.js';

interface Lock {
  enabled: boolean;
  defaultRetention?: { mode: string; days?: number; years?: number };
}

/** The settings page of `bucket`. */
export function BucketSettings({ bucket, me }: { bucket: string; me: Me }) {
  const b = `buckets/${seg(bucket)}`;
  const details = useLoad(() => api<BucketDetails>('GET', b), [bucket]);
  const versioning = useLoad(() => api<{ status: string | null }>('GET', `${b}/versioning`), [bucket]);
  const lock = useLoad(() => api<Lock>('GET', `${b}/lock`), [bucket]);
  const tags = useLoad(() => api<{ tags: Tag[] }>('GET', `${b}/tags`), [bucket]);
  const policy = useLoad(() => api<{ policy: unknown }>('GET', `${b}/policy`), [bucket]);
  const cors = useLoad(() => api<{ rules: unknown[] }>('GET', `${b}/cors`), [bucket]);
  const [corsText, setCorsText] = useState('');
  const [corsProblem, setCorsProblem] = useState('');
  useEffect(() => setCorsText(cors.value?.rules.length ? JSON.stringify(cors.value.rules, null, 2) : ''), [cors.value]);
  const action = useAction();
  const [done, setDone] = useState('');
  const [policyText, setPolicyText] = useState('');
  const [policyProblem, setPolicyProblem] = useState('');
  useEffect(() => {
    const p = policy.value?.policy;
    setPolicyText(p === null || p === undefined ? '' : typeof p === 'string' ? p : JSON.stringify(p, null, 2));
  }, [policy.value]);

  const act = async (what: string, f: () => Promise<unknown>, reload: () => void) => {
    setDone('');
    if (await action.run(async () => { await f(); })) {
      setDone(what);
      reload();
    }
  };
  const savePolicy = (e: Event) => {
    e.preventDefault();
    setPolicyProblem('');
    if (policyText.trim() === '') return void act('Policy removed.', () => api('DELETE', `${b}/policy`), policy.reload);
    let doc: unknown;
    try {
      doc = JSON.parse(policyText);
    } catch (err) {
      // Checked here first: a typo is said at once, next to the text, before anything is sent.
      setPolicyProblem(`The policy is not valid JSON: ${(err as Error).message}`);
      return;
    }
    if (typeof doc !== 'object' || doc === null || !('Statement' in doc)) {
      setPolicyProblem('A bucket policy is a JSON object with a "Statement" (and usually "Version": "2012-10-17").');
      return;
    }
    void act('Policy saved.', () => api('PUT', `${b}/policy`, { policy: doc }), policy.reload);
  };

  const saveCors = (e: Event) => {
    e.preventDefault();
    setCorsProblem('');
    if (corsText.trim() === '') return void act('CORS rules removed.', () => api('DELETE', `${b}/cors`), cors.reload);
    let rules: unknown;
    try {
      rules = JSON.parse(corsText);
    } catch (err) {
      setCorsProblem(`The rules are not valid JSON: ${(err as Error).message}`);
      return;
    }
    if (!Array.isArray(rules)) {
      setCorsProblem('CORS rules are a JSON array of {"allowedOrigins": [...], "allowedMethods": [...], ...}.');
      return;
    }
    void act('CORS rules saved.', () => api('PUT', `${b}/cors`, { rules }), cors.reload);
  };
  const saveRetention = (e: Event) => {
    e.preventDefault();
    const f = e.currentTarget as HTMLFormElement;
    const mode = (f.elements.namedItem('mode') as HTMLSelectElement).value;
    const n = Number((f.elements.namedItem('period') as HTMLInputElement).value);
    const unit = (f.elements.namedItem('unit') as HTMLSelectElement).value;
    const body = mode === '' ? { enabled: true } : { enabled: true, defaultRetention: { mode, [unit]: n } };
    void act('Default retention saved.', () => api('PUT', `${b}/lock`, body), lock.reload);
  };
  const l = lock.value;
  return (
    <Page title={`Settings of ${bucket}`} actions={<a href={href('buckets', bucket)}>Browse objects</a>}>
      <ErrorNote error={action.error ?? versioning.error ?? lock.error} />
      {done ? <p role="status">{done}</p> : null}
      <h2>Versioning</h2>
      {versioning.value ? (
        <form class="inline" aria-label="Versioning setting" onSubmit={(e) => {
          e.preventDefault();
          const status = (e.currentTarget.elements.namedItem('versioning') as HTMLSelectElement).value;
          void act('Versioning saved.', () => api('PUT', `${b}/versioning`, { status }), versioning.reload);
        }}>
          <label for="versioning">Versioning</label>
          <select id="versioning" name="versioning" key={versioning.value.status ?? 'never'}>
            {versioning.value.status === null ? <option value="" disabled selected>never enabled</option> : null}
            <option value="Enabled" selected={versioning.value.status === 'Enabled'}>Enabled</option>
            <option value="Suspended" selected={versioning.value.status === 'Suspended'}>Suspended</option>
          </select>
          <button type="submit" disabled={action.busy}>Save versioning</button>
        </form>
      ) : null}
      <h2>Object lock</h2>
      {l ? (
        <p>{l.enabled
          ? `Enabled${l.defaultRetention ? `; default retention ${l.defaultRetention.mode}, ${l.defaultRetention.days ? `${l.defaultRetention.days} days` : `${l.defaultRetention.years} years`}` : '; no default retention'}.`
          : 'Not enabled (it can be turned on only when a bucket is created).'}</p>
      ) : null}
      {l?.enabled ? (
        <form class="inline" aria-label="Default retention" onSubmit={saveRetention} key={JSON.stringify(l.defaultRetention ?? null)}>
          <label for="lock-mode">Default retention</label>
          <select id="lock-mode" name="mode">
            <option value="" selected={!l.defaultRetention}>none</option>
            <option value="GOVERNANCE" selected={l.defaultRetention?.mode === 'GOVERNANCE'}>GOVERNANCE</option>
            <option value="COMPLIANCE" selected={l.defaultRetention?.mode === 'COMPLIANCE'}>COMPLIANCE</option>
          </select>
          <label for="lock-period">for</label>
          <input id="lock-period" name="period" type="number" min={1} value={l.defaultRetention?.days ?? l.defaultRetention?.years ?? 1} />
          <label for="lock-unit" class="sr-only">unit</label>
          <select id="lock-unit" name="unit">
            <option value="days" selected={!l.defaultRetention?.years}>days</option>
            <option value="years" selected={!!l.defaultRetention?.years}>years</option>
          </select>
          <button type="submit" disabled={action.busy}>Save retention</button>
        </form>
      ) : null}
      <h2>Tags</h2>
      <ErrorNote error={tags.error} />
      {tags.value ? <TagEditor tags={tags.value.tags} busy={action.busy} save={(t) => void act('Tags saved.', () => api('PUT', `${b}/tags`, { tags: t }), tags.reload)} /> : null}
      <h2>Lifecycle</h2>
      {details.value ? <LifecycleEditor bucket={bucket} storageClasses={details.value.storageClasses} /> : <ErrorNote error={details.error} />}
      {me.admin ? (
        <>
          <h2>Identity on the file system</h2>
          <BucketIdentity bucket={bucket} />
        </>
      ) : null}
      <h2>CORS</h2>
      <ErrorNote error={cors.error} />
      <form onSubmit={saveCors} aria-label="CORS rules">
        <label for="cors">Rules (a JSON array; empty removes them)</label>
        <textarea id="cors" rows={8} spellcheck={false} value={corsText} onInput={(e) => setCorsText(e.currentTarget.value)}
          placeholder='[{"allowedOrigins": ["https://app.example"], "allowedMethods": ["GET", "PUT"], "allowedHeaders": ["*"], "maxAgeSeconds": 600}]'
          aria-invalid={corsProblem ? 'true' : undefined} aria-describedby={corsProblem ? 'cors-problem' : undefined} />
        {corsProblem ? <p id="cors-problem" class="error" role="alert">{corsProblem}</p> : null}
        <button type="submit" disabled={action.busy}>Save CORS rules</button>
      </form>
      <h2>Bucket policy</h2>
      <ErrorNote error={policy.error} />
      <form onSubmit={savePolicy} aria-label="Bucket policy">
        <label for="policy">Policy (JSON; empty removes it)</label>
        <textarea id="policy" rows={12} spellcheck={false} value={policyText} onInput={(e) => setPolicyText(e.currentTarget.value)}
          aria-invalid={policyProblem ? 'true' : undefined} aria-describedby={policyProblem ? 'policy-problem' : undefined} />
        {policyProblem ? <p id="policy-problem" class="error" role="alert">{policyProblem}</p> : null}
        <button type="submit" disabled={action.busy}>Save policy</button>
      </form>
    </Page>
  );
}
