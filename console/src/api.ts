/**
 * The admin API from the page: JSON to /admin/v1/, the session cookie sent by the browser, and the session's CSRF
 * token on every change. An answer saying the session is gone tells the app (it shows the sign-in page).
 */

/** An error answered by the admin API or the S3 proxy: S3's code and message. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

let csrfToken = '';
let onSessionLost: () => void = () => {};

/** Remembers the session's CSRF token (from sign-in or GET /session), sent on every change. */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Headers a change carries: the CSRF token (a cross-site page can neither read it nor set the header). */
export function csrfHeaders(method: string): Record<string, string> {
  return method === 'GET' || method === 'HEAD' ? {} : { 'x-dirbucket-csrf': csrfToken };
}

/** What to do when an answer says the session has ended (expired, signed out elsewhere, key revoked). */
export function whenSessionLost(f: () => void): void {
  onSessionLost = f;
}

/** Whether an error is the API saying there is no session (as opposed to a refusal of one action). */
export function isSessionLost(e: unknown): boolean {
  return e instanceof ApiError && e.status === 403 && /^(Sign in first|The session has ended)/.test(e.message);
}

/** The error in an answer that is not ok: JSON from the admin API, XML from the S3 proxy. */
export async function errorOf(r: Response): Promise<ApiError> {
  const text = await r.text().catch(() => '');
  let code = `HTTP${r.status}`;
  let message = `${r.status} ${r.statusText}`;
  if (/json/.test(r.headers.get('content-type') ?? '')) {
    try {
      const o = JSON.parse(text) as { code?: string; message?: string };
      code = o.code ?? code;
      message = o.message ?? message;
    } catch { /* the status says enough */ }
  } else if (text.startsWith('<?xml') || text.startsWith('<Error')) {
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    code = doc.getElementsByTagName('Code')[0]?.textContent ?? code;
    message = doc.getElementsByTagName('Message')[0]?.textContent ?? message;
  }
  const err = new ApiError(r.status, code, message);
  if (isSessionLost(err)) onSessionLost();
  return err;
}

/** One admin API call: `path` under /admin/v1/, an optional JSON body; the parsed answer (undefined for 204). */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const r = await fetch(`/admin/v1/${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...csrfHeaders(method) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    cache: 'no-store',
    credentials: 'same-origin',
  });
  if (!r.ok) throw await errorOf(r);
  if (r.status === 204) return undefined as T;
  return (await r.json()) as T;
}

/**
 * A GET whose answer is JSON lines (application/x-ndjson, e.g. a bucket's usage counted with progress): `onLine`
 * sees each value as it arrives. Stops reading when `signal` aborts.
 */
export async function apiLines<T>(path: string, onLine: (v: T) => void, signal?: AbortSignal): Promise<void> {
  const r = await fetch(`/admin/v1/${path}`, { cache: 'no-store', credentials: 'same-origin', signal });
  if (!r.ok || !r.body) throw await errorOf(r);
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest += value;
    const lines = rest.split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line.trim()) onLine(JSON.parse(line) as T);
  }
  if (rest.trim()) onLine(JSON.parse(rest) as T);
}

/** `name` as one path segment. */
export const seg = (name: string): string => encodeURIComponent(name);
