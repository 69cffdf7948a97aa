/**
 * The lifecycle rule editor of bucket settings: each rule's ID, status, filter (prefix and tags), expiration,
 * transitions (to the storage classes the bucket offers: the archive ones only with an archive tier), noncurrent
 * version expiration and the abort of incomplete multipart uploads. Saved through the admin API, which runs
 * PutBucketLifecycleConfiguration as the user: the server's checks are the only ones, and S3's message is shown.
 * What the form does not show of a rule (dates, size filters, noncurrent transitions, …) is kept as it was.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, seg } from '../api.js';
import type { LifecycleRule } from '../types.js';
import { ErrorNote, useAction, useLoad } from '../ui.js';

/** One rule as the form edits it: text fields, plus the rule it came from. */
interface Draft {
  from?: LifecycleRule;
  id: string;
  enabled: boolean;
  prefix: string;
  /** key=value, separated by commas. */
  tags: string;
  expireDays: string;
  transitions: { days: string; storageClass: string }[];
  noncurrentDays: string;
  abortDays: string;
}

const numText = (n: number | undefined): string => (n === undefined ? '' : String(n));

function draftOf(r: LifecycleRule): Draft {
  return {
    from: r, id: r.id ?? '', enabled: r.enabled, prefix: r.filter.prefix ?? '',
    tags: r.filter.tags.map((t) => `${t.key}=${t.value}`).join(', '),
    expireDays: numText(r.expiration?.days),
    transitions: r.transitions.filter((t) => t.days !== undefined).map((t) => ({ days: String(t.days), storageClass: t.storageClass })),
    noncurrentDays: numText(r.noncurrentExpiration?.noncurrentDays), abortDays: numText(r.abortIncompleteMultipartUploadDays),
  };
}

const blank = (n: number): Draft => ({ id: `rule-${n}`, enabled: true, prefix: '', tags: '', expireDays: '', transitions: [], noncurrentDays: '', abortDays: '' });

/** A whole number typed in a field; the text itself when it is not one, for the server to refuse in S3's words. */
const num = (s: string): number | undefined => (s.trim() === '' ? undefined : Number(s.trim()));

/** The rule the server is sent for `d`. */
function ruleOf(d: Draft): LifecycleRule {
  const f = d.from;
  const tags = d.tags.split(',').map((t) => t.trim()).filter(Boolean).map((t) => {
    const eq = t.indexOf('=');
    return eq < 0 ? { key: t, value: '' } : { key: t.slice(0, eq).trim(), value: t.slice(eq + 1).trim() };
  });
  const sizes = { ...(f?.filter.sizeGreaterThan !== undefined ? { sizeGreaterThan: f.filter.sizeGreaterThan } : {}), ...(f?.filter.sizeLessThan !== undefined ? { sizeLessThan: f.filter.sizeLessThan } : {}) };
  const conditions = (d.prefix ? 1 : 0) + tags.length + Object.keys(sizes).length;
  // S3's three shapes: the old top-level Prefix (kept for a rule that had it), one condition, or several in And.
  const form = f?.filter.form === 'prefix' && conditions <= 1 && tags.length === 0 && !Object.keys(sizes).length ? 'prefix' : conditions > 1 ? 'and' : 'filter';
  const expiration = { ...f?.expiration };
  const days = num(d.expireDays);
  if (days !== undefined) {
    expiration.days = days;
    delete expiration.date;
    delete expiration.expiredObjectDeleteMarker;
  } else delete expiration.days;
  const nc = num(d.noncurrentDays);
  const abort = num(d.abortDays);
  return {
    ...f, id: d.id, enabled: d.enabled,
    filter: { form, ...(d.prefix || form === 'prefix' ? { prefix: d.prefix } : {}), tags, ...sizes },
    expiration: Object.keys(expiration).length ? expiration : undefined,
    // Date-based transitions are not in the form: kept as they were.
    transitions: [...(f?.transitions.filter((t) => t.days === undefined) ?? []), ...d.transitions.map((t) => ({ days: num(t.days) ?? 0, storageClass: t.storageClass }))],
    noncurrentExpiration: nc === undefined ? undefined : { ...f?.noncurrentExpiration, noncurrentDays: nc },
    noncurrentTransitions: f?.noncurrentTransitions ?? [],
    abortIncompleteMultipartUploadDays: abort,
  };
}

