/**
 * The console's shell: finds out whether a session is open (GET /session), shows the sign-in page or the signed-in
 * frame (navigation, the page of the current route, sign-out). Pages an administrator alone may use are not
 * offered to anyone else (and the API refuses them anyway).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, isSessionLost, setCsrfToken, whenSessionLost } from './api.js';
import { BucketSettings } from './pages/bucket-settings.js';
import { Buckets } from './pages/buckets.js';
import { Certificates } from './pages/certificates.js';
import { ObjectDetails } from './pages/object-details.js';
import { Objects } from './pages/objects.js';
import { Server } from './pages/server.js';
import { SignIn } from './pages/sign-in.js';
import { Users } from './pages/users.js';
import { href, useRoute } from './router.js';
import type { Me } from './types.js';
import { ErrorNote } from './ui.js';

/** The page for `route`. */
function Routed({ route, me }: { route: string[]; me: Me }) {
  const [top, bucket, kind, rest] = route;
  if (top === 'buckets' && bucket !== undefined) {
    if (kind === 'settings') return <BucketSettings bucket={bucket} me={me} />;
    if (kind === 'object' && rest !== undefined) return <ObjectDetails bucket={bucket} keyName={rest} />;
    const prefix = kind === 'folder' ? rest ?? '' : '';
    // Keyed: another folder is another listing, with its own paging.
    return <Objects key={`${bucket}\u0000${prefix}`} bucket={bucket} prefix={prefix} />;
  }
  if (top === 'users') return <Users me={me} />;
  if (top === 'certificates' && me.admin) return <Certificates />;
  if (top === 'server' && me.admin) return <Server />;
  return <Buckets me={me} />;
}

/** The whole console. */
export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [signOutError, setSignOutError] = useState<unknown>();
  const route = useRoute();
  const signedIn = (m: Me) => {
    setCsrfToken(m.csrfToken);
    setMe(m);
  };
  useEffect(() => {
    whenSessionLost(() => setMe(null));
    api<Me>('GET', 'session').then(signedIn, (e) => {
      if (!isSessionLost(e)) setSignOutError(e);
      setMe(null);
    });
  }, []);
  // A new page: its heading takes the focus, so a keyboard or screen reader user starts there.
  useEffect(() => {
    document.getElementById('page-title')?.focus();
  }, [route.join('/')]);

  if (me === undefined) return <p aria-live="polite">Loading…</p>;
  if (me === null) return <SignIn signedIn={signedIn} />;
  const signOut = async () => {
    try {
      await api('DELETE', 'session');
      setCsrfToken('');
      setMe(null);
    } catch (e) {
      setSignOutError(e);
    }
  };
  const links: [string, string][] = [['buckets', 'Buckets'], ['users', me.admin ? 'Users and keys' : 'Your keys']];
  if (me.admin) links.push(['certificates', 'Certificates'], ['server', 'Server']);
  const current = route[0] ?? 'buckets';
  return (
    <>
      {/* The hash is the route: the skip link moves the focus itself instead of navigating to #main. */}
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <span class="brand">dirbucket</span>
        <nav aria-label="Main">
          <ul>
            {links.map(([to, label]) => (
              <li key={to}><a href={href(to)} aria-current={current === to ? 'page' : undefined}>{label}</a></li>
            ))}
          </ul>
        </nav>
        <span class="who">
          <span data-signed-in-as={me.user}>{me.user}{me.admin ? ' (administrator)' : ''}</span>
          <button type="button" onClick={signOut}>Sign out</button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorNote error={signOutError} />
        <Routed route={route} me={me} />
      </main>
    </>
  );
}
