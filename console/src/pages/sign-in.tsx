/** Sign-in: an access key and its secret, exchanged for a session cookie (POST /admin/v1/session). */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import type { Me } from '../types.js';
import { ErrorNote, useAction } from '../ui.js';

/** The sign-in form; calls `signedIn` with who signed in. */
export function SignIn({ signedIn }: { signedIn: (me: Me) => void }) {
  const [accessKeyId, setKey] = useState('');
  const [secretAccessKey, setSecret] = useState('');
  const action = useAction();
  const first = useRef<HTMLInputElement>(null);
  // Not the autofocus attribute alone: a browser honours it once per document, and this form comes back at sign-out.
  useEffect(() => first.current?.focus(), []);
  const submit = async (e: Event) => {
    e.preventDefault();
    await action.run(async () => {
      const me = await api<Me>('POST', 'session', { accessKeyId: accessKeyId.trim(), secretAccessKey });
      setSecret('');
      signedIn(me);
    });
  };
  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">dirbucket console</h1>
        <p>Sign in with an access key and its secret, the ones you use with S3 clients.</p>
        <label for="access-key">Access key</label>
        <input id="access-key" ref={first} name="accessKeyId" autocomplete="username" required autofocus spellcheck={false}
          value={accessKeyId} onInput={(e) => setKey(e.currentTarget.value)} />
        <label for="secret-key">Secret key</label>
        <input id="secret-key" name="secretAccessKey" type="password" autocomplete="current-password" required
          value={secretAccessKey} onInput={(e) => setSecret(e.currentTarget.value)} />
        <ErrorNote error={action.error} />
        <button type="submit" disabled={action.busy}>{action.busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
