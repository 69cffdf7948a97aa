/** Certificates served (an administrator's): subject, names, expiry, days left; under 30 days left highlighted. */
import { api } from '../api.js';
import type { Certificate } from '../types.js';
import { ErrorNote, Page, useLoad, When } from '../ui.js';

/** The certificates page. */
export function Certificates() {
  const certs = useLoad(() => api<{ certificates: Certificate[] }>('GET', 'certificates'), []);
  const list = certs.value?.certificates ?? [];
  return (
    <Page title="Certificates">
      <ErrorNote error={certs.error} />
      {certs.value && list.length === 0 ? <p>No certificates: the S3 listener speaks plain HTTP (start it with --tls-cert and --tls-key).</p> : null}
      {list.length ? (
        <table class="list" aria-label="Certificates">
          <thead><tr><th scope="col">Subject</th><th scope="col">Names</th><th scope="col">Issuer</th><th scope="col">Valid from</th><th scope="col">Expires</th><th scope="col">Days left</th><th scope="col">Status</th><th scope="col">File</th></tr></thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.file + c.notAfter} data-certificate={c.file} data-status={c.status} class={c.status === 'valid' ? '' : c.status}>
                <td>{c.subject}</td>
                <td>{c.names.join(', ')}</td>
                <td>{c.issuer}</td>
                <td><When at={c.notBefore} /></td>
                <td><When at={c.notAfter} /></td>
                <td data-days-left={c.daysLeft}>{c.daysLeft}</td>
                <td><span class={`badge ${c.status === 'valid' ? 'ok' : c.status === 'expiring' ? 'warn' : 'bad'}`}>{c.status === 'expiring' ? 'expiring: renew' : c.status}</span></td>
                <td><code>{c.file}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Page>
  );
}
