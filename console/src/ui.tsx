/** Small pieces every page uses: loading with errors, an error note, formatting of sizes and dates. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { isSessionLost } from './api.js';

/** What an async load gives a page: the value, the error, and a way to load again. */
export interface Loaded<T> {
  value?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now and whenever `deps` change (or reload() is called); the latest run wins. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ value?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    load().then((value) => current && setState({ value, loading: false }), (error) => current && setState({ error, loading: false }));
    return () => {
      current = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Runs an action, keeping its error to show; `busy` while it runs. */
export function useAction(): { busy: boolean; error?: unknown; run: (f: () => Promise<void>) => Promise<boolean>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async (f: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await f();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(undefined) };
}

/** An error, said in S3's words (code and message); nothing when there is none, or when the session is gone. */
export function ErrorNote({ error }: { error?: unknown }) {
  if (error === undefined || isSessionLost(error)) return null;
  const e = error as { code?: string; message?: string };
  return (
    <p class="error" role="alert">
      {e.code ? <strong>{e.code}: </strong> : null}
      {e.message ?? String(error)}
    </p>
  );
}

/** A page's frame: its heading and content. */
export function Page({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>{title}</h1>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** Bytes as people read them (binary units, as `ls -h`). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** A date and time in the reader's locale, with the ISO form as a tooltip. */
export function When({ at }: { at?: string }) {
  if (!at) return <span>—</span>;
  const d = new Date(at);
  return <time dateTime={d.toISOString()} title={d.toISOString()}>{d.toLocaleString()}</time>;
}

/** Whole days from now to `at` (negative: past). */
export function daysUntil(at: string): number {
  return Math.floor((new Date(at).getTime() - Date.now()) / 86_400_000);
}
