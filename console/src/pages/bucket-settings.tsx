/**
 * A bucket's settings through the admin API (each read and written by its S3 operation, so the same rights apply):
 * versioning, object lock (shown), tags, and the bucket policy with a JSON check before it is sent.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, seg } from '../api.js';
import { href } from '../router.js';
import type { Tag } from '../s3.js';
import { ErrorNote, Page, useAction, useLoad } from '../ui.js';
import { TagEditor } from './object-details.js';

interface Lock {
  enabled: boolean;
  defaultRetention?: { mode: string; days?: number; years?: number };
}

/** The settings page of `bucket`. */
export function BucketSettings({ bucket }: { bucket: string }) {
  const b = `buckets/${seg(bucket)}`;
  const versioning = useLoad(() => api<{ status: string | null }>('GET', `${b}/versioning`), [bucket]);
  const lock = useLoad(() => api<Lock>('GET', `${b}/lock`), [bucket]);
  const tags = useLoad(() => api<{ tags: Tag[] }>('GET', `${b}/tags`), [bucket]);
  const policy = useLoad(() => api<{ policy: unknown }>('GET', `${b}/policy`), [bucket]);
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

  const l = lock.value;
  return (
    <Page title={`Settings of ${bucket}`} actions={<a href={href('buckets', bucket)}>Browse objects</a>}>
      <ErrorNote error={action.error ?? versioning.error ?? lock.error} />
      {done ? <p role="status">{done}</p> : null}
      <h2>Versioning</h2>
      {versioning.value ? (
        <form class="inline" aria-label="Versioning" onSubmit={(e) => {
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
      <h2>Tags</h2>
      <ErrorNote error={tags.error} />
      {tags.value ? <TagEditor tags={tags.value.tags} busy={action.busy} save={(t) => void act('Tags saved.', () => api('PUT', `${b}/tags`, { tags: t }), tags.reload)} /> : null}
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
