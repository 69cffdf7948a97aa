/** Server health (an administrator's): readiness, version and uptime, listeners, file systems, background jobs. */
import { Fragment } from 'preact';
import { api } from '../api.js';
import type { Job, ServerInfo } from '../types.js';
import { ErrorNote, Page, useLoad, When } from '../ui.js';
import { Charts } from './charts.js';

/** /health/ready: ok, or the problems the server reports (it answers 503 with them). */
async function readiness(): Promise<{ ok: boolean; problems: string[] }> {
  const r = await fetch('/health/ready', { cache: 'no-store' });
  const body = (await r.json().catch(() => ({}))) as { problems?: string[] };
  return { ok: r.ok, problems: body.problems ?? [] };
}

function uptime(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min ${s % 60} s`;
}

const yes = (b: boolean) => (b ? 'yes' : 'no');

/** The server page. */
export function Server() {
  const info = useLoad(() => api<ServerInfo>('GET', 'server'), []);
  const jobs = useLoad(() => api<{ jobs: Job[] }>('GET', 'jobs'), []);
  const ready = useLoad(readiness, []);
  const s = info.value;
  return (
    <Page title="Server" actions={<button type="button" onClick={() => { info.reload(); jobs.reload(); ready.reload(); }}>Refresh</button>}>
      <ErrorNote error={info.error ?? jobs.error} />
      {ready.value ? (
        <p data-ready={String(ready.value.ok)} class={`badge ${ready.value.ok ? 'ok' : 'bad'}`} role="status">
          {ready.value.ok ? 'Ready' : `Not ready: ${ready.value.problems.join('; ')}`}
        </p>
      ) : null}
      {s ? (
        <dl class="facts">
          <dt>Version</dt><dd>{s.version}</dd>
          <dt>Started</dt><dd><When at={s.startedAt} /> (up {uptime(s.uptimeSeconds)})</dd>
          <dt>Region</dt><dd>{s.region}</dd>
          <dt>Identity mode</dt><dd data-identity-mode={s.identityMode}>{s.identityMode === 'bucket'
            ? 'bucket: requests to a bucket act as the bucket\'s identity (S3 rights, ACLs and policies decide among users)'
            : 'user: each user acts as their own uid/gid (the file system\'s permissions apply to every user)'}</dd>
          <dt>File ownership</dt><dd>{s.chown ? 'the gateway may give files to any identity' : 'the gateway cannot change file ownership: only identities equal to its own are served'}</dd>
          <dt>Storage</dt><dd>{s.storage.root ? `every directory under ${s.storage.root}` : `${s.storage.buckets} configured buckets`}</dd>
          {s.listeners.map((l) => <Fragment key={l.name}><dt>{l.name === 's3' ? 'S3 endpoint' : 'Admin endpoint'}</dt><dd><code>{l.endpoint}</code></dd></Fragment>)}
        </dl>
      ) : null}
      <h2>Traffic on the S3 listener</h2>
      <Charts />
      {s?.fileSystems.length ? (
        <>
          <h2>File systems</h2>
          <table class="list" aria-label="File systems">
            <thead><tr><th scope="col">For</th><th scope="col">Directory</th><th scope="col">Type</th><th scope="col">Network</th><th scope="col">xattrs</th><th scope="col">reflink</th><th scope="col">immutable</th></tr></thead>
            <tbody>
              {s.fileSystems.map((f) => (
                <tr key={f.dir}><td>{f.what}</td><td><code>{f.dir}</code></td><td>{f.type}</td><td>{yes(f.network)}</td><td>{yes(f.xattrs)}</td><td>{yes(f.reflink)}</td><td>{yes(f.immutable)}{f.problem ? ` (${f.problem})` : ''}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {jobs.value ? (
        <>
          <h2>Background jobs</h2>
          <table class="list" aria-label="Background jobs">
            <thead><tr><th scope="col">Job</th><th scope="col">Every</th><th scope="col">Runs</th><th scope="col">Failures</th><th scope="col">Last run</th><th scope="col">Next run</th></tr></thead>
            <tbody>
              {jobs.value.jobs.map((j) => (
                <tr key={j.name} class={j.lastRun && !j.lastRun.ok ? 'expired' : ''}>
                  <td>{j.name}{j.runsHere ? '' : <small> (runs in another worker)</small>}</td>
                  <td>{Math.round(j.intervalMs / 1000)} s</td>
                  <td>{j.runs}</td>
                  <td>{j.failures}{j.lastFailure ? <small> last: {j.lastFailure.error}</small> : null}</td>
                  <td>{j.running ? 'running' : j.lastRun ? <><When at={j.lastRun.ended} /> ({j.lastRun.ok ? 'ok' : `failed: ${j.lastRun.error}`}, {j.lastRun.ms} ms)</> : '—'}</td>
                  <td><When at={j.nextRun} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </Page>
  );
}