/** The editor of `bucket`'s lifecycle rules; `storageClasses`: what a transition may name there. */
export function LifecycleEditor({ bucket, storageClasses }: { bucket: string; storageClasses: string[] }) {
  const path = `buckets/${seg(bucket)}/lifecycle`;
  const loaded = useLoad(() => api<{ rules: LifecycleRule[] }>('GET', path), [bucket]);
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [done, setDone] = useState('');
  const action = useAction();
  useEffect(() => setDrafts((loaded.value?.rules ?? []).map(draftOf)), [loaded.value]);
  const classes = storageClasses.filter((c) => c !== 'STANDARD' && c !== 'REDUCED_REDUNDANCY');
  const set = (i: number, change: Partial<Draft>) => setDrafts((ds) => ds.map((d, j) => (j === i ? { ...d, ...change } : d)));
  const save = async (e: Event) => {
    e.preventDefault();
    setDone('');
    const ok = await action.run(() => (drafts.length ? api('PUT', path, { rules: drafts.map(ruleOf) }) : api('DELETE', path)));
    if (ok) {
      setDone(drafts.length ? 'Lifecycle rules saved.' : 'Lifecycle configuration deleted.');
      loaded.reload();
    }
  };
  return (
    <form onSubmit={save} aria-label="Lifecycle rules" class="lifecycle">
      <ErrorNote error={loaded.error ?? action.error} />
      {done ? <p role="status">{done}</p> : null}
      {loaded.value && drafts.length === 0 ? <p>No lifecycle rules: objects stay until deleted.</p> : null}
      {drafts.map((d, i) => {
        const n = i + 1;
        const id = (what: string) => `lc-${n}-${what}`;
        return (
          <fieldset key={i} data-rule={n}>
            <legend>Rule {n}</legend>
            <label for={id('id')}>ID</label>
            <input id={id('id')} value={d.id} maxLength={255} onInput={(e) => set(i, { id: e.currentTarget.value })} />
            <label class="check"><input type="checkbox" checked={d.enabled} onChange={(e) => set(i, { enabled: e.currentTarget.checked })} /> Rule {n} enabled</label>
            <label for={id('prefix')}>Prefix</label>
            <input id={id('prefix')} value={d.prefix} placeholder="every object" onInput={(e) => set(i, { prefix: e.currentTarget.value })} />
            <label for={id('tags')}>Tags (key=value, comma-separated)</label>
            <input id={id('tags')} value={d.tags} onInput={(e) => set(i, { tags: e.currentTarget.value })} />
            <label for={id('expire')}>Expire current versions after (days)</label>
            <input id={id('expire')} type="number" min={1} value={d.expireDays} onInput={(e) => set(i, { expireDays: e.currentTarget.value })} />
            <label for={id('noncurrent')}>Expire noncurrent versions after (days)</label>
            <input id={id('noncurrent')} type="number" min={1} value={d.noncurrentDays} onInput={(e) => set(i, { noncurrentDays: e.currentTarget.value })} />
            <label for={id('abort')}>Abort incomplete multipart uploads after (days)</label>
            <input id={id('abort')} type="number" min={1} value={d.abortDays} onInput={(e) => set(i, { abortDays: e.currentTarget.value })} />
            {d.transitions.map((t, k) => (
              <div class="transition" key={k}>
                <label for={id(`t${k}-class`)}>Rule {n} transition {k + 1} to</label>
                <select id={id(`t${k}-class`)} value={t.storageClass} onChange={(e) => set(i, { transitions: d.transitions.map((x, j) => (j === k ? { ...x, storageClass: e.currentTarget.value } : x)) })}>
                  {classes.map((c) => <option key={c} value={c}>{c}</option>)}
                </select>
                <label for={id(`t${k}-days`)}>after (days)<span class="sr-only"> for transition {k + 1} of rule {n}</span></label>
                <input id={id(`t${k}-days`)} type="number" min={0} value={t.days} onInput={(e) => set(i, { transitions: d.transitions.map((x, j) => (j === k ? { ...x, days: e.currentTarget.value } : x)) })} />
                <button type="button" class="danger" onClick={() => set(i, { transitions: d.transitions.filter((_, j) => j !== k) })}>Remove transition {k + 1} of rule {n}</button>
              </div>
            ))}
            <p class="toolbar">
              <button type="button" disabled={classes.length === 0} onClick={() => set(i, { transitions: [...d.transitions, { days: '30', storageClass: classes.find((c) => c === 'GLACIER') ?? classes[0]! }] })}>Add a transition to rule {n}</button>
              <button type="button" class="danger" onClick={() => setDrafts((ds) => ds.filter((_, j) => j !== i))}>Remove rule {n}</button>
            </p>
          </fieldset>
        );
      })}
      <p class="toolbar">
        <button type="button" onClick={() => setDrafts((ds) => [...ds, blank(ds.length + 1)])}>Add a lifecycle rule</button>
        <button type="submit" disabled={action.busy || !loaded.value}>{drafts.length || !loaded.value?.rules.length ? 'Save lifecycle rules' : 'Delete the lifecycle configuration'}</button>
      </p>
      {storageClasses.some((c) => c === 'GLACIER') ? null : <p><small>Archive classes (GLACIER, DEEP_ARCHIVE, GLACIER_IR) need an archive tier: the server's --archive-dir.</small></p>}
    </form>
  );
}
